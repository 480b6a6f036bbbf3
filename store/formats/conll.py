"""CoNLL NER columns: two-column ``token TAG`` (IOB2) and four-column CoNLL-2003; IOB1/IOB2/BILOU on read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from ..models import SpanDraft
from .common import WHITESPACE_TOKENS, AnnotatedDraft, ExportDoc, WriteReport, align, tokens_of
from .decode import decode_text
from .errors import FormatError

NAME = "conll"
NAME_2003 = "conll2003"
EXTENSIONS = (".conll", ".iob", ".iob2", ".bio", ".conll2003")
DOCSTART = "-DOCSTART-"
# the original CoNLL-2003 line, the one spaCy's converter splits documents at, in both widths
DOC_LINE = {2: "-DOCSTART- -X- O O", 4: "-DOCSTART- -X- O O"}
_PREFIXES = set("BIESLU")

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


def _documents(path: str, text: str) -> Iterator[list[list[Token]]]:
    lines = text.split("\n")
    has_docstart = any(line.split()[:1] == [DOCSTART] for line in lines)
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
        if cols[0] == DOCSTART:
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


def write(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport, columns: int = 2) -> None:
    """Write IOB2 tags, one token a line, a blank line after each sentence (text lines),
    and the ``-DOCSTART-`` line before each article. Four columns fill POS and chunk with -X-.
    """
    unreviewed = 0
    for doc in docs:
        art = doc.article
        tokens = tokens_of(art)
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
        out.write(DOC_LINE[columns] + "\n\n")
        text = art.text
        for i, (s, e) in enumerate(tokens):
            if i and "\n" in text[tokens[i - 1][1] : s] and not tags[i].startswith("I-"):
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
