"""Parsing a search query: filters (label:, status:, reviewed:) apart from free text, safe FTS5."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

STATUS_VALUES = ("suggested", "accepted", "rejected", "user")
REVIEWED_VALUES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
MAX_WORDS = 12  # words of free text a query searches for; the rest is ignored
FILTER_HELP = (
    "label:NAME (e.g. label:PERSON), status:suggested|accepted|rejected|user, reviewed:yes|no"
)

_FILTER = re.compile(r"(?i)^(label|status|reviewed):(.+)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TOKEN = re.compile(r"\w+", re.UNICODE)


from ..errors import QueryError as QueryError  # noqa: E402


@dataclass(frozen=True)
class Query:
    """A parsed query: the free text, its terms, and the filters."""

    text: str = ""
    terms: tuple[str, ...] = ()
    label: str | None = None
    status: str | None = None
    reviewed: bool | None = None

    @property
    def spans_only(self) -> bool:
        """True when a filter is about spans, so only entity hits can answer it."""
        return self.label is not None or self.status is not None


def parse(query: str, label: str | None = None) -> Query:
    """Split query into filters and free text; label (from --label) joins as a filter.

    Anything that is not a known ``key:value`` filter is text, whatever characters it holds.
    """
    words: list[str] = []
    status: str | None = None
    reviewed: bool | None = None
    for word in _CONTROL.sub(" ", query or "").split():
        m = _FILTER.match(word)
        if m is None:
            words.append(word)
            continue
        key, value = m.group(1).lower(), m.group(2)
        if key == "label":
            label = value
        elif key == "status":
            if value.lower() not in STATUS_VALUES:
                raise QueryError(
                    f"status:{value} is not a status; use one of {', '.join(STATUS_VALUES)}"
                )
            status = value.lower()
        else:
            if value.lower() not in REVIEWED_VALUES:
                raise QueryError(f"reviewed:{value} is not understood; use reviewed:yes or no")
            reviewed = REVIEWED_VALUES[value.lower()]
    words = words[:MAX_WORDS]  # a pasted paragraph is not a name to look for
    text = " ".join(words)
    return Query(text, tuple(words), label or None, status, reviewed)


def fold(text: str) -> str:
    """Return text casefolded with its diacritics removed (for comparing names)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _FoldTable(dict[int, str]):
    """A str.translate table that folds one character to exactly one character."""

    def __missing__(self, code: int) -> str:
        folded = fold(chr(code))
        out = folded if len(folded) == 1 else chr(code).lower()
        if len(out) != 1:
            out = chr(code)
        self[code] = out
        return out


_FOLD_TABLE = _FoldTable()


def fold_same_length(text: str) -> str:
    """Fold text character by character, so offsets into the result are offsets into text."""
    return text.translate(_FOLD_TABLE)


def fts_string(term: str) -> str:
    """Quote term as an FTS5 string: every character, even an operator, is searched as text."""
    return '"' + term.replace('"', '""') + '"'


def words(text: str) -> list[str]:
    """Return the word tokens of text, folded (what the article word index sees)."""
    return _TOKEN.findall(fold(text))


def trigrams(text: str) -> list[str]:
    """Return the distinct trigrams of each word of text (folded), in order."""
    seen: dict[str, None] = {}
    for word in fold(text).split():
        for i in range(len(word) - 2):
            seen.setdefault(word[i : i + 3], None)
    return list(seen)
