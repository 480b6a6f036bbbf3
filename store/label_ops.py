"""Label operations over the whole corpus: rename, merge, drop, map; each one journal group.

Set-based: one statement journals every span a mapping touches (its before and after rows,
built by SQLite's json_object) and one changes them, however many spans a label has.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import sqlite_utils

from . import label_history, rules
from .db import Unit
from .errors import FormatError, SpanError
from .labels import clean_label, color_for, ensure_label, legend, take_place
from .labels import labels as all_labels
from .models import STATUSES, Label, LabelInfo, LabelOpResult, now

DROP = "drop"  # the target in a map file that rejects every span of a label


def _row_json(label: str, status: str, updated: str) -> str:
    """A span row as JSON (the journal's before/after shape) with these three expressions."""
    return (
        "json_object('id', id, 'article_id', article_id, 'start', start, 'end', \"end\","
        f" 'label', {label}, 'source', source, 'status', {status}, 'text', text,"
        f" 'created_at', created_at, 'updated_at', {updated})"
    )


def change_spans(
    tx: Unit, action: str, where: str, params: dict[str, object], label: str, status: str
) -> int:
    """Journal and change every span matching where: label and status become these expressions."""
    count = int(tx.execute(f"SELECT COUNT(*) FROM spans WHERE {where}", params).fetchone()[0])
    if not count:
        return 0
    values: dict[str, object] = {**params, "group": tx.edit_group(), "stamp": now()}
    values.update(action=action, origin=tx.origin)
    tx.execute(
        "INSERT INTO journal (group_id, at, actor, action, article_id, span_id, before, after,"
        " undoable, origin) SELECT :group, :stamp, 'user', :action, article_id, id,"
        f" {_row_json('label', 'status', 'updated_at')},"
        f" {_row_json(label, status, ':stamp')}, 1, :origin"
        f" FROM spans WHERE {where} ORDER BY id",
        values,
    )
    tx.execute(
        f"UPDATE spans SET label = {label}, status = {status}, updated_at = :stamp WHERE {where}",
        values,
    )
    return count


_CURRENT = "status != 'rejected'"
# a current span with a twin of the same label and offsets that is better (accepted over
# suggested, then the older one): the twin stays, this one is rejected
_TWIN = (
    f"label = :dst AND {_CURRENT} AND EXISTS (SELECT 1 FROM spans o"
    " WHERE o.article_id = spans.article_id AND o.start = spans.start"
    ' AND o."end" = spans."end" AND o.label = :dst AND o.status != \'rejected\''
    " AND o.id != spans.id AND ((o.status = 'accepted' AND spans.status = 'suggested')"
    " OR (o.status = spans.status AND o.id < spans.id)))"
)


def known_names(db: sqlite_utils.Database) -> set[str]:
    """Every label name: the labels table's and those spans carry."""
    names = {lab.name for lab in all_labels(db)}
    names.update(r[0] for r in db.execute("SELECT DISTINCT label FROM spans"))
    return names


def map_labels(
    tx: Unit, mapping: Mapping[str, str | None], action: str = "labels map", keep: bool = False
) -> LabelOpResult:
    """Apply a label mapping to every span at once (label -> new label, or None to drop).

    Renamed spans keep their status (a rejected one stays rejected, as evidence); dropped
    labels have their current spans rejected. A merge that would leave two current spans
    with the same label and offsets rejects the lesser one. keep: also store each mapping
    as a rule, so extraction maps later suggestions the same way.
    """
    clean: dict[str, str | None] = {}
    known = known_names(tx.db)
    for src, dst in mapping.items():
        name = clean_label(src)
        if name not in known:
            raise SpanError(f"unknown label {name!r} (`margin labels` lists them)")
        target = None if dst is None else clean_label(dst)
        if target != name:
            clean[name] = target
    renames = {s: d for s, d in clean.items() if d is not None}
    chained = sorted(set(renames.values()) & set(clean))
    if chained:
        raise SpanError(f"label {chained[0]!r} is both renamed and a new name; map each label once")
    existed = {lab.name for lab in all_labels(tx.db)}
    legend_before = label_history.rows(tx.db)
    drops = [s for s, d in clean.items() if d is None]
    rejected = 0
    if drops:
        rejected += change_spans(
            tx,
            action,
            f"label IN (SELECT value FROM json_each(:drops)) AND {_CURRENT}",
            {"drops": json.dumps(drops)},
            "label",
            "'rejected'",
        )
    relabelled = 0
    if renames:
        relabelled = change_spans(
            tx,
            action,
            "label IN (SELECT key FROM json_each(:map))",
            {"map": json.dumps(renames)},
            "(SELECT value FROM json_each(:map) WHERE key = spans.label)",
            "status",
        )
        for dst in sorted(set(renames.values())):
            rejected += change_spans(tx, action, _TWIN, {"dst": dst}, "label", "'rejected'")
    if relabelled:
        for src, dst in renames.items():
            if dst not in existed:  # the new name takes the old one's place in the legend
                ensure_label(tx.db, dst)
                existed.add(dst)
                take_place(tx, src, dst)
    kept = tuple(rules.learn_map(tx, src, dst) for src, dst in clean.items()) if keep else ()
    group = tx.group() if (relabelled or rejected or kept) else None
    if group is not None:  # the legend rows it changed (a new label, its place), for undo
        label_history.record(tx, legend_before)
    articles = 0
    if group is not None:
        articles = int(
            tx.one(
                "SELECT COUNT(DISTINCT article_id) FROM journal WHERE group_id = ?"
                " AND span_id IS NOT NULL",
                (group,),
            )
        )
    return LabelOpResult(dict(clean), relabelled, rejected, articles, kept, group)


def rename(tx: Unit, old: str, new: str, keep: bool = False) -> LabelOpResult:
    """Give every span of label old the label new (one undo step)."""
    return map_labels(tx, {old: new}, "labels rename", keep)


def merge(tx: Unit, sources: Sequence[str], into: str, keep: bool = False) -> LabelOpResult:
    """Give every span of the source labels the label into (one undo step)."""
    if not sources:
        raise SpanError("name the labels to merge")
    return map_labels(tx, {s: into for s in sources}, "labels merge", keep)


def drop(tx: Unit, label: str, keep: bool = False) -> LabelOpResult:
    """Reject every current span of label (they stay as evidence; one undo step)."""
    return map_labels(tx, {label: None}, "labels drop", keep)


# -- reading a mapping file ----------------------------------------------------------------


def _target(value: object, path: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FormatError(path, where, f"a label must be a string, not {type(value).__name__}")
    value = value.strip()
    return None if value in ("", DROP) else value


def read_mapping(path: str | Path) -> dict[str, str | None]:
    """A two-column TSV (label, new label or `drop`/empty) or a JSON object of the same."""
    p = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(p, None, f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = raw[: exc.start].count(b"\n") + 1
        raise FormatError(p, f"line {at}", "is not valid UTF-8 text") from None
    if "\x00" in text:
        raise FormatError(p, None, "is a binary file, not a label mapping")
    if text.lstrip().startswith("{"):
        return _json_mapping(text, p)
    out: dict[str, str | None] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) > 2:
            raise FormatError(p, f"line {n}", f"has {len(cols)} columns; expected 2 (label, new)")
        src = cols[0].strip()
        if not src:
            raise FormatError(p, f"line {n}", "has no label in the first column")
        if src in out:
            raise FormatError(p, f"line {n}", f"maps {src!r} a second time")
        out[src] = _target(cols[1] if len(cols) > 1 else "", p, f"line {n}")
    if not out:
        raise FormatError(p, None, "maps no label")
    return out


def _json_mapping(text: str, p: str) -> dict[str, str | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(p, f"line {exc.lineno}", f"is not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise FormatError(p, None, "is nested too deeply to be a label mapping") from None
    if not isinstance(data, dict) or not data:
        raise FormatError(p, None, 'must be one JSON object {"OLD": "NEW", ...}')
    out: dict[str, str | None] = {}
    for src, dst in data.items():
        if not src.strip():
            raise FormatError(p, None, "maps an empty label name")
        out[src.strip()] = _target(dst, p, f"key {src!r}")
    return out


# -- what `margin labels` shows -------------------------------------------------------------


def summary(db: sqlite_utils.Database) -> list[LabelInfo]:
    """Every label (the table's, and any only spans carry) with its counts per status."""
    counts: dict[str, dict[str, int]] = {}
    for label, status, n in db.execute("SELECT label, status, COUNT(*) FROM spans GROUP BY 1, 2"):
        counts.setdefault(label, {})[status] = n
    keys = {lab.name: i for i, lab in enumerate(legend(db), 1)}
    every = all_labels(db)
    out = [LabelInfo(lab, counts.get(lab.name, {}), keys.get(lab.name)) for lab in every]
    listed = {lab.name for lab in every}
    for name in sorted(set(counts) - listed):
        out.append(LabelInfo(Label(name, "", color_for(name)), counts[name], None, False))
    return out


__all__ = ["DROP", "STATUSES", "drop", "map_labels", "merge", "read_mapping", "rename", "summary"]
