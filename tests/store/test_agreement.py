"""Agreement with a merged annotator, checked against numbers worked out by hand; adjudication."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import ArticleDraft, SpanDraft, Store, open_store
from store.agreement import cohen_kappa, differences, span_scores, token_labels, tokens
from store.errors import CorrectionError, NotFound

TEXT = "Ana met Bob in New York City on Monday."
RAIN = "Rain fell."
ONLY_HERE = "Cairo slept."  # reviewed here only: never compared

# this file: Ana PERSON, Bob PERSON (a model suggestion left in the reviewed article),
# New York City GPE, Monday DATE
OWN = [
    SpanDraft(0, 3, "PERSON", "user", "accepted"),
    SpanDraft(8, 11, "PERSON", "model:test@1", "suggested"),
    SpanDraft(15, 28, "GPE", "user", "accepted"),
    SpanDraft(32, 38, "DATE", "model:test@1", "accepted"),
]
# the other annotator: Ana PERSON (same), Bob ORG (label differs), New York GPE (partial
# overlap), Monday DATE (same)
OTHER = [
    SpanDraft(0, 3, "PERSON", "user", "accepted"),
    SpanDraft(8, 11, "ORG", "user", "accepted"),
    SpanDraft(15, 23, "GPE", "user", "accepted"),
    SpanDraft(32, 38, "DATE", "model:test@1", "suggested"),
]


def _file(path: Path, spans: list[SpanDraft], name: str) -> Store:
    s = open_store(path)
    s.annotator = name
    s.add_articles(
        [
            ArticleDraft(TEXT, title="meeting", spans=tuple(spans)),
            ArticleDraft(RAIN, title="rain"),
            ArticleDraft(
                ONLY_HERE, title="cairo", spans=(SpanDraft(0, 5, "GPE", "user", "accepted"),)
            ),
        ]
    )
    for aid in (1, 2):
        s.set_reviewed(aid, True)
    return s


@pytest.fixture
def pair(tmp_path: Path):
    """(this file with the other merged in, the other file's path)."""
    other = _file(tmp_path / "bea.db", OTHER, "bea")
    other.close()
    own = _file(tmp_path / "ana.db", OWN, "ana")
    own.reject(own.add_span(1, 4, 7, "EVENT"))  # rejected: in neither the scores nor kappa
    own.merge_file(tmp_path / "bea.db")
    yield own, tmp_path / "bea.db"
    own.close()


def test_span_scores_by_hand() -> None:
    own = [(s.start, s.end, s.label) for s in OWN]
    other = [(s.start, s.end, s.label) for s in OTHER]
    scores = span_scores([(own, other), ([], [])])
    assert scores["PERSON"].as_dict() == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
        "matched": 1,
        "own": 2,
        "other": 1,
    }
    assert scores["ORG"].as_dict() == {
        "precision": 0.0,
        "recall": None,
        "f1": 0.0,
        "matched": 0,
        "own": 0,
        "other": 1,
    }
    assert scores["GPE"].as_dict()["f1"] == 0.0  # a partial overlap is not a match
    assert scores["DATE"].as_dict()["f1"] == 1.0


def test_token_kappa_by_hand() -> None:
    toks = tokens(TEXT)
    assert [TEXT[s:e] for s, e in toks] == [
        "Ana",
        "met",
        "Bob",
        "in",
        "New",
        "York",
        "City",
        "on",
        "Monday",
        ".",
    ]
    mine = token_labels(toks, [(s.start, s.end, s.label) for s in OWN])
    theirs = token_labels(toks, [(s.start, s.end, s.label) for s in OTHER])
    assert theirs == ["PERSON", "O", "ORG", "O", "GPE", "GPE", "O", "O", "DATE", "O"]
    # po = 8/10; pe = (2*1 + 4*5 + 3*2 + 1*1) / 100 = 0.29; kappa = 0.51 / 0.71
    assert cohen_kappa(mine, theirs) == pytest.approx(0.51 / 0.71)
    assert cohen_kappa(["O", "O"], ["O", "O"]) == 1.0
    assert cohen_kappa([], []) is None


def test_agreement_over_articles_both_reviewed(pair) -> None:
    own, _path = pair
    report = own.agreement().as_dict()
    assert report["annotator"] == "bea"
    assert report["articles"] == 2  # meeting and rain; cairo is reviewed here only
    assert report["tokens"] == 13
    # with "Rain fell ." (3 O tokens each): po = 11/13, pe = 65/169, kappa = 0.75 exactly
    assert report["kappa"] == 0.75
    assert report["labels"]["PERSON"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
        "matched": 1,
        "own": 2,
        "other": 1,
    }
    assert report["total"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "matched": 2,
        "own": 4,
        "other": 4,
    }


def test_agreement_names_a_missing_annotator(pair) -> None:
    own, _path = pair
    with pytest.raises(NotFound, match="no annotator 'zed'"):
        own.agreement("zed")


def test_agreement_needs_a_merge(store: Store) -> None:
    with pytest.raises(NotFound, match="margin merge OTHER.db"):
        store.agreement()


def test_two_merged_annotators_must_be_named(pair, tmp_path: Path) -> None:
    own, path = pair
    own.merge_file(path, "cy")
    with pytest.raises(CorrectionError, match="--annotator"):
        own.agreement()
    assert own.agreement("cy").annotator == "cy"


def test_differences_leave_out_what_both_have(pair) -> None:
    own, _path = pair
    diffs = differences(own.spans(1), own.other_spans("bea", 1))
    assert [(d.start, d.end) for d in diffs] == [(8, 11), (15, 28)]
    assert [[s.label for s in d.mine] for d in diffs] == [["PERSON"], ["GPE"]]
    assert [list(d.theirs) for d in diffs] == [[(8, 11, "ORG")], [(15, 23, "GPE")]]


def test_adjudication_takes_sides_and_reviews_in_one_undo(pair) -> None:
    own, _path = pair
    own.set_reviewed(1, False)
    before = sorted((s.start, s.end, s.label, s.status) for s in own.spans(1))
    diffs = differences(own.spans(1), own.other_spans("bea", 1))
    own.adjudicate(1, [(diffs[0], "theirs"), (diffs[1], "neither")])
    live = sorted((s.start, s.end, s.label) for s in own.spans(1) if s.status != "rejected")
    assert live == [(0, 3, "PERSON"), (8, 11, "ORG"), (32, 38, "DATE")]
    assert own.article(1).reviewed
    left = differences(own.spans(1), own.other_spans("bea", 1))  # "neither" keeps hers out
    assert [(d.start, d.end, d.mine, d.theirs) for d in left] == [(15, 23, (), ((15, 23, "GPE"),))]
    own.undo()
    assert sorted((s.start, s.end, s.label, s.status) for s in own.spans(1)) == before
    assert not own.article(1).reviewed


def test_taking_mine_accepts_this_files_suggestion(pair) -> None:
    own, _path = pair
    diffs = differences(own.spans(1), own.other_spans("bea", 1))
    own.adjudicate(1, [(diffs[0], "mine")])
    bob = next(s for s in own.spans(1) if s.start == 8)
    assert (bob.label, bob.status) == ("PERSON", "accepted")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    text=st.text(alphabet="ab ,", min_size=1, max_size=40),
    raw=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8), st.sampled_from("XYZ"))),
)
def test_token_labels_are_the_first_overlapping_span_by_start(text: str, raw) -> None:
    spans = [(s, min(s + n, len(text)), lab) for s, n, lab in raw if s < len(text)]
    toks = tokens(text)
    naive = [
        next((lab for s, e, lab in sorted(spans) if s < te and ts < e), "O") for ts, te in toks
    ]
    assert token_labels(toks, spans) == naive
    labels = token_labels(toks, spans)
    kappa = cohen_kappa(labels, naive)
    assert kappa is None or kappa == 1.0  # a labelling agrees perfectly with itself
