"""A trained model run in worker processes keeps its own source (model:NAME@TAG)."""

from __future__ import annotations

from pathlib import Path

import spacy

from store.extract import extract_chunk, worker_source


def _tiny_model(folder: Path) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("ORG")
    nlp.initialize()
    nlp.to_disk(folder)
    return folder


def test_a_worker_reports_and_checks_the_trained_source(tmp_path: Path) -> None:
    path = str(_tiny_model(tmp_path / "mine"))
    named = "model:mine@20261202T010000-abcd"
    assert worker_source(path, named=named) == named
    assert extract_chunk(path, named, ["Reuters said so."], named=named) == [[]]
    assert worker_source(path) != named  # without the name it is just the folder's model
