"""margin train / models / extract --model NAME / disagreements / stats on a tiny pipeline, in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import ArticleDraft, open_store
from store.extract import run_extraction
from tests.helpers import run_cli
from tests.training_helpers import OLD, TEXT, add_reviewed, models_folder, tiny_ner_base


@pytest.mark.slow
def test_train_then_use_the_model_everywhere(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tiny_ner_base(tmp_path_factory)
    folder = models_folder(tmp_path, monkeypatch)
    db = tmp_path / "m.db"
    with open_store(db) as store:
        add_reviewed(store, 6)
        aid = store.add_article(ArticleDraft(TEXT, title="open")).article_id
        run_extraction(store, [aid], OLD)
        accepted = next(s for s in store.spans(aid) if s.text == "Iran")
        store.accept(accepted.id)
    code, out, err = run_cli(
        "--db", str(db), "train", "--base", base, "--name", "t1", "--epochs", "2"
    )
    assert code == 0, err
    assert "epoch 1/2: loss" in err and "saved t1 (model:t1@" in err
    assert "margin extract --all --model t1" in err

    code, out, err = run_cli("--db", str(db), "models", "--json")
    listed = json.loads(out)
    assert code == 0 and [m["name"] for m in listed["models"]] == ["t1"]
    m = listed["models"][0]
    assert m["articles"] + m["dev_articles"] == 6 and "MILITIA" in m["labels"]
    assert set(m["scores"]) >= {"p", "r", "f", "labels"} and "f" in m["base_scores"]
    assert m["path"] == str(folder / "t1")

    code, out, err = run_cli("--db", str(db), "extract", "--all", "--model", "t1")
    assert code == 0, err
    with open_store(db) as store:
        after = store.spans(aid)
        assert any(s.id == accepted.id and s.status == "accepted" for s in after)
        assert {s.source for s in after if s.status == "suggested"} <= {m["source"]}
        assert all(s.source == "user" for a in range(1, 7) for s in store.spans(a))  # reviewed

    code, out, err = run_cli("--db", str(db), "disagreements", "--json")
    assert code == 0, err
    queue = json.loads(out)
    assert queue and all(p["article_id"] == aid for d in queue for p in d["places"])
    assert all(
        p["old"] is None or p["old"]["source"] == OLD.source for d in queue for p in d["places"]
    )
    code, out, err = run_cli("--db", str(db), "disagreements", "--take", "neither", "1")
    assert code == 0 and out.startswith("neither: "), err

    code, out, err = run_cli("--db", str(db), "models", "use", "t1")
    assert code == 0 and "extraction now uses t1" in out
    code, out, err = run_cli("--db", str(db), "models")
    assert out.startswith("* t1 ")
    code, out, err = run_cli("--db", str(db), "stats", "--json")
    assert [t["source"] for t in json.loads(out)["trained_models"]] == [m["source"]]


def test_model_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models_folder(tmp_path, monkeypatch)
    db = tmp_path / "m.db"
    with open_store(db) as store:
        store.add_article(ArticleDraft("Nothing reviewed in Aleppo."))
    code, out, err = run_cli("--db", str(db), "train", "--name", "x y")
    assert (
        code == 1
        and err.startswith("margin: --name 'x y' is not a model name")
        and err.count("\n") == 1
    )
    code, out, err = run_cli("--db", str(db), "models", "use", "no_such_model_here")
    assert code == 1 and "is not installed" in err and err.count("\n") == 1
    code, out, err = run_cli("--db", str(db), "disagreements", "--take", "new", "3")
    assert code == 1 and "there is no disagreement 3" in err
    code, out, err = run_cli("--db", str(db), "models")
    assert code == 0 and out.startswith("no trained model yet")


@pytest.mark.slow
def test_ctrl_c_in_a_real_training_keeps_the_best_epoch(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal
    import subprocess

    from tests.helpers import ROOT, command, env, query

    base = tiny_ner_base(tmp_path_factory)
    folder = models_folder(tmp_path, monkeypatch)  # the child inherits $MARGIN_MODELS
    db = tmp_path / "m.db"
    with open_store(db) as store:
        add_reviewed(store, 6)
    argv = command(db, "train", "--base", base, "--name", "long", "--epochs", "1000", "--dev", "0")
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(tmp_path),
        cwd=ROOT,
        # a pytest-xdist worker ignores SIGINT and a child would inherit that (Python keeps an
        # ignored SIGINT ignored): give margin the default disposition a terminal gives it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # wait for a finished epoch, then press Ctrl-C
        seen.append(line)
        if line.startswith("epoch 1/1000"):
            proc.send_signal(signal.SIGINT)
            break
    try:
        rest = proc.communicate(timeout=120)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, "".join(seen) + rest
    assert "interrupted: kept the best epoch so far" in rest
    epochs = query(db, "SELECT epochs, source FROM models")
    assert len(epochs) == 1 and 1 <= epochs[0][0] < 1000
    assert (folder / "long" / "meta.json").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no half-written folder
