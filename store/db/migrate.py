"""Numbered migrations as a sqlite_utils Migrations set; 0.1.0's user_version files upgrade in place."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from ..errors import DatabaseError
from ..models import now
from . import (
    m0001_initial,
    m0002_search,
    m0003_fts,
    m0004_origin,
    m0005_batch,
    m0006_labels,
    m0007_models,
    m0008_entities,
    m0009_review,
    m0010_overlaps,
    m0011_label_index,
    m0012_import_pending,
    m0013_long_spans,
)

MIGRATIONS = Migrations("margin")
# (number, module): each module's apply(db) runs inside the migration's transaction
STEPS = (
    (1, m0001_initial),
    (2, m0002_search),
    (3, m0003_fts),
    (4, m0004_origin),
    (5, m0005_batch),
    (6, m0006_labels),
    (7, m0007_models),
    (8, m0008_entities),
    (9, m0009_review),
    (10, m0010_overlaps),
    (11, m0011_label_index),
    (12, m0012_import_pending),
    (13, m0013_long_spans),
)
LATEST = STEPS[-1][0]


def _name(number: int, module: object) -> str:
    return getattr(module, "__name__", "").rsplit(".", 1)[-1] or f"m{number:04d}"


for _number, _module in STEPS:
    MIGRATIONS(name=_name(_number, _module))(_module.apply)


def version(db: sqlite_utils.Database) -> int:
    """The schema version recorded in the file (PRAGMA user_version)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def pending(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations this database has not had yet (read-only)."""
    done = version(db)
    return [_name(n, m) for n, m in STEPS if n > done]


def migrate(db: sqlite_utils.Database, upto: int = LATEST) -> int:
    """Apply every pending migration (up to ``upto``) under one write lock; return the version.

    ``PRAGMA user_version`` stays the number of the newest migration applied (0.1.0 kept
    only that) and is what counts; the ``_sqlite_migrations`` table of sqlite-utils records
    each by name and is brought in line with it first. A 0.1.0 file has the number but no
    table: its migrations are recorded as applied, then the newer ones run.
    """
    found = version(db)
    if found > LATEST:
        raise DatabaseError(f"database schema version {found} is newer than this margin ({LATEST})")
    if found >= upto:
        return found
    db.execute("BEGIN IMMEDIATE")  # two processes opening a new file: one migrates, one waits
    try:
        found = version(db)
        if found < upto:
            _agree(db, found)
            for number, _module in STEPS:
                if found < number <= upto:
                    MIGRATIONS.apply(db, stop_before=_after(number))
                    db.execute(f"PRAGMA user_version = {number}")
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
    return max(found, upto)


def _after(number: int) -> list[str]:
    return [_name(n, m) for n, m in STEPS if n > number]


def _agree(db: sqlite_utils.Database, found: int) -> None:
    """Make the migrations table say what user_version says: 1..found applied, no more."""
    MIGRATIONS.ensure_migrations_table(db)
    table = db.table(MIGRATIONS.migrations_table)
    applied = {m.name for m in MIGRATIONS.applied(db)}
    for number, module in STEPS:
        name = _name(number, module)
        if number <= found and name not in applied:
            table.insert({"migration_set": MIGRATIONS.name, "name": name, "applied_at": str(now())})
        elif number > found and name in applied:
            table.delete_where("migration_set = ? AND name = ?", [MIGRATIONS.name, name])
