"""Turning a file's bytes into article text: strict UTF-8, no BOM, no binary, newlines as \\n."""

from __future__ import annotations

from ..models import normalise_text
from .errors import FormatError


def line_of(data: bytes, offset: int) -> int:
    """Return the 1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def decode_text(path: str, data: bytes) -> str:
    """Decode bytes as UTF-8 text; raise FormatError for binary, invalid or empty input."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormatError(path, "byte 0", "is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        pos = data.index(b"\x00")
        raise FormatError(
            path, f"line {line_of(data, pos)}, byte {pos}", "holds NUL bytes: not a text file"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(
            path,
            f"line {line_of(data, exc.start)}, byte {exc.start}",
            "is not valid UTF-8 text",
        ) from None
    text = normalise_text(text)
    if not text.strip():
        raise FormatError(path, None, "is empty")
    return text
