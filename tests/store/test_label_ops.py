"""Label operations over the corpus: rename, merge, drop, map; one undo step each, exact."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from store import ArticleDraft, FormatError, SpanDraft, SpanError, open_store
from tests.helpers import snapshot as data_snapshot


def snapshot(store):
    """What undo restores: spans, review states, rules, and the legend's rows."""
    legend = tuple(store.db["labels"].rows_where(order_by="name"))
    return (*data_snapshot(store), legend)


TEXT = "Assad met Putin in Moscow on Monday. Hezbollah and Iran agreed in Damascus on Friday."


def _seed(store, spans):
    res = store.add_article(ArticleDraft(TEXT, title="t", source="test"))
    aid = res.article_id
    drafts = [
        SpanDraft(TEXT.index(s), TEXT.index(s) + len(s), lab, "model:test@1") for s, lab in spans
    ]
    store.store_extraction([(aid, drafts)], "model:test@1")
    return aid


BASE = [
    ("Assad", "PERSON"),
    ("Putin", "PERSON"),
    ("Moscow", "GPE"),
    ("Monday", "DATE"),
    ("Hezbollah", "PERSON"),
    ("Iran", "GPE"),
    ("Damascus", "LOC"),
    ("Friday", "DATE"),
]


def _labels(store):
    return {s.text: (s.label, s.status) for s in store.spans(1)}


def test_rename_keeps_status_and_undoes_as_one_step(store):
    _seed(store, BASE)
    assad = next(s for s in store.spans(1) if s.text == "Assad")
    store.accept(assad.id)
    before = snapshot(store)
    done = store.rename_label("PERSON", "PER")
    assert (done.relabelled, done.rejected, done.articles) == (3, 0, 1)
    got = _labels(store)
    assert got["Assad"] == ("PER", "accepted") and got["Putin"] == ("PER", "suggested")
    assert store.next_undo().describe() == "labels rename → PER, 3 span(s) in 1 article(s)"
    # the new label takes PERSON's place and number key in the legend
    assert store.legend()[0].name == "PER"
    store.undo()
    assert snapshot(store) == before
    store.redo()
    assert _labels(store)["Putin"] == ("PER", "suggested")


def test_drop_rejects_current_spans_and_keeps_them_as_evidence(store):
    _seed(store, BASE)
    done = store.drop_label("DATE")
    assert (done.relabelled, done.rejected) == (0, 2)
    spans = [s for s in store.spans(1) if s.label == "DATE"]
    assert [s.status for s in spans] == ["rejected", "rejected"]
    assert store.article_summary(1).entity_count == 6


def test_merge_into_an_existing_label_rejects_a_twin(store):
    _seed(store, BASE)
    moscow = next(s for s in store.spans(1) if s.text == "Moscow")
    store.allow_overlaps = True
    store.add_span(1, moscow.start, moscow.end, "LOC")
    done = store.merge_labels(["GPE", "LOC"], "LOC")
    current = [s for s in store.spans(1) if s.text == "Moscow" and s.status != "rejected"]
    assert [(s.label, s.status) for s in current] == [("LOC", "accepted")]
    assert done.rejected == 1


def test_map_applies_every_line_at_once_and_refuses_chains(store, tmp_path):
    _seed(store, BASE)
    f = tmp_path / "map.tsv"
    f.write_text("# OntoNotes to CoNLL\nPERSON\tPER\nGPE\tLOC\nDATE\tdrop\nLOC\tLOC\n")
    mapping = store.read_label_mapping(f)
    assert mapping == {"PERSON": "PER", "GPE": "LOC", "DATE": None, "LOC": "LOC"}
    done = store.map_labels(mapping)
    got = _labels(store)
    assert got["Iran"] == ("LOC", "suggested") and got["Friday"] == ("DATE", "rejected")
    assert (done.relabelled, done.rejected) == (5, 2)
    with pytest.raises(SpanError, match="both renamed"):
        store.map_labels({"PER": "X", "LOC": "PER"})


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("PERSON\tPER\tX\n", "line 1"),
        ("PERSON\tPER\nPERSON\tP\n", "line 2"),
        ('{"PERSON": 3}', "key 'PERSON'"),
        ('{"PERSON": "PER",', "line 1"),
        ("", None),
    ],
)
def test_a_bad_mapping_file_names_the_place(store, tmp_path, content, where):
    f = tmp_path / "bad.tsv"
    f.write_text(content)
    with pytest.raises(FormatError) as info:
        store.read_label_mapping(f)
    assert info.value.where == where and str(f) in str(info.value)


def test_unknown_labels_are_refused(store):
    _seed(store, BASE)
    with pytest.raises(SpanError, match="unknown label 'NOPE'"):
        store.rename_label("NOPE", "X")


def test_a_kept_mapping_applies_to_later_extraction(store):
    _seed(store, BASE)
    store.map_labels({"PERSON": "PER", "DATE": None}, keep=True)
    text = "Lavrov came on Sunday."
    aid = store.add_article(ArticleDraft(text, title="u", source="test")).article_id
    drafts = [SpanDraft(0, 6, "PERSON", "model:test@1"), SpanDraft(15, 21, "DATE", "model:test@1")]
    store.store_extraction([(aid, store.apply_rules(text, drafts))], "model:test@1")
    assert [(s.text, s.label, s.source) for s in store.spans(aid)] == [
        ("Lavrov", "PER", "rule:map PERSON")
    ]
    assert {r.kind for r in store.rules()} == {"map"}


def test_summary_counts_per_status(store):
    _seed(store, BASE)
    store.drop_label("DATE")
    info = {i.label.name: i for i in store.label_summary()}
    assert info["DATE"].counts == {"rejected": 2}
    assert info["PERSON"].as_dict()["counts"] == {"suggested": 3, "accepted": 0, "rejected": 0}
    assert info["PERSON"].number == 1


def test_label_set_order_and_hidden(store):
    legend = store.order_labels(["DATE", "ORG"])
    assert [lab.name for lab in legend[:3]] == ["DATE", "ORG", "PERSON"]
    legend = store.hide_labels(["PERSON"])
    assert "PERSON" not in [lab.name for lab in legend]
    assert [lab.name for lab in legend[:3]] == ["DATE", "ORG", "NORP"]
    assert len(legend) == 9
    store.hide_labels(["PERSON"], False)
    assert "PERSON" in [lab.name for lab in store.legend()]


OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("rename"),
            st.sampled_from(["PERSON", "GPE", "DATE", "LOC", "PER"]),
            st.sampled_from(["PER", "LOC", "X"]),
        ),
        st.tuples(
            st.just("merge"),
            st.sampled_from(["PERSON", "GPE", "LOC"]),
            st.sampled_from(["LOC", "GPE", "Y"]),
        ),
        st.tuples(st.just("drop"), st.sampled_from(["PERSON", "GPE", "DATE", "LOC"]), st.just("")),
        st.tuples(
            st.just("map"), st.sampled_from(["PERSON", "DATE"]), st.sampled_from(["GPE", ""])
        ),
        st.tuples(st.just("reject_remaining"), st.just(""), st.just("")),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None)
@given(ops=OPS, keep=st.booleans())
@example(ops=[("rename", "PERSON", "LOC"), ("rename", "PERSON", "PER")], keep=True)
def test_any_label_operations_then_as_many_undos_restore_the_database(ops, keep):
    with open_store(":memory:") as store:
        _seed(store, BASE)
        store.accept(next(s.id for s in store.spans(1) if s.text == "Iran"))
        start = snapshot(store)
        done = 0
        for op, a, b in ops:
            try:
                if op == "rename":
                    r = store.rename_label(a, b, keep=keep)
                elif op == "merge":
                    r = store.merge_labels([a, "DATE"], b, keep=keep)
                elif op == "drop":
                    r = store.drop_label(a, keep=keep)
                elif op == "map":
                    r = store.map_labels({a: b or None, "LOC": "GPE"}, keep=keep)
                else:
                    n = store.reject_remaining(1)
                    done += 1 if n else 0
                    continue
            except SpanError:
                continue  # an unknown label (renamed away already): refused, nothing written
            done += 1 if r.group is not None else 0
        for _ in range(done):
            store.undo()
        assert snapshot(store) == start
        assert store.next_undo().action == "accept"  # the seed's own step, not one of ours
        json.dumps([i.as_dict() for i in store.label_summary()])
