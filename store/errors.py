"""MarginError and its family: every error the store raises carries a sentence fit for a user."""

from __future__ import annotations

import sqlite3


class MarginError(Exception):
    """Something margin refuses or cannot do; ``str(exc)`` is one sentence for the user."""

    @property
    def message(self) -> str:
        """The sentence to show."""
        return str(self)


class NotFound(MarginError, LookupError):
    """An article, span or rule id that is not in the database."""


class SpanError(MarginError, ValueError):
    """A span that does not fit its article's text, or has no label."""


class CorrectionError(MarginError, ValueError):
    """A correction that cannot be made (overlap, nothing to undo, nothing to apply ...)."""


class FormatError(MarginError, ValueError):
    """Bad input in a file: ``path`` and ``where`` (line N, byte N, record N) name the place."""

    def __init__(self, path: str, where: str | None, message: str) -> None:
        self.path = path
        self.where = where
        self.detail = message
        place = f"{path}, {where}" if where else path
        super().__init__(f"{place}: {message}")


class QueryError(MarginError, ValueError):
    """A search filter with a value search does not know (the message says which it takes)."""


class ConfigError(MarginError, ValueError):
    """A config file that cannot be read; the message names the file and the place."""


class ExtractionError(MarginError, RuntimeError):
    """Extraction cannot run (the model is missing or broken)."""


class ExportError(MarginError, ValueError):
    """An export that cannot run as asked (bad split, missing --out, unknown label ...)."""


class DatabaseError(MarginError):
    """A database that cannot be opened, migrated or written; the message names the file."""


class StoreBusy(DatabaseError):
    """Another program held the write lock for longer than the busy timeout."""


BUSY_MESSAGE = (
    "the database stayed busy for 30 seconds (another program is writing to it);"
    " run the command again when that is done (what was already saved is kept)"
)


def damaged(path: object, detail: str) -> str:
    """The sentence for a file whose pages are damaged, with the ways out."""
    return (
        f"{path}: the file is damaged ({detail}); margin will not write to it:"
        f" salvage it with `sqlite3 {path} .recover > dump.sql`, or restore a backup"
        " (`margin doctor` shows what is wrong)"
    )


def translate(exc: sqlite3.Error, path: str = "") -> MarginError:
    """Turn an error of SQLite into margin's vocabulary (busy/locked become StoreBusy)."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreBusy(BUSY_MESSAGE)
    where = f"{path}: " if path and path != ":memory:" else ""
    if "malformed" in text or getattr(exc, "sqlite_errorname", "").startswith("SQLITE_CORRUPT"):
        return DatabaseError(damaged(path or "the database", text))
    if "readonly" in text:
        return DatabaseError(f"{where}cannot write: the database is read-only here ({text})")
    if isinstance(exc, sqlite3.OperationalError) and ("disk" in text or "full" in text):
        return DatabaseError(f"{where}cannot write the database ({text})")
    return DatabaseError(f"{where}the database refused the change ({text})")


__all__ = [
    "BUSY_MESSAGE",
    "ConfigError",
    "CorrectionError",
    "DatabaseError",
    "ExportError",
    "ExtractionError",
    "FormatError",
    "MarginError",
    "NotFound",
    "QueryError",
    "SpanError",
    "StoreBusy",
    "damaged",
    "translate",
]
