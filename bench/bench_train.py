"""Training benchmark: the whole loop on a gold corpus — half corrected and trained on, half re-extracted.

Prints F1 on the second half with the base model and with the trained one, how many per-mention
corrections the second half needs before and after (target: at most 0.6x), and the training
time (target: at most 3 minutes on 2 cores for a few hundred articles) beside one extraction
pass over the same articles, measured in the same run.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from store import ArticleDraft, SpanDraft, Store, open_store
from store.config import DEFAULT_MODEL
from store.extract import run_extraction
from store.training.loop import TrainOptions, train
from store.training.scoring import corrections, score

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
HEADLINES = (
    DATA / "prodigy_news_headlines" / "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
)
WNUT = DATA / "wnut17" / "wnut17train.conll"

Ent = tuple[int, int, str]
Doc = tuple[str, tuple[Ent, ...]]

# the corpora's labels in OntoNotes' names, so the base model is scored on what it knows
HEADLINE_LABELS = {"LOCATION": "GPE", "ORG": "ORG", "PERSON": "PERSON", "PRODUCT": "PRODUCT"}
WNUT_LABELS = {
    "person": "PERSON",
    "location": "GPE",
    "corporation": "ORG",
    "group": "ORG",
    "product": "PRODUCT",
    "creative-work": "WORK_OF_ART",
}


def headlines() -> list[Doc]:
    """Prodigy's annotated news headlines (accepted answers), LOCATION read as GPE."""
    out: list[Doc] = []
    for line in HEADLINES.read_text("utf-8").splitlines():
        r = json.loads(line)
        if r.get("answer", "accept") != "accept":
            continue
        ents = tuple(
            sorted((s["start"], s["end"], HEADLINE_LABELS[s["label"]]) for s in r.get("spans", []))
        )
        out.append((r["text"], ents))
    return out


def wnut(limit: int) -> list[Doc]:
    """WNUT-17 train tweets (the first ``limit``), tokens joined by spaces, labels mapped."""
    out: list[Doc] = []
    words: list[tuple[str, str]] = []

    def flush() -> None:
        text, ents, at, cur = "", [], 0, None
        for w, tag in words:
            start = len(text) + (1 if text else 0)
            text = f"{text} {w}" if text else w
            kind, _, lab = tag.partition("-")
            if kind in ("B", "I") and (kind == "B" or cur is None or cur[2] != WNUT_LABELS[lab]):
                if cur:
                    ents.append(tuple(cur))
                cur = [start, start + len(w), WNUT_LABELS[lab]]
            elif kind == "I" and cur:
                cur[1] = start + len(w)
            else:
                if cur:
                    ents.append(tuple(cur))
                cur = None
            at += 1
        if cur:
            ents.append(tuple(cur))
        if text:
            out.append((text, tuple(ents)))  # type: ignore[arg-type]
        words.clear()

    for line in WNUT.read_text("utf-8").splitlines():
        if not line.strip():
            flush()
            if len(out) >= limit:
                break
            continue
        w, _, tag = line.rpartition("\t")
        words.append((w, tag.strip() or "O"))
    flush()
    return out[:limit]


def _predicted(store: Store, ids: list[int], labels: set[str]) -> dict[int, set[Ent]]:
    out: dict[int, set[Ent]] = {}
    for aid in ids:
        out[aid] = {
            (s.start, s.end, s.label)
            for s in store.spans(aid)
            if s.status == "suggested" and s.label in labels
        }
    return out


def _measure(
    store: Store, ids: list[int], gold: dict[int, set[Ent]], labels: set[str]
) -> tuple[float, int]:
    pred = _predicted(store, ids, labels)
    f1 = float(score(pred, gold, labels)["f"])
    return f1, sum(corrections(pred[a], gold[a]) for a in ids)


def loop(name: str, docs: list[Doc], epochs: int, quick: bool) -> None:
    """Half corrected (reviewed), trained on; the other half extracted before and after."""
    rng = random.Random(0)
    docs = list({text: (text, ents) for text, ents in docs}.values())  # a text is one article
    rng.shuffle(docs)
    half = len(docs) // 2
    labels = {lab for _, ents in docs for *_, lab in ents}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MARGIN_MODELS"] = str(Path(tmp) / "models")
        store = open_store(Path(tmp) / "bench.db")
        for text, ents in docs[:half]:
            spans = tuple(SpanDraft(s, e, lab, "user", "accepted") for s, e, lab in ents)
            res = store.add_article(ArticleDraft(text, spans=spans))
            store.set_reviewed(res.article_id)
        ids: list[int] = []
        gold: dict[int, set[Ent]] = {}
        for text, ents in docs[half:]:
            aid = store.add_article(ArticleDraft(text)).article_id
            ids.append(aid)
            gold[aid] = set(ents)
        base = store.extractor_for(DEFAULT_MODEL)
        base.load()
        t = time.perf_counter()
        run_extraction(store, ids, base)
        extract_s = time.perf_counter() - t
        f_before, c_before = _measure(store, ids, gold, labels)
        progress: Callable[[str, dict], None] = lambda kind, d: (  # noqa: E731
            print(
                f"   epoch {d['epoch']}: loss {d['loss']:.0f}, dev F1 {(d['scores'] or {}).get('f', 0):.3f}",
                flush=True,
            )
            if kind == "epoch"
            else None
        )
        t = time.perf_counter()
        out = train(store, TrainOptions(base=DEFAULT_MODEL, name="bench", epochs=epochs), progress)
        train_s = time.perf_counter() - t
        trained = store.extractor_for("bench")
        store.keep_prior_suggestions(ids, trained.source)
        run_extraction(store, ids, trained)
        f_after, c_after = _measure(store, ids, gold, labels)
        queue = store.disagreements()
        store.close()
    m = out.model
    print(
        f"{name}: {len(docs)} articles, {half} corrected ({m.articles} trained on, {m.dev_articles} dev,"
        f" {m.rehearsal} rehearsal), {len(ids)} re-extracted; labels {', '.join(sorted(labels))}"
    )
    print(
        f"  F1 on the second half: base {f_before:.3f}, trained {f_after:.3f} (dev: base {m.base_scores.get('f', 0):.3f}, trained {m.scores.get('f', 0):.3f})"
    )
    ratio = c_after / c_before if c_before else float("nan")
    ok = "OK" if ratio <= 0.6 else "MISSED"
    print(
        f"  per-mention corrections on the second half: base {c_before}, trained {c_after}: {ratio:.2f}x (target <= 0.6x) {ok}"
    )
    ok = "OK" if train_s <= 180 or quick else "MISSED"
    print(
        f"  training {train_s:.0f} s, {len(out.epochs)} epoch(s) (best {out.best_epoch}) = {train_s / extract_s:.1f}x one"
        f" extraction pass of the second half ({extract_s:.1f} s) (target <= 180 s) {ok}"
    )
    print(
        f"  disagreement queue after re-extraction: {len(queue)} group(s), {sum(len(d.mentions) for d in queue)} mention(s)"
    )
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)


def run(quick: bool) -> None:
    """Both corpora (headlines whole, WNUT-17's first 400 tweets); --quick: 80 headlines, 2 epochs."""
    if not HEADLINES.exists() and not WNUT.exists():
        print("skipped: no shared data")
        return
    if HEADLINES.exists():
        docs = headlines()
        loop("Prodigy news headlines", docs[:80] if quick else docs, 2 if quick else 12, quick)
    if WNUT.exists() and not quick:
        loop("WNUT-17 train (first 400 tweets)", wnut(400), 12, quick)
