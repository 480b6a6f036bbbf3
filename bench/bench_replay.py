"""Replay benchmark: a simulated person corrects the model's suggestions to a gold corpus.

The gold corpus is the Prodigy news headlines (and WNUT-17's test tweets) from the shared
data, when present. The model (en_core_web_sm) suggests entities (cached in bench/out/); a
greedy person reaches gold by the cheapest margin actions, every one made through the Store:
label operations (a kept map per model label), affix strip rules with a re-extraction,
propagation per surface, then per mention (reject, relabel, resize, add; or accept the right
ones and reject the rest). The end state is checked equal to gold. Printed: per-mention
actions (one per wrong mention), margin's actions per configuration, and their ratio;
with every new feature, without each one, and as margin was before (propagation only).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from store import ArticleDraft, CorrectionError, SpanDraft, Store, open_store
from store.config import DEFAULT_MODEL

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out"
TARGET = 2.5
Gold = frozenset[tuple[int, int, str]]


@dataclass(frozen=True)
class Doc:
    text: str
    gold: Gold


def prodigy_headlines(limit: int) -> list[Doc]:
    """Accepted Prodigy ner_manual examples: text and spans."""
    path = (
        DATA / "prodigy_news_headlines" / "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
    )
    docs: list[Doc] = []
    seen: set[str] = set()
    for line in path.read_text("utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("answer") != "accept" or rec["text"] in seen:
            continue
        seen.add(rec["text"])
        gold = frozenset((s["start"], s["end"], s["label"]) for s in rec.get("spans", []))
        docs.append(Doc(rec["text"], gold))
    return docs[:limit]


def wnut17(limit: int) -> list[Doc]:
    """WNUT-17 test tweets: tokens joined by spaces, BIO tags as spans."""
    path = DATA / "wnut17" / "emerging.test.annotated"
    docs: list[Doc] = []
    for block in path.read_text("utf-8").split("\n\n"):
        rows = [ln.split("\t") for ln in block.splitlines() if "\t" in ln]
        if not rows:
            continue
        text, spans, at, cur = "", [], 0, None
        for tok, tag in rows:
            start = at + (1 if text else 0)
            text += (" " if text else "") + tok
            at = start + len(tok)
            if tag.startswith("B-") or (tag.startswith("I-") and cur is None):
                cur = [start, at, tag[2:]]
                spans.append(cur)
            elif tag.startswith("I-") and cur is not None:
                cur[1] = at
            else:
                cur = None
        docs.append(Doc(text, frozenset((s, e, lab) for s, e, lab in spans)))
    return [d for d in docs if d.gold][:limit]


def suggestions(name: str, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
    """The model's suggestions per document, cached in bench/out/."""
    cache = OUT / f"replay-{name.replace(' ', '-')}-{DEFAULT_MODEL}-{len(docs)}.json"
    if cache.exists():
        return [[tuple(x) for x in d] for d in json.loads(cache.read_text("utf-8"))]
    from store.extract import SpacyExtractor

    ex = SpacyExtractor(DEFAULT_MODEL)
    found = [[(d.start, d.end, d.label) for d in ds] for ds in ex.extract(x.text for x in docs)]
    OUT.mkdir(exist_ok=True)
    cache.write_text(json.dumps(found), "utf-8")
    return found  # type: ignore[return-value]


# -- what a person still has to do per article -------------------------------------------------


@dataclass
class Plan:
    """Per-mention actions that take an article's current spans to gold."""

    rejects: list[int] = field(default_factory=list)  # span ids
    accepts: list[int] = field(default_factory=list)  # right suggestions (reject-rest only)
    relabels: list[tuple[int, str]] = field(default_factory=list)
    resizes: list[tuple[int, int, int, str, bool]] = field(default_factory=list)  # +label?
    adds: list[tuple[int, int, str]] = field(default_factory=list)
    reject_rest: bool = False

    def cost(self, one_step_resize: bool) -> int:
        resize = sum(1 if (one_step_resize or not relabel) else 2 for *_, relabel in self.resizes)
        rest = 1 + len(self.accepts) if self.reject_rest else len(self.rejects)
        return rest + len(self.relabels) + resize + len(self.adds)


Current = list[tuple[int, int, int, str, str]]  # (id, start, end, label, status), not rejected


def plan(current: Current, gold: Gold, reject_rest: bool) -> Plan:
    """The cheapest per-mention plan (greedy matching of spans to gold by overlap)."""
    p = Plan()
    right = [c for c in current if (c[1], c[2], c[3]) in gold]
    todo = sorted(gold - {(c[1], c[2], c[3]) for c in right})
    free = [c for c in current if c not in right]
    for s, e, lab in todo:
        near = [c for c in free if c[1] < e and s < c[2]]
        if not near:
            p.adds.append((s, e, lab))
            continue
        c = max(near, key=lambda c: ((c[1], c[2]) == (s, e), min(e, c[2]) - max(s, c[1])))
        free.remove(c)
        if (c[1], c[2]) == (s, e):
            p.relabels.append((c[0], lab))
        else:
            p.resizes.append((c[0], s, e, lab, c[3] != lab))
    p.rejects = [c[0] for c in free]
    if reject_rest:
        keep = [c[0] for c in right if c[4] == "suggested"]
        if len(keep) + 1 < len(p.rejects):
            p.reject_rest, p.accepts = True, keep
    return p


@dataclass(frozen=True)
class Features:
    label_ops: bool = True
    strip_rules: bool = True
    one_step_resize: bool = True
    reject_rest: bool = True
    propagation: bool = True


class Person:
    """Reaches gold through the Store, counting every action."""

    def __init__(
        self, store: Store, docs: list[Doc], model: list[list[tuple[int, int, str]]], f: Features
    ) -> None:
        self.store, self.docs, self.model, self.f = store, docs, model, f
        self.actions: Counter[str] = Counter()
        drafts = [
            ArticleDraft(d.text, title=f"doc {i}", source="replay") for i, d in enumerate(docs)
        ]
        self.ids = [r.article_id for r in store.add_articles(drafts)]
        self.gold = {aid: d.gold for aid, d in zip(self.ids, docs, strict=True)}
        self.extract()

    def extract(self) -> None:
        """What `margin extract --all` does with a deterministic model: rules after it."""
        results = []
        for aid, doc, found in zip(self.ids, self.docs, self.model, strict=True):
            drafts = [SpanDraft(s, e, lab, "model:replay@1") for s, e, lab in found]
            results.append((aid, self.store.apply_rules(doc.text, drafts)))
        self.store.store_extraction(results, "model:replay@1")

    def current(self, aid: int) -> Current:
        return [
            (s.id, s.start, s.end, s.label, s.status)
            for s in self.store.spans(aid)
            if s.status != "rejected"
        ]

    def remaining(self) -> int:
        """Per-mention actions still needed (the greedy plan, every article)."""
        return sum(
            plan(self.current(a), self.gold[a], self.f.reject_rest).cost(self.f.one_step_resize)
            for a in self.ids
        )

    def states(self) -> Iterator[tuple[int, Current]]:
        for a in self.ids:
            yield a, self.current(a)

    # -- rules, then label operations, then propagation, then per mention ------------------

    def strip_rules(self) -> None:
        for kind, affix in (("prefix", "the"), ("suffix", "'s"), ("suffix", "\u2019s")):
            before = self.remaining_after_labels()
            self.store.add_strip_rule(kind, affix)
            self.extract()
            if self.remaining_after_labels() + 2 <= before:  # the rule, and `extract --all`
                self.actions["strip rule + re-extract"] += 2
            else:
                self.store.undo()
                self.extract()

    def best_map(self) -> dict[str, str | None]:
        """Per model label, the gold label (or drop) that agrees with gold most often."""
        votes: dict[str, Counter[str | None]] = defaultdict(Counter)
        for a, cur in self.states():
            gold = self.gold[a]
            by_offsets = {(s, e): lab for s, e, lab in gold}
            for _, s, e, lab, _st in cur:
                votes[lab][by_offsets.get((s, e))] += 1
        return {lab: v.most_common(1)[0][0] for lab, v in votes.items()}

    def remaining_after_labels(self) -> int:
        if not self.f.label_ops:
            return self.remaining()
        mapping = {k: v for k, v in self.best_map().items() if k != v}
        total = 0
        for a, cur in self.states():
            moved = [
                (i, s, e, mapping.get(lab, lab), st)
                for i, s, e, lab, st in cur
                if not (lab in mapping and mapping[lab] is None)
            ]
            total += plan(moved, self.gold[a], self.f.reject_rest).cost(self.f.one_step_resize)
        return total + len(mapping)

    def label_ops(self) -> None:
        for lab, target in sorted(self.best_map().items(), key=lambda kv: str(kv)):
            if target == lab:
                continue
            before = self.remaining()
            self.store.map_labels({lab: target}, keep=True)
            if self.remaining() + 1 <= before:
                self.actions["label op"] += 1
            else:
                self.store.undo()

    def propagation(self) -> None:
        surfaces: Counter[tuple[str, str | None]] = Counter()
        for a, cur in self.states():
            text = self.store.article(a).text
            gold = self.gold[a]
            for s, e, lab in gold:
                surfaces[(text[s:e], lab)] += 1
            for _, s, e, _lab, _st in cur:
                if not any(g[0] < e and s < g[1] for g in gold):
                    surfaces[(text[s:e], None)] += 1
        for (surface, label), n in surfaces.most_common():
            if n < 2:
                break
            before = self.remaining()
            done = self.store.apply_propagation(surface, label, learn=False)
            if done.group is None:
                continue
            if self.remaining() + 1 <= before:
                self.actions["propagate"] += 1
            else:
                self.store.undo()

    def per_mention(self) -> None:
        s, f = self.store, self.f
        for a in self.ids:
            p = plan(self.current(a), self.gold[a], f.reject_rest)
            if p.reject_rest:
                for sid in p.accepts:
                    s.accept(sid)
                s.reject_remaining(a)
                self.actions["accept"] += len(p.accepts)
                self.actions["reject remaining"] += 1
            else:
                for sid in p.rejects:
                    s.reject(sid)
                self.actions["reject"] += len(p.rejects)
            for sid, lab in p.relabels:
                s.relabel(sid, lab)
                self.actions["relabel"] += 1
            pending = list(p.resizes)
            while pending:
                left = []
                for sid, start, end, lab, relabel in pending:
                    try:
                        if f.one_step_resize:
                            s.resize(sid, start, end, lab)
                            self.actions["resize"] += 1
                        else:
                            new = s.resize(sid, start, end)
                            self.actions["resize"] += 1
                            if relabel:
                                s.relabel(new, lab)
                                self.actions["relabel"] += 1
                    except CorrectionError:
                        left.append((sid, start, end, lab, relabel))
                if len(left) == len(pending):  # blocked by each other: reject and add instead
                    for sid, start, end, lab, _ in left:
                        s.reject(sid)
                        p.adds.append((start, end, lab))
                        self.actions["reject"] += 1
                    break
                pending = left
            for start, end, lab in p.adds:
                s.add_span(a, start, end, lab)
                self.actions["add"] += 1

    def run(self) -> int:
        if self.f.strip_rules:
            self.strip_rules()
        if self.f.label_ops:
            self.label_ops()
        if self.f.propagation:
            self.propagation()
        self.per_mention()
        return sum(self.actions.values())

    def at_gold(self) -> bool:
        return all(
            {(s, e, lab) for _, s, e, lab, _st in cur} == self.gold[a] for a, cur in self.states()
        )


CONFIGS = {
    "margin before issue 13 (propagation)": Features(False, False, False, False),
    "every new feature": Features(),
    "  without label operations": Features(label_ops=False),
    "  without strip rules": Features(strip_rules=False),
    "  without resize+label in one step": Features(one_step_resize=False),
    "  without reject remaining": Features(reject_rest=False),
    "  without propagation": Features(propagation=False),
}


def replay(name: str, docs: list[Doc]) -> None:
    model = suggestions(name, docs)
    gold_n = sum(len(d.gold) for d in docs)
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(Path(tmp) / "base.db") as store:
            p = Person(store, docs, model, Features(False, False, True, False, False))
            baseline = p.remaining()  # one action per wrong mention
        print(
            f"   {name}: {len(docs)} documents, {gold_n} gold entities,"
            f" {sum(map(len, model))} model suggestions"
        )
        print(f"   per-mention actions (one per wrong mention): {baseline}")
        for i, (label, f) in enumerate(CONFIGS.items()):
            t = time.perf_counter()
            with open_store(Path(tmp) / f"c{i}.db") as store:
                person = Person(store, docs, model, f)
                n = person.run()
                ok = person.at_gold()
            ratio = baseline / n if n else float("inf")
            parts = ", ".join(f"{k} {v}" for k, v in sorted(person.actions.items()) if v)
            print(
                f"   {label:<40} {n:>5} actions  {ratio:4.2f}x (target >= {TARGET}x)"
                f"  end state {'= gold' if ok else 'DIFFERS from gold'}"
                f"  [{parts}]  ({time.perf_counter() - t:.1f} s)"
            )


def scale(n: int) -> None:
    """A rename over a synthetic corpus: one set-based step against one propagation per
    distinct surface (what renaming cost before), both through the Store."""
    from bench.corpus import articles

    with tempfile.TemporaryDirectory() as tmp:
        with open_store(Path(tmp) / "scale.db") as store:
            store.add_articles(list(articles(n)))
            spans = store.label_summary()
            person = next(i for i in spans if i.label.name == "PERSON")
            count = sum(person.counts.values())
            surfaces = sorted(
                {r[0] for r in store.db.execute("SELECT text FROM spans WHERE label = 'PERSON'")}
            )
            t = time.perf_counter()
            store.rename_label("PERSON", "PER")
            ours = time.perf_counter() - t
            t = time.perf_counter()
            store.undo()
            undo = time.perf_counter() - t
            sample = surfaces[:20]
            t = time.perf_counter()
            for surface in sample:
                store.apply_propagation(surface, "PER", learn=False)
            each = (time.perf_counter() - t) / len(sample)
        before = each * len(surfaces)
        print(
            f"   rename PERSON -> PER over {n} articles ({count} spans, {len(surfaces)} surfaces):"
            f" {ours:.2f} s in one step (undo {undo:.2f} s); one propagation per surface"
            f" {before:.1f} s (extrapolated from {len(sample)}) and {len(surfaces)} undo steps:"
            f" {before / ours:.0f}x faster (target: one step, seconds)"
        )


def run(quick: bool) -> None:
    """Replay the corpora found in the shared data; time a rename at scale."""
    scale(500 if quick else 5000)
    limit = 80 if quick else 400
    found = False
    if (DATA / "prodigy_news_headlines").is_dir():
        replay("prodigy news headlines", prodigy_headlines(limit))
        found = True
    if (DATA / "wnut17").is_dir():
        replay("wnut17 test tweets", wnut17(60 if quick else 300))
        found = True
    if not found:
        print("   skipped: no shared data")
