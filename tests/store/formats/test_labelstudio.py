"""Label Studio tasks as Label Studio's own export writes them: ids, review, annotations, offsets."""

from __future__ import annotations

import json

from store import ArticleDraft, SpanDraft, Store
from tests.helpers import annotations, export, import_error, import_file


def _region(start, end, text, label):
    return {
        "id": f"r{start}",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


def _ann(aid, result, created="2026-01-01T10:00:00.000000Z", updated=None, cancelled=False):
    return {
        "id": aid,
        "completed_by": 1,
        "result": result,
        "was_cancelled": cancelled,
        "ground_truth": False,
        "created_at": created,
        "updated_at": updated or created,
        "lead_time": 12.5,
        "prediction": {},
        "result_count": 0,
        "task": 1,
        "project": 1,
    }


def _task(tid, text, anns=(), predictions=(), **data):
    return {
        "id": tid,
        "annotations": list(anns),
        "file_upload": "tasks.json",
        "drafts": [],
        "predictions": list(predictions),
        "data": {"text": text, **data},
        "meta": {},
        "created_at": "2026-01-01T09:00:00.000000Z",
        "updated_at": "2026-01-01T10:00:00.000000Z",
        "project": 1,
    }


def _write(path, tasks):
    path.write_text(json.dumps(tasks, ensure_ascii=False), "utf-8")
    return path


def _through_label_studio(src, dst):
    """What a trip through Label Studio keeps of margin's tasks: no annotation meta, new ids."""
    tasks = json.loads(src.read_text("utf-8"))
    out = []
    for n, task in enumerate(tasks, 1):
        anns = [_ann(100 + n, a["result"]) for a in task.get("annotations", [])]  # meta is dropped
        out.append(
            _task(
                task["id"],
                task["data"]["text"],
                anns,
                task.get("predictions", []),
                **{k: v for k, v in task["data"].items() if k != "text"},
            )
        )
    return _write(dst, out)


def test_every_task_has_its_article_id(tmp_path, store):
    a = store.add_article(
        ArticleDraft("Paris is big.", spans=(SpanDraft(0, 5, "GPE", "user", "accepted"),))
    )
    b = store.add_article(ArticleDraft("Nothing here."))
    export(store, "labelstudio", tmp_path / "t.json")
    tasks = json.loads((tmp_path / "t.json").read_text("utf-8"))
    assert [t["id"] for t in tasks] == [a.article_id, b.article_id]
    assert all(type(t["id"]) is int for t in tasks)


def test_review_state_survives_label_studio(tmp_path, store):
    done = store.add_article(
        ArticleDraft("Paris is big.", spans=(SpanDraft(0, 5, "GPE", "user", "accepted"),))
    )
    store.set_reviewed(done.article_id)
    store.add_article(
        ArticleDraft("Berlin is far.", spans=(SpanDraft(0, 6, "GPE", "user", "accepted"),))
    )
    store.add_article(ArticleDraft("Nothing here."))
    export(store, "labelstudio", tmp_path / "t.json")
    back = _through_label_studio(tmp_path / "t.json", tmp_path / "back.json")
    other = Store(tmp_path / "o.db")
    try:
        import_file(other, back)
        assert annotations(other) == annotations(store)
        assert {a.text: a.reviewed for a in other.iter_articles()} == {
            "Paris is big.": True,
            "Berlin is far.": False,
            "Nothing here.": False,
        }
    finally:
        other.close()


def test_a_task_submitted_in_label_studio_is_reviewed(tmp_path, store):
    text = "Berlin is far."
    p = _write(
        tmp_path / "ls.json",
        [
            _task(
                7,
                text,
                [_ann(1, [_region(0, 6, "Berlin", "GPE")])],
                [{"model_version": "margin", "result": [_region(0, 6, "Berlin", "LOC")]}],
                margin_reviewed=False,
            )
        ],
    )
    import_file(store, p)
    assert annotations(store) == [(text, True, [(0, 6, "GPE")])]


def test_newest_of_several_annotations_wins(tmp_path, store):
    text = "Jordan visited Jordan."
    p = _write(
        tmp_path / "ls.json",
        [
            _task(
                1,
                text,
                [
                    _ann(3, [_region(0, 6, "Jordan", "PERSON")], "2026-01-03T10:00:00Z"),
                    _ann(
                        1,
                        [_region(15, 21, "Jordan", "GPE")],
                        "2026-01-01T10:00:00Z",
                        updated="2026-01-05T10:00:00Z",
                    ),
                    _ann(2, [_region(0, 6, "Jordan", "ORG")], "2026-01-02T10:00:00Z"),
                    _ann(4, [], "2026-01-09T10:00:00Z", cancelled=True),
                ],
            ),
            _task(2, "Only one here.", [_ann(5, [])]),
        ],
    )
    summary = import_file(store, p)
    assert annotations(store)[0] == (text, True, [(15, 21, "GPE")])
    lines = [w for w in summary.warnings if "set aside" in w]
    assert lines == [
        f"{p}: 1 task(s) with several submitted annotations: kept the newest of each, set aside 2"
    ]


def test_utf16_offsets_are_reanchored(tmp_path, store):
    text = "🛫 Lufthansa flew to 🌍 Paris and Paris."
    # old Label Studio counted UTF-16 code units: each emoji is two
    lufthansa = (2 + 1, 2 + 1 + 9)
    paris = (text.index("🌍") + 2 + 2, text.index("🌍") + 2 + 2 + 5)
    p = _write(
        tmp_path / "ls.json",
        [
            _task(
                1,
                text,
                [
                    _ann(
                        1,
                        [_region(*lufthansa, "Lufthansa", "ORG"), _region(*paris, "Paris", "GPE")],
                    )
                ],
            ),
            _task(2, "Moved 🌍 Rome.", [_ann(2, [_region(9, 13, "Rome", "GPE")])]),
            _task(3, "Rome and Rome 🌍.", [_ann(3, [_region(30, 34, "Rome", "GPE")])]),
            _task(4, "Fine text.", [_ann(4, [_region(0, 4, "Fine", "ORG")])]),
        ],
    )
    summary = import_file(store, p)
    got = {
        a.text: spans
        for a, spans in (
            (x, sorted((s.start, s.end, s.label) for s in store.spans(x.id)))
            for x in store.iter_articles()
        )
    }
    start = text.index("Lufthansa")
    first_paris = text.index("Paris")
    assert got[text] == [(start, start + 9, "ORG"), (first_paris, first_paris + 5, "GPE")]
    assert got["Moved 🌍 Rome."] == [(8, 12, "GPE")]  # the one Rome: unambiguous
    assert got["Fine text."] == [(0, 4, "ORG")]
    assert "Rome and Rome 🌍." not in got  # two Romes and no offset that fits: skipped
    (line,) = [w for w in summary.warnings if "task 3" in w]
    assert line.startswith(f"{p}, task 3: ") and "skipped" in line


def test_a_file_of_only_bad_tasks_is_rejected(tmp_path):
    p = _write(
        tmp_path / "ls.json", [_task(1, "Paris", [_ann(1, [_region(0, 9, "Paris!", "GPE")])])]
    )
    other = Store(tmp_path / "e.db")
    try:
        assert import_error(other, p).startswith(f"{p}, task 1: ")
    finally:
        other.close()
