"""Streaming readers: a local JSONL, CSV, Prodigy or doccano file is read a line at a time, with
the same lines, errors and all-or-nothing result as the whole-file readers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import Store
from store.formats import INPUTS, FormatError, read_file, stream_file, streamed_format
from store.formats.decode import decoded_lines, stream_lines
from store.importer import import_paths

PIECES = st.sampled_from(
    [b"a", b"{}", b" ", b"\n", b"\r\n", b"\r", b"\xef\xbb\xbf", b"\xc3\xa9", b"\xff", b"\x00", b"x"]
)


def _lines(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return list(fn(*args))
    except FormatError as exc:
        return str(exc)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=12).map(b"".join))
def test_stream_lines_match_decoded_lines(data: bytes) -> None:
    """Same lines and numbers; a bad file gets the same error, naming the same line and byte,
    unless it holds two different problems (the first in the file is named then)."""
    whole = _lines(decoded_lines, "f.jsonl", data)
    streamed = _lines(stream_lines, "f.jsonl", io.BufferedReader(io.BytesIO(data)))  # type: ignore[arg-type]
    problems = (b"\x00" in data) + (b"\xff" in data.lstrip(b"\xef\xbb\xbf"))
    # with old Mac line ends (a lone \r) the whole-file error counts \n only, streaming every
    # line end: the same byte, a higher (truer) line number
    mac = data.count(b"\r") != data.count(b"\r\n")
    if isinstance(whole, list) or (problems < 2 and not mac):
        assert streamed == whole


def _jsonl(path: Path, n: int, bad_last: bool = False) -> Path:
    lines = [json.dumps({"text": f"Article number {i} about Aleppo."}) for i in range(n)]
    if bad_last:
        lines[-1] = '{"text": "broken'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_local_jsonl_is_streamed(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """import_paths never holds the file's bytes: it reads it twice from disk, line by line."""
    src = _jsonl(tmp_path / "a.jsonl", 1200)
    opened: list[str] = []
    real = Path.read_bytes

    def no_whole_read(self: Path) -> bytes:
        raise AssertionError(f"{self} read whole")

    monkeypatch.setattr(Path, "read_bytes", no_whole_read)
    import builtins

    real_open = builtins.open

    def spy(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(src):
            opened.append(mode)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    summary = import_paths(store, [str(src)])
    monkeypatch.setattr(Path, "read_bytes", real)
    assert summary.ok, summary.errors
    assert len(summary.created) == 1200
    assert opened.count("rb") >= 2  # pass 1 checks, pass 2 stores


def test_error_on_the_last_line_leaves_nothing(tmp_path: Path, store: Store) -> None:
    """The whole file is checked before the first batch is written, as before streaming."""
    src = _jsonl(tmp_path / "a.jsonl", 1200, bad_last=True)
    summary = import_paths(store, [str(src)])
    assert summary.errors == [
        f"{src}, line 1200: is not valid JSON (Unterminated string starting at)"
    ]
    assert store.article_count() == 0


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "prodigy", "doccano"])
def test_streamed_drafts_equal_whole_file_drafts(tmp_path: Path, fmt: str) -> None:
    if fmt == "csv":
        body = 'text,title\n"Aleppo,\r\nsaid",One\r\n\nDamascus é,Two\n'
    elif fmt == "jsonl":
        body = '\ufeff{"text": "Aleppo\\r\\nsaid", "url": "u"}\r\n\n{"text": "Homs"}'
    elif fmt == "prodigy":
        body = json.dumps(
            {
                "text": "Bashar in Aleppo",
                "spans": [{"start": 10, "end": 16, "label": "GPE"}],
                "answer": "reject",
            }
        )
    else:
        body = json.dumps(
            {"text": "Bashar in Aleppo", "label": [[0, 6, "PERSON"]], "relations": [1]}
        )
    path = tmp_path / f"f.{'csv' if fmt == 'csv' else 'jsonl'}"
    path.write_bytes(body.encode("utf-8"))
    chosen = streamed_format(str(path), fmt, None)
    assert chosen is INPUTS[fmt]
    assert list(stream_file(str(path), chosen)) == list(
        read_file(str(path), path.read_bytes(), fmt)
    )


def test_streamed_csv_errors_name_the_line(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "a.csv"
    path.write_text("text,title\nok,1\nbad,2,3\n", encoding="utf-8")
    summary = import_paths(store, [str(path)])
    assert summary.errors == [f"{path}, line 3: has 3 columns, the header has 2"]
    blank = tmp_path / "b.csv"
    blank.write_text("\n \n", encoding="utf-8")
    assert import_paths(store, [str(blank)]).errors == [f"{blank}: is empty"]
    assert store.article_count() == 0


def test_what_is_not_streamed(tmp_path: Path) -> None:
    """Other encodings are transcoded whole; formats that need the whole file read it whole."""
    path = _jsonl(tmp_path / "a.jsonl", 3)
    assert streamed_format(str(path), None, "cp1252") is None
    assert streamed_format(str(path), None, "UTF8") is INPUTS["jsonl"]
    assert streamed_format(str(path), "labelstudio", None) is None
    assert streamed_format("-", "jsonl", None) is None
    assert streamed_format(str(tmp_path / "missing.jsonl"), "jsonl", None) is None
