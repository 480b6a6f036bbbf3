"""Likely aliases of a name: acronyms (HTS) and near-identical or contained names (rapidfuzz)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from .names import are_distinct, resolve

_SMALL = {"of", "the", "and", "for", "al", "el", "de", "la", "bin", "van", "der", "du"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
CANDIDATES = 200  # entities the trigram index offers per name
THRESHOLD = 88  # rapidfuzz token_set_ratio a pair must reach


@dataclass(frozen=True)
class Suggestion:
    """A name that may be an alias of another: why, and how many mentions it has."""

    alias: str
    canonical: str
    reason: str  # "acronym", "contained", "similar"
    score: float
    mentions: int


def acronym(name: str) -> str:
    """The initials of a name's words, small words left out: "Hayat Tahrir al-Sham" -> "HTS"."""
    words = [w for part in name.replace("-", " ").split() for w in _WORD.findall(part)]
    letters = [w[0].upper() for w in words if w.lower() not in _SMALL]
    return "".join(letters) if len(letters) >= 2 else ""


def _mentions(db: sqlite_utils.Database, name: str) -> int:
    row = db.execute(
        "SELECT COALESCE(SUM(mentions), 0) FROM entities WHERE surface = ?", (name,)
    ).fetchone()
    return int(row[0])


def _fts(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def suggestions(db: sqlite_utils.Database, name: str, limit: int = 10) -> list[Suggestion]:
    """Names that may be aliases of name (or name of them), best first; none already decided."""
    entity = resolve(db, name)
    known = set(entity.names) if entity else {name}
    found: dict[str, Suggestion] = {}

    def offer(other: str, reason: str, score: float) -> None:
        if other in known or other in found or are_distinct(db, name, other):
            return
        other_entity = resolve(db, other)
        if entity and other_entity and other_entity.id == entity.id:
            return
        found[other] = Suggestion(other, name, reason, score, _mentions(db, other))

    short = acronym(name)
    if short and _mentions(db, short):
        offer(short, "acronym", 100.0)
    words = [w for w in _WORD.findall(name) if len(w) >= 3]
    if name.isupper() and 2 <= len(name) <= 6:  # an acronym itself: names whose initials it is
        rows = db.execute(
            "SELECT DISTINCT surface FROM entities WHERE surface LIKE ? ORDER BY mentions DESC"
            " LIMIT 5000",
            (name[0] + "%",),
        )
        for (surface,) in rows:
            if acronym(surface) == name:
                offer(surface, "acronym", 100.0)
    if words:
        match = " OR ".join(_fts(w) for w in dict.fromkeys(words))
        rows = db.execute(
            "SELECT DISTINCT e.surface FROM entities_fts f CROSS JOIN entities e ON e.id = f.rowid"
            " WHERE entities_fts MATCH ? LIMIT ?",
            (match, CANDIDATES),
        )
        for (surface,) in rows:
            if surface == name:
                continue
            score = fuzz.token_set_ratio(name, surface, processor=default_process)
            if score >= THRESHOLD:
                small, big = sorted((name, surface), key=len)
                contained = set(_WORD.findall(small)) <= set(_WORD.findall(big))
                offer(surface, "contained" if contained else "similar", float(score))
    ranked = sorted(found.values(), key=lambda s: (-s.score, -s.mentions, s.alias))
    return ranked[:limit]


def corpus_suggestions(
    db: sqlite_utils.Database, top: int = 100, limit: int = 50
) -> list[Suggestion]:
    """Suggestions for the most mentioned names of the corpus (for ``margin alias --suggest``)."""
    rows = db.execute(
        "SELECT surface FROM entities GROUP BY surface ORDER BY SUM(mentions) DESC LIMIT ?", (top,)
    ).fetchall()
    out: list[Suggestion] = []
    seen: set[frozenset[str]] = set()
    for (surface,) in rows:
        for s in suggestions(db, str(surface), 5):
            pair = frozenset((s.alias, s.canonical))
            if pair not in seen:
                seen.add(pair)
                out.append(s)
        if len(out) >= limit:
            break
    return out[:limit]
