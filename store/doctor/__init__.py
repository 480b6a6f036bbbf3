"""Checking a margin database for damage and rebuilding what can be rebuilt (``margin doctor``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from ..db import migrate, open_existing, refuse_foreign
from ..db.trouble import cause, is_damage
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
        return open_existing(p).conn
    except sqlite3.DatabaseError as exc:
        return _Unreadable(str(exc), cause(p, writing=False), is_damage(exc))


class _Unreadable:
    """Stands in for a connection to a file SQLite cannot read."""

    def __init__(self, why: str, blocked: str | None = None, damaged: bool = False) -> None:
        self.why = why
        self.blocked = blocked  # what in the file system stops SQLite (the file may be sound)
        self.damaged = damaged

    def close(self) -> None:
        """Nothing to close."""


def _unreadable(conn: _Unreadable) -> Problem:
    if conn.blocked is not None:
        return Problem(
            "file",
            f"cannot open the file: {conn.blocked}",
            hint="the file itself was not checked; it is not known to be damaged",
        )
    if conn.damaged:
        return _damage(conn.why)
    return Problem("file", f"not a readable SQLite database ({conn.why})", hint="restore a backup")


def _damage(why: str) -> Problem:
    return Problem(
        "integrity",
        f"the file is damaged ({why})",
        hint="salvage with `sqlite3 DB .recover > dump.sql`, or restore a backup",
    )


def _diagnose(conn: sqlite3.Connection | _Unreadable, report: Report) -> None:
    if isinstance(conn, _Unreadable):
        report.checks.append("file")
        report.problems.append(_unreadable(conn))
        return
    try:
        _diagnose_open(conn, report)
    except sqlite3.DatabaseError as exc:
        # damaged pages can break a statement of the doctor's own (the snapshot's COMMIT)
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass
        if not is_damage(exc):
            raise
        if not _has_damage(report):
            report.problems.append(_damage(str(exc)))


def _has_damage(report: Report) -> bool:
    return any(p.check in ("file", "integrity") and not p.fixable for p in report.problems)


def _diagnose_open(conn: sqlite3.Connection, report: Report) -> None:
    report.checks.append("file")
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        refuse_foreign(sqlite_utils.Database(conn), report.path, strict=False)
    except DatabaseError as exc:
        report.problems.append(
            Problem("file", str(exc).split(": ", 1)[-1], hint="margin leaves it as it is")
        )
        return
    except sqlite3.DatabaseError as exc:
        report.problems.append(_unreadable(_Unreadable(str(exc), damaged=is_damage(exc))))
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
    # cannot take once another process has written, so it runs in its own short transaction;
    # on a file margin can only read it cannot run at all, which is not a problem of the index
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if not _read_only_error(exc):
            raise
        report.skipped.append(f"fts: {READ_ONLY_SKIP}")
        return
    try:
        _run_check(conn, report, "fts", check_fts)
    finally:
        conn.execute("ROLLBACK")
    fts = [p for p in report.problems if p.check == "fts" and "readonly" in p.message]
    if fts:
        report.problems = [p for p in report.problems if p not in fts]
        report.checks.remove("fts")
        report.skipped.append(f"fts: {READ_ONLY_SKIP}")


READ_ONLY_SKIP = "the file is read-only here, and the search index check needs to write"


def _read_only_error(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith("SQLITE_READONLY") or "readonly" in str(exc)


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
        if is_damage(exc):  # one problem for the damage, with the way out, not one per check
            if not _has_damage(report):
                report.problems.append(_damage(str(exc)))
            return
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
        if any(p.check == "file" for p in first.problems):
            report.fixed.append("repaired nothing: margin cannot work on this file")
            _diagnose(conn, report)
            return report
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
