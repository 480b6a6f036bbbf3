"""Writes at scale (issue 12): annotated import against a plain sqlite-utils script on the same
file (bench/plain_import.py, the honest reference), and peak memory of importing a big JSONL.

Each figure is measured in a child process (wall and CPU seconds, peak RSS from os.wait4) and
printed beside its target; ratios are against the reference run in the same benchmark, so a
shared machine slows both sides. The longest write-lock hold of an import (bench/holds.py) and the
worst wait of a correction made from another process meanwhile are printed beside 1 s (issue 12,
target 3). Generated files and databases are cached in bench/out/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_scale import LAST_CPU, OUT, ROOT, _run

PLAIN = str(ROOT / "bench" / "plain_import.py")
# the margin command, reporting its own peak RSS (bench/peak.py) and its longest write-lock
# hold (bench/holds.py, when BENCH_HOLDS names a file)
MARGIN = "import bench.peak, bench.holds; from tui.cli import main; main()"
# another window's corrections while an import runs: one article marked read and unread every
# 0.1 s, each write timed (how long it waited for the lock, mostly)
CORRECTOR = """
import json, signal, sys, time
from store import open_store
store = open_store(sys.argv[1], origin="bench:corrector")
waits, i, stop = [], 0, []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
print("ready", flush=True)
while not stop:
    t = time.perf_counter()
    store.mark_read(1, bool(i % 2))
    waits.append(time.perf_counter() - t)
    i += 1
    time.sleep(0.1)
print(json.dumps(waits), flush=True)
"""
SENTENCES = 16  # about 38 spans an article, as the corpus


def annotated(n: int, fmt: str) -> Path:
    """bench/out/bulk-FMT-N.jsonl: n corpus articles with their spans as doccano or Prodigy."""
    from bench.corpus import articles

    path = OUT / f"bulk-{fmt}-{n}.jsonl"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for a in articles(n, sentences=SENTENCES):
            if fmt == "doccano":
                rec = {
                    "text": a.text,
                    "title": a.title,
                    "label": [[s.start, s.end, s.label] for s in a.spans],
                }
            else:  # Prodigy spans (no tokens: Prodigy reads those too)
                rec = {
                    "text": a.text,
                    "meta": {"title": a.title},
                    "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in a.spans],
                    "answer": "accept",
                }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.rename(path)
    return path


def big_jsonl(mb: int) -> Path:
    """bench/out/big-MB.jsonl: a JSONL of articles (no spans) of about mb megabytes."""
    from bench.corpus import articles

    path = OUT / f"big-{mb}.jsonl"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        i = 0
        while fh.tell() < mb * 1_000_000:
            for a in articles(1000, start=i, sentences=12):
                rec = {"text": a.text, "title": a.title, "source": a.source}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            i += 1000
    tmp.rename(path)
    return path


def _line(name: str, value: str, target: str) -> None:
    print(f"   {name:<46} {value:>30}   (target: {target})", flush=True)


def _margin_import(src: Path, db: Path, fmt: str | None) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS MB) of ``margin import --no-extract`` into a new database."""
    args = [sys.executable, "-c", MARGIN, "--db", str(db), "import", "--no-extract", str(src)]
    if fmt:
        args[-1:-1] = ["--format", fmt]
    dt, rss, _out, _err = _run(args)
    return dt, LAST_CPU[0], rss


def _with_corrector(src: Path, db: Path, fmt: str | None) -> tuple[float, float, int, Any, Any]:
    """(wall s, CPU s, peak RSS MB, holds, waits) of an import into a database holding one
    article, while CORRECTOR writes to it from another process: holds is the import's own
    {"longest", "transactions"}, waits the corrector's write times (s)."""
    seed = db.with_name("seed.jsonl")
    seed.write_text(json.dumps({"text": "A seed article for the corrector."}) + "\n")
    _run([sys.executable, "-c", MARGIN, "--db", str(db), "import", "--no-extract", str(seed)])
    corrector = subprocess.Popen(
        [sys.executable, "-c", CORRECTOR, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert corrector.stdout is not None
    corrector.stdout.readline()  # ready
    holds_file = db.with_name("holds.json")
    os.environ["BENCH_HOLDS"] = str(holds_file)
    try:
        dt, cpu, rss = _margin_import(src, db, fmt)
    finally:
        del os.environ["BENCH_HOLDS"]
        corrector.terminate()
    out, _ = corrector.communicate(timeout=120)
    waits = json.loads(out.strip().splitlines()[-1]) if out.strip() else []
    holds = json.loads(holds_file.read_text()) if holds_file.exists() else {}
    return dt, cpu, rss, holds, waits


def _lock_lines(what: str, holds: Any, waits: list[float]) -> None:
    """The longest write-lock hold of an import and another process's worst wait meanwhile."""
    _line(
        f"  {what}: longest write lock held",
        f"{holds.get('longest', 0):.2f} s of {holds.get('transactions', 0)} transactions",
        "<= 1 s",
    )
    if waits:
        _line(
            f"  {what}: another process's correction, worst",
            f"{max(waits):.2f} s of {len(waits)} (median {sorted(waits)[len(waits) // 2]:.3f} s)",
            "<= 1 s",
        )


def _best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """(wall s, CPU s): the best of the rounds, each figure on its own."""
    return min(r[0] for r in runs), min(r[1] for r in runs)


def _import_against_plain(n: int, rounds: int) -> None:
    """margin against the plain script on the same file, interleaved, best of the rounds."""
    for fmt in ("doccano", "prodigy"):
        src = annotated(n, fmt)
        plain: list[tuple[float, float]] = []
        indexed: list[tuple[float, float]] = []
        margin: list[tuple[float, float]] = []
        rss = spans = 0
        for _ in range(rounds):
            with tempfile.TemporaryDirectory(dir=OUT) as tmp:
                dt, _rss, out, _err = _run([sys.executable, PLAIN, str(src), f"{tmp}/plain.db"])
                plain.append((dt, LAST_CPU[0]))
                spans = int(out.split()[1])
                dt_m, cpu_m, rss_m = _margin_import(src, Path(tmp) / "margin.db", fmt)
                margin.append((dt_m, cpu_m))
                rss = max(rss, rss_m)
                argv = [sys.executable, PLAIN, str(src), f"{tmp}/indexed.db", "--margin-indexes"]
                dt, _rss, _out, _err = _run(argv)
                indexed.append((dt, LAST_CPU[0]))
        (dt_p, cpu_p), (dt_i, cpu_i), (dt_m, cpu_m) = _best(plain), _best(indexed), _best(margin)
        _line(
            f"{fmt}: {n:,} articles, {spans:,} spans",
            f"margin {dt_m:.1f} s, plain {dt_p:.1f} s",
            f"best of {rounds}, load {_load()}",
        )
        _line(f"  {fmt} import / plain sqlite-utils (wall)", f"{dt_m / dt_p:.2f}x", "<= 1.5x")
        _line(
            f"  {fmt} import / plain sqlite-utils (CPU)",
            f"{cpu_m:.1f} / {cpu_p:.1f} CPU-s = {cpu_m / cpu_p:.2f}x",
            "<= 1.5x",
        )
        _line(
            f"  {fmt}: plain keeping margin's span indexes / plain",
            f"{cpu_i:.1f} CPU-s = {cpu_i / cpu_p:.2f}x ({dt_i:.1f} s)",
            "what row-by-row index upkeep costs",
        )
        _line(f"  {fmt} import peak RSS", f"{rss} MB", "< 100 MB")
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            *_figures, holds, waits = _with_corrector(src, Path(tmp) / "locks.db", fmt)
        _lock_lines(fmt, holds, waits)


def _load() -> str:
    """The load average (1, 5, 15 min): figures from a busy machine say so."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _memory(mb: int, small_mb: int) -> None:
    """Peak RSS of a big JSONL against a small one; the big one with a corrector beside it."""
    figures = []
    holds: Any = {}
    waits: list[float] = []
    for size in (small_mb, mb):
        src = big_jsonl(size)
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            if size == mb:
                dt, _cpu, rss, holds, waits = _with_corrector(src, Path(tmp) / "m.db", None)
            else:
                dt, _cpu, rss = _margin_import(src, Path(tmp) / "m.db", None)
        figures.append((src.stat().st_size / 1e6, dt, rss))
    (s_mb, _s_dt, s_rss), (b_mb, b_dt, b_rss) = figures
    _line(
        f"JSONL import of {b_mb:.0f} MB: peak RSS",
        f"{b_rss} MB ({b_dt:.0f} s, load {_load()})",
        "< 100 MB",
    )
    _line(
        f"  against {s_mb:.0f} MB",
        f"{s_rss} MB ({b_rss / max(s_rss, 1):.2f}x for {b_mb / s_mb:.0f}x the file)",
        "flat (about 1x)",
    )
    _lock_lines(f"{b_mb:.0f} MB JSONL", holds, waits)


def run(quick: bool) -> None:
    """Annotated import against the plain script; peak memory of a big JSONL."""
    OUT.mkdir(exist_ok=True)
    print(f"   load average {_load()}", flush=True)
    _import_against_plain(1_000 if quick else 10_000, 1 if quick else 2)
    _memory(30 if quick else 300, 10 if quick else 30)
