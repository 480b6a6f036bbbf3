"""Article dates: what files give becomes one ISO 8601 form; lists sort and filter by it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store import ArticleDraft
from store.date_field import DateField
from store.dates import parse_date
from store.formats import read_file


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("2024-03-01", "2024-03-01"),
        ("2024/3/1", "2024-03-01"),
        ("2024-03-01T09:30:00Z", "2024-03-01T09:30:00+00:00"),
        ("2024-03-01T11:30:00+02:00", "2024-03-01T09:30:00+00:00"),
        ("2024-03-01 09:30", "2024-03-01T09:30:00"),
        ("Sun, 08 Dec 2024 10:00:00 +0100", "2024-12-08T09:00:00+00:00"),
        ("2024", None),
        ("next Tuesday", None),
        ("", None),
        (None, None),
        (20240301, None),
    ],
)
def test_parse_date_gives_iso_8601_or_nothing(given_value: object, expected: str | None) -> None:
    assert parse_date(given_value) == expected


@given(st.datetimes(timezones=st.timezones()))
def test_parsed_dates_sort_as_their_instants(moment) -> None:  # type: ignore[no-untyped-def]
    iso = parse_date(moment.isoformat())
    assert iso is not None
    assert parse_date(iso) == iso  # a normalised date reads back as itself


def test_readers_give_the_date_of_each_format() -> None:
    jsonl = b'{"text": "A", "date": "2024-01-02"}\n{"text": "B", "pubDate": "2024-01-03"}\n'
    assert [d.date for d in read_file("a.jsonl", jsonl)] == ["2024-01-02", "2024-01-03"]
    csv = b"text,published\nA,2024-01-04\n"
    assert [d.date for d in read_file("a.csv", csv)] == ["2024-01-04"]
    md = b"---\ntitle: T\ndate: 2024-01-05\n---\nBody text.\n"
    assert [d.date for d in read_file("a.md", md)] == ["2024-01-05"]
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item><title>One'
        b"</title><description>Body of one.</description><pubDate>Sat, 06 Jan 2024 10:00:00"
        b" GMT</pubDate></item></channel></rss>"
    )
    assert [d.date for d in read_file("a.rss", rss)] == ["2024-01-06T10:00:00+00:00"]
    assert [d.date for d in read_file("a.txt", b"No date here.\n")] == [None]


def test_a_date_field_named_on_import_dates_the_articles(store) -> None:
    drafts = list(read_file("a.jsonl", b'{"text": "A", "when": "2023-05-06"}\n'))
    [result] = DateField(store, "when").add_articles(drafts)
    assert store.article(result.article_id).date == "2023-05-06"


def test_undated_articles_fall_back_to_the_import_time(store) -> None:
    [result] = store.add_articles([ArticleDraft("No date.")])
    art = store.article(result.article_id)
    assert art.date is None and art.when == art.imported_at


def test_the_list_sorts_by_date_and_keeps_a_range(store) -> None:
    days = ["2024-01-10", "2023-12-31", "2024-02-01", None]
    store.add_articles(
        [ArticleDraft(f"Text {i}.", title=f"t{i}", date=d) for i, d in enumerate(days)]
    )
    by_date = [a.title for a in store.articles(sort="date")]
    assert by_date == ["t3", "t2", "t0", "t1"]  # undated: its import day, today
    kept = store.articles(sort="date", since="2024-01-01", until="2024-01-31")
    assert [a.title for a in kept] == ["t0"]
    kept = store.articles(sort="date", until="2024-01-10")
    assert [a.title for a in kept] == ["t0", "t1"]  # until is inclusive
    with pytest.raises(ValueError, match="since 'soon' is not a day"):
        store.articles(since="soon")
