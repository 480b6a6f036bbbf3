"""Numbered schema migrations: each module ``mNNNN_name`` holds one ``SQL`` script."""

from __future__ import annotations

import importlib
import pkgutil
import re


def migrations() -> list[tuple[int, str, str]]:
    """Return (number, name, sql) for every migration module, in order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        m = re.fullmatch(r"m(\d{4})_(\w+)", info.name)
        if m:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append((int(m.group(1)), m.group(2), module.SQL))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {numbers}")
    return found
