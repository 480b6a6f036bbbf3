"""Frozen dataclasses for articles, spans, labels and search hits, and the span invariants."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

SpanStatus = Literal["suggested", "accepted", "rejected"]
STATUSES: tuple[str, ...] = ("suggested", "accepted", "rejected")
USER_SOURCE = "user"


from .errors import NotFound as NotFound  # noqa: E402
from .errors import SpanError as SpanError  # noqa: E402


def now() -> str:
    """Return the current UTC time as an ISO 8601 string with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def normalise_text(text: str) -> str:
    """Return text with a leading BOM dropped and every newline as a single ``\\n``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    """Return the hash that identifies an article by its (normalised) text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def check_span(text: str, start: int, end: int, surface: str | None = None) -> None:
    """Raise SpanError unless ``0 <= start < end <= len(text)`` and the surface matches."""
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        raise SpanError(f"span offsets must be integers, got {start!r}..{end!r}")
    if not 0 <= start < end <= len(text):
        raise SpanError(f"span {start}..{end} is outside the text (length {len(text)})")
    if surface is not None and text[start:end] != surface:
        raise SpanError(
            f"span {start}..{end} covers {text[start:end]!r}, not the given text {surface!r}"
        )


def title_from_text(text: str, fallback: str = "", width: int = 120) -> str:
    """Return the first non-empty line of text, shortened for display, else the fallback."""
    for line in text.split("\n"):
        line = " ".join(line.split()).lstrip("#").strip()
        if line:
            return line if len(line) <= width else line[: width - 1].rstrip() + "…"
    return fallback


@dataclass(frozen=True)
class SpanDraft:
    """A span to be written: offsets into an article's text, a label, where it came from."""

    start: int
    end: int
    label: str
    source: str = "import"
    status: SpanStatus = "suggested"


@dataclass(frozen=True)
class ArticleDraft:
    """An article read from a file, not yet stored; spans are optional annotations."""

    text: str
    title: str | None = None
    source: str = ""
    meta: dict[str, Any] | None = None
    spans: tuple[SpanDraft, ...] = ()


@dataclass(frozen=True)
class Article:
    """A stored article. Its text never changes after import."""

    id: int
    title: str
    text: str
    source: str
    content_hash: str
    imported_at: str
    read: bool
    reviewed: bool
    meta: dict[str, Any] | None = None


@dataclass(frozen=True)
class ArticleSummary:
    """One row of the article list: what a list shows without the text."""

    id: int
    title: str
    source: str
    imported_at: str
    read: bool
    reviewed: bool
    entity_count: int
    length: int


@dataclass(frozen=True)
class Span:
    """A stored entity span: code-point offsets, end exclusive, with provenance and status."""

    id: int
    article_id: int
    start: int
    end: int
    label: str
    source: str
    status: SpanStatus
    text: str
    created_at: str = ""
    updated_at: str = ""

    @property
    def is_user(self) -> bool:
        """True when a person made this span."""
        return self.source == USER_SOURCE

    @property
    def is_model(self) -> bool:
        """True when an extractor model suggested this span."""
        return self.source.startswith("model:")

    def as_dict(self) -> dict[str, Any]:
        """Return the span as the stable JSON shape of ``show --json``."""
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": self.text,
            "source": self.source,
            "status": self.status,
        }


@dataclass(frozen=True)
class Label:
    """An entity label with its display colour and legend key."""

    name: str
    description: str = ""
    color: str = "#dddddd"
    key: str = ""
    position: int = 0


@dataclass(frozen=True)
class ImportResult:
    """What storing one article did."""

    article_id: int
    created: bool
    spans: int = 0


@dataclass(frozen=True)
class LabelCount:
    """How many spans a label has, by status."""

    label: str
    suggested: int = 0
    accepted: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class Stats:
    """Corpus-wide counts."""

    articles: int
    read: int
    reviewed: int
    spans: int
    labels: tuple[LabelCount, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SearchHit:
    """One search result: an entity (surface + label) or an article."""

    kind: Literal["entity", "article"]
    article_id: int
    title: str
    score: float
    start: int | None = None
    end: int | None = None
    label: str | None = None
    text: str | None = None
    mentions: int = 0
    articles: int = 0
    snippet: str = ""
    highlights: tuple[tuple[int, int], ...] = ()  # offsets into snippet of the matched words

    def as_dict(self) -> dict[str, Any]:
        """Return the hit as the stable JSON shape of ``search --json``."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "article_id": self.article_id,
            "title": self.title,
            "score": round(self.score, 2),
        }
        if self.kind == "entity":
            out.update(
                start=self.start,
                end=self.end,
                label=self.label,
                text=self.text,
                mentions=self.mentions,
                articles=self.articles,
            )
        else:
            out.update(start=self.start, end=self.end, snippet=self.snippet)
        return out
