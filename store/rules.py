"""Learned rules: decisions (surface -> label, or reject) that extraction applies after the model."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import sqlite_utils

from . import journal, outfile, patterns
from .db import Unit
from .errors import CorrectionError, NotFound
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
        kind=str(row[7] or "surface"),
        pattern=row[8],
    )


_RULE_COLUMNS = (
    "id, surface, label, action, case_sensitive, created_at, journal_group, kind, pattern"
)
KINDS = ("surface", "pattern", "map", "prefix", "suffix")


class _Compiled:
    """Rules ready to apply: lookups by exact and by folded surface."""

    def __init__(self, every: list[Rule]) -> None:
        rules = [r for r in every if r.kind == "surface"]
        self.exact = {r.surface: r for r in rules if r.case_sensitive}
        self.folded = {fold(r.surface): r for r in rules if not r.case_sensitive}
        self.any_folded = bool(self.folded)
        self._patterns: dict[bool, re.Pattern[str] | None] = {}
        self.maps = {r.surface: r for r in every if r.kind == "map"}
        self.affixes = [r for r in every if r.kind in ("prefix", "suffix")]
        tokens = [r for r in every if r.kind == "pattern"]
        self.tokens = patterns.PatternSet(tokens) if tokens else None

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
    action = "reject" if label is None else "label"
    return keep(tx, "surface", surface, label, action, case_sensitive)


def learn_map(tx: Unit, label: str, new: str | None) -> int:
    """Keep a label mapping: extraction gives suggestions labelled label the label new
    (None: drops them)."""
    return keep(tx, "map", label, new, "reject" if new is None else "label", True)


def add_pattern(tx: Unit, label: str, pattern: str) -> int:
    """Keep a token pattern (JSON, as ``patterns.read_patterns`` checked it) tagging label."""
    return keep(tx, "pattern", pattern, label, "label", True, pattern)


def add_strip(tx: Unit, kind: str, affix: str, case_sensitive: bool = False) -> int:
    """Keep an affix (kind "prefix" or "suffix") to cut off the suggestions that have it."""
    if kind not in ("prefix", "suffix") or not affix.strip():
        raise CorrectionError("a strip rule needs a prefix or suffix, such as 'the' or \"'s\"")
    return keep(tx, kind, affix.strip(), None, "strip", case_sensitive)


def keep(
    tx: Unit,
    kind: str,
    surface: str,
    label: str | None,
    action: str,
    case_sensitive: bool,
    pattern: str | None = None,
) -> int:
    """Store (or replace) one rule of a kind, journalled in the unit's group; return its id."""
    old = tx.execute(
        f"SELECT {_RULE_COLUMNS} FROM rules WHERE kind = ? AND surface = ? AND case_sensitive = ?",
        (kind, surface, int(case_sensitive)),
    ).fetchone()
    stamp, group = now(), tx.edit_group()
    if old is None:
        cur = tx.execute(
            "INSERT INTO rules (surface, label, action, case_sensitive, created_at,"
            " journal_group, kind, pattern) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (surface, label, action, int(case_sensitive), stamp, group, kind, pattern),
        )
        rule_id = int(cur.lastrowid or 0)
    else:
        rule_id = int(old["id"])
        tx.execute(
            "UPDATE rules SET label = ?, action = ?, created_at = ?, journal_group = ?,"
            " pattern = ? WHERE id = ?",
            (label, action, stamp, group, pattern, rule_id),
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
            rows = [tuple(r) for r in conn.execute(f"SELECT {_RULE_COLUMNS} FROM rules")]
            self._compiled = _Compiled([_rule_from_row(r) for r in rows]) if rows else None
            self._key = key
        return self._compiled


def apply(compiled: _Compiled | None, text: str, drafts: list[SpanDraft]) -> list[SpanDraft]:
    """Apply the kept rules to a model's suggestions for text, in this order:

    label maps (a suggestion labelled PERSON becomes PER, or is dropped), affix strips (a
    leading "the", a trailing "'s"), surface rules (a suggestion whose surface a rule covers
    takes the rule's label, source ``rule:<surface>``, or is dropped for a reject rule; one
    that already has the rule's label stays the model's; untagged whole-word mentions are
    added unless they overlap a suggestion), then token patterns (spaCy's Matcher; a match
    replaces the suggestions it overlaps). Everything stays a suggestion.
    """
    if compiled is None:
        return list(drafts)
    drafts = _mapped(compiled, drafts)
    if compiled.affixes:
        drafts = [_stripped(compiled.affixes, text, d) for d in drafts]
    out = _surfaces(compiled, text, drafts)
    if compiled.tokens is not None:
        out = _matched(compiled.tokens, text, out)
    return out


def _mapped(compiled: _Compiled, drafts: list[SpanDraft]) -> list[SpanDraft]:
    if not compiled.maps:
        return drafts
    out: list[SpanDraft] = []
    for d in drafts:
        rule = compiled.maps.get(d.label)
        if rule is None:
            out.append(d)
        elif rule.label is not None:
            out.append(SpanDraft(d.start, d.end, rule.label, rule.source, d.status))
    return out


def _stripped(affixes: list[Rule], text: str, d: SpanDraft) -> SpanDraft:
    """d without the affixes it starts or ends with (a prefix only before a space)."""
    start, end, source = d.start, d.end, d.source
    for rule in affixes:
        piece = text[start:end]
        hay, affix = (
            (piece, rule.surface) if rule.case_sensitive else (fold(piece), fold(rule.surface))
        )
        if len(affix) >= len(hay):
            continue
        if rule.kind == "prefix" and hay.startswith(affix):
            cut = start + len(affix)
            if affix[-1].isalnum() and not text[cut].isspace():
                continue  # "the" does not strip "Theresa"
            while cut < end and text[cut].isspace():
                cut += 1
            if cut < end:
                start, source = cut, rule.source
        elif rule.kind == "suffix" and hay.endswith(affix):
            cut = end - len(affix)
            while cut > start and text[cut - 1].isspace():
                cut -= 1
            if cut > start:
                end, source = cut, rule.source
    if (start, end) == (d.start, d.end):
        return d
    return SpanDraft(start, end, d.label, source, d.status)


def _matched(tokens: patterns.PatternSet, text: str, drafts: list[SpanDraft]) -> list[SpanDraft]:
    """Pattern matches replace the suggestions they overlap (one identical to a match stays)."""
    found = tokens.find(text)
    if not found:
        return drafts
    same = {(s, e, str(r.label)) for s, e, r in found}
    taken = bytearray(len(text))
    for s, e, _ in found:
        taken[s:e] = b"\x01" * (e - s)
    kept = [
        d for d in drafts if (d.start, d.end, d.label) in same or 1 not in taken[d.start : d.end]
    ]
    have = {(d.start, d.end, d.label) for d in kept}
    added = [
        SpanDraft(s, e, str(r.label), r.source, "suggested")
        for s, e, r in found
        if (s, e, str(r.label)) not in have
    ]
    return sorted(kept + added, key=lambda d: (d.start, d.end))


def _surfaces(compiled: _Compiled, text: str, drafts: list[SpanDraft]) -> list[SpanDraft]:
    """The learned surface rules applied (see :func:`apply`)."""
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


def import_patterns(tx: Unit, path: str) -> list[int]:
    """Keep every pattern of a JSONL pattern file as a rule (one undo step); their ids.

    The whole file is checked first: a bad line is one FormatError and nothing is kept.
    """
    return [add_pattern(tx, label, pattern) for label, pattern in patterns.read_patterns(path)]


def export_patterns(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The pattern and surface rules as EntityRuler / Prodigy pattern objects."""
    return patterns.as_lines(rules(db))


def write_patterns(db: sqlite_utils.Database, target: str) -> int:
    """Write the patterns (see :func:`export_patterns`) as JSONL to target, atomically; how
    many. The exact text: non-ASCII kept, control characters escaped by JSON."""
    lines = export_patterns(db)

    def write(fh: Any) -> None:
        for line in lines:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")

    outfile.write_file("text", Path(target), write)
    return len(lines)
