"""Labels: the default OntoNotes set in displaCy's colours, the legend, and labels added on use."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlite_utils

from .db import Unit
from .defaults import _DEFAULTS
from .errors import SpanError
from .models import Label

DEFAULT_COLOR = "#dddddd"


# displaCy-like colours for labels that import brings (LOCATION, location, product ...)
_ALIASES = {"LOCATION": "LOC", "PER": "PERSON", "MISC": "PRODUCT", "COMPANY": "ORG"}
# six hex digits: Rich styles, Textual CSS, brat and Label Studio all read #rrggbb (#faa failed)
_EXTRA_PALETTE = (
    "#88eeff",
    "#ffaaaa",
    "#aaffaa",
    "#ffffaa",
    "#aaaaff",
    "#ffccff",
    "#ccffcc",
    "#ffddbb",
    "#bbddff",
    "#ddbbff",
)
_HEX3 = re.compile(r"#[0-9a-fA-F]{3}")
_HEX6 = re.compile(r"#[0-9a-fA-F]{6}")


def normal_color(color: object) -> str:
    """A stored colour as lower-case #rrggbb: #rgb is widened, anything else is the grey."""
    value = color.strip() if isinstance(color, str) else ""
    if _HEX3.fullmatch(value):
        value = "#" + "".join(c * 2 for c in value[1:])
    return value.lower() if _HEX6.fullmatch(value) else DEFAULT_COLOR


def color_for(name: str) -> str:
    """Return a displaCy colour (#rrggbb) for a known label, or a stable colour for a new one."""
    upper = name.upper()
    upper = _ALIASES.get(upper, upper)
    for lname, _, color in _DEFAULTS:
        if lname == upper:
            return color
    return _EXTRA_PALETTE[sum(map(ord, name)) % len(_EXTRA_PALETTE)]


# -- the labels table ----------------------------------------------------------------------

_ADD = (
    "INSERT OR IGNORE INTO labels (name, description, color, position) VALUES"
    " (?, ?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM labels))"
)


def labels(db: sqlite_utils.Database) -> list[Label]:
    """Every label in legend order, its colour as #rrggbb (older databases hold #rgb)."""
    # not rows_where: on a damaged file without the table it would answer "no labels"
    rows = db.execute(
        "SELECT name, description, color, key, position, hidden FROM labels ORDER BY position, name"
    )
    return [Label(r[0], r[1], normal_color(r[2]), r[3], r[4], bool(r[5])) for r in rows]


def ensure_label(
    db: sqlite_utils.Database, name: str, description: str = "", color: str | None = None
) -> None:
    """Add a label at the end of the legend unless it exists (inside the caller's unit)."""
    db.execute(_ADD, (name, description, normal_color(color) if color else color_for(name)))


def ensure_labels(db: sqlite_utils.Database, names: Iterable[str]) -> None:
    """Add the labels that do not exist yet, at the end of the legend, in name order."""
    wanted = set(names)
    if not wanted:
        return
    have = {r[0] for r in db.execute("SELECT name FROM labels")}
    for name in sorted(wanted - have):
        ensure_label(db, name)


def add_label(tx: Unit, name: str, description: str = "", color: str | None = None) -> Label:
    """Add a label (or leave an existing one as it is) and return it."""
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise SpanError("a label needs a name")
    ensure_label(tx.db, name, description, color)
    return next(lab for lab in labels(tx.db) if lab.name == name)


def clean_label(label: object) -> str:
    """A label name stripped of spaces; SpanError for none."""
    if not isinstance(label, str) or not label.strip():
        raise SpanError("a span needs a label")
    return label.strip()


def legend(db: sqlite_utils.Database, size: int = 9) -> list[Label]:
    """The labels that get the number keys 1..size, in key order (hidden ones never)."""
    every = [lab for lab in labels(db) if not lab.hidden]
    keyed = sorted(
        (lab for lab in every if lab.key.isdigit() and 1 <= int(lab.key) <= size),
        key=lambda lab: int(lab.key),
    )
    taken = {lab.name for lab in keyed}
    for lab in every:  # fill free places in legend order when keys are missing
        if len(keyed) >= size:
            break
        if lab.name not in taken:
            keyed.append(lab)
    return keyed[:size]


# -- the project's label set: order, number keys, hidden ---------------------------------------
# Display settings, like the config file: saved at once, outside the journal (undo is for data).


def _known(db: sqlite_utils.Database, names: Iterable[str]) -> list[str]:
    have = {lab.name for lab in labels(db)}
    wanted = [clean_label(n) for n in names]
    missing = [n for n in wanted if n not in have]
    if missing:
        raise SpanError(f"unknown label {missing[0]!r} (`margin labels` lists them)")
    return list(dict.fromkeys(wanted))


def set_order(tx: Unit, names: Iterable[str], size: int = 9) -> list[Label]:
    """Put these labels first, in this order; the first nine shown get the number keys 1..9."""
    first = _known(tx.db, names)
    rest = [lab.name for lab in labels(tx.db) if lab.name not in first]
    hidden = {lab.name for lab in labels(tx.db) if lab.hidden}
    number = 0
    for position, name in enumerate(first + rest):
        key = ""
        if name not in hidden and number < size:
            number += 1
            key = str(number)
        tx.execute("UPDATE labels SET position = ?, key = ? WHERE name = ?", (position, key, name))
    return legend(tx.db, size)


def set_hidden(tx: Unit, names: Iterable[str], hidden: bool = True) -> list[Label]:
    """Hide labels from the legend (or show them again); the number keys follow the order."""
    wanted = _known(tx.db, names)
    tx.execute(
        f"UPDATE labels SET hidden = ? WHERE name IN ({','.join('?' * len(wanted))})",
        (int(hidden), *wanted),
    )
    return set_order(tx, [])


def take_place(tx: Unit, old: str, new: str) -> None:
    """A label a rename created takes the old one's place and number key in the legend."""
    row = tx.execute("SELECT position, key, hidden FROM labels WHERE name = ?", (old,)).fetchone()
    if row is None:
        return
    tx.execute("UPDATE labels SET key = '' WHERE name = ?", (old,))
    tx.execute(
        "UPDATE labels SET position = ?, key = ?, hidden = ? WHERE name = ?",
        (row[0], row[1], row[2], new),
    )
    tx.execute(
        "UPDATE labels SET position = position + 1 WHERE position >= ? AND name != ?",
        (row[0], new),
    )
