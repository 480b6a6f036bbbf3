"""--encoding for text, JSONL and CSV files, and the hint the UTF-8 error gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import Store
from store.importer import import_paths

TEXT = "The fare rose to \u00a33 on Monday, the council said."  # £ is 0xA3 in cp1252

FILES = {
    "bbc.txt": TEXT,
    "bbc.jsonl": json.dumps({"text": TEXT}, ensure_ascii=False) + "\n",
    "bbc.csv": f'title,text\nFares,"{TEXT}"\n',
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_cp1252_file_is_refused_with_a_hint_then_read_with_encoding(
    store: Store, tmp_path: Path, name: str
) -> None:
    f = tmp_path / name
    f.write_bytes(FILES[name].encode("cp1252"))
    refused = import_paths(store, [str(f)])
    assert len(refused.errors) == 1
    assert "(byte 0xA3)" in refused.errors[0]
    assert "if the file is Windows-1252 or Latin-1, use --encoding cp1252" in refused.errors[0]
    summary = import_paths(store, [str(f)], encoding="cp1252")
    assert summary.ok, summary.errors
    assert store.article(summary.created[0]).text.strip() == TEXT


def test_utf16_with_encoding(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(TEXT.encode("utf-16"))
    assert "--encoding utf-16" in import_paths(store, [str(f)]).errors[0]
    summary = import_paths(store, [str(f)], encoding="utf-16")
    assert summary.ok and store.article(summary.created[0]).text == TEXT


def test_an_unknown_encoding_and_bytes_it_cannot_read_are_named(
    store: Store, tmp_path: Path
) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(b"ok\n\x81 bad")  # 0x81 is undefined in cp1252
    (bad_name,) = import_paths(store, [str(f)], encoding="klingon").errors
    assert "no such encoding" in bad_name
    (bad_byte,) = import_paths(store, [str(f)], encoding="cp1252").errors
    assert "line 2, byte 3: is not valid cp1252 text (byte 0x81)" in bad_byte
