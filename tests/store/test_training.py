"""margin train on a tiny pipeline: recorded, saved, chosen by name, and re-extraction keeps decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import ArticleDraft, Store
from store.extract import run_extraction
from store.training.loop import TrainOptions, train
from store.training.registry import TrainingError
from store.training.scoring import corrections, score
from tests.training_helpers import OLD, add_reviewed, models_folder, tiny_ner_base


@pytest.fixture
def base(tmp_path_factory: pytest.TempPathFactory) -> str:
    return tiny_ner_base(tmp_path_factory)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return models_folder(tmp_path, monkeypatch)


def _opts(base: str, **kw: object) -> TrainOptions:
    return TrainOptions(**{"base": base, "name": "tiny", "epochs": 2, "dev": 0.25, **kw})  # type: ignore[arg-type]


def test_training_is_recorded_and_saved(store: Store, base: str, folder: Path) -> None:
    add_reviewed(store, 8)
    store.add_article(ArticleDraft("Unreviewed news from Homs.", title="open"))
    events: list[str] = []
    out = train(store, _opts(base), lambda kind, _data: events.append(kind))
    m = out.model
    assert events == ["start", "epoch", "epoch"]
    assert (m.name, m.base, m.articles, m.dev_articles, m.rehearsal) == ("tiny", base, 6, 2, 1)
    assert m.spans == 18 and set(m.labels) == {"GPE", "MILITIA", "PERSON"}
    assert m.source == f"model:tiny@{m.tag}"
    assert set(m.scores["labels"]) == set(m.labels) and set(m.base_scores["labels"]) == set(
        m.labels
    )
    assert m.journal_position == store.db.execute("SELECT MAX(id) FROM journal").fetchone()[0]
    meta = json.loads((folder / "tiny" / "meta.json").read_text("utf-8"))
    assert meta["margin"]["source"] == m.source
    assert store.trained_models() == [m]
    # the same name again: another source, and the name now gives the newest
    again = train(store, _opts(base, epochs=1, seed=1)).model
    assert again.source != m.source
    assert [x.source for x in store.trained_models()] == [m.source, again.source]
    assert store.extractor_for("tiny").source == again.source
    assert store.extractor_for(m.source).model == str(folder / "tiny")


def test_re_extraction_with_the_trained_model_keeps_every_decision(
    store: Store, base: str, folder: Path
) -> None:
    add_reviewed(store, 6)
    text = "President Bashar al-Assad and Iran met in Aleppo. Syrian troops left Aleppo."
    aid = store.add_article(ArticleDraft(text, title="open")).article_id
    run_extraction(store, [aid], OLD)
    spans = {s.text: s for s in store.spans(aid)}
    store.accept(spans["Iran"].id)
    store.reject(spans["Bashar al-Assad"].id)
    store.add_span(aid, text.index("Syrian"), text.index("Syrian") + 6, "NORP")
    decided = {
        (s.start, s.end, s.label, s.status) for s in store.spans(aid) if s.status != "suggested"
    }
    m = train(store, _opts(base, epochs=1)).model
    extractor = store.extractor_for("tiny")
    run_extraction(store, [aid], extractor)
    after = store.spans(aid)
    assert decided <= {(s.start, s.end, s.label, s.status) for s in after}
    assert all(s.source == m.source for s in after if s.status == "suggested")
    rejected = [s for s in after if s.text == "Bashar al-Assad"]
    assert [s.status for s in rejected] == ["rejected"]  # not suggested again


def test_ctrl_c_keeps_the_best_epoch_so_far(store: Store, base: str, folder: Path) -> None:
    add_reviewed(store, 6)

    def stop(kind: str, data: dict) -> None:
        if kind == "epoch" and data["epoch"] == 2:
            raise KeyboardInterrupt

    out = train(store, _opts(base, epochs=5), stop)
    assert out.interrupted and len(out.epochs) == 2
    assert (folder / "tiny" / "meta.json").exists()
    assert store.trained_models()[0].epochs == 2


def test_early_stopping_waits_patience_epochs(store: Store, base: str, folder: Path) -> None:
    add_reviewed(store, 6)
    out = train(store, _opts(base, epochs=30, patience=1))
    assert len(out.epochs) < 30
    assert not out.epochs[-1].best and out.epochs[out.best_epoch - 1].best


def test_nothing_reviewed_is_one_sentence(store: Store, base: str, folder: Path) -> None:
    store.add_article(ArticleDraft("Nothing reviewed about Aleppo."))
    with pytest.raises(TrainingError, match="no reviewed article"):
        train(store, _opts(base))
    assert not folder.exists() and store.trained_models() == []


def test_a_bad_name_is_refused_before_anything_runs(store: Store, base: str, folder: Path) -> None:
    with pytest.raises(TrainingError, match="not a model name"):
        train(store, _opts(base, name="../x"))


def test_scoring_and_correction_counts() -> None:
    gold = {1: {(0, 6, "GPE"), (10, 15, "PERSON")}}
    pred = {1: {(0, 6, "GPE"), (10, 14, "PERSON"), (20, 25, "ORG")}}
    sc = score(pred, gold, ["GPE", "PERSON"])  # ORG is not scored
    assert (sc["p"], sc["r"]) == (0.5, 0.5)
    assert sc["labels"]["GPE"]["f"] == 1.0
    # resize PERSON, reject ORG, add nothing: 2; against nothing: one add per gold span
    assert corrections(pred[1], gold[1]) == 2
    assert corrections([], gold[1]) == 2
    assert corrections([(0, 6, "NORP")], [(0, 6, "GPE")]) == 1
