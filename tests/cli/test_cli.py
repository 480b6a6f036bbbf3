"""The command line: import, extract, list, show, stats; --db, $MARGIN_DB, config; errors."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner

from store import open_store
from store.config import default_db_path
from tests.helpers import SEED
from tui.cli import main

SPAN_KEYS = {"id", "start", "end", "label", "text", "source", "status"}


@dataclass
class Result:
    code: int
    out: str
    err: str


def margin(*args: str | Path, input: str | bytes | None = None) -> Result:
    """Run the real entry point (error handling included) in this process."""
    runner = CliRunner()
    code = 0
    with runner.isolation(input=input) as (out, err, _):
        with mock.patch.object(sys, "argv", ["margin", *map(str, args)]):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        return Result(code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    p = tmp_path / "seed.txt"
    p.write_text(SEED, encoding="utf-8")
    return p


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "x.db"


def test_import_then_show_json_gives_the_exact_text_and_model_spans(
    db: Path, tmp_path: Path
) -> None:
    text = SEED.replace(". ", ".\r\n", 1) + "\n"  # CRLF on disk, \n in the store
    f = tmp_path / "seed.txt"
    f.write_bytes(text.encode("utf-8"))
    r = margin("--db", db, "import", f)
    assert r.code == 0, r.err
    assert "1 imported" in r.err and "entities found" in r.err
    r = margin("--db", db, "show", "1", "--json")
    assert r.code == 0
    doc = json.loads(r.out)
    assert {"id", "title", "text", "spans"} <= set(doc)
    assert doc["id"] == 1 and doc["text"] == text.replace("\r\n", "\n")
    assert doc["spans"] and all(set(s) == SPAN_KEYS for s in doc["spans"])
    for s in doc["spans"]:
        assert doc["text"][s["start"] : s["end"]] == s["text"]
        assert s["status"] == "suggested" and s["source"].startswith("model:en_core_web_sm")
    assert any(s["text"] == "Bashar al-Assad" and s["label"] == "PERSON" for s in doc["spans"])


def test_list_and_stats_json_shapes(db: Path, seed: Path, tmp_path: Path) -> None:
    other = tmp_path / "b.jsonl"
    other.write_text('{"text": "Second article", "title": "Two"}\n', encoding="utf-8")
    assert margin("--db", db, "import", "--no-extract", seed, other).code == 0
    rows = json.loads(margin("--db", db, "list", "--json").out)
    assert [r["id"] for r in rows] == [1, 2]
    assert set(rows[1]) >= {"id", "title", "source", "entities", "read", "reviewed"}
    assert (rows[1]["title"], rows[1]["entities"], rows[1]["read"]) == ("Two", 0, False)
    assert json.loads(margin("--db", db, "list", "--json", "--limit", "1").out)[0]["id"] == 1
    stats = json.loads(margin("--db", db, "stats", "--json").out)
    assert stats["articles"] == 2 and stats["spans"] == 0


def test_list_json_on_an_empty_database(db: Path) -> None:
    r = margin("--db", db, "list", "--json")
    assert r.code == 0 and json.loads(r.out) == []


def test_list_and_show_plain_output_escape_control_characters(db: Path, tmp_path: Path) -> None:
    f = tmp_path / "evil.txt"
    f.write_text("Title \x1b[31mred\x1b[0m [bold]x[/bold]\nbody \x07 bell", encoding="utf-8")
    assert margin("--db", db, "import", "--no-extract", f).code == 0
    out = margin("--db", db, "list").out
    assert "\x1b" not in out and "\\x1b[31mred" in out
    out = margin("--db", db, "show", "1").out
    assert "\x1b" not in out and "\x07" not in out and "\\x07" in out and "[bold]x[/bold]" in out


def test_margin_db_environment_variable_is_the_default(
    tmp_path: Path, seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "from-env" / "env.db"
    monkeypatch.setenv("MARGIN_DB", str(target))
    assert margin("import", "--no-extract", seed).code == 0
    assert target.exists()
    assert json.loads(margin("list", "--json").out)[0]["id"] == 1
    other = tmp_path / "other.db"
    assert margin("--db", other, "list", "--json").out.strip() == "[]"  # --db wins


def test_default_path_is_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MARGIN_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "margin" / "margin.db"


def test_folder_with_a_bad_file(db: Path, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("First good article", encoding="utf-8")
    (d / "b.txt").write_bytes(b"caf\xe9 au lait")
    (d / "c.md").write_text("# Second good\nbody", encoding="utf-8")
    r = margin("--db", db, "import", "--no-extract", d)
    assert r.code == 1
    lines = r.err.strip().splitlines()
    assert lines[0] == (
        f"margin: {d / 'b.txt'}, line 1, byte 3: is not valid UTF-8 text (byte 0xE9); if the file"
        " is Windows-1252 or Latin-1, use --encoding cp1252"
    )
    assert lines[-1] == "3 file(s): 2 imported, 0 already present, 1 file(s) rejected"
    assert r.out == ""  # nothing on stdout, no progress bar when not on a terminal
    titles = [a["title"] for a in json.loads(margin("--db", db, "list", "--json").out)]
    assert titles == ["First good article", "Second good"]


def test_import_from_stdin(db: Path) -> None:
    r = margin("--db", db, "import", "--no-extract", "-", input="Piped in\nfrom a feed")
    assert r.code == 0, r.err
    doc = json.loads(margin("--db", db, "show", "1", "--json").out)
    assert (doc["title"], doc["source"]) == ("Piped in", "<stdin>")


def test_import_twice_reports_already_present(db: Path, seed: Path) -> None:
    margin("--db", db, "import", "--no-extract", seed)
    r = margin("--db", db, "import", "--no-extract", seed)
    assert r.code == 0 and "0 imported, 1 already present" in r.err


def test_unknown_model_is_one_line_and_imports_nothing(db: Path, seed: Path) -> None:
    r = margin("--db", db, "import", "--model", "xx_no_model", seed)
    assert r.code == 1
    assert r.err.count("\n") == 1 and "xx_no_model" in r.err and "Traceback" not in r.err
    assert margin("--db", db, "list", "--json").out.strip() == "[]"
    margin("--db", db, "import", "--no-extract", seed)
    r = margin("--db", db, "extract", "--all", "--model", "xx_no_model")
    assert r.code == 1 and r.err.startswith("margin: the spaCy model 'xx_no_model'")


def test_model_from_config_file_and_environment(
    db: Path, seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"  # $MARGIN_CONFIG points here (conftest)
    config.write_text('[extract]\nmodel = "xx_from_config"\n', encoding="utf-8")
    r = margin("--db", db, "import", seed)
    assert r.code == 1 and "xx_from_config" in r.err
    monkeypatch.setenv("MARGIN_MODEL", "xx_from_env")
    r = margin("--db", db, "import", seed)
    assert r.code == 1 and "xx_from_env" in r.err
    r = margin("--db", db, "import", "--model", "xx_from_option", seed)
    assert "xx_from_option" in r.err


def test_broken_config_file_is_named(db: Path, seed: Path, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[extract\nmodel =", encoding="utf-8")
    r = margin("--db", db, "import", seed)
    assert r.code == 1 and "config.toml" in r.err and r.err.count("\n") == 1


def test_show_and_extract_name_a_missing_article(db: Path) -> None:
    r = margin("--db", db, "show", "42")
    assert (r.code, r.err) == (1, "margin: article 42 does not exist\n")
    r = margin("--db", db, "extract", "42")
    assert (r.code, r.err) == (1, "margin: article 42 does not exist\n")


def test_extract_without_arguments_runs_on_articles_never_extracted(db: Path, seed: Path) -> None:
    margin("--db", db, "import", "--no-extract", seed)
    r = margin("--db", db, "extract")
    assert r.code == 0 and r.err.startswith("1 article(s) extracted")
    r = margin("--db", db, "extract")
    assert r.code == 0 and r.err.startswith("0 article(s) extracted")
    s = open_store(db)
    try:
        assert any(sp.text == "Bashar al-Assad" for sp in s.spans(1))
    finally:
        s.close()


def test_a_folder_as_database_is_named(tmp_path: Path) -> None:
    r = margin("--db", tmp_path, "list")
    assert r.code != 0 and "Traceback" not in r.err


@pytest.mark.slow
def test_piping_list_into_head_is_quiet(tmp_path: Path) -> None:
    """A closed pipe (``margin list | head -1``) ends quietly, without a traceback."""
    db = tmp_path / "many.db"
    s = open_store(db)
    from store import ArticleDraft

    s.add_articles([ArticleDraft(f"article number {i}") for i in range(3000)])
    s.close()
    exe = Path(sys.executable).parent / "margin"
    proc = subprocess.run(
        f"'{exe}' --db '{db}' list | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip().endswith("article number 0")
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr


def test_import_again_extracts_articles_an_interrupted_import_left_unextracted(
    db: Path, seed: Path
) -> None:
    assert margin("--db", db, "import", "--no-extract", seed).code == 0  # as if cut short
    r = margin("--db", db, "import", seed)
    assert r.code == 0 and "0 imported, 1 already present" in r.err and "entities found" in r.err
    doc = json.loads(margin("--db", db, "show", "1", "--json").out)
    assert any(s["text"] == "Bashar al-Assad" for s in doc["spans"])
    r = margin("--db", db, "import", seed)
    assert "entities found" not in r.err  # nothing left to extract, the model is not run


def test_output_cut_short_by_head_is_quiet(tmp_path: Path) -> None:
    # `margin list | head -1` or `margin export ... | head`: no traceback, no "Broken pipe" error
    db = tmp_path / "pipe.db"
    rows = "\n".join(
        json.dumps({"text": f"Article {i} about Aleppo and Idlib."}) for i in range(3000)
    )
    (tmp_path / "many.jsonl").write_text(rows + "\n", encoding="utf-8")
    margin = f'"{sys.executable}" -c "from tui.cli import main; main()" --db "{db}"'
    subprocess.run(
        f"{margin} import --no-extract {tmp_path / 'many.jsonl'}",
        shell=True,
        check=True,
        capture_output=True,
    )
    for command in ("list", "export --format conll --include-suggestions"):
        proc = subprocess.run(
            f"{margin} {command} | head -1", shell=True, capture_output=True, text=True
        )
        assert proc.stdout.strip(), command
        assert "Error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_read_without_a_terminal_prints_like_show(tmp_path: Path) -> None:
    # no terminal: the reader prints the article as `show --current` does, labels made plain too
    from store import ArticleDraft, SpanDraft

    db = tmp_path / "r.db"
    with open_store(db) as s:
        s.add_article(ArticleDraft("Paris is lovely.", spans=(SpanDraft(0, 5, "G\x1b[31mPE"),)))
    res = margin("--db", db, "read", "1")
    out = res.out
    assert res.code == 0 and "Paris is lovely." in out
    assert "G\\x1b[31mPE" in out and "\x1b" not in out
