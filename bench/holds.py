"""A margin child's longest write-lock hold of a chunked load, written at exit to $BENCH_HOLDS.

Imported by the benchmark's margin child before the command runs: every bulk_load.Load records
how long each of its transactions took (Load.holds); at exit the longest and their count are
written as JSON, for the benchmark to print beside the 1 s target.
"""

from __future__ import annotations

import atexit
import json
import os
from typing import Any

from store import bulk_load

_LOADS: list[Any] = []
_init = bulk_load.Load.__init__


def _tracked(self: Any, *args: Any, **kwargs: Any) -> None:
    _init(self, *args, **kwargs)
    _LOADS.append(self)


def _write(path: str) -> None:
    holds = [h for load in _LOADS for h in load.holds]
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"longest": max(holds, default=0.0), "transactions": len(holds)}, out)


if os.environ.get("BENCH_HOLDS"):
    bulk_load.Load.__init__ = _tracked  # type: ignore[method-assign]
    atexit.register(_write, os.environ["BENCH_HOLDS"])
