"""CoNLL NER columns: two-column ``token TAG`` (IOB2) and four-column CoNLL-2003; IOB1/IOB2/BILOU on read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TextIO

from ..models import Article, SpanDraft
from .common import (
    WHITESPACE_TOKENS,
    AnnotatedDraft,
    ExportDoc,
    WriteReport,
    align,
    sentence_starts,
    tokenised,
    tokens_of,
)
from .decode import decode_text
from .errors import FormatError

NAME = "conll"
NAME_2003 = "conll2003"
EXTENSIONS = (".conll", ".iob", ".iob2", ".bio", ".conll2003")
DOCSTART = "-DOCSTART-"
# the original CoNLL-2003 line, the one spaCy's converter splits documents at, in both widths
DOC_LINE = {2: "-DOCSTART- -X- O O", 4: "-DOCSTART- -X- O O"}
_PREFIXES = set("BIESLU")
_NONSPACE = re.compile(r"\S+")

Token = tuple[str, str, str | None, int]  # token, prefix, label, line number


def _columns(path: str, n: int, line: str) -> list[str]:
    if "\t" in line:
        cols = [c.strip() for c in line.strip().split("\t")]
        if any(not c for c in cols):
            raise FormatError(path, f"line {n}", "has an empty column")
        if any(c.split() != [c] for c in cols):
            raise FormatError(
                path, f"line {n}", "has a token with spaces inside a tab-separated column"
            )
        return cols
    return line.split()


def _tag(path: str, n: int, tag: str) -> tuple[str, str | None]:
    if tag == "O":
        return "O", None
    prefix, sep, label = tag.partition("-")  # the first '-' only: B-creative-work
    if not sep or prefix not in _PREFIXES or not label:
        raise FormatError(path, f"line {n}", f"has the tag {tag!r}, not O or B-/I-/E-/S-LABEL")
    return prefix, label


def _separates(lines: list[str], i: int) -> bool:
    """A ``-DOCSTART-`` line between blank lines (or the file's edges) separates documents.

    A ``-DOCSTART-`` inside a sentence is a token: margin's writer never leaves one alone.
    """
    if lines[i].split()[:1] != [DOCSTART]:
        return False
    before = i == 0 or not lines[i - 1].strip()
    return before and (i + 1 == len(lines) or not lines[i + 1].strip())


def _pieces(tokens: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Tokens split at whitespace inside them (a CoNLL token is one column)."""
    out: list[tuple[int, int]] = []
    for s, e in tokens:
        piece = text[s:e]
        if piece.split() == [piece]:
            out.append((s, e))
        else:
            out.extend((s + m.start(), s + m.end()) for m in _NONSPACE.finditer(piece))
    return out


def _documents(path: str, text: str) -> Iterator[list[list[Token]]]:
    lines = text.split("\n")
    seps = {n for n in range(len(lines)) if _separates(lines, n)}
    has_docstart = bool(seps)
    width: int | None = None
    doc: list[list[Token]] = []
    sent: list[Token] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            if sent:
                doc.append(sent)
                sent = []
                if not has_docstart:
                    yield doc
                    doc = []
            continue
        cols = _columns(path, n, line)
        if n - 1 in seps:
            if sent:
                doc.append(sent)
                sent = []
            if doc:
                yield doc
                doc = []
            continue
        if len(cols) < 2:
            raise FormatError(
                path, f"line {n}", f"has {len(cols)} column; expected a token and a tag"
            )
        if width is None:
            width = len(cols)
        elif len(cols) != width:
            raise FormatError(
                path, f"line {n}", f"has {len(cols)} columns; the lines before have {width}"
            )
        prefix, label = _tag(path, n, cols[-1])
        sent.append((cols[0], prefix, label, n))
    if sent:
        doc.append(sent)
    if doc:
        yield doc


def read(path: str, data: bytes) -> Iterator[AnnotatedDraft]:
    """Yield one article per document (``-DOCSTART-``), or per sentence when a file has none.

    The text is rebuilt from the tokens: single spaces between tokens, a newline between
    sentences; every tag sequence becomes spans on those tokens. B- always starts an entity,
    I- continues one of the same label and otherwise starts one (IOB1 and IOB2 alike).
    """
    for doc in _documents(path, decode_text(path, data)):
        parts: list[str] = []
        spans: list[SpanDraft] = []
        pos = 0
        for s, sent in enumerate(doc):
            if s:
                parts.append("\n")
                pos += 1
            open_: tuple[str, int, int] | None = None  # label, start, end
            for i, (tok, prefix, label, _n) in enumerate(sent):
                if i:
                    parts.append(" ")
                    pos += 1
                start, end = pos, pos + len(tok)
                parts.append(tok)
                pos = end
                continues = open_ is not None and label == open_[0] and prefix in ("I", "E", "L")
                if continues and open_ is not None:
                    open_ = (open_[0], open_[1], end)
                else:
                    if open_ is not None:
                        spans.append(
                            SpanDraft(open_[1], open_[2], open_[0], f"import:{NAME}", "accepted")
                        )
                    open_ = (label, start, end) if label is not None else None
                if open_ is not None and prefix in ("E", "L", "S", "U"):
                    spans.append(
                        SpanDraft(open_[1], open_[2], open_[0], f"import:{NAME}", "accepted")
                    )
                    open_ = None
            if open_ is not None:
                spans.append(SpanDraft(open_[1], open_[2], open_[0], f"import:{NAME}", "accepted"))
        text = "".join(parts)
        first_line = doc[0][0][3]
        yield AnnotatedDraft(
            text=text,
            source=f"{path}#line {first_line}",
            meta={"tokenizer": WHITESPACE_TOKENS},
            spans=tuple(spans),
            reviewed=True,
        )


def _breaks(art: Article, tokens: list[tuple[int, int]], tags: list[str]) -> list[bool]:
    """Where a sentence ends before each token: a newline, or a sentence the file gave.

    Never inside an entity, and never so that a ``-DOCSTART-`` token stands alone between
    blank lines (it joins the sentence before, or after when it opens the article).
    """
    sents = sentence_starts(art, tokens) or set()
    text = art.text
    breaks = [
        i > 0
        and (s in sents or "\n" in text[tokens[i - 1][1] : s])
        and not tags[i].startswith("I-")
        for i, (s, _e) in enumerate(tokens)
    ]
    for i, (s, e) in enumerate(tokens):
        alone = (i == 0 or breaks[i]) and (i + 1 == len(tokens) or breaks[i + 1])
        if text[s:e] == DOCSTART and alone:
            if i > 0:
                breaks[i] = False
            else:
                breaks[1] = False
    return breaks


def write(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport, columns: int = 2) -> None:
    """Write IOB2 tags, one token a line, a blank line after each sentence (text lines),
    and the ``-DOCSTART-`` line before each article. Four columns fill POS and chunk with -X-.
    """
    unreviewed = 0
    for doc, made in tokenised(docs):
        art = doc.article
        tokens = _pieces(tokens_of(art, doc=made), art.text)
        if [art.text[s:e] for s, e in tokens] == [DOCSTART]:
            report.notes.append(
                f"article {art.id} is the one token {DOCSTART}, which CoNLL reads as a"
                " document separator: not written"
            )
            continue
        ok_spans = []
        for span in doc.spans:
            if any(c.isspace() for c in span.label):
                report.skip(doc, span, "label has spaces")
            else:
                ok_spans.append(span)
        aligned, bad = align(tokens, ok_spans)
        for span, reason in bad:
            report.skip(doc, span, reason)
        tags = ["O"] * len(tokens)
        for span, first, last in aligned:
            tags[first] = f"B-{span.label}"
            for k in range(first + 1, last + 1):
                tags[k] = f"I-{span.label}"
        breaks = _breaks(art, tokens, tags)
        out.write(DOC_LINE[columns] + "\n\n")
        text = art.text
        for i, (s, e) in enumerate(tokens):
            if breaks[i]:
                out.write("\n")
            middle = " -X- -X-" if columns == 4 else ""
            out.write(f"{text[s:e]}{middle} {tags[i]}\n")
        out.write("\n")
        report.articles += 1
        report.spans += len(aligned)
        if not art.reviewed:
            unreviewed += 1
    if unreviewed:
        report.notes.append(
            f"{unreviewed} article(s) not reviewed: CoNLL has no 'unknown' tag, so their"
            " untagged tokens are written as O"
        )


def write_2003(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport) -> None:
    """Write four-column CoNLL-2003 (token, POS, chunk, tag) with IOB2 tags."""
    write(docs, out, report, columns=4)
