"""What the doctor reports: each problem found, the checks run, what --fix repaired."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

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
    skipped: list[str] = field(default_factory=list)  # checks that could not run, and why
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
            "skipped": self.skipped,
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
