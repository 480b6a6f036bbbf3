"""Whole-article decisions: reject every suggestion still open in an article, as one step."""

from __future__ import annotations

from .db import Unit
from .label_ops import change_spans
from .rows import article_text

REJECT_REMAINING = "reject remaining"


def reject_remaining(tx: Unit, article_id: int) -> int:
    """Reject every suggestion of the article that nobody decided; return how many."""
    article_text(tx.db, article_id)  # NotFound for an unknown id
    return change_spans(
        tx,
        REJECT_REMAINING,
        "article_id = :article AND status = 'suggested'",
        {"article": article_id},
        "label",
        "'rejected'",
    )
