"""margin doctor: a sound database passes; damage made on purpose is found, fixed or reported."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft, open_store
from store.doctor import diagnose, repair
from tests.helpers import SEED, margin


def _fill(db: Path, n: int = 5) -> None:
    s = open_store(db)
    try:
        drafts = []
        for i in range(n):
            text = f"{i}. {SEED}"
            at = text.index("Aleppo")
            ru = text.index("Russia")
            drafts.append(
                ArticleDraft(
                    text,
                    title=f"article {i}",
                    spans=(
                        SpanDraft(at, at + 6, "GPE", "model:x@1"),
                        SpanDraft(ru, ru + 6, "GPE", "model:x@1"),
                    ),
                )
            )
        s.add_articles(drafts)
        s.reject(1)
        s.relabel(2, "LOC")
    finally:
        s.close()


def _raw(db: Path, *statements: str, fk: bool = True) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if fk else 'OFF'}")
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


def _checks(report) -> dict[str, object]:
    return {p.check: p for p in report.problems}


@pytest.fixture
def filled(db_path: Path) -> Path:
    _fill(db_path)
    return db_path


def test_sound_database_passes(filled: Path) -> None:
    report = diagnose(filled)
    assert report.ok, report.as_dict()
    assert {"integrity", "orphans", "articles", "fts"} <= set(report.checks)


def test_sound_database_cli_exit_zero(filled: Path) -> None:
    done = margin(filled, "doctor")
    assert done.returncode == 0, done.stderr
    assert "no problems found" in done.stdout
    data = json.loads(margin(filled, "doctor", "--json").stdout)
    assert data["ok"] is True and data["problems"] == []


def test_span_outside_text_is_reported_not_fixed(filled: Path) -> None:
    _raw(filled, 'UPDATE spans SET start = 5000, "end" = 5006 WHERE id = 3')
    report = diagnose(filled)
    (p,) = report.problems
    assert p.check == "span_offsets" and not p.fixable and p.count == 1
    assert "span 3 of article 2: 5000..5006" in p.examples[0]
    after = repair(filled)
    assert [q.check for q in after.problems] == ["span_offsets"]
    done = margin(filled, "doctor", "--fix")
    assert done.returncode == 1
    assert "span_offsets" in done.stdout and "cannot be fixed automatically" in done.stdout


def test_span_text_drift_is_reported(filled: Path) -> None:
    _raw(filled, "UPDATE spans SET text = 'Alepo' WHERE id = 3")
    (p,) = diagnose(filled).problems
    assert p.check == "span_text" and "'Aleppo'" in p.examples[0] and "'Alepo'" in p.examples[0]


def test_wrong_entity_count_is_fixed(filled: Path) -> None:
    _raw(filled, "UPDATE articles SET entity_count = 42 WHERE id IN (2, 4)")
    (p,) = diagnose(filled).problems
    assert p.check == "entity_count" and p.fixable and p.examples == [2, 4]
    done = margin(filled, "doctor")
    assert done.returncode == 1 and "entity_count" in done.stdout
    done = margin(filled, "doctor", "--fix", "--json")
    assert done.returncode == 0, done.stdout
    data = json.loads(done.stdout)
    assert data["ok"] and any("recounted" in line for line in data["fixed"])
    conn = sqlite3.connect(filled)
    counts = dict(conn.execute("SELECT id, entity_count FROM articles"))
    conn.close()
    assert counts == {1: 1, 2: 2, 3: 2, 4: 2, 5: 2}


def test_orphan_span_with_foreign_keys_off(filled: Path) -> None:
    _raw(
        filled,
        'INSERT INTO spans (article_id, start, "end", label, source, status, text, created_at,'
        " updated_at) VALUES (999, 0, 3, 'GPE', 'user', 'accepted', 'abc', '', '')",
        fk=False,
    )
    report = diagnose(filled)
    (p,) = report.problems
    assert p.check == "orphan_spans" and not p.fixable and p.count == 1
    done = margin(filled, "doctor", "--fix")
    assert done.returncode == 1
    assert "orphan_spans" in done.stdout and "belongs to no article" in done.stdout


def test_orphan_journal_entry(filled: Path) -> None:
    _raw(
        filled,
        "INSERT INTO journal (group_id, at, actor, action, article_id) VALUES"
        " (99, '', 'user', 'accept', 12345)",
    )
    (p,) = diagnose(filled).problems
    assert p.check == "orphan_journal" and not p.fixable


def test_content_hash_and_length_fixed(filled: Path) -> None:
    _raw(filled, "UPDATE articles SET content_hash = 'x', length = 3 WHERE id = 1")
    found = _checks(diagnose(filled))
    assert set(found) == {"content_hash", "length"}
    report = repair(filled)
    assert report.ok, report.as_dict()


def test_missing_label_is_added(filled: Path) -> None:
    _raw(
        filled,
        "UPDATE spans SET label = 'WEIRD' WHERE id = 4",
        "DELETE FROM labels WHERE name = 'LOC'",
    )
    found = _checks(diagnose(filled))
    assert set(found) == {"labels"}
    assert repair(filled).ok


def test_broken_index_is_rebuilt(filled: Path) -> None:
    # index articles_title is rebuilt on another column, then the real definition put back
    conn = sqlite3.connect(filled, isolation_level=None)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_title'").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = ? WHERE name = 'articles_title'",
        (sql.replace("title COLLATE NOCASE", "source"),),
    )
    conn.close()
    conn = sqlite3.connect(filled, isolation_level=None)
    conn.execute("UPDATE articles SET title = title || '!'")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'articles_title'", (sql,))
    conn.close()
    (p,) = diagnose(filled).problems
    assert p.check == "integrity" and p.fixable
    report = repair(filled)
    assert report.ok and any("REINDEX" in line for line in report.fixed)


def test_unreadable_file_is_one_problem(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(bytes(range(256)) * 40)
    done = margin(db, "doctor")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "not a readable SQLite database" in done.stdout
    assert margin(db, "doctor", "--fix").returncode == 1
    assert db.read_bytes() == bytes(range(256)) * 40


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    done = margin(db, "doctor")
    assert done.returncode == 1 and "no database there" in done.stderr
    assert not db.exists()


def test_search_index_out_of_date_is_rebuilt(filled: Path) -> None:
    _raw(filled, "INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    found = _checks(diagnose(filled))
    assert "fts" in found and found["fts"].fixable
    report = repair(filled)
    assert report.ok, report.as_dict()


def test_entity_index_miscounted_is_rebuilt(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entities'").fetchone()
    conn.close()
    if not has:
        pytest.skip("the entity index (migration 2) is not on this branch yet")
    _raw(filled, "UPDATE entities SET mentions = mentions + 7")
    found = _checks(diagnose(filled))
    assert "entities" in found and found["entities"].fixable
    assert repair(filled).ok


def test_pending_migration_is_applied(filled: Path) -> None:
    _raw(filled, "PRAGMA user_version = 0")
    # version 0 with the tables already there: migration 1 cannot run again
    report = diagnose(filled)
    assert [p.check for p in report.problems] == ["schema"]
    report = repair(filled)
    assert [p.check for p in report.problems] == ["schema"]
    assert "could not apply" in report.fixed[0]
    done = margin(filled, "doctor", "--fix")
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_old_schema_is_migrated(db_path: Path) -> None:
    from store.db import LATEST, connect, migrate

    db = connect(db_path)
    migrate(db, upto=1)
    db.conn.close()
    if LATEST == 1:
        assert diagnose(db_path).ok
        return
    (p,) = diagnose(db_path).problems
    assert p.check == "schema" and p.fixable
    report = repair(db_path)
    assert report.ok, report.as_dict()
