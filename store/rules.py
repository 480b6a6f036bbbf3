"""Learned rules: decisions (surface -> label, or reject) that extraction applies after the model."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import NotFound, SpanDraft, now

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


def is_word_char(ch: str) -> bool:
    """True for a character that continues a word: letters, digits, _ and combining marks."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


def _trie(surfaces: list[str], end: str) -> str:
    """A regex matching any of surfaces, sharing their prefixes, the longest first."""
    root: dict[str, Any] = {}
    for surface in surfaces:
        node = root
        for ch in surface:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append(end)  # after the longer branches: backtracking tries them first
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(root)


def mention_pattern(surfaces: list[str], case_sensitive: bool = True) -> re.Pattern[str]:
    """A pattern for any of surfaces, the longest first, not followed by a word character.

    Use it through ``find_mentions``, which also checks the character before: a mention may
    not touch a word character (letter, digit, _, combining mark) on either side. "Aleppo"
    is found in "Aleppo's", "(Aleppo)" and "Aleppo-based" but not in "Aleppos" or
    "NeoAleppo"; "U.S." in "the U.S. and" but not in "U.S.A.".
    """
    words = sorted({s for s in surfaces if s})
    if not words:
        raise ValueError("a mention needs some text")
    flags = 0 if case_sensitive else re.IGNORECASE
    # no lookbehind in front: a leading literal lets the regex engine skip ahead fast;
    # (?!\\w) lets a shorter surface win where a longer one runs into a word
    return re.compile(_trie(words, r"(?!\w)"), flags)


def find_mentions(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each non-overlapping mention of pattern in text, on word edges."""
    pos = 0
    search = pattern.search
    while (m := search(text, pos)) is not None:
        start, end = m.span()
        if (
            end > start
            and (start == 0 or not is_word_char(text[start - 1]))
            and (end == len(text) or not is_word_char(text[end]))  # combining marks
        ):
            yield start, end
            pos = end
        else:  # the mention would touch a word: try from the next character
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


class RulesMixin:
    """Store methods for the learned rule set: list, remove, learn, apply."""

    _rules_cache: tuple[tuple[int, int, int], _Compiled | None] | None = None

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
            raise NotFound(f"rule {rule_id} does not exist")
        return _rule_from_row(row)

    def remove_rule(self: Store, rule_id: int) -> Rule:
        """Forget a rule (future extraction no longer applies it); undo brings it back."""
        with self._tx() as conn:
            row = conn.execute(
                f"SELECT {_RULE_COLUMNS} FROM rules WHERE id = ?", (rule_id,)
            ).fetchone()
            if row is None:
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
        stamp = now()
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
        """The rules ready to apply, re-read only when the database changed since last time."""
        conn = self._conn()
        version = (id(conn), conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
        cached = self._rules_cache
        if cached is not None and cached[0] == version:
            return cached[1]
        rows = [
            tuple(r)
            for r in conn.execute(
                "SELECT id, surface, label, action, case_sensitive, created_at FROM rules"
            )
        ]
        compiled = _Compiled([_rule_from_row(r) for r in rows]) if rows else None
        self._rules_cache = (version, compiled)
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
