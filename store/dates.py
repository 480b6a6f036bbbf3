"""Publication dates: what files give (ISO 8601, RFC 2822, date objects) made one ISO 8601 form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

# the fields of a record that hold its publication date, in the order they are looked for
DATE_FIELDS = ("date", "published", "pubdate", "pubDate", "published_at", "datePublished")
_YEAR = re.compile(r"^\d{4}$")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")


def parse_date(value: Any) -> str | None:
    """The date as ISO 8601 ("2024-03-01", or "2024-03-01T09:30:00+00:00" in UTC), else None.

    A date alone stays a date; a time with a zone is put in UTC (so dates sort as text);
    a time without a zone is kept as written. Anything unreadable is no date.
    """
    if isinstance(value, datetime):
        return _datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    slashed = _SLASHED.match(text)
    if slashed:
        text = "-".join(f"{int(p):02d}" for p in slashed.groups())
    if _YEAR.match(text):
        return None  # a bare year is too vague to place on a timeline
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return _datetime(datetime.fromisoformat(text.replace(" ", "T", 1)))
    except ValueError:
        pass
    try:
        return _datetime(parsedate_to_datetime(text))  # RFC 2822, as RSS pubDate writes it
    except (TypeError, ValueError, IndexError):
        return None


def _datetime(value: datetime) -> str:
    if value.tzinfo is None:
        return value.isoformat(timespec="seconds")
    return value.astimezone(UTC).isoformat(timespec="seconds")


def date_from(record: Mapping[str, Any], field: str | None = None) -> str | None:
    """The first readable date among a record's date fields (or the one field named)."""
    for name in (field,) if field else DATE_FIELDS:
        found = parse_date(record.get(name))
        if found is not None:
            return found
    return None
