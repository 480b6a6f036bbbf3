"""What the library shows (a state, a date range, a watch-list); the reader's n / p walk it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scope:
    """The library's filters: a state (FILTER_CYCLE), days since/until, a watch-list id."""

    state: str = "all"
    since: str | None = None
    until: str | None = None
    watch: str | None = None  # a watch-list's id, as the store takes it

    @property
    def narrowed(self) -> bool:
        """True when some filter is on (the reader then walks only these articles)."""
        return self.state != "all" or bool(self.since or self.until) or self.watch is not None

    def kwargs(self) -> dict[str, Any]:
        """The store's keyword arguments for the date range and the watch-list."""
        return {"since": self.since, "until": self.until, "watch": self.watch}
