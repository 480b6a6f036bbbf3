"""Frozen dataclasses for articles, spans, labels and search hits, and the span invariants."""

from __future__ import annotations

import hashlib
import json
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


_new = object.__new__
_set = object.__setattr__


def checked_span(start: int, end: int, label: str, source: str, status: SpanStatus) -> SpanDraft:
    """A SpanDraft whose fields the caller has checked, made without the frozen dataclass's
    ``__init__``, which sets each field through object.__setattr__ (a reader of 400,000 spans
    spent a quarter of its time there)."""
    span = _new(SpanDraft)
    _set(
        span,
        "__dict__",
        {"start": start, "end": end, "label": label, "source": source, "status": status},
    )
    return span


@dataclass(frozen=True)
class ArticleDraft:
    """An article read from a file, not yet stored; spans are optional annotations."""

    text: str
    title: str | None = None
    source: str = ""
    meta: dict[str, Any] | None = None
    spans: tuple[SpanDraft, ...] = ()
    date: str | None = None  # the publication date the file gave, as written (see dates.py)


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
    date: str | None = None  # publication date (ISO 8601), None when the file gave none

    @property
    def when(self) -> str:
        """The publication date, else the import time (see ``dated``)."""
        return self.date or self.imported_at


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
    date: str | None = None  # publication date (ISO 8601), None when the file gave none

    @property
    def when(self) -> str:
        """The publication date, else the import time (the library marks which)."""
        return self.date or self.imported_at


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
    hidden: bool = False  # left out of the legend and the number keys (the project's label set)


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
    canonical: str | None = None  # an entity hit that is an alias: its entity's canonical name

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
            if self.canonical is not None:
                out["canonical"] = self.canonical
        else:
            out.update(start=self.start, end=self.end, snippet=self.snippet)
        return out


@dataclass(frozen=True)
class Surface:
    """One distinct entity text under a label in an article, and how often it occurs."""

    text: str
    count: int
    pending: int = 0  # how many are still model suggestions nobody has checked


@dataclass(frozen=True)
class EntityGroup:
    """An article's entities of one label: how many, and each surface with its count."""

    label: str
    count: int
    surfaces: tuple[Surface, ...]


@dataclass(frozen=True)
class EntityMention:
    """One mention of an entity: where it is, and the text around it."""

    span_id: int
    article_id: int
    title: str
    start: int
    end: int
    before: str
    text: str
    after: str


@dataclass(frozen=True)
class Rule:
    """One kept decision that extraction applies after the model.

    kind "surface": every mention of surface gets label (action 'label') or is dropped;
    "pattern": spaCy token pattern (JSON in ``pattern``) tagged label; "map": suggestions
    labelled surface get label (or are dropped); "prefix"/"suffix": surface is cut off the
    start/end of suggestions.
    """

    id: int
    surface: str
    label: str | None
    action: str  # "label", "reject" or "strip"
    case_sensitive: bool
    created_at: str
    kind: str = "surface"
    pattern: str | None = None  # a pattern rule's token pattern, as JSON

    @property
    def source(self) -> str:
        """The provenance of spans this rule makes."""
        if self.kind == "surface":
            return "rule:" + self.surface
        if self.kind == "pattern":
            return f"rule:pattern {self.id}"
        return f"rule:{self.kind} {self.surface}"

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of ``margin rules --json``."""
        out: dict[str, Any] = {
            "id": self.id,
            "surface": self.surface,
            "label": self.label,
            "action": self.action,
            "case_sensitive": self.case_sensitive,
            "created_at": self.created_at,
        }
        if self.kind != "surface":  # learned rules keep the shape they had before kinds
            out["kind"] = self.kind
        if self.pattern is not None:
            out["pattern"] = json.loads(self.pattern)
        return out


@dataclass(frozen=True)
class LabelInfo:
    """One label as ``margin labels`` shows it: the label, its place and its span counts."""

    label: Label
    counts: dict[str, int]  # status -> spans
    number: int | None  # the number key that gives it (None: not in the legend)
    listed: bool = True  # in the labels table (False: only spans carry it, e.g. from a file)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin labels --json``."""
        lab = self.label
        return {
            "name": lab.name,
            "description": lab.description,
            "color": lab.color,
            "key": str(self.number) if self.number is not None else "",
            "position": lab.position,
            "hidden": lab.hidden,
            "counts": {st: self.counts.get(st, 0) for st in STATUSES},
        }


@dataclass(frozen=True)
class LabelOpResult:
    """What one label operation changed (its own counts), and its journal group."""

    mapping: dict[str, str | None]  # label -> new label, None for dropped
    relabelled: int  # spans that took a new label
    rejected: int  # current spans rejected (dropped, or duplicates a merge made)
    articles: int
    kept: tuple[int, ...] = ()  # ids of the map rules kept for extraction
    group: int | None = None  # None when nothing changed


@dataclass(frozen=True)
class Mention:
    """One place a propagation would change: where, what is there now, a little context."""

    article_id: int
    title: str
    start: int
    end: int
    span_id: int | None  # the span there now, if any
    current_label: str | None  # its label (None: the text is untagged there)
    before: str  # context left of the mention
    after: str  # context right of the mention
    action: str = ""  # "relabel", "accept", "add", "replace", "reject"; "skip" if skipped
    current_status: str | None = None  # status of the span there now, if any
    text: str = ""  # the mention as it is written in the article
    replaces: tuple[int, ...] = ()  # "replace": the overlapping spans it rejects
    reviewed: bool = False  # the article is reviewed

    @property
    def key(self) -> tuple[int, int, int]:
        """(article id, start, end): what ``exclude`` names to leave one mention alone."""
        return (self.article_id, self.start, self.end)


@dataclass(frozen=True)
class PropagationPreview:
    """What ``propagate`` would do: every mention it changes, and in how many articles."""

    surface: str
    label: str | None  # None means reject every mention
    mentions: tuple[Mention, ...]
    skipped: tuple[Mention, ...] = ()  # untagged mentions left alone: they overlap an entity
    case_sensitive: bool = True
    article_id: int | None = None  # the one article it is limited to, if any
    reviewed: tuple[Mention, ...] = ()  # mentions in reviewed articles, left alone (action kept)
    replace: bool = False  # untagged mentions replace the entities they overlap
    include_reviewed: bool = False  # reviewed articles change too

    @property
    def articles(self) -> int:
        """How many articles would change."""
        return len({m.article_id for m in self.mentions})

    def counts(self) -> dict[str, int]:
        """How many mentions each action changes (relabel, accept, add, replace, reject)."""
        out: dict[str, int] = {}
        for m in self.mentions:
            out[m.action] = out.get(m.action, 0) + 1
        return out

    def breakdown(self) -> dict[str, int]:
        """Every count a person checks before applying: each action, skipped and reviewed."""
        counts = self.counts()
        out = {a: counts.get(a, 0) for a in ("relabel", "accept", "add", "replace", "reject")}
        out["skipped"] = len(self.skipped)
        out["reviewed"] = len(self.reviewed)
        return out


@dataclass(frozen=True)
class PropagationResult:
    """What one ``propagate`` call changed: its own count, not the journal's newest entry."""

    surface: str
    label: str | None  # None: every mention rejected
    mentions: int  # mentions changed
    articles: tuple[int, ...]  # the articles they are in
    rule: int | None = None  # the rule learned, if one was
    skipped: int = 0  # untagged mentions left alone (they overlap an entity)
    group: int | None = None  # its journal group (what `undo` reverts), None if nothing changed
    counts: tuple[tuple[str, int], ...] = ()  # mentions changed per action
    reviewed: int = 0  # mentions left alone because their article is reviewed
    chunks: int = 1  # write transactions it took (a big propagation commits in chunks)


@dataclass(frozen=True)
class Change:
    """One journal group as undo/redo would describe it."""

    group: int
    action: str  # the group's main action: relabel, resize, add, accept, reject, review, ...
    at: str
    articles: tuple[int, ...]
    spans: int  # how many span rows it touched
    surface: str | None = None  # the text of the (first) span it changed
    label: str | None = None  # the label it gave (None for reject and review)
    mentions: int = 0  # for a propagation: how many mentions it changed
    was: tuple[str, ...] = ()  # the label(s) it replaced (a relabel's old label)
    origin: str | None = None  # who made it: "cli:PID@PPID", "tui:PID" (None: before 0.2)

    def describe(self) -> str:
        """One line saying exactly what it did ("propagate 'Aleppo' NORP→GPE, 11 mentions in 1
        article"): the action, the text, the label it replaced and gave, how much, where."""
        what = self.action
        if what == "reject remaining":
            where = f"article {self.articles[0]}" if self.articles else "no article"
            return f"reject remaining: {self.spans} suggestion(s) in {where}"
        if what == "labels map":
            return f"labels map, {self.spans} span(s) in {len(self.articles)} article(s)"
        if what.startswith("labels "):  # a label operation: its spans, not one surface
            n = len(self.articles)
            target = "rejected" if what == "labels drop" else self.label
            return f"{what} → {target}, {self.spans} span(s) in {n} article(s)"
        if self.surface is not None:
            what += f" {self.surface!r}"
        if self.label is None and self.action in ("propagate", "learn rule", "remove rule"):
            what += " → rejected"
        elif self.label is not None and self.action not in ("accept", "reject", "review"):
            was = "/".join(w for w in self.was if w != self.label)
            what += f" {was}→{self.label}" if was else f" → {self.label}"
        n = len(self.articles)
        if self.action == "propagate":
            m = self.mentions
            what += f", {m} mention{'s' if m != 1 else ''} in {n} article{'s' if n != 1 else ''}"
        elif n == 1:
            what += f" in article {self.articles[0]}"
        elif n:
            what += f" in {n} articles"
        return what
