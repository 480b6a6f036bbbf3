"""Several corrections from a JSON-lines file in one unit: all or nothing, one undo step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import corrections, decisions
from .db import Unit
from .errors import CorrectionError, FormatError, MarginError
from .rows import span_row

# op -> the fields it needs besides "op" (article is needed by add and reject_remaining)
OPS: dict[str, tuple[str, ...]] = {
    "accept": ("span",),
    "reject": ("span",),
    "relabel": ("span", "label"),
    "resize": ("span", "start", "end"),
    "add": ("article", "start", "end", "label"),
    "reject_remaining": ("article",),
}


def read_batch(path: str | Path, article_id: int | None = None) -> list[dict[str, Any]]:
    """The operations of a JSON-lines file, each checked for its fields; FormatError naming
    the line. article_id is the article of lines that name none."""
    p = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise FormatError(p, None, f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise FormatError(p, None, "is not valid UTF-8 text") from None
    ops: list[dict[str, Any]] = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            op = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            raise FormatError(p, where, f"is not valid JSON ({msg})") from None
        if not isinstance(op, dict) or op.get("op") not in OPS:
            raise FormatError(p, where, f'needs "op": one of {", ".join(OPS)}')
        if "article" not in op and article_id is not None:
            op["article"] = article_id
        for field in OPS[op["op"]]:
            want = str if field == "label" else int
            value = op.get(field)
            if not isinstance(value, want) or isinstance(value, bool):
                kind = "a string" if want is str else "a whole number"
                raise FormatError(p, where, f'{op["op"]} needs "{field}" ({kind})')
        if op["op"] == "resize" and not isinstance(op.get("label", ""), str):
            raise FormatError(p, where, 'resize takes "label" as a string')
        op["line"] = n
        ops.append(op)
    return ops


def run_batch(tx: Unit, ops: list[dict[str, Any]], path: str = "batch") -> list[int]:
    """Make every operation in this unit (one journal group); the ids of the spans that carry
    each decision. A refused operation raises CorrectionError naming its line; nothing stays."""
    out: list[int] = []
    for op in ops:
        try:
            out.append(_one(tx, op))
        except MarginError as exc:
            raise CorrectionError(f"{path}, line {op['line']}: {exc}") from None
    return out


def _one(tx: Unit, op: dict[str, Any]) -> int:
    kind = op["op"]
    if "span" in op and "article" in op and kind not in ("add", "reject_remaining"):
        owner = span_row(tx.db, op["span"])["article_id"]
        if owner != op["article"]:
            raise CorrectionError(
                f"span {op['span']} belongs to article {owner}, not article {op['article']}"
            )
    if kind == "accept":
        return corrections.accept(tx, op["span"])
    if kind == "reject":
        return corrections.reject(tx, op["span"])
    if kind == "relabel":
        return corrections.relabel(tx, op["span"], op["label"])
    if kind == "resize":
        return corrections.resize(tx, op["span"], op["start"], op["end"], op.get("label"))
    if kind == "add":
        return corrections.add_span(tx, op["article"], op["start"], op["end"], op["label"])
    return decisions.reject_remaining(tx, op["article"])
