"""Learned rules: decisions (surface -> label, or reject) that extraction applies after the model."""

from __future__ import annotations

import re
import sqlite3
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .models import SpanDraft

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

RULE_PREFIX = "rule:"


@dataclass(frozen=True)
class Rule:
    """One learned decision: every mention of surface gets label (action 'label') or is dropped."""

    id: int
    surface: str
    label: str | None
    action: str  # "label" or "reject"
    case_sensitive: bool
    created_at: str

    @property
    def source(self) -> str:
        """The provenance of spans this rule makes."""
        return RULE_PREFIX + self.surface

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of ``margin rules --json``."""
        return {
            "id": self.id,
            "surface": self.surface,
            "label": self.label,
            "action": self.action,
            "case_sensitive": self.case_sensitive,
            "created_at": self.created_at,
        }


# -- matching a surface on word boundaries ---------------------------------------------


@cache
def _marks() -> str:
    """A regex class body of every combining mark (they continue a word but are not \\w)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


def is_word_char(ch: str) -> bool:
    """True for a character that continues a word: letters, digits, _ and combining marks."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


@cache
def _word_class() -> str:
    return f"[\\w{_marks()}]"


def mention_pattern(surfaces: list[str], case_sensitive: bool = True) -> re.Pattern[str]:
    """A pattern for any of surfaces, the longest first, not followed by a word character.

    Use it through ``find_mentions``, which also checks the character before: a mention may
    not touch a word character (letter, digit, _, combining mark) on either side. "Aleppo"
    is found in "Aleppo's", "(Aleppo)" and "Aleppo-based" but not in "Aleppos" or
    "NeoAleppo"; "U.S." in "the U.S. and" but not in "U.S.A.".
    """
    ordered = sorted({s for s in surfaces if s}, key=lambda s: (-len(s), s))
    if not ordered:
        raise ValueError("a mention needs some text")
    flags = 0 if case_sensitive else re.IGNORECASE
    # no lookbehind in front: a leading literal lets the regex engine skip ahead fast
    return re.compile("|".join(f"{re.escape(s)}(?!{_word_class()})" for s in ordered), flags)


def find_mentions(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each non-overlapping mention of pattern in text, on word edges."""
    pos = 0
    search = pattern.search
    while (m := search(text, pos)) is not None:
        start, end = m.span()
        if end > start and (start == 0 or not is_word_char(text[start - 1])):
            yield start, end
            pos = end
        else:  # the character before continues a word: every surface fails here
            pos = start + 1


def fold(text: str) -> str:
    """The key two surfaces share when they are equal ignoring case."""
    return text.casefold()


# -- the mixin -------------------------------------------------------------------------


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

    def lookup(self, surface: str) -> Rule | None:
        rule = self.exact.get(surface)
        if rule is None and self.any_folded:
            rule = self.folded.get(fold(surface))
        return rule


class RulesMixin:
    """Store methods for the learned rule set: list, remove, learn, apply."""

    _rules_cache: tuple[tuple[Any, ...], _Compiled] | None = None

    def rules(self: Store) -> list[Rule]:
        """Every learned rule, oldest first."""
        rows = self._conn().execute(f"SELECT {_RULE_COLUMNS} FROM rules ORDER BY id")
        return [_rule_from_row(r) for r in rows]

    def rule(self: Store, rule_id: int) -> Rule:
        """One rule; raise NotFound if there is none."""
        row = (
            self._conn()
            .execute(f"SELECT {_RULE_COLUMNS} FROM rules WHERE id = ?", (rule_id,))
            .fetchone()
        )
        if row is None:
            from .store import NotFound

            raise NotFound(f"rule {rule_id} does not exist")
        return _rule_from_row(row)

    def remove_rule(self: Store, rule_id: int) -> Rule:
        """Forget a rule (future extraction no longer applies it); undo brings it back."""
        with self._tx() as conn:
            row = conn.execute(
                f"SELECT {_RULE_COLUMNS} FROM rules WHERE id = ?", (rule_id,)
            ).fetchone()
            if row is None:
                from .store import NotFound

                raise NotFound(f"rule {rule_id} does not exist")
            group = self._begin_edit(conn)
            conn.execute("DELETE FROM rules WHERE id = ?", (rule_id,))
            self._journal(conn, group, "rule", before=dict(row), after=None)
        return _rule_from_row(row)

    def _learn_rule(
        self: Store,
        conn: sqlite3.Connection,
        group: int,
        surface: str,
        label: str | None,
        case_sensitive: bool,
    ) -> int:
        """Store (or replace) the rule for surface inside the caller's transaction, journalled."""
        old = conn.execute(
            f"SELECT {_RULE_COLUMNS} FROM rules WHERE surface = ? AND case_sensitive = ?",
            (surface, int(case_sensitive)),
        ).fetchone()
        action = "reject" if label is None else "label"
        stamp = self._stamp()
        if old is None:
            cur = conn.execute(
                "INSERT INTO rules (surface, label, action, case_sensitive, created_at,"
                " journal_group) VALUES (?, ?, ?, ?, ?, ?)",
                (surface, label, action, int(case_sensitive), stamp, group),
            )
            rule_id = int(cur.lastrowid or 0)
        else:
            rule_id = int(old["id"])
            conn.execute(
                "UPDATE rules SET label = ?, action = ?, created_at = ?, journal_group = ?"
                " WHERE id = ?",
                (label, action, stamp, group, rule_id),
            )
        if label is not None:
            self._ensure_label(conn, label)
        new = conn.execute(f"SELECT {_RULE_COLUMNS} FROM rules WHERE id = ?", (rule_id,)).fetchone()
        self._journal(
            conn, group, "rule", before=dict(old) if old is not None else None, after=dict(new)
        )
        return rule_id

    def _compiled_rules(self: Store) -> _Compiled | None:
        rows = tuple(
            tuple(r)
            for r in self._conn().execute(
                "SELECT id, surface, label, action, case_sensitive, created_at FROM rules"
            )
        )
        if not rows:
            return None
        cached = self._rules_cache
        if cached is not None and cached[0] == rows:
            return cached[1]
        compiled = _Compiled([_rule_from_row(r) for r in rows])
        self._rules_cache = (rows, compiled)
        return compiled

    def apply_rules(self: Store, text: str, drafts: list[SpanDraft]) -> list[SpanDraft]:
        """Apply the learned rules to a model's suggestions for text.

        A suggestion whose surface a rule covers takes the rule's label (source ``rule:<surface>``,
        still a suggestion) or is dropped for a reject rule; a suggestion that already has the
        rule's label stays the model's. Untagged mentions of a labelling rule's surface (whole
        words, not overlapping a suggestion) are added as rule suggestions.
        """
        compiled = self._compiled_rules()
        if compiled is None:
            return list(drafts)
        folded_text = fold(text) if compiled.any_folded else ""
        present = [r for r in compiled.exact.values() if r.surface in text]
        present += [r for k, r in compiled.folded.items() if k in folded_text]
        if not present:
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
        labelling = [r for r in present if r.action == "label"]
        taken = sorted((d.start, d.end) for d in out)
        added: list[SpanDraft] = []
        for case_sensitive in (True, False):
            group = [r for r in labelling if r.case_sensitive == case_sensitive]
            if not group:
                continue
            pattern = mention_pattern([r.surface for r in group], case_sensitive)
            for start, end in find_mentions(pattern, text):
                if any(start < e and s < end for s, e in taken):
                    continue
                rule = compiled.lookup(text[start:end])
                if rule is None or rule.action != "label":
                    continue
                added.append(SpanDraft(start, end, str(rule.label), rule.source, "suggested"))
                taken.append((start, end))
        if not added:
            return out
        return sorted(out + added, key=lambda d: (d.start, d.end))
