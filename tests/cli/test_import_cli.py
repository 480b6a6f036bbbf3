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
