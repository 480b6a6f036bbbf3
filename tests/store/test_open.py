"""Opening a database: a folder, another program's SQLite file, damaged pages are refused in one sentence."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from store import ArticleDraft, DatabaseError, open_store
from store.doctor import diagnose
from tests.helpers import SEED, margin, run_cli


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- a folder (item 11) -------------------------------------------------------------------


def test_db_option_pointing_at_a_folder_says_what_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    code, _out, by_option = run_cli("--db", str(folder), "list")
    assert code == 1
    monkeypatch.setenv("MARGIN_DB", str(folder))
    code_env, _out, by_env = run_cli("list")
    assert code_env == 1
    assert by_option == by_env
    assert "is a folder, not a database file" in by_option
    assert "Usage" not in by_option


# -- another program's SQLite file (item 6) -----------------------------------------------


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.close()
    return path


def _journal_mode(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def test_another_programs_sqlite_file_is_refused_and_left_as_it_was(foreign: Path) -> None:
    before = _digest(foreign)
    with pytest.raises(DatabaseError, match="not a margin database") as caught:
        open_store(foreign)
    assert "notes" in str(caught.value)
    assert _digest(foreign) == before
    assert _journal_mode(foreign) == "delete"
    assert sorted(p.name for p in foreign.parent.iterdir()) == ["notes.sqlite"]


@pytest.mark.parametrize("args", [("list",), ("import", "-"), ("stats",)])
def test_commands_refuse_another_programs_file(foreign: Path, args: tuple[str, ...]) -> None:
    before = _digest(foreign)
    done = margin(foreign, *args, stdin=b'{"text": "Aleppo"}\n')
    assert done.returncode == 1
    assert "not a margin database" in done.stderr
    assert "Traceback" not in done.stderr
    assert _digest(foreign) == before
    assert _journal_mode(foreign) == "delete"


def test_empty_sqlite_file_becomes_a_margin_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with open_store(path) as s:
        assert s.article_count() == 0


# -- damaged pages (item 5) ---------------------------------------------------------------


def _damaged(tmp_path: Path, first: int | None = None) -> Path:
    """A margin database with four pages overwritten (from page first, else from the middle of
    the articles table's pages)."""
    path = tmp_path / "damaged.db"
    with open_store(path) as s:
        s.add_articles([ArticleDraft(f"{i} {SEED * 20}", title=f"a{i}") for i in range(60)])
    size = path.stat().st_size
    page = 4096
    assert size > 40 * page
    if first is None:  # the middle of the articles table's own pages, whatever the layout
        with sqlite3.connect(path) as raw:
            pages = [r[0] for r in raw.execute("SELECT pageno FROM dbstat WHERE name = 'articles'")]
        raw.close()
        first = sorted(pages)[len(pages) // 2] - 1  # dbstat counts pages from 1
    with path.open("r+b") as f:
        start = first
        for n in range(start, start + 4):
            f.seek(n * page + 8)
            f.write(b"\xa5" * (page - 16))
    return path


@pytest.mark.parametrize("first", [None, 2])  # from page 2 it broke the read snapshot's COMMIT
def test_doctor_reports_damaged_pages_in_one_line_with_the_way_out(
    tmp_path: Path, first: int | None
) -> None:
    path = _damaged(tmp_path, first)
    done = margin(path, "doctor")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert ".recover" in done.stdout
    report = diagnose(path)
    assert any(p.check in ("integrity", "file") for p in report.problems)


@pytest.mark.parametrize(
    "args",
    [("import", "-"), ("annotate", "1", "--add", "0", "2", "GPE")],
)
def test_write_commands_refuse_a_damaged_file(tmp_path: Path, args: tuple[str, ...]) -> None:
    path = _damaged(tmp_path)
    before = _digest(path)
    done = margin(path, *args, stdin=b'{"text": "Homs is a city."}\n')
    assert done.returncode == 1, done.stdout
    assert "damaged" in done.stderr
    assert "margin doctor" in done.stderr or ".recover" in done.stderr
    assert "Traceback" not in done.stderr
    assert _digest(path) == before


def test_store_api_refuses_to_write_a_damaged_file(tmp_path: Path) -> None:
    path = _damaged(tmp_path)
    with pytest.raises(DatabaseError, match="damaged"):
        open_store(path)


def test_a_big_file_is_refused_when_a_write_meets_a_damaged_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.db import guard

    monkeypatch.setattr(guard, "CHECK_AT_OPEN_MAX", 0)  # as if the file were too big to check
    path = _damaged(tmp_path)
    page = 4096
    with path.open("r+b") as f:  # every page of the tables' data
        for n in range(3, path.stat().st_size // page):
            f.seek(n * page + 8)
            f.write(b"\xa5" * (page - 16))
    before = _digest(path)
    with pytest.raises(DatabaseError, match="damaged") as caught:
        with open_store(path) as s:
            s.add_articles([ArticleDraft("Homs is a city.", title="new")])
            s.relabel(1, "LOC")
    assert ".recover" in str(caught.value)
    assert _digest(path) == before


def test_doctor_calls_another_programs_file_that_and_fix_leaves_it_alone(foreign: Path) -> None:
    before = _digest(foreign)
    report = diagnose(foreign)
    assert [p.check for p in report.problems] == ["file"]
    assert "not a margin database" in report.problems[0].message
    done = margin(foreign, "doctor", "--fix")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "repaired nothing" in done.stdout
    assert _digest(foreign) == before
    assert _journal_mode(foreign) == "delete"
