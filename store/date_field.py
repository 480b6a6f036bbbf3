"""Import writes that date each article from a field the user names (``import --date-field``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from .dates import date_from
from .merge import AnnotationImport, MergeSummary
from .models import ArticleDraft, ImportResult


class DateField:
    """Import writes that take each article's date from one field of its meta (--date-field)."""

    def __init__(self, store: Any, field: str) -> None:
        self.store = store
        self.field = field

    def add_articles(self, drafts: Sequence[ArticleDraft]) -> list[ImportResult]:
        """Store the drafts, each dated by its meta field when the field holds a date."""
        dated = [
            dataclasses.replace(d, date=date_from(d.meta or {}, self.field) or d.date)
            for d in drafts
        ]
        result: list[ImportResult] = self.store.add_articles(dated)
        return result

    def import_annotations(self, items: Sequence[AnnotationImport]) -> MergeSummary:
        """As the store does."""
        summary: MergeSummary = self.store.import_annotations(items)
        return summary
