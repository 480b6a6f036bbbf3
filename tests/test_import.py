"""Import: every path kind and format, and every bad input rejected whole while the rest goes in."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from store import Store
from store.formats import FormatError, read_file
from store.importer import BATCH, expand_paths, import_paths

from .conftest import SEED


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_bytes(data.encode("utf-8"))
    return path


def rows(store: Store) -> tuple[int, int]:
    conn = store.db.conn
    return (
        conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
        conn.execute("SELECT COUNT(*) FROM spans").fetchone()[0],
    )


# -- paths ---------------------------------------------------------------------------


def test_one_text_file(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "seed.txt", SEED)
    summary = import_paths(store, [str(f)])
    assert summary.ok and summary.files == 1 and len(summary.created) == 1
    art = store.article(summary.created[0])
    assert art.text == SEED and art.source == str(f)
    assert art.title.startswith("Rebel forces have taken control")


def test_folder_is_recursive_and_skips_hidden_files_and_unknown_endings(
    store: Store, tmp_path: Path
) -> None:
    d = tmp_path / "news"
    write(d / "a.txt", "Alpha story")
    write(d / "deep" / "er" / "b.md", "# Beta\n\nstory")
    write(d / ".secret.txt", "hidden file")
    write(d / ".git" / "c.txt", "hidden folder")
    write(d / "notes.pdf", b"%PDF-1.4")
    assert [Path(p).name for p in expand_paths([str(d)])] == ["a.txt", "b.md"]
    summary = import_paths(store, [str(d)])
    assert summary.ok and len(summary.created) == 2
    assert {a.title for a in store.articles()} == {"Alpha story", "Beta"}


def test_glob(store: Store, tmp_path: Path) -> None:
    for name in ("x1.txt", "x2.txt", "y.txt"):
        write(tmp_path / name, f"text of {name}")
    summary = import_paths(store, [str(tmp_path / "x*.txt")])
    assert summary.ok and len(summary.created) == 2


def test_glob_that_matches_nothing_is_an_error(store: Store, tmp_path: Path) -> None:
    summary = import_paths(store, [str(tmp_path / "*.nothing")])
    assert not summary.ok and "matches no file" in summary.errors[0]


def test_empty_folder_is_an_error(store: Store, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    summary = import_paths(store, [str(tmp_path / "empty")])
    assert not summary.ok and "no files to import" in summary.errors[0]


def test_stdin_text_and_jsonl(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Piped headline\r\nbody")))
    summary = import_paths(store, ["-"])
    assert summary.ok
    art = store.article(summary.created[0])
    assert (art.text, art.title, art.source) == (
        "Piped headline\nbody",
        "Piped headline",
        "<stdin>",
    )
    lines = b'{"text": "first"}\n{"text": "second", "title": "Two"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    summary = import_paths(store, ["-"])
    assert summary.ok and len(summary.created) == 2


def test_same_file_twice_is_present_not_duplicated(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", SEED)
    g = write(tmp_path / "copy.txt", SEED.replace("\n", "\r\n"))
    first = import_paths(store, [str(f)])
    second = import_paths(store, [str(f), str(g)])
    assert len(first.created) == 1 and second.created == []
    assert second.existing == first.created * 2
    assert store.article_count() == 1


# -- text and Markdown ----------------------------------------------------------------


def test_text_keeps_the_whole_file_and_offsets_match_the_original(
    store: Store, tmp_path: Path
) -> None:
    raw = "\ufeff\n\n  Headline with  spaces \r\n\r\nBody mentions Aleppo.\r\n"
    f = write(tmp_path / "a.txt", raw)
    art = store.article(import_paths(store, [str(f)]).created[0])
    expected = "\n\n  Headline with  spaces \n\nBody mentions Aleppo.\n"
    assert art.text == expected
    assert art.title == "Headline with spaces"
    start = expected.index("Aleppo")
    assert art.text[start : start + 6] == "Aleppo"


def test_markdown_front_matter_title(store: Store, tmp_path: Path) -> None:
    md = '---\ntitle: "Front matter title"\ndate: 2024-11-30\n---\n# Heading\n\nBody.\n'
    f = write(tmp_path / "a.md", md)
    art = store.article(import_paths(store, [str(f)]).created[0])
    assert art.title == "Front matter title"
    assert art.text == md  # the front matter stays: offsets match the file


def test_markdown_heading_title(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "a.markdown", "\n## The heading\nbody")
    art = store.article(import_paths(store, [str(f)]).created[0])
    assert art.title == "The heading"


# -- JSONL and CSV of articles -------------------------------------------------------


def test_jsonl_fields(store: Store, tmp_path: Path) -> None:
    recs = [
        {"text": "One\r\ntext", "title": "T1", "source": "http://a", "meta": {"k": 1}},
        {"text": "Two text", "url": "http://b", "date": "2024-12-01", "tokens": [1, 2]},
        {"text": "  Three  "},
    ]
    f = write(tmp_path / "a.jsonl", "\n".join(json.dumps(r) for r in recs) + "\n\n")
    summary = import_paths(store, [str(f)])
    assert summary.ok and len(summary.created) == 3
    one, two, three = (store.article(i) for i in summary.created)
    assert (one.text, one.title, one.source, one.meta) == ("One\ntext", "T1", "http://a", {"k": 1})
    assert two.meta == {"url": "http://b", "date": "2024-12-01"}  # plain extra fields kept
    assert two.source == f"{f}#line 2"
    assert three.title == "Three"


def test_csv_fields(store: Store, tmp_path: Path) -> None:
    csv_text = (
        "\ufeffTitle,TEXT,source,meta,author\r\n"
        'First,"Body with, a comma\r\nand a newline",feed,"{""x"": 2}",Ann\r\n'
        ",Second body,,,\r\n"
    )
    f = write(tmp_path / "a.csv", csv_text)
    summary = import_paths(store, [str(f)])
    assert summary.ok, summary.errors
    first, second = (store.article(i) for i in summary.created)
    assert first.text == "Body with, a comma\nand a newline"
    assert (first.title, first.source, first.meta) == ("First", "feed", {"author": "Ann", "x": 2})
    assert second.title == "Second body" and second.source == f"{f}#line 4"  # row 1 has 2 lines


def test_format_option_overrides_the_ending(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "export.data", '{"text": "in jsonl"}\n')
    assert not import_paths(store, [str(f)]).ok  # unknown ending
    summary = import_paths(store, [str(f)], fmt="jsonl")
    assert summary.ok and store.article(summary.created[0]).text == "in jsonl"


def test_big_file_is_written_in_batches_of_whole_articles(store: Store, tmp_path: Path) -> None:
    n = BATCH * 2 + 7
    f = write(
        tmp_path / "big.jsonl", "".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(n))
    )
    summary = import_paths(store, [str(f)])
    assert summary.ok and len(summary.created) == n


def test_interrupted_import_keeps_only_whole_batches(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = BATCH * 3
    f = write(
        tmp_path / "big.jsonl", "".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(n))
    )
    import store.articles as article_writes

    real = article_writes.ensure_labels
    calls = {"n": 0}

    def interrupt_second_batch(db, names) -> None:  # noqa: ANN001
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real(db, names)

    monkeypatch.setattr(article_writes, "ensure_labels", interrupt_second_batch)
    with pytest.raises(KeyboardInterrupt):
        import_paths(store, [str(f)])
    texts = [a.text for a in store.iter_articles()]
    assert texts == [f"t{i}" for i in range(BATCH)]  # the first batch whole, nothing of the second
    monkeypatch.undo()
    summary = import_paths(store, [str(f)])  # running it again completes the import
    assert len(summary.existing) == BATCH and len(summary.created) == n - BATCH


# -- bad input -----------------------------------------------------------------------

BAD = {
    "invalid-utf8.txt": (b"good start\nbad \xff\xfe byte", "line 2, byte 15: is not valid UTF-8"),
    "latin1.md": ("caf\u00e9".encode("latin-1"), "line 1, byte 3: is not valid UTF-8"),
    "binary.txt": (b"PK\x03\x04\x00\x00binary", "byte 4: holds NUL bytes"),
    "utf16.txt": ("hello".encode("utf-16"), "UTF-16"),
    "empty.txt": (b"", "is empty"),
    "blank.md": (b" \r\n\t\n", "is empty"),
    "malformed.jsonl": (b'{"text": "ok"}\n{"text": "broken\n', "line 2: is not valid JSON"),
    "notext.jsonl": (b'{"text": "ok"}\n{"body": "x"}\n', 'line 2: has no "text" string'),
    "emptytext.jsonl": (b'{"text": "ok"}\n{"text": "  "}\n', 'line 2: has an empty "text"'),
    "array.jsonl": (b'{"text": "ok"}\n[1, 2]\n', "line 2: is not an object"),
    "badtitle.jsonl": (b'{"text": "ok", "title": 5}\n', '"title" that is not a string'),
    "surrogate.jsonl": (
        b'{"text": "ok"}\n{"text": "a \\ud800 b"}\n',
        "line 2: has a lone surrogate",
    ),
    "surrogate-meta.jsonl": (b'{"text": "x", "meta": {"k": "\\udc00"}}\n', "meta holds a lone"),
    "nocol.csv": (b"title,body\nA,B\n", 'line 1: has no "text" column'),
    "wrongcols.csv": (b'title,text\nA,"B\nB"\nC,D,E\n', "line 4: has 3 columns, the header has 2"),
    "quote.csv": (b'title,text\nA,"unterminated\n', "is not valid CSV"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_named_and_skipped_and_the_good_ones_imported(
    store: Store, tmp_path: Path, name: str
) -> None:
    data, message = BAD[name]
    d = tmp_path / "mixed"
    write(d / "a-good.txt", SEED)
    bad = write(d / name, data)
    write(d / "z-good.jsonl", '{"text": "another good article"}\n')
    errors: list[str] = []
    summary = import_paths(store, [str(d)], on_error=errors.append)
    assert not summary.ok and summary.files == 3
    assert errors == summary.errors and len(errors) == 1
    assert errors[0].startswith(f"{bad}"), errors[0]
    assert message in errors[0]
    assert "\n" not in errors[0]
    texts = {a.text for a in store.iter_articles()}
    assert texts == {SEED, "another good article"}  # nothing of the bad file, not even line 1


def test_missing_file_is_named(store: Store, tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", SEED)
    summary = import_paths(store, [str(tmp_path / "missing.txt"), str(good)])
    assert summary.errors == [f"{tmp_path / 'missing.txt'}: does not exist"]
    assert len(summary.created) == 1


def test_unknown_ending_given_explicitly_is_an_error(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "scan.pdf", "%PDF-1.4")
    summary = import_paths(store, [str(f)])
    assert "unknown file ending '.pdf'" in summary.errors[0]


def test_a_span_outside_the_text_rejects_the_whole_file(store: Store, tmp_path: Path) -> None:
    """A reader yielding an impossible span: the file is rejected before anything is written."""
    from store import ArticleDraft, SpanDraft
    from store.formats import INPUTS, InputFormat, register_input

    def read(path: str, data: bytes):
        yield ArticleDraft("fine article", spans=(SpanDraft(0, 4, "ORG"),))
        yield ArticleDraft("short", spans=(SpanDraft(2, 50, "ORG"),))

    register_input(InputFormat("broken-test", (".brk",), read))
    try:
        f = write(tmp_path / "a.brk", "ignored")
        summary = import_paths(store, [str(f)])
    finally:
        INPUTS.pop("broken-test")
    assert summary.errors and "record 2" in summary.errors[0]
    assert rows(store) == (0, 0)


def test_read_file_error_carries_path_and_place() -> None:
    with pytest.raises(FormatError) as info:
        list(read_file("x.jsonl", b'{"text": "a"}\nnope\n'))
    assert (info.value.path, info.value.where) == ("x.jsonl", "line 2")


def test_progress_in_bytes_adds_up_to_the_file_sizes(store: Store, tmp_path: Path) -> None:
    big = write(
        tmp_path / "big.jsonl",
        "".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(BATCH * 2 + 3)),
    )
    bad = write(tmp_path / "bad.txt", b"\xff\xfe\xfd")
    seen: dict[str, list[int]] = {}
    import_paths(
        store, [str(big), str(bad)], on_bytes=lambda p, n: seen.setdefault(p, []).append(n)
    )
    assert sum(seen[str(big)]) == big.stat().st_size and len(seen[str(big)]) == 3
    assert seen[str(bad)] == [3]


def test_many_small_files_share_transactions(store: Store, tmp_path: Path) -> None:
    d = tmp_path / "many"
    for i in range(BATCH + 20):
        write(d / f"{i:04d}.txt", f"small article {i}")
    write(d / "0100-bad.txt", b"\xff")
    write(d / "0200-dup.txt", "small article 7")
    done: list[str] = []
    summary = import_paths(store, [str(d)], on_file=lambda p, n: done.append(p))
    assert len(summary.created) == BATCH + 20 and len(summary.existing) == 1
    assert len(summary.errors) == 1 and "0100-bad.txt" in summary.errors[0]
    assert len(done) == BATCH + 22  # every file reported, the pending ones too
    groups = (
        store.db.conn
        .execute("SELECT COUNT(DISTINCT group_id) FROM journal WHERE action = 'import'")
        .fetchone()[0]
    )
    assert groups == 2  # one full batch, then the rest
    assert [store.article(i).text for i in summary.created[:3]] == [
        f"small article {i}" for i in range(3)
    ]
