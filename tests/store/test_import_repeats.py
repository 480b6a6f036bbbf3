"""A file that annotates the same text twice: the later annotation wins, and importing the file
again changes nothing (it used to flip the article back and forth, adding rejected spans)."""

from __future__ import annotations

import sqlite3

from store.importer import import_paths

# the same text twice with different tags, another text between
CONLL = "Paris B-LOC\nHilton O\n\nRome B-LOC\n\nParis B-PER\nHilton I-PER\n\n"


def _state(db_path):
    conn = sqlite3.connect(db_path)
    try:
        spans = conn.execute('SELECT start, "end", label, status FROM spans ORDER BY id').fetchall()
        journal = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
        return spans, journal
    finally:
        conn.close()


def test_reimporting_a_file_with_repeated_texts_changes_nothing(tmp_path, store, db_path):
    src = tmp_path / "tweets.conll"
    src.write_text(CONLL, encoding="utf-8")
    first = import_paths(store, [str(src)], "conll")
    assert len(first.created) == 2 and not first.errors
    spans, _ = _state(db_path)
    live = sorted((s, e, lab) for s, e, lab, st in spans if st != "rejected")
    # "Paris Hilton": the later annotation (a PER) wins over the earlier LOC one
    assert (0, 12, "PER") in live and (0, 5, "LOC") not in live
    before = _state(db_path)
    again = import_paths(store, [str(src)], "conll")
    assert again.spans == 0 and again.merged.rejected == 0 and again.merged.added == 0
    assert _state(db_path) == before


def test_repeated_texts_are_reported_as_repeats_not_as_already_present(tmp_path, store):
    src = tmp_path / "tweets.conll"
    # "Paris Hilton" twice with different tags, "Rome" twice with the same, "Oslo" once
    src.write_text(CONLL + "Rome B-LOC\n\nOslo B-LOC\n\n", encoding="utf-8")
    summary = import_paths(store, [str(src)], "conll")
    assert len(summary.created) == 3 and summary.existing == []  # an empty database
    assert summary.repeated == 2
    assert [(r.records, r.conflicting) for r in summary.repeats] == [
        ([1, 3], True),
        ([2, 4], False),
    ]
    assert (
        f"{src}: 2 texts repeated in this file, 1 of them with conflicting annotations"
        " (kept the last)" in summary.warnings
    )
    lines = [r.describe() for r in summary.repeats]
    assert lines[0].startswith(f"{src}: records 1 and 3 hold the same text")
    assert "conflicting annotations; kept record 3" in lines[0]


def test_a_plain_file_with_a_repeated_text_counts_it_as_repeated(tmp_path, store):
    src = tmp_path / "a.jsonl"
    src.write_text('{"text": "Same"}\n{"text": "Other"}\n{"text": "Same"}\n', encoding="utf-8")
    summary = import_paths(store, [str(src)])
    assert len(summary.created) == 2 and summary.existing == [] and summary.repeated == 1
    assert summary.warnings == [f"{src}: 1 text repeated in this file (kept the last)"]
