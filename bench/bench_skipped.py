"""Export with many spans a format cannot hold (issue 12, target 4): peak RSS stays flat.

A database of short articles, each tagged with overlapping spans, is exported to CoNLL
(one label per token), so nearly every span is left out: the summary, ``--report FILE`` and
``--json`` runs each go in a child process; their peak RSS is compared with a tenth of the
spans (memory should be about 1x, not 10x). Databases are cached in bench/out/.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from bench.bench_scale import LAST_CPU, MARGIN, OUT, _run

WORDS = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta")
TOKENS = 14  # words an article
WIDTHS = 5  # spans of 1..WIDTHS words start at every word: about 4 in 5 overlap another

BUILD = """
import sys
from store import ArticleDraft, open_store
from bench.bench_skipped import draft
path, n = sys.argv[1], int(sys.argv[2])
store = open_store(path)
store.set_allow_overlaps(True)
for start in range(0, n, 1000):
    store.add_articles([draft(i) for i in range(start, min(n, start + 1000))])
store.close()
"""


def draft(i: int) -> object:
    """Article i: TOKENS words, a span of every width 1..WIDTHS at every word."""
    from store import ArticleDraft
    from store.models import SpanDraft

    words = [WORDS[(i + k) % len(WORDS)] for k in range(TOKENS)]
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    text = " ".join(words) + f" {i}."
    spans = tuple(
        SpanDraft(starts[k], starts[k + w - 1] + len(words[k + w - 1]), "ORG", "bench", "accepted")
        for k in range(TOKENS - WIDTHS)
        for w in range(1, WIDTHS + 1)
    )
    return ArticleDraft(text, title=f"a{i}", source="bench", spans=spans)


def build(n: int) -> Path:
    """bench/out/skipped-N.db with n articles (built once)."""
    db = OUT / f"skipped-{n}.db"
    if not db.exists():
        tmp = db.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        _run([sys.executable, "-c", BUILD, str(tmp), str(n)])
        tmp.rename(db)
    return db


def _export(db: Path, extra: list[str], tmp: Path) -> tuple[float, float, int, int]:
    """(wall s, CPU s, peak RSS MB, spans left out) of one CoNLL export of db."""
    argv = [sys.executable, "-c", MARGIN, "--db", str(db), "export", "--format", "conll"]
    argv += ["--out", str(tmp / "out.conll"), *extra]
    with open(os.devnull, "wb") as sink:
        dt, rss, _o, err = _run(argv, stdout=sink)
    found = re.search(r"^(\d+) span\(s\) could not be expressed", err, re.M)
    return dt, LAST_CPU[0], rss, int(found.group(1)) if found else 0


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f}"


def run(quick: bool) -> None:
    """Summary, --report and --json over the small and the big database: peak RSS big/small."""
    OUT.mkdir(exist_ok=True)
    small, big = (200, 2_000) if quick else (2_000, 20_000)
    dbs = {n: build(n) for n in (small, big)}
    per = (TOKENS - WIDTHS) * WIDTHS
    print(
        f"   databases: {small:,} and {big:,} articles, {per:,} spans each; {_load()}", flush=True
    )
    with tempfile.TemporaryDirectory(dir=OUT) as tmp_name:
        tmp = Path(tmp_name)
        left = 0  # spans left out of the big export (counted on stderr, so not by --json)
        for name, extra in (
            ("summary", []),
            ("--report FILE.tsv", ["--report", str(tmp / "r.tsv")]),
            ("--json", ["--json"]),
        ):
            figures = {n: _export(dbs[n], extra, tmp) for n in (small, big)}
            (s_dt, _s_cpu, s_rss, _n), (b_dt, b_cpu, b_rss, n) = figures[small], figures[big]
            left = n or left
            left_out = f", {left:,} left out" if left else ""
            print(
                f"   {name:<18} {big:,} articles{left_out}: {b_dt:5.1f} s ({b_cpu:.1f} CPU-s),"
                f" {b_rss} MB;"
                f" {small}: {s_dt:.1f} s, {s_rss} MB: RSS {b_rss / max(s_rss, 1):.2f}x"
                "   (target: ~1x, flat)",
                flush=True,
            )
    print(f"   {_load()}", flush=True)
