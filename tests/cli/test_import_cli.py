"""The import command's options: --max-download-mb and its config key, --encoding, --verbose."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import margin


def test_max_download_mb_from_the_config_must_be_a_whole_number(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"  # $MARGIN_CONFIG points here (conftest)
    config.write_text('[import]\nmax_download_mb = "lots"\n', encoding="utf-8")
    f = tmp_path / "a.txt"
    f.write_text("An article.", encoding="utf-8")
    r = margin("--db", tmp_path / "x.db", "import", "--no-extract", f)
    assert r.code != 0 and "max_download_mb" in r.err and "whole number" in r.err


def test_a_bad_url_is_one_line_and_the_other_files_are_imported(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("An article.", encoding="utf-8")
    r = margin(
        "--db", tmp_path / "x.db", "import", "--no-extract", "--max-download-mb", "5",
        "http://example.invalid/a b", "ftp://example.invalid/x", f,
    )  # fmt: skip
    assert r.code == 1 and "Traceback" not in r.err
    assert "not a valid URL" in r.err and "is a ftp:// URL" in r.err
    assert "3 file(s): 1 imported" in r.err


def test_encoding_reads_a_cp1252_file_and_the_error_says_how(tmp_path: Path) -> None:
    f = tmp_path / "bbc.txt"
    f.write_bytes("Fares rose to \u00a33.".encode("cp1252"))
    r = margin("--db", tmp_path / "x.db", "import", "--no-extract", f)
    assert r.code == 1 and "use --encoding cp1252" in r.err
    r = margin("--db", tmp_path / "x.db", "import", "--no-extract", "--encoding", "cp1252", f)
    assert r.code == 0 and "1 imported" in r.err
    r = margin("--db", tmp_path / "x.db", "show", "--json", "1")
    assert "\u00a33" in r.out
    r = margin("--db", tmp_path / "x.db", "import", "--encoding", "klingon", f)
    assert r.code == 2 and "not an encoding" in r.err


def test_repeats_are_counted_apart_and_listed_with_verbose(tmp_path: Path) -> None:
    f = tmp_path / "tweets.conll"
    f.write_text("Paris B-LOC\n\nParis B-PER\n\nRome B-LOC\n\n", encoding="utf-8")
    r = margin("--db", tmp_path / "x.db", "import", "--no-extract", f)
    assert r.code == 0
    assert "1 text repeated in this file, 1 of them with conflicting annotations" in r.err
    assert "2 imported, 0 already present, 1 repeated in their file" in r.err
    assert "records 1 and 2" not in r.err
    r = margin("--db", tmp_path / "y.db", "import", "--no-extract", "--verbose", f)
    assert "records 1 and 2 hold the same text (conflicting annotations; kept record 2)" in r.err


def test_a_folder_import_names_what_it_skipped(tmp_path: Path) -> None:
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "a.txt").write_text("An article.", encoding="utf-8")
    for name in ("eng.train", "eng.testa", "eng.testb", "LICENSE", "README", "x.pdf"):
        (d / name).write_text("Paris B-LOC\n", encoding="utf-8")
    r = margin("--db", tmp_path / "x.db", "import", "--no-extract", d)
    assert r.code == 0 and "1 imported, 0 already present, 6 skipped" in r.err
    assert "skipped 6 file(s) in folders" in r.err and "and 1 more (--verbose lists them)" in r.err
    assert str(d / "eng.train") in r.err
    r = margin("--db", tmp_path / "x.db", "import", "--no-extract", "-v", d)
    assert str(d / "x.pdf") in r.err and "more" not in r.err
