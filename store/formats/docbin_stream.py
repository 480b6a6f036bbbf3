"""One DocBin file written a batch of docs at a time: memory flat in the number of docs.

spaCy's ``DocBin.to_bytes`` packs every doc's arrays into one msgpack map in memory and
compresses it whole (2.3 GB at 100,000 articles). This writer lets a small ``DocBin`` take
``BATCH`` docs (spaCy's own ``add``), moves their arrays and per-doc values to temporary
files (compressed, unlinked from the start), and at the end writes the same msgpack map
through one zlib stream: the file ``DocBin().from_disk`` reads, byte for byte the same data.
Memory holds one batch and the set of distinct strings.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from pathlib import Path
from typing import IO, Any

BATCH = 256  # docs in the in-memory DocBin before they go to the temporary files
_CHUNK = 1 << 20
# the per-doc lists of DocBin.to_bytes, in its order, and the DocBin attribute of each
_LISTS = ("cats", "flags", "span_groups", "user_data")


def _bin_header(n: int) -> bytes:
    """msgpack ``bin 32`` header: n bytes follow."""
    return b"\xc6" + struct.pack(">I", n)


def _array_header(n: int) -> bytes:
    """msgpack ``array 32`` header: n items follow."""
    return b"\xdd" + struct.pack(">I", n)


class _Spill:
    """An unnamed temporary file written through zlib (level 1); its raw size is counted."""

    def __init__(self, where: Path | None) -> None:
        self._fh: IO[bytes] = tempfile.TemporaryFile(dir=where)
        self._z = zlib.compressobj(1)
        self.size = 0
        self.items = 0

    def write(self, data: bytes, items: int = 1) -> None:
        self.size += len(data)
        self.items += items
        self._fh.write(self._z.compress(data))

    def copy_into(self, sink: _Sink) -> None:
        """Stream the raw bytes back into sink, then close the temporary file."""
        self._fh.write(self._z.flush())
        self._fh.seek(0)
        unz = zlib.decompressobj()
        while chunk := self._fh.read(_CHUNK):
            sink.write(unz.decompress(chunk))
        sink.write(unz.flush())
        self._fh.close()

    def close(self) -> None:
        self._fh.close()


class _Sink:
    """The output file, written through one zlib stream (what ``zlib.decompress`` reads)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._z = zlib.compressobj()

    def write(self, data: bytes) -> None:
        if data:
            self._fh.write(self._z.compress(data))

    def finish(self) -> None:
        self._fh.write(self._z.flush())


class DocBinWriter:
    """Add spaCy Docs one at a time, then ``write(path)`` one DocBin file."""

    def __init__(self, attrs: list[str], store_user_data: bool, spill_dir: Path | None) -> None:
        self._attrs_asked = attrs
        self._store_user_data = store_user_data
        self._bin = self._new()
        self._attrs: list[Any] = list(self._bin.attrs)
        self._version: str = self._bin.version
        self._strings: set[str] = set()
        self._spills: dict[str, _Spill] = {}
        names = ("tokens", "spaces", "lengths", *_LISTS)
        try:
            for name in names:
                self._spills[name] = _Spill(spill_dir)
        except BaseException:
            self.close()
            raise
        self.docs = 0

    def _new(self) -> Any:
        from spacy.tokens import DocBin

        return DocBin(attrs=self._attrs_asked, store_user_data=self._store_user_data)

    def add(self, doc: Any) -> None:
        """Add one Doc (its annotations are copied; the Doc may go)."""
        self._bin.add(doc)
        self.docs += 1
        if len(self._bin) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        import numpy
        import srsly.msgpack as sm

        b = self._bin
        if not len(b):
            return
        sp = self._spills
        for arr in b.tokens:
            sp["tokens"].write(numpy.ascontiguousarray(arr, dtype="uint64").tobytes("C"))
        for arr in b.spaces:
            sp["spaces"].write(numpy.ascontiguousarray(arr, dtype=bool).tobytes("C"))
        lengths = numpy.asarray([len(t) for t in b.tokens], dtype="int32")
        sp["lengths"].write(lengths.tobytes("C"), len(lengths))
        packer = sm.Packer(use_bin_type=True)
        for name in _LISTS:
            values = b.user_data if name == "user_data" else getattr(b, name)
            if name == "user_data" and not self._store_user_data:
                continue
            sp[name].write(b"".join(packer.pack(v) for v in values), len(values))
        self._strings.update(b.strings)
        self._bin = self._new()

    def write(self, fh: IO[bytes]) -> None:
        """Write the DocBin to an open binary file (the temporary files are closed after)."""
        import srsly

        self._flush()
        sp = self._spills
        keys = ["version", "attrs", "tokens", "spaces", "lengths", "strings", *_LISTS]
        if not self._store_user_data:
            keys.remove("user_data")
        sink = _Sink(fh)
        sink.write(bytes([0x80 | len(keys)]))  # a fixmap of len(keys) entries (< 16)
        for key in keys:
            sink.write(srsly.msgpack_dumps(key))
            if key == "version":
                sink.write(srsly.msgpack_dumps(self._version))
            elif key == "attrs":
                sink.write(srsly.msgpack_dumps(list(self._attrs)))
            elif key == "strings":
                sink.write(srsly.msgpack_dumps(sorted(self._strings)))
            elif key in ("tokens", "spaces", "lengths"):
                sink.write(_bin_header(sp[key].size))
                sp[key].copy_into(sink)
            else:
                sink.write(_array_header(sp[key].items))
                sp[key].copy_into(sink)
        sink.finish()
        self.close()

    def close(self) -> None:
        """Drop the temporary files (also after an error)."""
        for s in self._spills.values():
            s.close()
