"""File formats: a registry of readers (files -> ArticleDraft) and writers (store -> files)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..models import ArticleDraft
from . import articles, text
from .errors import FormatError

Reader = Callable[[str, bytes], Iterator[ArticleDraft]]
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


INPUTS: dict[str, InputFormat] = {}


def register_input(fmt: InputFormat) -> None:
    """Add (or replace) an import format."""
    INPUTS[fmt.name] = fmt


register_input(InputFormat(text.NAME, text.EXTENSIONS, text.read, "plain text or Markdown"))
register_input(
    InputFormat(articles.JSONL, articles.JSONL_EXTENSIONS, articles.read_jsonl, "JSONL of articles")
)
register_input(
    InputFormat(articles.CSV, articles.CSV_EXTENSIONS, articles.read_csv, "CSV of articles")
)


def detect(path: str, head: bytes) -> InputFormat | None:
    """Choose the format of a file by its content where a format can tell, else by its ending."""
    for fmt in INPUTS.values():
        if fmt.sniff is not None and fmt.sniff(head):
            ending_ok = any(path.lower().endswith(e) for e in fmt.extensions)
            if ending_ok or path == "-":
                return fmt
    lower = path.lower()
    for fmt in INPUTS.values():
        if any(lower.endswith(e) for e in fmt.extensions):
            return fmt
    return None


def known_extensions() -> set[str]:
    """Return every file ending some import format claims."""
    return {e for fmt in INPUTS.values() for e in fmt.extensions}


def read_file(path: str, data: bytes, fmt: str | None = None) -> Iterator[ArticleDraft]:
    """Yield the articles of one file; raise FormatError naming the file and place."""
    if fmt is not None:
        chosen = INPUTS.get(fmt)
        if chosen is None:
            raise FormatError(path, None, f"unknown format {fmt!r}; known: {', '.join(INPUTS)}")
    else:
        chosen = detect(path, data[:4096])
        if chosen is None:
            if path == "-":  # standard input has no ending: JSON lines, else plain text
                looks_json = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
                chosen = INPUTS[articles.JSONL if looks_json else text.NAME]
            else:
                raise FormatError(
                    path, None, f"has an unknown file ending {Path(path).suffix!r}; use --format"
                )
    yield from chosen.read(STDIN if path == "-" else path, data)


__all__ = ["FormatError", "INPUTS", "InputFormat", "detect", "read_file", "register_input"]
