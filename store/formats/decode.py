"""Turning a file's bytes into article text: strict UTF-8, no BOM, no binary, newlines as \\n."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from ..models import normalise_text
from .errors import FormatError

BOM = b"\xef\xbb\xbf"


def line_of(data: bytes, offset: int) -> int:
    """Return the 1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def not_utf8(data: bytes, at: int) -> str:
    """The message for a byte that is not UTF-8, with the --encoding that likely reads it."""
    byte = data[at]
    head = f"is not valid UTF-8 text (byte 0x{byte:02X})"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return f"{head}; give the file's encoding with --encoding NAME"
    return f"{head}; if the file is Windows-1252 or Latin-1, use --encoding cp1252"


def transcode(path: str, data: bytes, encoding: str) -> bytes:
    """Return data, written in ``encoding``, as UTF-8; raise FormatError where it does not fit."""
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise FormatError(path, None, f"cannot be read as {encoding!r}: no such encoding") from None
    if name == "utf-8":
        return data
    try:
        return data.decode(name).encode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"line {line_of(data, exc.start)}, byte {exc.start}"
        raise FormatError(
            path, where, f"is not valid {encoding} text (byte 0x{data[exc.start]:02X})"
        ) from None
    except UnicodeEncodeError:  # a lone surrogate (UTF-16 or UTF-32 that is broken)
        raise FormatError(path, None, f"is not valid {encoding} text (a lone surrogate)") from None


def decode_text(path: str, data: bytes) -> str:
    """Decode bytes as UTF-8 text; raise FormatError for binary, invalid or empty input."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormatError(
            path, "byte 0", "is UTF-16 text; save it as UTF-8 or use --encoding utf-16"
        )
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
            not_utf8(data, exc.start),
        ) from None
    text = normalise_text(text)
    if not text.strip():
        raise FormatError(path, None, "is empty")
    return text


def decoded_lines(path: str, data: bytes) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) like ``enumerate(decode_text(...).split("\\n"), 1)``, decoding
    one line at a time, so a big file is never held twice (bytes and text) in memory."""
    if data.count(b"\r") != data.count(b"\r\n"):  # old Mac line ends: the whole-text path
        yield from enumerate(decode_text(path, data).split("\n"), 1)
        return
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        decode_text(path, data)  # raises the same error as for any text file
    pos = len(BOM) if data.startswith(BOM) else 0
    n, blank = 0, True
    while pos <= len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            end = len(data)
        n += 1
        try:
            line = data[pos:end].decode("utf-8")
        except UnicodeDecodeError as exc:
            at = pos + exc.start
            raise FormatError(path, f"line {n}, byte {at}", not_utf8(data, at)) from None
        if line.endswith("\r"):
            line = line[:-1]
        if blank and line.strip():
            blank = False
        yield n, line
        pos = end + 1
    if blank:
        raise FormatError(path, None, "is empty")


def stream_lines(path: str, fh: BinaryIO) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) of a binary file as :func:`decoded_lines` does of its bytes,
    reading a line at a time: memory holds one line, whatever the file's size.

    The first problem met is the one reported (decoded_lines, having the whole file, reports a
    NUL byte anywhere before a bad line earlier in the file).
    """
    head = fh.peek(4)[:4] if isinstance(fh, io.BufferedReader) else b""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        decode_text(path, head)  # raises the UTF-16 error every text file gets
    pos = 0
    if head.startswith(BOM):
        pos = len(fh.read(len(BOM)))
    n, blank, ended = 0, True, True
    for raw in fh:
        body = raw[:-1] if raw.endswith(b"\n") else raw
        ended = body is not raw
        if b"\x00" in body:
            at = pos + body.index(b"\x00")
            raise FormatError(path, f"line {n + 1}, byte {at}", "holds NUL bytes: not a text file")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = pos + exc.start
            raise FormatError(path, f"line {n + 1}, byte {at}", not_utf8(body, exc.start)) from None
        pos += len(raw)
        if ended and text.endswith("\r"):  # \r\n; a \r at the very end is a line end of its own
            text = text[:-1]
        for part in text.split("\r"):  # old Mac line ends: a lone \r ends a line too
            n += 1
            if blank and part.strip():
                blank = False
            yield n, part
    if ended:  # what follows the last newline (or an empty file) is a line too
        yield n + 1, ""
    if blank:
        raise FormatError(path, None, "is empty")
