"""FormatError: one clear sentence naming the file and the place of bad input."""

from __future__ import annotations


class FormatError(ValueError):
    """Bad input in a file: ``path`` and ``where`` (line N, byte N, record N) name the place."""

    def __init__(self, path: str, where: str | None, message: str) -> None:
        self.path = path
        self.where = where
        self.message = message
        place = f"{path}, {where}" if where else path
        super().__init__(f"{place}: {message}")
