"""What is exported: the corrected view, filters, splits by article, merges of re-imports.

The `margin export` command is tested in tests/cli/test_export_cli.py."""

from __future__ import annotations

import json

import pytest

from store import ArticleDraft, ExportError, SpanDraft
from store.export import ExportOptions, parse_split, run_export, split_ids
from tests.helpers import export_corpus


def _exported(store, tmp_path, **kw):
    out = tmp_path / "o.jsonl"
    run_export(store, ExportOptions(fmt="doccano", out=out, **kw))
    return {
        r["id"]: sorted((s, e, lab) for s, e, lab in r["label"])
        for r in map(json.loads, out.read_text("utf-8").splitlines())
    }


def test_default_is_the_corrected_view(tmp_path, store):
    a1, a2 = export_corpus(store)
    got = _exported(store, tmp_path)
    assert got == {a1: [(0, 6, "GPE"), (11, 19, "GPE")], a2: [(10, 16, "PERSON")]}


def test_filters(tmp_path, store):
    a1, a2 = export_corpus(store)
    assert _exported(store, tmp_path, reviewed_only=True) == {a1: [(0, 6, "GPE"), (11, 19, "GPE")]}
    assert _exported(store, tmp_path, include_suggestions=True)[a2] == [
        (0, 5, "PERSON"),
        (10, 16, "PERSON"),
        (20, 26, "GPE"),
    ]
    assert _exported(store, tmp_path, labels=("PERSON",)) == {a1: [], a2: [(10, 16, "PERSON")]}
    assert list(_exported(store, tmp_path, article_ids=(a2,))) == [a2]


def test_split_is_by_article_and_deterministic(tmp_path, store):
    ids = [
        store.add_article(ArticleDraft(f"Article number {i} about Paris.")).article_id
        for i in range(50)
    ]
    parts = split_ids(store, ids, parse_split(["dev=0.2"]))
    assert len(parts["dev"]) == 10 and len(parts["train"]) == 40
    assert set(parts["dev"]) | set(parts["train"]) == set(ids)
    assert split_ids(store, ids, parse_split(["dev=0.2"])) == parts
    res = run_export(
        store, ExportOptions(fmt="conll", out=tmp_path / "c.conll", split=parse_split(["dev=0.2"]))
    )
    assert (tmp_path / "c.train.conll").exists() and (tmp_path / "c.dev.conll").exists()
    assert res.parts["dev"].articles == 10
    dev = (tmp_path / "c.dev.conll").read_text("utf-8")
    assert dev.count("-DOCSTART-") == 10


@pytest.mark.parametrize(
    "bad", ["dev", "dev=0", "dev=1.5", "train=0.2", "dev=0.6,test=0.5", "dev=x"]
)
def test_bad_split(bad):
    with pytest.raises(ExportError):
        parse_split([bad])


def test_reimported_annotations_merge_into_existing_article(tmp_path, store):
    from store.importer import import_paths

    text = "Obama met Merkel in Berlin."
    aid = store.add_article(
        ArticleDraft(
            text, spans=(SpanDraft(0, 5, "GPE", "model:m@1"), SpanDraft(20, 26, "GPE", "model:m@1"))
        )
    ).article_id
    p = tmp_path / "gold.jsonl"
    p.write_text(
        json.dumps({"text": text, "label": [[0, 5, "PERSON"], [10, 16, "PERSON"], [20, 26, "GPE"]]})
        + "\n"
    )
    summary = import_paths(store, [str(p)])
    assert summary.ok and summary.existing == [aid]
    assert (summary.merged.added, summary.merged.accepted, summary.merged.rejected) == (2, 1, 1)
    spans = {(s.start, s.end, s.label): (s.source, s.status) for s in store.spans(aid)}
    assert spans == {
        (0, 5, "GPE"): ("model:m@1", "rejected"),  # evidence of what the model said
        (0, 5, "PERSON"): ("import:doccano", "accepted"),
        (10, 16, "PERSON"): ("import:doccano", "accepted"),
        (20, 26, "GPE"): ("model:m@1", "accepted"),
    }
    store.undo()  # the merge is one undoable step
    assert {(s.start, s.end, s.label, s.status) for s in store.spans(aid)} == {
        (0, 5, "GPE", "suggested"),
        (20, 26, "GPE", "suggested"),
    }


def test_written_files_have_the_usual_mode(tmp_path, store):
    import os

    export_corpus(store)
    out = tmp_path / "m.csv"
    run_export(store, ExportOptions(fmt="csv", out=out))
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_overlapping_spans_are_reported_by_token_formats(tmp_path, store):
    from store.importer import import_paths

    p = tmp_path / "o.jsonl"
    p.write_text(
        json.dumps({"text": "New York City is big", "label": [[0, 8, "GPE"], [4, 13, "GPE"]]})
        + "\n"
    )
    assert import_paths(store, [str(p)]).ok
    for fmt in ("conll", "spacy", "doccano"):
        res = run_export(store, ExportOptions(fmt=fmt, out=tmp_path / f"x.{fmt}"))
        reasons = [s.reason for s in res.total.skipped]
        assert reasons == ([] if fmt == "doccano" else ["overlaps another span"]), fmt


def test_complete_reimport_rejects_what_the_annotator_removed(tmp_path, store):
    """Export to Prodigy, remove a wrong entity there, import: the entity is rejected."""
    from store.importer import import_paths

    text = "Obama met Merkel in Berlin on Monday."
    aid = store.add_article(
        ArticleDraft(
            text,
            spans=(SpanDraft(0, 5, "GPE", "model:m@1"), SpanDraft(30, 36, "DATE", "model:m@1")),
        )
    ).article_id
    store.add_span(aid, 10, 16, "PERSON")
    store.add_span(aid, 20, 26, "PERSON")  # wrong: the annotator removes it
    store.add_span(aid, 26, 29, "CARDINAL")  # not exported below: a decision the file cannot see
    out = tmp_path / "p.jsonl"
    run_export(
        store,
        ExportOptions(
            fmt="prodigy", out=out, include_suggestions=True, labels=("PERSON", "GPE", "DATE")
        ),
    )
    rec = json.loads(out.read_text("utf-8"))
    rec["spans"] = [s for s in rec["spans"] if s["label"] == "PERSON" and s["start"] != 20]
    rec["spans"].append({"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "PERSON"})
    rec["answer"] = "accept"
    out.write_text(json.dumps(rec) + "\n", "utf-8")
    assert import_paths(store, [str(out)]).ok
    got = {(s.start, s.end, s.label): s.status for s in store.spans(aid)}
    assert got == {
        (0, 5, "GPE"): "rejected",
        (0, 5, "PERSON"): "accepted",
        (10, 16, "PERSON"): "accepted",
        (20, 26, "PERSON"): "rejected",
        (30, 36, "DATE"): "rejected",  # an open suggestion the annotator did not keep
        (26, 29, "CARDINAL"): "accepted",  # a person's decision of a label the file lacks stays
    }
    assert store.article(aid).reviewed


def test_brat_split_writes_subfolders(tmp_path, store):
    for i in range(10):
        aid = store.add_article(ArticleDraft(f"Story {i} from Paris.")).article_id
        store.add_span(aid, len(f"Story {i} from "), len(f"Story {i} from Paris"), "GPE")
    res = run_export(
        store, ExportOptions(fmt="brat", out=tmp_path / "b", split=parse_split(["dev=0.3"]))
    )
    assert len(list((tmp_path / "b" / "dev").glob("*.ann"))) == 3
    assert len(list((tmp_path / "b" / "train").glob("*.ann"))) == 7
    assert (tmp_path / "b" / "train" / "annotation.conf").exists()
    assert res.total.spans == 10
