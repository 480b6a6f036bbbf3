"""A deterministic generator of news-like articles with entity spans, of any size."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from store import ArticleDraft, SpanDraft, open_store

FIRST = (
    "Bashar Ahmed Maria Olga Chen Yusuf Amira Pedro Ingrid Kofi Aleksandr Fatima Hiroshi Lena "
    "Samir Grace Tomasz Leila Diego Anika Omar Sofia Ivan Nadia Kwame Elena Rashid Mei Lucas Zara"
).split()
LAST = (
    "al-Assad Haddad Petrova Wang Erdogan Khalil Santos Larsen Mensah Volkov Rahman Tanaka "
    "Novak Okafor Moreau Schmidt Kowalski Nasser Alvarez Gupta Farouk Costa Ivanova Mbeki "
    "Lindqvist Hakimi Dubois Yamamoto Ortega Abara"
).split()
ORG_HEAD = (
    "United National Global Syrian Northern Eastern Federal Central Atlantic Pacific Arab "
    "European Coastal Free Popular"
).split()
ORG_TAIL = (
    "Council Front Bank Ministry Observatory Agency Alliance Committee Union Authority Party "
    "Institute Foundation Group"
).split()
PLACES = (
    "Aleppo Idlib Damascus Homs Hama Latakia Raqqa Deir ez-Zor Beirut Ankara Tehran Moscow "
    "Baghdad Amman Cairo Geneva Brussels Kyiv Warsaw Lagos Nairobi Lima Quito Oslo Hanoi "
    "Manila Dhaka Tunis Rabat Doha"
).split()
NORPS = "Syrian Russian Iranian Turkish Kurdish Israeli American French Lebanese Iraqi".split()

TEMPLATES = (
    "{PERSON} said on {DATE} that the {ORG} would not withdraw from {GPE}.",
    "Forces loyal to {PERSON} entered {GPE} after {CARDINAL} days of fighting.",
    "The {ORG} reported that {CARDINAL} civilians had fled {GPE} since {DATE}.",
    "{NORP} officials met {PERSON} in {GPE} to discuss the crisis.",
    "According to the {ORG}, the situation in {GPE} remains uncertain.",
    "{PERSON}, a spokesperson for the {ORG}, described the talks as difficult.",
    "Aid convoys reached {GPE} on {DATE}, the {ORG} said.",
    "Residents of {GPE} described hearing shelling through the night.",
    "The {NORP} government has denied any role in the strikes near {GPE}.",
    "Analysts said the offensive could change the balance of power in the region.",
)
DATES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split() + [
    "earlier this week",
    "last month",
    "2016",
    "March 2011",
]


SYLLABLES = (
    "ba ka ri mo na sha al tu ve lo zi dor han mir sel qa ye fa gu no ra ti el um os "
    "ber kir lan vol dra gho "
).split()
PARTICLES = ("al-", "el-", "bin ", "van ", "de ", "", "", "", "", "")
# how much of the variety each label gets: people and organisations are many, places fewer
VARIETY_SHARE = {"PERSON": 1.0, "ORG": 0.3, "GPE": 0.05}


def _word(r: random.Random, low: int = 2, high: int = 3) -> str:
    return "".join(r.choice(SYLLABLES) for _ in range(r.randint(low, high))).capitalize()


def varied_name(label: str, index: int) -> str:
    """Return the index-th name of a label's open vocabulary (the fixed names come first)."""
    r = random.Random(index * 1_000_003 + sum(map(ord, label)))
    if label == "PERSON":
        if index < len(FIRST) * len(LAST):
            return f"{FIRST[index % len(FIRST)]} {LAST[index // len(FIRST)]}"
        first = r.choice(FIRST) if r.random() < 0.5 else _word(r)
        return f"{first} {r.choice(PARTICLES)}{_word(r)}"
    if label == "ORG":
        if index < len(ORG_HEAD) * len(ORG_TAIL):
            return f"{ORG_HEAD[index % len(ORG_HEAD)]} {ORG_TAIL[index // len(ORG_HEAD)]}"
        return f"{r.choice(ORG_HEAD)} {_word(r)} {r.choice(ORG_TAIL)}"
    if index < len(PLACES):
        return PLACES[index]
    return _word(r, 2, 4)


def _varied(rng: random.Random, label: str, variety: int) -> str:
    """Pick a name with a long-tailed (Zipf-like) frequency among about variety names."""
    size = max(2, int(variety * VARIETY_SHARE[label]))
    return varied_name(label, min(size - 1, int(size ** rng.random()) - 1))


def _fill(
    rng: random.Random, template: str, variety: int = 0
) -> tuple[str, list[tuple[int, int, str]]]:
    out, spans, pos, i = [], [], 0, 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        pos += j - i
        k = template.index("}", j)
        label = template[j + 1 : k]
        if variety and label in VARIETY_SHARE:
            value = _varied(rng, label, variety)
        elif label == "PERSON":
            value = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        elif label == "ORG":
            value = f"{rng.choice(ORG_HEAD)} {rng.choice(ORG_TAIL)}"
        elif label == "GPE":
            value = rng.choice(PLACES)
        elif label == "NORP":
            value = rng.choice(NORPS)
        elif label == "DATE":
            value = rng.choice(DATES)
        else:
            value = str(rng.randint(2, 900))
        out.append(value)
        spans.append((pos, pos + len(value), label))
        pos += len(value)
        i = k + 1
    return "".join(out), spans


def article(seed: int, sentences: int = 12, variety: int = 0) -> ArticleDraft:
    """Return one deterministic synthetic article with model-style suggestions.

    variety 0 keeps the small fixed vocabulary (about 900 people); a larger number draws
    people, organisations and places from open vocabularies of about that many names.
    """
    rng = random.Random(seed)
    parts: list[str] = []
    spans: list[SpanDraft] = []
    offset = 0
    for n in range(sentences):
        sentence, found = _fill(rng, rng.choice(TEMPLATES), variety)
        if n and n % 4 == 0:
            parts.append("\n")
            offset += 1
        elif n:
            parts.append(" ")
            offset += 1
        spans.extend(
            SpanDraft(offset + s, offset + e, label, "model:synthetic@1", "suggested")
            for s, e, label in found
        )
        parts.append(sentence)
        offset += len(sentence)
    headline, _ = _fill(rng, rng.choice(TEMPLATES[:3]), variety)
    return ArticleDraft(
        text="".join(parts),
        title=f"{seed}: {headline}",
        source=f"synthetic:{seed}",
        spans=tuple(spans),
    )


def articles(
    n: int, start: int = 0, sentences: int = 12, variety: int = 0
) -> Iterator[ArticleDraft]:
    """Yield n deterministic articles."""
    for i in range(start, start + n):
        yield article(i, sentences, variety)


def long_article(chars: int = 50_000, seed: int = 7, entities: int = 2_000) -> ArticleDraft:
    """Return one article of about ``chars`` characters with about ``entities`` entities.

    Sentences come from entity-dense templates whenever the density falls behind the target,
    so the default is the reader benchmark's 50,000 characters with 2,000 entities.
    """
    rng = random.Random(seed)
    dense = [t for t in TEMPLATES if t.count("{") >= 3]
    parts: list[str] = []
    spans: list[SpanDraft] = []
    offset = 0
    n = 0
    while offset < chars:
        behind = len(spans) * chars < entities * max(offset, 1)
        sentence, found = _fill(rng, rng.choice(dense if behind else TEMPLATES))
        if n:
            sep = "\n" if n % 4 == 0 else " "
            parts.append(sep)
            offset += 1
        spans.extend(
            SpanDraft(offset + s, offset + e, label, "model:synthetic@1", "suggested")
            for s, e, label in found
        )
        parts.append(sentence)
        offset += len(sentence)
        n += 1
    return ArticleDraft(
        "".join(parts), title="A very long article", source="synthetic:long", spans=tuple(spans)
    )


def build_database(
    path: str | Path, n: int, batch: int = 1000, sentences: int = 12, variety: int = 0
) -> None:
    """Write n synthetic articles with their spans into a margin database at path."""
    store = open_store(path)
    try:
        done = store.article_count()
        while done < n:
            size = min(batch, n - done)
            store.add_articles(list(articles(size, done, sentences, variety)))
            done += size
    finally:
        store.close()


def built_once(path: Path, n: int) -> None:
    """Make sure path holds at least n synthetic articles: built once, in a child process (so
    that the building's memory is not the benchmark's), and cached in bench/out."""
    import multiprocessing
    import time

    path.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(path)
    have = store.article_count()
    store.close()
    if have >= n:
        return
    print(f"building {n:,} articles into {path} (once; cached) ...", flush=True)
    t = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(target=build_database, args=(path, n))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"building {path} failed")
    print(f"built in {time.perf_counter() - t:.0f} s", flush=True)
