"""One connection per thread (a finished thread's is handed on), or one shared for :memory:."""

from __future__ import annotations

import threading

import sqlite_utils

from .connection import open_database


class Connections:
    """The connections of one store: each thread writes through its own."""

    def __init__(self, path: str, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only  # every connection opened for reading only (mode=ro)
        self._local = threading.local()
        self._lock = threading.Lock()
        # every connection opened, with the thread that uses it; a dead thread's is reused
        self._all: list[tuple[threading.Thread, sqlite_utils.Database]] = []
        self._shared: sqlite_utils.Database | None = None

    def get(self) -> sqlite_utils.Database:
        """This thread's connection (one shared connection for :memory:)."""
        if self.path == ":memory:":
            if self._shared is None:
                self._shared = open_database(":memory:")
            return self._shared
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            db = self._adopt()
            self._local.db = db
        return db

    def _adopt(self) -> sqlite_utils.Database:
        """Hand this thread the connection of a thread that has ended, or open a new one.

        The reader runs each store call in a short-lived worker thread: without reuse, every
        call would leave an open connection (and file handles) behind until the store closes.
        """
        me = threading.current_thread()
        with self._lock:
            for i, (thread, db) in enumerate(self._all):
                if not thread.is_alive():
                    if db.conn.in_transaction:  # its thread died mid-way: nothing was committed
                        db.conn.rollback()
                    self._all[i] = (me, db)
                    return db
        db = open_database(
            self.path, self.read_only
        )  # outside the lock: it may wait on another writer
        with self._lock:
            self._all.append((me, db))
        return db

    def count(self) -> int:
        """How many connections are open."""
        with self._lock:
            return len(self._all) + (self._shared is not None)

    def close(self) -> None:
        """Close every connection."""
        with self._lock:
            for _thread, db in self._all:
                db.conn.close()
            self._all.clear()
        if self._shared is not None:
            self._shared.conn.close()
            self._shared = None
        self._local = threading.local()
