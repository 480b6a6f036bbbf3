"""Another margin file's decisions on the same texts (matched by content hash), kept as an annotator's."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from . import journal
from .annotators import check_name
from .articles import existing_hashes
from .db import Unit, connect, refuse_foreign
from .db.trouble import explain
from .errors import CorrectionError, DatabaseError
from .models import now

BATCH = 200  # articles of the other file read at a time


@dataclass(frozen=True)
class MergeResult:
    """What `margin merge` brought in."""

    annotator: str
    articles: int  # articles of the other file whose text this file has
    reviewed: int  # of them, ones the other annotator reviewed
    spans: int  # their entities now held as the annotator's
    unmatched: int  # articles of the other file whose text this file does not have

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin merge --json``."""
        return {
            "annotator": self.annotator,
            "articles": self.articles,
            "reviewed": self.reviewed,
            "spans": self.spans,
            "unmatched": self.unmatched,
        }


def open_other(path: Path) -> sqlite_utils.Database:
    """The other margin file, read-only; DatabaseError in one sentence when it cannot be read."""
    if not path.is_file():
        raise DatabaseError(f"{path}: no such margin database file")
    db: sqlite_utils.Database | None = None
    try:
        db = connect(path, read_only=True)
        refuse_foreign(db, path)
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"articles", "spans"} <= names:
            raise DatabaseError(f"{path}: is not a margin database (no articles or spans table)")
        return db
    except sqlite3.DatabaseError as exc:
        if db is not None:
            db.conn.close()
        raise DatabaseError(explain(path, exc, writing=False)) from exc
    except BaseException:
        if db is not None:
            db.conn.close()
        raise


def default_annotator(other: sqlite_utils.Database, path: Path, own: str | None) -> str:
    """The name the other file's journal gives most often (unless it is this file's), else its stem."""
    try:
        names = Counter(
            str(r[0])
            for r in other.execute("SELECT annotator FROM journal WHERE annotator IS NOT NULL")
        )
    except sqlite3.OperationalError:  # a file from before annotators were recorded
        names = Counter()
    for name, _n in names.most_common():
        if name != own:
            return name
    return path.stem


def merge_file(tx: Unit, path: Path, annotator: str | None = None) -> MergeResult:
    """Bring the other file's current decisions in as ``annotator``'s; this file's own stay as they are.

    For each article of the other file whose text this file holds: its accepted entities (and,
    when it reviewed the article, the suggestions left, which count as accepted there) replace
    what an earlier merge of the same annotator brought. The merge is journalled, not undoable:
    merging again replaces it.
    """
    other = open_other(path)
    try:
        name = check_name(annotator) if annotator else default_annotator(other, path, tx.annotator)
        if name == tx.annotator:
            raise CorrectionError(
                f"{name!r} is this file's own annotator; name the other one with --annotator"
            )
        return _merge(tx, other, path, name)
    finally:
        other.conn.close()


def _merge(tx: Unit, other: sqlite_utils.Database, path: Path, name: str) -> MergeResult:
    stamp = now()
    matched = reviewed = span_count = unmatched = 0
    entries: list[tuple[int, dict[str, Any]]] = []
    last = 0
    while True:
        rows = other.execute(
            "SELECT id, content_hash, reviewed FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            (last, BATCH),
        ).fetchall()
        if not rows:
            break
        last = int(rows[-1]["id"])
        here = existing_hashes(tx.db, [r["content_hash"] for r in rows])
        found = [(r, here[r["content_hash"]]) for r in rows if r["content_hash"] in here]
        unmatched += len(rows) - len(found)
        if not found:
            continue
        theirs = {int(r["id"]) for r, _aid in found}
        kept: dict[int, list[sqlite3.Row]] = {i: [] for i in theirs}
        reviewed_there = {int(r["id"]) for r, _aid in found if r["reviewed"]}
        marks = ", ".join("?" * len(theirs))
        for s in other.execute(
            f'SELECT article_id, start, "end", label, text, status FROM spans'
            f" WHERE article_id IN ({marks}) AND status != 'rejected' ORDER BY article_id, start",
            sorted(theirs),
        ):
            if s["status"] == "accepted" or s["article_id"] in reviewed_there:
                kept[int(s["article_id"])].append(s)
        ours = [aid for _r, aid in found]
        # a batch at a time: sqlite-utils reads the table's schema once per call
        tx.db.table("annotator_spans").delete_where(
            f"annotator = ? AND article_id IN ({marks})", [name, *ours]
        )
        tx.db.table("annotator_articles").upsert_all(
            (
                {
                    "annotator": name,
                    "article_id": aid,
                    "reviewed": int(bool(r["reviewed"])),
                    "source_file": str(path),
                    "merged_at": stamp,
                }
                for r, aid in found
            ),
            pk=("annotator", "article_id"),
        )
        tx.db.table("annotator_spans").insert_all(
            (
                {
                    "annotator": name,
                    "article_id": aid,
                    "start": s["start"],
                    "end": s["end"],
                    "label": s["label"],
                    "text": s["text"],
                }
                for r, aid in found
                for s in kept[int(r["id"])]
            ),
            batch_size=500,
        )
        for r, aid in found:
            done = bool(r["reviewed"])
            n = len(kept[int(r["id"])])
            matched += 1
            reviewed += done
            span_count += n
            entries.append((aid, {"annotator": name, "spans": n, "reviewed": done}))
    journal.record_many(tx, "merge", "merge", entries)
    return MergeResult(name, matched, reviewed, span_count, unmatched)


def annotators(db: sqlite_utils.Database) -> list[str]:
    """The annotators merged into this file, by name."""
    return [str(r[0]) for r in db.execute("SELECT DISTINCT annotator FROM annotator_articles")]
