"""The unit of work: one write transaction (BEGIN IMMEDIATE), nested savepoints, one journal group."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlite_utils

from ..errors import MarginError, translate

# a new edit makes every undone step unreachable. undoable is a flag (margin writes 0 or 1
# only), so naming both values changes no row but lets SQLite find the undone rows through
# journal_state (undoable, state, group_id) instead of reading the whole journal (0.15 s
# at 570,000 rows, in every edit's transaction)
DISCARD_REDO = (
    "UPDATE journal SET state = 'discarded' WHERE undoable IN (0, 1) AND state = 'undone'"
)


class Unit:
    """A write transaction in progress: what operations write through, and its journal group.

    A unit opened inside another one is a savepoint of it and shares its journal group,
    so a propagation that relabels, or an import that merges, is one undo step.
    """

    def __init__(
        self, db: sqlite_utils.Database, path: str = "", origin: str | None = None
    ) -> None:
        self.db = db
        self.path = path
        self.origin = origin  # who writes ("cli:PID@PPID", "tui:PID"): stamped on its journal rows
        self.depth = 0
        self._group: int | None = None
        self._edit = False  # the group discards the undone steps (a new edit)
        self.allow_overlaps = False
        self.annotator: str | None = None  # who decides (journal.annotator; None: not known)

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection (for executemany and create_function)."""
        return self.db.conn

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one statement inside the transaction."""
        return self.db.conn.execute(sql, params)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        row = self.db.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def group(self) -> int:
        """This unit's journal group, allocated on first use."""
        if self._group is None:
            self._group = int(self.one("SELECT COALESCE(MAX(group_id), 0) + 1 FROM journal"))
        return self._group

    def edit_group(self) -> int:
        """The group of a person's edit: a new edit makes the undone steps unreachable."""
        if not self._edit:
            self.execute(DISCARD_REDO)
            self._edit = True
        return self.group()

    def join(self, group: int) -> None:
        """Write into an existing group (the next chunk of a change written in several units)."""
        self._group = group
        self._edit = True

    @contextmanager
    def nested(self) -> Iterator[Unit]:
        """A savepoint inside this unit: rolled back alone when its block fails."""
        name = f"margin_{secrets.token_hex(4)}"
        self.execute(f"SAVEPOINT {name}")
        self.depth += 1
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            self.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            self.depth -= 1


@contextmanager
def unit_of_work(
    db: sqlite_utils.Database, path: str = "", origin: str | None = None
) -> Iterator[Unit]:
    """Run a write transaction: BEGIN IMMEDIATE (so the busy timeout applies), then COMMIT.

    A deferred BEGIN that writes later can fail at once with SQLITE_BUSY, bypassing the
    busy timeout; IMMEDIATE waits for the write lock up front. Anything raised rolls the
    whole unit back; SQLite's own errors come out as margin's (busy as StoreBusy).
    """
    tx = Unit(db, path, origin)
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    try:
        yield tx
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error) and not isinstance(exc, MarginError):
            raise translate(exc, path) from exc
        raise
