"""Read-only queries the reader needs (entity groups, neighbours, mentions); filled by the reader issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store  # noqa: F401


class QueriesMixin:
    """Store methods that answer the reader's questions without loading whole tables."""
