"""Checking a margin database for damage and rebuilding what can be rebuilt (``margin doctor``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from ..db import connect, migrate
from ..errors import DatabaseError
from .checks import CHECKS, check_fts, check_integrity, check_schema
from .fixes import _FIXES, _fix_entities, _fix_fts
from .report import Problem, Report

# -- running -----------------------------------------------------------------------------


def _open(path: str | Path) -> sqlite3.Connection | _Unreadable:
    p = Path(path)
    if str(path) == ":memory:" or not p.exists():
        raise DatabaseError(f"{p}: no database there")
    if p.is_dir():
        raise DatabaseError(f"{p}: is a folder, not a database file")
    try:
        return connect(p).conn
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
    if not isinstance(conn, _Unreadable):
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
    if isinstance(conn, _Unreadable):
        _diagnose(conn, report)
        return report
    try:
        if "schema" in fixable:
            try:
                migrate(sqlite_utils.Database(conn))
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


__all__ = ["STEPS", "Problem", "Report", "diagnose", "repair"]
