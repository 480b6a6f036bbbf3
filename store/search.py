"""Search over articles and entities (FTS5 candidates ranked by rapidfuzz) behind one query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import SearchHit

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store


class SearchMixin:
    """Store methods for search; filled in by the search issue."""

    def search(self: Store, query: str, limit: int = 20) -> list[SearchHit]:
        """Return the best hits for query (entities first, then articles)."""
        raise NotImplementedError("search is not built yet")
