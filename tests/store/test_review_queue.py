"""The review queue (articles by state), progress, the history and who made each change."""

from __future__ import annotations

import pytest

from store import ArticleDraft, SpanDraft
from store.annotators import annotator_name
from store.errors import ConfigError


@pytest.fixture
def four(store):
    store.annotator = "ana"
    store.add_articles(
        [
            ArticleDraft(
                f"Article number {i} about Aleppo.",
                title=f"a{i}",
                spans=(SpanDraft(23, 29, "GPE", "model:test@1"),),
            )
            for i in range(1, 5)
        ]
    )
    store.set_reviewed(2, True)
    store.mark_read(3)
    return store


def test_next_in_state_wraps_round(four) -> None:
    assert four.next_in_state(1, "unreviewed", "id", 1) == 3
    assert four.next_in_state(4, "unreviewed", "id", 1) is None
    assert four.next_in_state(4, "unreviewed", "id", 1, wrap=True) == 1
    assert four.next_in_state(3, "unreviewed", "id", -1) == 1
    assert four.next_in_state(1, "unread+unreviewed", "id", 1) == 4


def test_pages_counts_and_ranks_by_state(four) -> None:
    assert [a.id for a in four.articles_in_state("unreviewed", sort="id")] == [1, 3, 4]
    assert [a.id for a in four.articles_in_state("unread", sort="id")] == [1, 2, 4]
    assert [a.id for a in four.articles_in_state("reviewed")] == [2]
    assert four.count_in_state("unreviewed") == 3
    assert four.rank_in_state(4, "unreviewed", "id") == 2
    assert four.progress() == (1, 4)
    assert four.progress("unread") == (1, 3)
    with pytest.raises(ValueError, match="unknown state"):
        four.count_in_state("maybe")


def test_history_in_words_with_states_and_annotators(four) -> None:
    four.relabel(1, "LOC")
    four.annotator = "bea"
    four.reject(2)
    four.undo()
    entries = four.history_entries(10)
    assert [(e.line, e.state, e.annotator) for e in entries[:3]] == [
        ("reject 'Aleppo' in article 2", "undone", "bea"),
        ("relabel 'Aleppo' GPE→LOC in article 1", "done", "ana"),
        ("review in article 2", "done", "ana"),
    ]
    assert entries[-1].change.action == "import" and not entries[-1].undoable
    assert entries[0].as_dict()["what"] == "reject 'Aleppo' in article 2"
    by = {a.name: a for a in four.by_annotator()}
    assert by["ana"].actions == {"relabel": 2, "review": 1}  # rejected old span + new span
    assert "bea" not in by  # her only change was undone


def test_annotator_name_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARGIN_ANNOTATOR", "env")
    assert annotator_name("opt", {"review": {"annotator": "cfg"}}) == "opt"
    assert annotator_name(None, {"review": {"annotator": "cfg"}}) == "env"
    monkeypatch.delenv("MARGIN_ANNOTATOR")
    assert annotator_name(None, {"review": {"annotator": " cfg "}}) == "cfg"
    assert annotator_name(None, {})  # the login name (or "user" without one)
    with pytest.raises(ConfigError, match="printable"):
        annotator_name("a\x1bb", {})
