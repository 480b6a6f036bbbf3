"""margin's headless core: the SQLite store, extraction, search and file formats."""

from .models import (
    Article,
    ArticleDraft,
    ArticleSummary,
    ImportResult,
    Label,
    SearchHit,
    Span,
    SpanDraft,
    SpanError,
    Stats,
)
from .store import NotFound, Store, open_store

__all__ = [
    "Article",
    "ArticleDraft",
    "ArticleSummary",
    "ImportResult",
    "Label",
    "NotFound",
    "SearchHit",
    "Span",
    "SpanDraft",
    "SpanError",
    "Stats",
    "Store",
    "open_store",
]
