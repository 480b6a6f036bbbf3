"""What annotated readers and the writers share: drafts with review state, export docs, reports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ..models import Article, ArticleDraft, Span, SpanDraft, checked_span, normalise_text
from .errors import FormatError
from .skiplog import SkipLog, Skipped


@dataclass(frozen=True)
class AnnotatedDraft(ArticleDraft):
    """An article read from an annotation file: its spans are a person's decisions.

    ``reviewed`` says the file marks the whole text as annotated (every untagged token
    is outside any entity); ``warnings`` name what the reader could not import.
    """

    reviewed: bool = False
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportDoc:
    """One article as a writer sees it: the spans chosen for export and the model's evidence."""

    article: Article
    spans: tuple[Span, ...]
    suggestions: tuple[Span, ...] = ()  # what models and rules said (any status)
    rejected: tuple[Span, ...] = ()  # spans a person rejected (for notes on corrections)
    entity_ids: dict[str, int] = field(default_factory=dict)  # span text -> stable entity id
    entity_names: dict[int, str] = field(default_factory=dict)  # entity id -> canonical name


@dataclass
class WriteReport:
    """What a writer did: articles and spans written, spans it could not express (a SkipLog:
    flat memory however many), files."""

    articles: int = 0
    spans: int = 0
    skipped: SkipLog = field(default_factory=SkipLog)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def skip(self, doc: ExportDoc, span: Span, reason: str) -> None:
        """Record a span that this format cannot express."""
        self.skipped.add(
            Skipped(doc.article.id, span.start, span.end, span.label, span.text, reason)
        )

    def merge(self, other: WriteReport) -> None:
        """Add another report's counts (for split exports)."""
        self.articles += other.articles
        self.spans += other.spans
        self.skipped.extend(other.skipped)
        self.notes.extend(n for n in other.notes if n not in self.notes)
        self.files.extend(other.files)

    def reasons(self) -> dict[str, int]:
        """Count skipped spans per reason."""
        return self.skipped.reasons()


def import_source(fmt: str) -> str:
    """The span source of annotations imported from a format."""
    return f"import:{fmt}"


def span_draft(
    path: str,
    where: str,
    text: str,
    start: Any,
    end: Any,
    label: Any,
    fmt: str,
    status: str = "accepted",
    surface: Any = None,
) -> SpanDraft:
    """Validate a span against the text and return it; raise FormatError naming the place."""
    if (
        type(start) is int  # exactly int (JSON's): the common case, checked at once
        and type(end) is int
        and 0 <= start < end <= len(text)
        and type(label) is str
        and label.strip()
        and surface is None
    ):
        return checked_span(start, end, label, import_source(fmt), status)  # type: ignore[arg-type]
    if isinstance(start, bool) or isinstance(end, bool):
        raise FormatError(
            path, where, f"has span offsets that are not integers: {start!r}, {end!r}"
        )
    if not isinstance(start, int) or not isinstance(end, int):
        raise FormatError(
            path, where, f"has span offsets that are not integers: {start!r}, {end!r}"
        )
    if not isinstance(label, str) or not label.strip():
        raise FormatError(path, where, f"has a span {start}..{end} without a label")
    if not 0 <= start < end <= len(text):
        raise FormatError(
            path, where, f"has a span {start}..{end} outside the text (length {len(text)})"
        )
    if surface is not None and surface != text[start:end]:
        raise FormatError(
            path,
            where,
            f"has a span {start}..{end} whose text {surface!r} is not {text[start:end]!r}",
        )
    return SpanDraft(start, end, label, import_source(fmt), status)  # type: ignore[arg-type]


def parse_json_line(path: str, n: int, line: str) -> Any:
    """Parse one JSON line; raise FormatError naming the line."""
    try:
        return json.loads(line)
    except RecursionError:
        raise FormatError(path, f"line {n}", "is JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise FormatError(path, f"line {n}", f"is not valid JSON ({exc.msg})") from None


def jsonl_records(path: str, text: str) -> Iterator[tuple[int, Any]]:
    """Yield (line number, record) for every non-blank line of a JSONL text."""
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield n, parse_json_line(path, n, line)


def jsonl_file_records(path: str, data: bytes) -> Iterator[tuple[int, Any]]:
    """Like jsonl_records over a file's bytes, decoded a line at a time (flat memory)."""
    from .decode import decoded_lines

    for n, line in decoded_lines(path, data):
        if line.strip():
            yield n, parse_json_line(path, n, line)


def jsonl_stream_records(path: str, fh: BinaryIO) -> Iterator[tuple[int, Any]]:
    """Like jsonl_file_records over an open binary file, read a line at a time."""
    from .decode import stream_lines

    for n, line in stream_lines(path, fh):
        if line.strip():
            yield n, parse_json_line(path, n, line)


def check_raw_text(path: str, where: str, text: Any, key: str = "text") -> str:
    """Return a record's text if it is a non-empty string; raise FormatError otherwise."""
    if not isinstance(text, str):
        raise FormatError(path, where, f'has no "{key}" string')
    if not text.strip():
        raise FormatError(path, where, f'has an empty "{key}"')
    return text


class OffsetMap:
    """Offsets of a raw text mapped onto its normalised form (BOM dropped, \\r\\n as \\n)."""

    def __init__(self, raw: str) -> None:
        self.text = normalise_text(raw)
        self._map: list[int] | None = None
        if self.text != raw:
            out, j, i = [], 0, 0
            if raw.startswith("\ufeff"):
                out.append(0)
                i = 1
            while i < len(raw):
                out.append(j)
                if raw[i] == "\r" and i + 1 < len(raw) and raw[i + 1] == "\n":
                    out.append(j)  # the \n of \r\n maps where the \r did
                    i += 2
                else:
                    i += 1
                j += 1
            out.append(j)
            self._map = out

    @property
    def plain(self) -> bool:
        """True when the text needed no change, so every offset maps onto itself."""
        return self._map is None

    def __call__(self, offset: Any) -> Any:
        """Return the normalised offset (non-integers and out-of-range values unchanged)."""
        if self._map is None or not isinstance(offset, int) or isinstance(offset, bool):
            return offset
        return self._map[offset] if 0 <= offset < len(self._map) else offset + len(self.text)


def meta_dict(value: Any) -> dict[str, Any] | None:
    """Return a JSON-able metadata dict, or None."""
    if value is None or value == {}:
        return None
    return value if isinstance(value, dict) else {"meta": value}


# -- tokens --------------------------------------------------------------------------

WHITESPACE_TOKENS = "whitespace"  # article meta "tokenizer" of texts rebuilt from tokens
_NONSPACE = re.compile(r"\S+")
_tokenizer: Any = None


def spacy_tokenizer() -> Any:
    """spaCy's English tokenizer (a blank pipeline: cheap, no model)."""
    global _tokenizer
    if _tokenizer is None:
        import spacy

        _tokenizer = spacy.blank("en")
    return _tokenizer


# article meta keys (reserved) holding the tokens and sentences a file gave: the text never
# changes, so [start, end] offsets stay valid; writers of token formats write them back
TOKENS_KEY = "_tokens"  # [[start, end], ...] in text order
SENTENCES_KEY = "_sentences"  # [start, ...]: where each sentence begins (a token's start)
TOKEN_KEYS = (TOKENS_KEY, SENTENCES_KEY, "tokenizer")  # what token writers keep out of meta


def clean_tokens(text: str, tokens: Iterable[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """A file's tokens in text order without empty ones, or None if they overlap or overrun."""
    out = sorted((s, e) for s, e in tokens if e > s)
    last = 0
    for s, e in out:
        if s < last or e > len(text):
            return None
        last = e
    return out or None


def token_meta(
    text: str, tokens: Iterable[tuple[int, int]], sentences: Iterable[int] | None = None
) -> dict[str, Any]:
    """The meta entries that keep a file's tokens (and sentence starts) with its article."""
    kept = clean_tokens(text, tokens)
    if kept is None:
        return {}
    out: dict[str, Any] = {TOKENS_KEY: [[s, e] for s, e in kept]}
    starts = {s for s, _e in kept}
    if sentences is not None:
        sents = sorted({s for s in sentences if s in starts})
        if sents:
            out[SENTENCES_KEY] = sents
    return out


def stored_tokens(article: Article) -> list[tuple[int, int]] | None:
    """The tokens a file gave for this article, if its meta holds valid ones."""
    raw = (article.meta or {}).get(TOKENS_KEY)
    if not isinstance(raw, list):
        return None
    pairs: list[tuple[int, int]] = []
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in item)
        ):
            return None
        pairs.append((item[0], item[1]))
    return clean_tokens(article.text, pairs)


def sentence_starts(article: Article, tokens: Sequence[tuple[int, int]]) -> set[int] | None:
    """Where the article's sentences begin: as its file said, lines of CoNLL texts, or None."""
    starts = {s for s, _e in tokens}
    raw = (article.meta or {}).get(SENTENCES_KEY)
    if isinstance(raw, list):
        found = {x for x in raw if isinstance(x, int) and x in starts}
        if found:
            return found
    if (article.meta or {}).get("tokenizer") == WHITESPACE_TOKENS and stored_tokens(
        article
    ) is None:
        text = article.text
        return {
            s for i, (s, _e) in enumerate(tokens) if i == 0 or "\n" in text[tokens[i - 1][1] : s]
        }
    return None


def needs_spacy(article: Article) -> bool:
    """True when the article's tokens come from spaCy's tokenizer (its file gave none)."""
    if stored_tokens(article) is not None:
        return False
    return (article.meta or {}).get("tokenizer") != WHITESPACE_TOKENS


TOKENISE_BATCH = 256  # articles handed to nlp.pipe at a time by token writers


def tokenised(
    docs: Iterable[ExportDoc], batch: int = TOKENISE_BATCH
) -> Iterator[tuple[ExportDoc, Any]]:
    """Pair each export doc with spaCy's Doc of its text (None for an article whose file gave
    its tokens), tokenised with ``nlp.pipe`` a batch at a time; memory holds one batch."""
    nlp: Any = None
    pending: list[ExportDoc] = []
    it = iter(docs)
    while True:
        pending.clear()
        for exp in it:
            pending.append(exp)
            if len(pending) >= batch:
                break
        if not pending:
            return
        need = [needs_spacy(exp.article) for exp in pending]
        wanted = [exp.article.text for exp, n in zip(pending, need, strict=True) if n]
        if wanted and nlp is None:
            nlp = spacy_tokenizer()
        made = iter(nlp.pipe(wanted, batch_size=batch) if wanted else ())
        for exp, n in zip(pending, need, strict=True):
            yield exp, next(made) if n else None


def tokens_of(article: Article, keep_space: bool = False, doc: Any = None) -> list[tuple[int, int]]:
    """Token offsets of an article; whitespace tokens only with ``keep_space``.

    The tokens a file gave (Prodigy ``tokens``, a DocBin's) come back as they were; texts
    rebuilt from tokens (CoNLL imports) split on whitespace, so their tokens come back
    exactly too; other texts use spaCy's English tokenizer (``doc``, when ``tokenised`` made
    it already).
    """
    kept = stored_tokens(article)
    if kept is not None:
        text = article.text
        return kept if keep_space else [(s, e) for s, e in kept if not text[s:e].isspace()]
    if (article.meta or {}).get("tokenizer") == WHITESPACE_TOKENS:
        return [(m.start(), m.end()) for m in _NONSPACE.finditer(article.text)]
    if doc is None:
        doc = spacy_tokenizer().make_doc(article.text)
    return [(t.idx, t.idx + len(t.text)) for t in doc if keep_space or not t.is_space]


def align(
    tokens: Sequence[tuple[int, int]], spans: Iterable[Span], overlaps: bool = False
) -> tuple[list[tuple[Span, int, int]], list[tuple[Span, str]]]:
    """Map spans to inclusive token ranges; return (aligned, [(span, reason)]).

    A span must start at a token start and end at a token end; spans that overlap an
    earlier aligned span are refused too (token formats hold one label per token), unless
    overlaps (span formats such as Prodigy's spans_manual hold nested spans).
    """
    starts = {s: i for i, (s, _e) in enumerate(tokens)}
    ends = {e: i for i, (_s, e) in enumerate(tokens)}
    ok: list[tuple[Span, int, int]] = []
    bad: list[tuple[Span, str]] = []
    taken_until = -1
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.id)):
        first, last = starts.get(span.start), ends.get(span.end)
        if first is None or last is None:
            bad.append((span, "not on token boundaries"))
            continue
        if first <= taken_until and not overlaps:
            bad.append((span, "overlaps another span"))
            continue
        ok.append((span, first, last))
        taken_until = max(taken_until, last)
    return ok, bad
