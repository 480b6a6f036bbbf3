"""Checking a margin database for damage and rebuilding what can be rebuilt (``margin doctor``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .db import DatabaseError, connect, migrate
from .labels import color_for
from .migrations import migrations
from .models import content_hash

EXAMPLES = 5  # ids quoted per problem
BATCH = 500  # articles read per query while checking spans

# what integrity_check says when only an index disagrees with its table (REINDEX repairs it)
_INDEX_TROUBLE = ("missing from index", "wrong # of entries in index", "non-unique entry in index")


@dataclass
class Problem:
    """One kind of damage: which check found it, how many rows, and whether --fix repairs it."""

    check: str
    message: str
    count: int = 1
    fixable: bool = False
    examples: list[Any] = field(default_factory=list)
    hint: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as the stable JSON shape of ``doctor --json``."""
        return asdict(self)


@dataclass
class Report:
    """What the doctor found (and, with --fix, what it repaired) in one database."""

    path: str
    checks: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    on_check: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when no problem remains."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """Return the report as the stable JSON shape of ``doctor --json``."""
        return {
            "database": self.path,
            "ok": self.ok,
            "checks": self.checks,
            "problems": [p.as_dict() for p in self.problems],
            "fixed": self.fixed,
        }


def _ids(rows: list[Any]) -> list[Any]:
    return rows[:EXAMPLES]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _v(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _tables(conn: sqlite3.Connection) -> dict[str, str]:
    """Return name -> CREATE statement of every table (virtual ones included)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0]: r[1] or "" for r in rows}


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


# -- checks: each takes a connection and returns problems --------------------------------


def check_schema(conn: sqlite3.Connection) -> list[Problem]:
    """The schema version against this margin's migrations; the core tables present."""
    latest = migrations()[-1][0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > latest:
        return [
            Problem(
                "schema",
                f"the schema version {version} is newer than this margin knows ({latest})",
                hint="use a newer margin",
            )
        ]
    if version < latest:
        return [
            Problem(
                "schema",
                f"the schema is at version {version}, migrations up to {latest} are pending",
                fixable=True,
            )
        ]
    missing = {"articles", "spans", "labels", "journal"} - set(_tables(conn))
    if missing:
        return [
            Problem(
                "schema",
                f"tables {', '.join(sorted(missing))} are missing",
                count=len(missing),
                hint="restore a backup",
            )
        ]
    return []


def check_integrity(conn: sqlite3.Connection) -> list[Problem]:
    """SQLite's own PRAGMA integrity_check: pages, b-trees, indexes, NOT NULL and CHECK."""
    lines = [r[0] for r in conn.execute("PRAGMA integrity_check(100)")]
    if lines == ["ok"]:
        return []
    index_only = all(any(t in line for t in _INDEX_TROUBLE) for line in lines)
    if index_only:
        return [
            Problem(
                "integrity",
                f"{_plural(len(lines), 'index entry', 'index entries')}"
                f" {_v(len(lines), 'disagrees', 'disagree')} with the tables ({lines[0]})",
                count=len(lines),
                fixable=True,
                examples=_ids(lines),
            )
        ]
    return [
        Problem(
            "integrity",
            f"the file is damaged: {_plural(len(lines), 'problem')} ({lines[0]})",
            count=len(lines),
            examples=_ids(lines),
            hint="restore a backup, or salvage with `sqlite3 DB .recover > dump.sql`",
        )
    ]


def check_foreign_keys(conn: sqlite3.Connection) -> list[Problem]:
    """PRAGMA foreign_key_check for tables other than spans (spans have their own check)."""
    by_table: dict[str, list[int]] = {}
    for row in conn.execute("PRAGMA foreign_key_check"):
        if row[0] != "spans":
            by_table.setdefault(row[0], []).append(row[1])
    return [
        Problem(
            "foreign_keys",
            f"{_plural(len(rowids), 'row')} of {table} {_v(len(rowids), 'points', 'point')} at rows that do not exist",
            count=len(rowids),
            examples=_ids(rowids),
            hint="inspect them with sqlite3; margin cannot tell what they belonged to",
        )
        for table, rowids in sorted(by_table.items())
    ]


def check_orphans(conn: sqlite3.Connection) -> list[Problem]:
    """Spans and journal entries whose article does not exist."""
    out = []
    spans = [
        r[0]
        for r in conn.execute(
            "SELECT s.id FROM spans s LEFT JOIN articles a ON a.id = s.article_id"
            " WHERE a.id IS NULL ORDER BY s.id"
        )
    ]
    if spans:
        out.append(
            Problem(
                "orphan_spans",
                f"{_plural(len(spans), 'span')} {_v(len(spans), 'belongs', 'belong')} to no article",
                count=len(spans),
                examples=_ids(spans),
                hint="they cannot be shown or exported; margin keeps them as evidence,"
                " delete them with sqlite3 if they are not needed",
            )
        )
    journal = [
        r[0]
        for r in conn.execute(
            "SELECT j.id FROM journal j LEFT JOIN articles a ON a.id = j.article_id"
            " WHERE j.article_id IS NOT NULL AND a.id IS NULL ORDER BY j.id"
        )
    ]
    if journal:
        out.append(
            Problem(
                "orphan_journal",
                f"{_plural(len(journal), 'journal entry', 'journal entries')}"
                f" {_v(len(journal), 'names', 'name')} an article"
                " that does not exist",
                count=len(journal),
                examples=_ids(journal),
                hint="undo cannot replay them; the journal is history and is left as it is",
            )
        )
    bad_json = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM journal WHERE (before IS NOT NULL AND NOT json_valid(before))"
            " OR (after IS NOT NULL AND NOT json_valid(after)) ORDER BY id"
        )
    ]
    if bad_json:
        out.append(
            Problem(
                "journal",
                f"{_plural(len(bad_json), 'journal entry', 'journal entries')}"
                f" {_v(len(bad_json), 'holds', 'hold')} unreadable JSON",
                count=len(bad_json),
                examples=_ids(bad_json),
                hint="undo cannot pass them; the journal is history and is left as it is",
            )
        )
    return out


def _article_batches(conn: sqlite3.Connection) -> Iterator[list[sqlite3.Row]]:
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, text, content_hash, length, entity_count FROM articles"
            " WHERE id > ? ORDER BY id LIMIT ?",
            (last, BATCH),
        ).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def check_articles(conn: sqlite3.Connection) -> list[Problem]:
    """Every span's offsets and surface against its article's text; counts, lengths, hashes.

    Reads a batch of articles at a time, so memory does not grow with the corpus.
    """
    labels = {r[0] for r in conn.execute("SELECT name FROM labels")}
    outside: list[str] = []
    drift: list[str] = []
    unknown_labels: dict[str, int] = {}
    counts: list[int] = []
    lengths: list[int] = []
    hashes: list[int] = []
    for rows in _article_batches(conn):
        texts = {r[0]: r[1] for r in rows}
        live = dict.fromkeys(texts, 0)
        marks = ",".join("?" * len(rows))
        for sid, aid, start, end, surface, label, status in conn.execute(
            f'SELECT id, article_id, start, "end", text, label, status FROM spans'
            f" WHERE article_id IN ({marks})",
            list(texts),
        ):
            text = texts[aid]
            if status != "rejected":
                live[aid] += 1
            if label not in labels:
                unknown_labels[label] = unknown_labels.get(label, 0) + 1
            if not (
                isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
            ):
                outside.append(
                    f"span {sid} of article {aid}: {start}..{end}, text length {len(text)}"
                )
            elif text[start:end] != surface:
                drift.append(
                    f"span {sid} of article {aid}: {start}..{end} covers {text[start:end]!r},"
                    f" stored {surface!r}"
                )
        for r in rows:
            aid, text = r[0], r[1]
            if r[4] != live[aid]:
                counts.append(aid)
            if r[3] != len(text):
                lengths.append(aid)
            if r[2] != content_hash(text):
                hashes.append(aid)
    out = []
    if outside:
        out.append(
            Problem(
                "span_offsets",
                f"{_plural(len(outside), 'span')} {_v(len(outside), 'lies', 'lie')} outside"
                f" the text of {_v(len(outside), 'its article', 'their articles')}",
                count=len(outside),
                examples=_ids(outside),
                hint="margin cannot tell where they belong; reject or delete them by hand",
            )
        )
    if drift:
        out.append(
            Problem(
                "span_text",
                f"{_plural(len(drift), 'span')} {_v(len(drift), 'does', 'do')} not cover"
                " the text recorded with it",
                count=len(drift),
                examples=_ids(drift),
                hint="margin cannot tell whether the offsets or the recorded text is right",
            )
        )
    if unknown_labels:
        names = sorted(unknown_labels)
        out.append(
            Problem(
                "labels",
                f"{_plural(sum(unknown_labels.values()), 'span')}"
                f" {_v(sum(unknown_labels.values()), 'uses', 'use')} labels missing from the"
                f" label table ({', '.join(names[:EXAMPLES])})",
                count=len(names),
                fixable=True,
                examples=_ids(names),
            )
        )
    per_article = (
        ("entity_count", counts, "a wrong entity count"),
        ("length", lengths, "a wrong recorded length"),
        (
            "content_hash",
            hashes,
            "a content hash that does not match the text (the text was changed outside"
            " margin, or the hash is damaged)",
        ),
    )
    for check, wrong, what in per_article:
        if wrong:
            n = len(wrong)
            out.append(
                Problem(
                    check,
                    f"{_plural(n, 'article')} {_v(n, 'has', 'have')} {what}",
                    count=n,
                    fixable=True,
                    examples=_ids(wrong),
                )
            )
    return out


def _fts_tables(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
    """Return (name, has external content) of every FTS5 table."""
    out = []
    for name, sql in sorted(_tables(conn).items()):
        low = sql.lower().replace(" ", "")
        if "usingfts5(" in low:  # not fts5vocab tables, which are views of an index
            out.append((name, "content=" in low and "content=''" not in low))
    return out


def check_fts(conn: sqlite3.Connection) -> list[Problem]:
    """Each FTS5 index against the table it indexes (FTS5 'integrity-check')."""
    out = []
    for name, external in _fts_tables(conn):
        try:
            conn.execute(
                f'INSERT INTO "{name}" ("{name}", rank) VALUES (\'integrity-check\', ?)',
                (1 if external else 0,),
            )
        except sqlite3.DatabaseError as exc:
            out.append(
                Problem(
                    "fts",
                    f"the search index {name} does not match the table it indexes ({exc})",
                    fixable=external,
                    examples=[name],
                    hint="" if external else "the index holds its own content; restore a backup",
                )
            )
    return out


_ENTITY_AGG = (
    "SELECT text AS surface, label, COUNT(*) AS mentions, COUNT(DISTINCT article_id) AS articles"
    " FROM spans WHERE status != 'rejected' GROUP BY text, label"
)


def _has_entities(conn: sqlite3.Connection) -> bool:
    tables = _tables(conn)
    return "entities" in tables and {"surface", "label", "mentions", "articles"} <= _columns(
        conn, "entities"
    )


def check_entities(conn: sqlite3.Connection) -> list[Problem]:
    """The entity table (distinct surface and label with counts) against the spans."""
    if not _has_entities(conn):
        return []
    wrong = conn.execute(
        f"SELECT COUNT(*) FROM ({_ENTITY_AGG}) g LEFT JOIN entities e"
        " ON e.surface = g.surface AND e.label = g.label"
        " WHERE e.id IS NULL OR e.mentions != g.mentions OR e.articles != g.articles"
    ).fetchone()[0]
    extra = conn.execute(
        f"SELECT COUNT(*) FROM entities e LEFT JOIN ({_ENTITY_AGG}) g"
        " ON e.surface = g.surface AND e.label = g.label WHERE g.surface IS NULL"
    ).fetchone()[0]
    if not wrong and not extra:
        return []
    return [
        Problem(
            "entities",
            f"the entity index disagrees with the spans ({wrong} missing or miscounted,"
            f" {extra} with no span)",
            count=wrong + extra,
            fixable=True,
        )
    ]


CHECKS: tuple[tuple[str, Callable[[sqlite3.Connection], list[Problem]]], ...] = (
    ("integrity", check_integrity),
    ("foreign_keys", check_foreign_keys),
    ("orphans", check_orphans),
    ("articles", check_articles),
    ("entities", check_entities),
)


# -- running -----------------------------------------------------------------------------


def _open(path: str | Path) -> sqlite3.Connection | _Unreadable:
    p = Path(path)
    if str(path) == ":memory:" or not p.exists():
        raise DatabaseError(f"{p}: no database there")
    if p.is_dir():
        raise DatabaseError(f"{p}: is a folder, not a database file")
    try:
        return connect(p)
    except sqlite3.DatabaseError as exc:
        return _Unreadable(str(exc))


class _Unreadable:
    """Stands in for a connection to a file SQLite cannot read."""

    def __init__(self, why: str) -> None:
        self.why = why

    def close(self) -> None:
        """Nothing to close."""


def _diagnose(conn: sqlite3.Connection | _Unreadable, report: Report) -> None:
    why = conn.why if isinstance(conn, _Unreadable) else None
    if why is None:
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            why = str(exc)
    if why is not None or isinstance(conn, _Unreadable):
        report.checks.append("file")
        report.problems.append(
            Problem("file", f"not a readable SQLite database ({why})", hint="restore a backup")
        )
        return
    report.checks.append("schema")
    schema = check_schema(conn)
    report.problems.extend(schema)
    if any(not p.fixable for p in schema):
        return  # the other checks need the current schema
    if schema:  # pending migrations: integrity is still worth knowing
        report.checks.append("integrity")
        report.problems.extend(check_integrity(conn))
        return
    conn.execute("BEGIN")  # one read snapshot: concurrent writers cannot skew the counts
    try:
        for name, check in CHECKS:
            _run_check(conn, report, name, check)
    finally:
        conn.execute("COMMIT")
    # FTS5's integrity-check is an INSERT: it needs the write lock, which a read snapshot
    # cannot take once another process has written, so it runs in its own short transaction
    conn.execute("BEGIN IMMEDIATE")
    try:
        _run_check(conn, report, "fts", check_fts)
    finally:
        conn.execute("ROLLBACK")


STEPS = len(CHECKS) + 1  # the checks that report progress: CHECKS, then fts


def _run_check(
    conn: sqlite3.Connection,
    report: Report,
    name: str,
    check: Callable[[sqlite3.Connection], list[Problem]],
) -> None:
    report.checks.append(name)
    if report.on_check is not None:
        report.on_check(name)
    try:
        report.problems.extend(check(conn))
    except sqlite3.DatabaseError as exc:
        report.problems.append(
            Problem(name, f"the check could not run ({exc})", hint="restore a backup")
        )


def diagnose(path: str | Path, on_check: Callable[[str], None] | None = None) -> Report:
    """Run every check on the database at path; change nothing.

    on_check is called with each check's name before it runs (for a progress display).
    """
    report = Report(str(path), on_check=on_check)
    conn = _open(path)
    try:
        _diagnose(conn, report)
    finally:
        conn.close()
    return report


def repair(path: str | Path, on_check: Callable[[str], None] | None = None) -> Report:
    """Rebuild what can be rebuilt (counts, indexes, hashes, labels), then check again.

    What cannot be rebuilt (damaged pages, spans off their text, orphan rows) is left as it is
    and stays in the report.
    """
    first = diagnose(path, on_check)
    fixable = {p.check for p in first.problems if p.fixable}
    report = Report(str(path), on_check=on_check)
    conn = _open(path)
    try:
        if "schema" in fixable:
            try:
                migrate(conn)  # type: ignore[arg-type]
            except sqlite3.DatabaseError as exc:
                report.fixed.append(f"could not apply the pending migrations ({exc})")
                _diagnose(conn, report)
                return report
            report.fixed.append("applied the pending migrations")
            first = Report(str(path))
            _diagnose(conn, first)
            fixable = {p.check for p in first.problems if p.fixable}
        damaged = any(p.check in ("file", "integrity") and not p.fixable for p in first.problems)
        if damaged:
            report.fixed.append("repaired nothing: writing to a damaged file can lose more")
        elif fixable - {"schema"}:
            done: list[str] = []
            conn.execute("BEGIN IMMEDIATE")
            try:
                for check in ("integrity", "labels", "entity_count", "length", "content_hash"):
                    if check in fixable:
                        done.extend(_FIXES[check](conn))
                if "entities" in fixable or "fts" in fixable:
                    done.extend(_fix_entities(conn))
                    done.extend(_fix_fts(conn))
            except sqlite3.DatabaseError as exc:
                conn.execute("ROLLBACK")
                report.fixed.append(f"repaired nothing: the repair failed and was undone ({exc})")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                report.fixed.extend(done)
        _diagnose(conn, report)
    finally:
        conn.close()
    return report


# -- fixes: each runs inside the repair transaction and says what it did ------------------


def _fix_index(conn: sqlite3.Connection) -> list[str]:
    conn.execute("REINDEX")
    return ["rebuilt every index (REINDEX)"]


def _fix_labels(conn: sqlite3.Connection) -> list[str]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT label FROM spans WHERE label NOT IN (SELECT name FROM labels)"
        )
    ]
    for name in names:
        conn.execute(
            "INSERT OR IGNORE INTO labels (name, color, position) VALUES"
            " (?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM labels))",
            (name, color_for(name)),
        )
    return [f"added {_plural(len(names), 'missing label')}"] if names else []


def _fix_counts(conn: sqlite3.Connection) -> list[str]:
    n = conn.execute(
        "UPDATE articles SET entity_count = (SELECT COUNT(*) FROM spans s"
        " WHERE s.article_id = articles.id AND s.status != 'rejected')"
        " WHERE entity_count != (SELECT COUNT(*) FROM spans s"
        " WHERE s.article_id = articles.id AND s.status != 'rejected')"
    ).rowcount
    return [f"recounted the entities of {_plural(n, 'article')}"]


def _fix_lengths(conn: sqlite3.Connection) -> list[str]:
    n = conn.execute(
        "UPDATE articles SET length = length(text) WHERE length != length(text)"
    ).rowcount
    return [f"recorded the right length of {_plural(n, 'article')}"]


def _fix_hashes(conn: sqlite3.Connection) -> list[str]:
    fixed, clashes = 0, 0
    for rows in _article_batches(conn):
        for r in rows:
            digest = content_hash(r[1])
            if r[2] == digest:
                continue
            other = conn.execute(
                "SELECT id FROM articles WHERE content_hash = ? AND id != ?", (digest, r[0])
            ).fetchone()
            if other is not None:
                clashes += 1  # the same text twice: a person must choose; reported again below
                continue
            conn.execute("UPDATE articles SET content_hash = ? WHERE id = ?", (digest, r[0]))
            fixed += 1
    out = [f"recomputed the content hash of {_plural(fixed, 'article')}"]
    if clashes:
        out.append(f"left {_plural(clashes, 'article')} whose text is now the same as another's")
    return out


def _fix_entities(conn: sqlite3.Connection) -> list[str]:
    if not _has_entities(conn):
        return []
    conn.execute(f"CREATE TEMP TABLE doctor_entities AS {_ENTITY_AGG}")  # the truth, computed once
    try:
        gone = conn.execute(
            "DELETE FROM entities WHERE NOT EXISTS (SELECT 1 FROM temp.doctor_entities g"
            " WHERE g.surface = entities.surface AND g.label = entities.label)"
        ).rowcount
        changed = conn.execute(
            "UPDATE entities SET"
            " mentions = (SELECT g.mentions FROM temp.doctor_entities g"
            "   WHERE g.surface = entities.surface AND g.label = entities.label),"
            " articles = (SELECT g.articles FROM temp.doctor_entities g"
            "   WHERE g.surface = entities.surface AND g.label = entities.label)"
            " WHERE EXISTS (SELECT 1 FROM temp.doctor_entities g WHERE g.surface ="
            " entities.surface AND g.label = entities.label AND (g.mentions != entities.mentions"
            " OR g.articles != entities.articles))"
        ).rowcount
        added = conn.execute(
            "INSERT INTO entities (surface, label, mentions, articles)"
            " SELECT g.surface, g.label, g.mentions, g.articles FROM temp.doctor_entities g"
            " WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.surface = g.surface"
            " AND e.label = g.label)"
        ).rowcount
    finally:
        conn.execute("DROP TABLE temp.doctor_entities")
    return [f"entity index: {added} added, {changed} recounted, {gone} removed"]


def _fix_fts(conn: sqlite3.Connection) -> list[str]:
    out = []
    for name, external in _fts_tables(conn):
        if external:
            conn.execute(f'INSERT INTO "{name}" ("{name}") VALUES (\'rebuild\')')
            out.append(f"rebuilt the search index {name}")
    return out


_FIXES: dict[str, Callable[[sqlite3.Connection], list[str]]] = {
    "integrity": _fix_index,
    "labels": _fix_labels,
    "entity_count": _fix_counts,
    "length": _fix_lengths,
    "content_hash": _fix_hashes,
}
