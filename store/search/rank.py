"""Ranking names: how well a query names an entity (typos, word order, prefixes), with rapidfuzz."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from .parse import Query, fold

FUZZY_CANDIDATES = 300  # entities the trigram index hands to rapidfuzz
TRIGRAM_BUDGET = 4000  # postings the fuzzy trigram query may rank (keeps it fast at scale)
MIN_TRIGRAMS = 3
ARTICLE_WINDOW = 2000  # a word in more articles than this: rank the newest so many
ENOUGH_AS_TYPED = 20  # names that hold every word as typed: no need to look for variants
VARIANT_CANDIDATES = 100  # when the words match as typed: a few spelling variants beside
SUBSTRING_CANDIDATES = 500  # entities that contain every query word, handed over too
SMALL_SET = 100_000  # most distinct surfaces a status:/reviewed:yes filter scores at once
PRESELECT = 60  # candidates each C scorer passes on to name_score
MIN_SCORE = 65.0  # entity hits below this are noise
POPULARITY = 1.5  # rank bonus per tenfold mentions: among near-equal names, the famous one
EXACT = 5.0  # rank bonus for the very name typed
PREFER_SCORE = 85.0  # an entity hit this good is where an article hit opens
SNIPPET_BEFORE, SNIPPET_AFTER = 50, 90


def tokens(text: str) -> list[str]:
    """Return the comparison tokens of a name: folded, punctuation as spaces."""
    return default_process(fold(text)).split()


def name_score(query_tokens: Sequence[str], target: str) -> float:
    """Score 0..100 of how well the query names target (typos, word order, prefixes).

    Mostly how much of the query the target covers (each query word against its best
    target word, a prefix counts), partly how much of the target the query covers,
    and never below the plain ratio of the two strings without spaces.
    """
    target_tokens = tokens(target)
    if not query_tokens or not target_tokens:
        return 0.0
    q_weight = sum(len(t) for t in query_tokens)
    t_weight = sum(len(t) for t in target_tokens)
    covered = 0.0
    for qt in query_tokens:
        best = 0.0
        for tt in target_tokens:
            r = fuzz.ratio(qt, tt) / 100
            if tt.startswith(qt):
                r = max(r, 0.9 + 0.1 * len(qt) / len(tt))
            best = max(best, r)
        covered += best * len(qt)
    reached = 0.0
    for tt in target_tokens:
        reached += max(fuzz.ratio(qt, tt) / 100 for qt in query_tokens) * len(tt)
    coverage = 100 * (0.75 * covered / q_weight + 0.25 * reached / t_weight)
    whole = fuzz.ratio("".join(query_tokens), "".join(target_tokens))
    return max(coverage, whole)


def _scorer(query: str, target: str, **_: object) -> float:
    """name_score with rapidfuzz's scorer signature (for process.extract)."""
    return name_score(query.split(), target)


def _rank(
    q: Query, candidates: dict[tuple[str, str], tuple[int, int]]
) -> list[tuple[float, str, str, int, int]]:
    """Score candidates against the query text; best first, ties to the most mentioned."""
    qt = tokens(q.text)
    if not qt:
        return sorted(
            ((100.0, s, lab, m, a) for (s, lab), (m, a) in candidates.items()),
            key=lambda h: (-h[3], h[1]),
        )
    items = list(candidates.items())
    if len(items) > PRESELECT:  # rapidfuzz's C scorers pick the few worth a closer look
        query = " ".join(qt)
        names = [" ".join(tokens(surface)) for (surface, _lab), _counts in items]
        best = {
            i
            for scorer in (fuzz.WRatio, fuzz.token_set_ratio)
            for _name, _score, i in process.extract(query, names, scorer=scorer, limit=PRESELECT)
        }
        items = [items[i] for i in sorted(best)]
    scored = []
    for (surface, lab), (mentions, arts) in items:
        score = name_score(qt, surface)
        if score >= MIN_SCORE:
            scored.append((score, surface, lab, mentions, arts))
    scored.sort(key=lambda h: (-_rank_key(qt, h[0], h[1], h[3]), h[1]))
    return scored


def _rank_key(query_tokens: list[str], score: float, surface: str, mentions: int) -> float:
    """Name score, plus a little for popularity, plus a little for the exact name."""
    key = score + POPULARITY * math.log10(1 + max(0, mentions))
    if score >= 100 and tokens(surface) == query_tokens:
        key += EXACT
    return key
