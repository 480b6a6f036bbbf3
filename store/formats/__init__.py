"""File formats: a registry of readers (files -> ArticleDraft) and writers (store -> files)."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..fetch import is_url
from ..models import ArticleDraft, Label
from . import (
    articles,
    brat,
    conll,
    docbin,
    doccano,
    entities_csv,
    entity_table,
    feeds,
    labelstudio,
    prodigy,
    sniff_conll,
    text,
)
from .common import AnnotatedDraft, ExportDoc, WriteReport
from .decode import transcode
from .errors import FormatError

Reader = Callable[[str, bytes], Iterator[ArticleDraft]]
Streamer = Callable[[str, BinaryIO], Iterator[ArticleDraft]]
STDIN = "<stdin>"  # how standard input (the path "-") is named in sources and errors


@dataclass(frozen=True)
class InputFormat:
    """A format margin can import: its name, file endings and reader."""

    name: str
    extensions: tuple[str, ...]
    read: Reader
    description: str = ""
    # optional: given the first bytes of a file, True when the content is this format
    sniff: Callable[[bytes], bool] | None = None
    # optional: the reader over an open file, read a piece at a time (memory flat in its size)
    stream: Streamer | None = None


INPUTS: dict[str, InputFormat] = {}


def register_input(fmt: InputFormat) -> None:
    """Add (or replace) an import format."""
    INPUTS[fmt.name] = fmt


# formats whose sniffer can tell them by content come first: detect() asks them in order
register_input(
    InputFormat(
        prodigy.NAME,
        prodigy.EXTENSIONS,
        prodigy.read,
        "Prodigy JSONL",
        prodigy.sniff,
        prodigy.stream,
    )
)
register_input(
    InputFormat(
        doccano.NAME,
        doccano.EXTENSIONS,
        doccano.read,
        "doccano JSONL",
        doccano.sniff,
        doccano.stream,
    )
)
register_input(
    InputFormat(
        feeds.FEED, feeds.FEED_EXTENSIONS, feeds.read_feed, "RSS/Atom feed", feeds.sniff_feed
    )
)
register_input(
    InputFormat(
        feeds.HTML, feeds.HTML_EXTENSIONS, feeds.read_html, "saved web page", feeds.sniff_html
    )
)
register_input(
    InputFormat(
        labelstudio.NAME,
        labelstudio.EXTENSIONS,
        labelstudio.read,
        "Label Studio JSON tasks",
        labelstudio.sniff,
    )
)
register_input(InputFormat(text.NAME, text.EXTENSIONS, text.read, "plain text or Markdown"))
register_input(
    InputFormat(
        articles.JSONL,
        articles.JSONL_EXTENSIONS,
        articles.read_jsonl,
        "JSONL of articles",
        stream=articles.stream_jsonl,
    )
)
register_input(
    InputFormat(
        articles.CSV,
        articles.CSV_EXTENSIONS,
        articles.read_csv,
        "CSV of articles",
        stream=articles.stream_csv,
    )
)

register_input(InputFormat(brat.NAME, brat.EXTENSIONS, brat.read, "brat standoff .ann + .txt"))
register_input(InputFormat(conll.NAME, conll.EXTENSIONS, conll.read, "CoNLL NER columns (IOB)"))
register_input(InputFormat(conll.NAME_2003, (), conll.read, "CoNLL-2003 (four columns)"))
register_input(InputFormat(docbin.NAME, docbin.EXTENSIONS, docbin.read, "spaCy DocBin"))


@dataclass(frozen=True)
class OutputFormat:
    """A format margin can export to.

    ``kind`` says what ``write`` takes: "text" writes to a text stream (stdout allowed),
    "file" to one binary file, "folder" to a folder. ``write(docs, target, report, labels)``.
    """

    name: str
    extension: str
    kind: str
    write: Callable[[Iterable[ExportDoc], Any, WriteReport, list[Label]], None]
    description: str = ""


OUTPUTS: dict[str, OutputFormat] = {}


def register_output(fmt: OutputFormat) -> None:
    """Add (or replace) an export format."""
    OUTPUTS[fmt.name] = fmt


def _stream(
    fn: Callable[..., None],
) -> Callable[[Iterable[ExportDoc], Any, WriteReport, list[Label]], None]:
    return lambda docs, target, report, labels: fn(docs, target, report)


register_output(
    OutputFormat("prodigy", ".jsonl", "text", _stream(prodigy.write), "Prodigy ner_manual JSONL")
)
register_output(OutputFormat("doccano", ".jsonl", "text", _stream(doccano.write), "doccano JSONL"))
register_output(OutputFormat("brat", "", "folder", brat.write_folder, "brat standoff folder"))
register_output(
    OutputFormat("conll", ".conll", "text", _stream(conll.write), "CoNLL IOB2, two columns")
)
register_output(
    OutputFormat(
        "conll2003", ".conll", "text", _stream(conll.write_2003), "CoNLL-2003, four columns"
    )
)
register_output(OutputFormat("spacy", ".spacy", "file", _stream(docbin.write_file), "spaCy DocBin"))
register_output(
    OutputFormat("labelstudio", ".json", "text", _stream(labelstudio.write), "Label Studio tasks")
)
register_output(OutputFormat("csv", ".csv", "text", _stream(entities_csv.write), "CSV of entities"))
# one row per entity (issue 16): id, canonical name, aliases, labels, articles, first/last seen
register_output(
    OutputFormat("entities", ".csv", "text", _stream(entity_table.write_csv), "entity table, CSV")
)
register_output(
    OutputFormat(
        "entities-jsonl", ".jsonl", "text", _stream(entity_table.write_jsonl), "entity table, JSONL"
    )
)


def detect(path: str, head: bytes) -> InputFormat | None:
    """Choose the format of a file by its content where a format can tell, else by its ending."""
    head = head.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark says nothing of the format
    for fmt in INPUTS.values():
        if fmt.sniff is not None and fmt.sniff(head):
            ending_ok = any(path.lower().endswith(e) for e in fmt.extensions)
            if ending_ok or path == "-" or is_url(path):
                return fmt
    lower = path.lower()
    # by ending: formats that cannot tell by content (plain articles) before those that can
    chosen = None
    for fmt in sorted(INPUTS.values(), key=lambda f: f.sniff is not None):
        if any(lower.endswith(e) for e in fmt.extensions):
            chosen = fmt
            break
    # CoNLL columns say more than a .txt ending or none (eng.train): one article of columns
    # titled "-DOCSTART- -X- -X- O" is never what was meant
    if (chosen is None or chosen.name == text.NAME) and sniff_conll.sniff(head):
        return INPUTS[conll.NAME]
    return chosen


def known_extensions() -> set[str]:
    """Return every file ending some import format claims."""
    return {e for fmt in INPUTS.values() for e in fmt.extensions}


def read_file(
    path: str, data: bytes, fmt: str | None = None, encoding: str | None = None
) -> Iterator[ArticleDraft]:
    """Yield the articles of one file; raise FormatError naming the file and place.

    ``encoding`` names what a text file is written in (UTF-8 when None); binary formats
    refuse it."""
    if encoding is not None:
        name = STDIN if path == "-" else path
        binary = fmt == docbin.NAME or (
            fmt is None and any(path.lower().endswith(e) for e in docbin.EXTENSIONS)
        )
        if binary:
            raise FormatError(
                name, None, "is a spaCy DocBin (binary): --encoding is for text files"
            )
        data = transcode(name, data, encoding)
    if fmt is not None:
        chosen = INPUTS.get(fmt)
        if chosen is None:
            raise FormatError(path, None, f"unknown format {fmt!r}; known: {', '.join(INPUTS)}")
    else:
        chosen = detect(path, data[:4096])
        if chosen is None:
            if path == "-" or is_url(path):  # no ending to go by: JSON lines, else plain text
                looks_json = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
                chosen = INPUTS[articles.JSONL if looks_json else text.NAME]
            else:
                raise FormatError(
                    path, None, f"has an unknown file ending {Path(path).suffix!r}; use --format"
                )
    yield from chosen.read(STDIN if path == "-" else path, data)


def streamed_format(path: str, fmt: str | None, encoding: str | None) -> InputFormat | None:
    """The format of a local file whose reader streams, or None (read it whole: read_file).

    Standard input, URLs, other encodings (transcoded whole) and formats that need the whole
    file (brat, CoNLL, feeds, Label Studio's one JSON array, DocBin) are read whole.
    """
    if path == "-" or is_url(path) or not Path(path).is_file():
        return None
    try:
        if encoding is not None and codecs.lookup(encoding).name != "utf-8":
            return None
    except LookupError:
        return None  # read_file's transcode names it
    if fmt is not None:
        chosen = INPUTS.get(fmt)
    else:
        try:
            with open(path, "rb") as fh:
                head = fh.read(4096)
        except OSError:
            return None  # read_file's path says why
        chosen = detect(path, head)
    return chosen if chosen is not None and chosen.stream is not None else None


def stream_file(path: str, fmt: InputFormat) -> Iterator[ArticleDraft]:
    """Yield the articles of a local file with its format's streaming reader."""
    assert fmt.stream is not None
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed when the generator ends)
    except OSError as exc:
        raise FormatError(path, None, f"cannot be read ({exc.strerror})") from None
    with fh:
        yield from fmt.stream(path, fh)


__all__ = [
    "AnnotatedDraft",
    "ExportDoc",
    "FormatError",
    "INPUTS",
    "InputFormat",
    "OUTPUTS",
    "OutputFormat",
    "WriteReport",
    "detect",
    "read_file",
    "register_input",
    "register_output",
    "stream_file",
    "streamed_format",
]
