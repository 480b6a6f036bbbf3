"""Learned rules: decisions (surface -> label, or reject) that extraction applies after the model."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import sqlite_utils

from . import journal
from .db import Unit
from .errors import NotFound
from .labels import ensure_label
from .mentions import find_mentions, fold, mention_pattern
from .models import Rule, SpanDraft, now

RULE_PREFIX = "rule:"


def _rule_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Rule:
    return Rule(
        id=int(row[0]),
        surface=str(row[1]),
        label=row[2],
        action=str(row[3]),
        case_sensitive=bool(row[4]),
        created_at=str(row[5]),
    )


_RULE_COLUMNS = "id, surface, label, action, case_sensitive, created_at, journal_group"


class _Compiled:
    """Rules ready to apply: lookups by exact and by folded surface."""

    def __init__(self, rules: list[Rule]) -> None:
        self.exact = {r.surface: r for r in rules if r.case_sensitive}
        self.folded = {fold(r.surface): r for r in rules if not r.case_sensitive}
        self.any_folded = bool(self.folded)
        self._patterns: dict[bool, re.Pattern[str] | None] = {}

    def pattern(self, case_sensitive: bool) -> re.Pattern[str] | None:
        """One pattern for every labelling rule of that case kind, compiled once."""
        if case_sensitive not in self._patterns:
            table = self.exact if case_sensitive else self.folded
            surfaces = [r.surface for r in table.values() if r.action == "label"]
            self._patterns[case_sensitive] = (
                mention_pattern(surfaces, case_sensitive) if surfaces else None
            )
        return self._patterns[case_sensitive]

    def lookup(self, surface: str) -> Rule | None:
        rule = self.exact.get(surface)
        if rule is None and self.any_folded:
            rule = self.folded.get(fold(surface))
        return rule


def rules(db: sqlite_utils.Database) -> list[Rule]:
    """Every learned rule, oldest first."""
    rows = db.execute(f"SELECT {_RULE_COLUMNS} FROM rules ORDER BY id")
    return [_rule_from_row(r) for r in rows]


def rule(db: sqlite_utils.Database, rule_id: int) -> Rule:
    """One rule; NotFound if there is none."""
    row = db.execute(f"SELECT {_RULE_COLUMNS} FROM rules WHERE id = ?", (rule_id,)).fetchone()
    if row is None:
        raise NotFound(f"rule {rule_id} does not exist")
    return _rule_from_row(row)


def remove(tx: Unit, rule_id: int) -> Rule:
    """Forget a rule (future extraction no longer applies it); undo brings it back."""
    row = tx.execute(f"SELECT {_RULE_COLUMNS} FROM rules WHERE id = ?", (rule_id,)).fetchone()
    if row is None:
        raise NotFound(f"rule {rule_id} does not exist")
    tx.db.table("rules").delete(rule_id)
    journal.record(tx, "rule", before=dict(row), after=None)
    return _rule_from_row(row)


def learn(tx: Unit, surface: str, label: str | None, case_sensitive: bool) -> int:
    """Store (or replace) the rule for surface, journalled in the unit's group; return its id."""
    old = tx.execute(
        f"SELECT {_RULE_COLUMNS} FROM rules WHERE surface = ? AND case_sensitive = ?",
        (surface, int(case_sensitive)),
    ).fetchone()
    action = "reject" if label is None else "label"
    stamp, group = now(), tx.edit_group()
    if old is None:
        cur = tx.execute(
            "INSERT INTO rules (surface, label, action, case_sensitive, created_at,"
            " journal_group) VALUES (?, ?, ?, ?, ?, ?)",
            (surface, label, action, int(case_sensitive), stamp, group),
        )
        rule_id = int(cur.lastrowid or 0)
    else:
        rule_id = int(old["id"])
        tx.execute(
            "UPDATE rules SET label = ?, action = ?, created_at = ?, journal_group = ?"
            " WHERE id = ?",
            (label, action, stamp, group, rule_id),
        )
    if label is not None:
        ensure_label(tx.db, label)
    new = tx.execute(f"SELECT {_RULE_COLUMNS} FROM rules WHERE id = ?", (rule_id,)).fetchone()
    journal.record(tx, "rule", before=dict(old) if old is not None else None, after=dict(new))
    return rule_id


class RuleCache:
    """The rules ready to apply, re-read only when the database changed since last time."""

    def __init__(self) -> None:
        self._key: tuple[int, int, int] | None = None
        self._compiled: _Compiled | None = None

    def get(self, db: sqlite_utils.Database) -> _Compiled | None:
        """The compiled rules (None when there are none)."""
        conn = db.conn
        key = (id(conn), int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes)
        if key != self._key:
            rows = [
                tuple(r)
                for r in conn.execute(
                    "SELECT id, surface, label, action, case_sensitive, created_at FROM rules"
                )
            ]
            self._compiled = _Compiled([_rule_from_row(r) for r in rows]) if rows else None
            self._key = key
        return self._compiled


def apply(compiled: _Compiled | None, text: str, drafts: list[SpanDraft]) -> list[SpanDraft]:
    """Apply the learned rules to a model's suggestions for text.

    A suggestion whose surface a rule covers takes the rule's label (source ``rule:<surface>``,
    still a suggestion) or is dropped for a reject rule; a suggestion that already has the
    rule's label stays the model's. Untagged mentions of a labelling rule's surface (whole
    words, not overlapping a suggestion) are added as rule suggestions.
    """
    if compiled is None:
        return list(drafts)
    out: list[SpanDraft] = []
    for d in drafts:
        rule = compiled.lookup(text[d.start : d.end])
        if rule is None:
            out.append(d)
        elif rule.action == "reject":
            continue
        elif rule.label == d.label:
            out.append(d)
        else:
            out.append(SpanDraft(d.start, d.end, str(rule.label), rule.source, "suggested"))
    taken = bytearray(len(text))  # 1 where a suggestion already covers the text
    for d in out:
        taken[d.start : d.end] = b"\x01" * (d.end - d.start)
    added: list[SpanDraft] = []
    for case_sensitive in (True, False):
        pattern = compiled.pattern(case_sensitive)
        if pattern is None:
            continue
        for start, end in find_mentions(pattern, text):
            if 1 in taken[start:end]:
                continue
            rule = compiled.lookup(text[start:end])
            if rule is None or rule.action != "label":
                continue
            added.append(SpanDraft(start, end, str(rule.label), rule.source, "suggested"))
            taken[start:end] = b"\x01" * (end - start)
    if not added:
        return out
    return sorted(out + added, key=lambda d: (d.start, d.end))
