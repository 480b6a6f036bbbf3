"""spaCy DocBin (``.spacy``): entities per token, reviewed articles complete, others partial."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import (
    WHITESPACE_TOKENS,
    AnnotatedDraft,
    ExportDoc,
    OffsetMap,
    WriteReport,
    align,
    sentence_starts,
    spacy_tokenizer,
    span_draft,
    stored_tokens,
    token_meta,
    tokenised,
)
from .docbin_stream import DocBinWriter
from .errors import FormatError

NAME = "spacy"
EXTENSIONS = (".spacy",)
USER_KEY = "margin"  # doc.user_data key: article id, title, source, review state, provenance
_NONSPACE = re.compile(r"\S+")


def _doc(article: Any, made: Any = None) -> Any:
    """A spaCy Doc of the article's text with the tokens (and sentences) margin exports;
    ``made`` is spaCy's tokenisation of the text when ``tokenised`` made it already."""
    from spacy.tokens import Doc

    nlp = spacy_tokenizer()
    text = article.text
    bounds = stored_tokens(article)
    if bounds is None and (article.meta or {}).get("tokenizer") == WHITESPACE_TOKENS:
        bounds = [(m.start(), m.end()) for m in _NONSPACE.finditer(text)]
    if bounds is None:
        return made if made is not None else nlp.make_doc(text)
    sents = sentence_starts(article, bounds)
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[bool | int | None] = []

    def add(word: str, space: bool, sent_start: bool) -> None:
        words.append(word)
        spaces.append(space)
        starts.append(sent_start)

    if bounds[0][0] > 0:
        add(text[: bounds[0][0]], False, False)
    for i, (s, e) in enumerate(bounds):
        add(text[s:e], False, sents is not None and s in sents)
        nxt = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
        gap = text[e:nxt]
        if gap.startswith(" "):
            spaces[-1] = True
            gap = gap[1:]
        if gap:  # anything between tokens but one space is a token of its own
            add(gap, False, False)
    if sents:
        starts[0] = True
    doc = Doc(nlp.vocab, words=words, spaces=spaces, sent_starts=starts if sents else None)
    assert doc.text == text
    return doc


@contextmanager
def _fast_msgpack() -> Iterator[None]:
    """Skip srsly's entry-point scan on each user_data dump (0.4 ms a doc); plain dicts only."""
    import srsly.msgpack as sm

    registry = sm.msgpack_encoders
    before = registry.entry_points
    registry.entry_points = False
    try:
        yield
    finally:
        registry.entry_points = before


# only what NER training reads: smaller files, a third of the memory
ATTRS = ["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "SENT_START"]
PART_DOCS = 1000  # articles in each part-NNNNN.spacy of a folder export
PART_NAME = "part-{:05d}.spacy"


def _annotated(exp: ExportDoc, made: Any, report: WriteReport) -> Any:
    """The Doc of one article with its exported spans as entities and margin's user data."""
    art = exp.article
    doc = _doc(art, made)
    arr = doc.to_array(["IDX", "LENGTH"]).tolist()
    tokens = [(i, i + n) for i, n in arr]
    aligned, bad = align(tokens, exp.spans)
    for span, reason in bad:
        report.skip(exp, span, reason)
    ents = [doc[first : last + 1] for _s, first, last in aligned]
    for ent, (span, _f, _l) in zip(ents, aligned, strict=True):
        ent.label_ = span.label
        if span.text in exp.entity_ids:  # the stable entity id, as spaCy's entity linker
            ent.kb_id_ = str(exp.entity_ids[span.text])
    doc.set_ents(ents, default="outside" if art.reviewed else "missing")
    doc.user_data[USER_KEY] = {
        "article_id": art.id,
        "title": art.title,
        "source": art.source,
        "reviewed": art.reviewed,
        "spans": [
            {
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "source": s.source,
                "status": s.status,
            }
            for s, _f, _l in aligned
        ],
    }
    report.articles += 1
    report.spans += len(aligned)
    return doc


def _add_all(docs: Iterable[ExportDoc], report: WriteReport, add: Callable[[Any], None]) -> int:
    """Annotate every article and hand its Doc to ``add``; return how many were unreviewed."""
    unreviewed = 0
    with _fast_msgpack():
        for exp, made in tokenised(docs):
            add(_annotated(exp, made, report))
            unreviewed += not exp.article.reviewed
    return unreviewed


def write_file(docs: Iterable[ExportDoc], out: Path, report: WriteReport) -> None:
    """Write a DocBin: reviewed articles with ``default="outside"``, others ``"missing"``.

    ``out`` a folder: parts of ``PART_DOCS`` articles (``part-00001.spacy`` ...), each
    written and freed as it fills (``spacy train`` and margin's import read a folder of
    them). Else one file, written a batch at a time (see docbin_stream): memory stays flat
    in the number of articles either way.
    """
    if out.is_dir():
        unreviewed = _write_parts(docs, out, report)
    else:
        unreviewed = _write_one(docs, out, report)
    if unreviewed:
        report.notes.append(
            f"{unreviewed} article(s) not reviewed: their untagged tokens are 'missing', not O"
        )


class _Parts:
    """DocBin parts of a folder export, each written and dropped as it fills."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written = 0
        self.bin = self._new()

    @staticmethod
    def _new() -> Any:
        from spacy.tokens import DocBin

        return DocBin(attrs=ATTRS, store_user_data=True)

    def add(self, doc: Any) -> None:
        self.bin.add(doc)
        if len(self.bin) >= PART_DOCS:
            self.flush()

    def flush(self) -> None:
        self.written += 1
        self.bin.to_disk(self.folder / PART_NAME.format(self.written))
        self.bin = self._new()


def _write_parts(docs: Iterable[ExportDoc], folder: Path, report: WriteReport) -> int:
    parts = _Parts(folder)
    unreviewed = _add_all(docs, report, parts.add)
    if len(parts.bin) or not parts.written:  # an empty export is one empty part
        parts.flush()
    return unreviewed


def _write_one(docs: Iterable[ExportDoc], out: Path, report: WriteReport) -> int:
    # spill beside the file written (a temporary of outfile), in the temp folder for a device
    spill = out.parent if not out.exists() or out.is_file() else None
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = DocBinWriter(ATTRS, True, spill)
    try:
        with open(out, "wb") as fh:  # opened first: a FIFO's reader sees the export start
            unreviewed = _add_all(docs, report, writer.add)
            writer.write(fh)
    finally:
        writer.close()
    report.files.append(str(out))
    return unreviewed


def read(path: str, data: bytes) -> Iterator[AnnotatedDraft]:
    """Yield one article per Doc; a Doc with no missing entity tags is a reviewed article."""
    from spacy.tokens import DocBin

    try:
        db = DocBin(store_user_data=True).from_bytes(data)
        docs = list(db.get_docs(spacy_tokenizer().vocab))
    except Exception as exc:  # spaCy raises many kinds for a bad file
        raise FormatError(
            path, None, f"is not a spaCy DocBin file ({type(exc).__name__})"
        ) from None
    for n, doc in enumerate(docs, 1):
        where = f"record {n}"
        if not doc.text.strip():
            raise FormatError(path, where, "has an empty text")
        mine = doc.user_data.get(USER_KEY) if isinstance(doc.user_data, dict) else None
        mine = mine if isinstance(mine, dict) else {}
        fix = OffsetMap(doc.text)
        spans = tuple(
            span_draft(path, where, fix.text, fix(e.start_char), fix(e.end_char), e.label_, NAME)
            for e in doc.ents
        )
        complete = all(t.ent_iob != 0 for t in doc)
        title = mine.get("title") if isinstance(mine.get("title"), str) else None
        sents = [fix(s.start_char) for s in doc.sents] if doc.has_annotation("SENT_START") else None
        tokens = [(fix(t.idx), fix(t.idx + len(t))) for t in doc]
        warnings: tuple[str, ...] = ()
        groups = {k: len(v) for k, v in doc.spans.items() if len(v)}
        if groups:
            names = ", ".join(f"{k!r} ({n})" for k, n in sorted(groups.items()))
            warnings = (
                f"{path}, {where}: {sum(groups.values())} span(s) in span groups {names}"
                " not imported (doc.spans; margin imports doc.ents)",
            )
        yield AnnotatedDraft(
            text=fix.text,
            title=title,
            source=f"{path}#{where}",
            meta=token_meta(fix.text, tokens, sents) or None,
            warnings=warnings,
            spans=spans,
            reviewed=bool(mine["reviewed"]) if isinstance(mine.get("reviewed"), bool) else complete,
        )
