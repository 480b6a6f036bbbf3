"""Scale benchmark: 100,000 articles and 2 million spans, import rates and peak memory in child
processes (10k against 100k: memory must stay flat), then what a big database costs to open,
page, check, list, search and export."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MARGIN = "import bench.peak; from tui.cli import main; main()"  # peak: its own VmHWM


def _run(args: list[str], stdout: Any = subprocess.PIPE) -> tuple[float, int, str, str]:
    """Run a child process to the end; return (seconds, its peak RSS in MB, stdout, stderr).

    The CPU time (kept in LAST_CPU) comes from os.wait4 on that very child; the peak RSS from
    the child's own VmHWM (bench/peak.py) when it runs MARGIN, else from wait4's ru_maxrss.
    """
    t = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    peak = tempfile.NamedTemporaryFile(prefix="peak-", dir=OUT, delete=False)
    peak.close()
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "MARGIN_CONFIG": str(OUT / "none.toml"), "BENCH_PEAK": peak.name},
    )
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []

    def drain(stream: Any, into: list[bytes]) -> None:
        if stream is not None:
            for chunk in iter(lambda: stream.read(65536), b""):
                into.append(chunk)

    threads = [
        threading.Thread(target=drain, args=(proc.stdout, out_chunks)),
        threading.Thread(target=drain, args=(proc.stderr, err_chunks)),
    ]
    for th in threads:
        th.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    for th in threads:
        th.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    try:
        own_kb = int(Path(peak.name).read_text() or 0)
    except (OSError, ValueError):
        own_kb = 0
    Path(peak.name).unlink(missing_ok=True)
    dt = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{args[-3:]} failed: {b''.join(err_chunks).decode()[-500:]}")
    return (
        dt,
        (own_kb or usage.ru_maxrss) // 1024,
        b"".join(out_chunks).decode(errors="replace"),
        b"".join(err_chunks).decode(errors="replace"),
    )


LAST_CPU = [0.0]  # CPU seconds of the last child: rates per CPU-second hold on a busy machine

BUILD = """
import json, sys, time
from bench.corpus import articles
from store import open_store
path, n = sys.argv[1], int(sys.argv[2])
store = open_store(path)
t, c = time.perf_counter(), time.process_time()
spans = 0
for start in range(0, n, 1000):
    batch = list(articles(min(1000, n - start), start=start, sentences=8))
    spans += sum(len(a.spans) for a in batch)
    store.add_articles(batch)
store.close()
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "spans": spans}))
"""


def build(n: int, fresh: bool = False) -> dict[str, Any]:
    """Build (or reuse) bench/out/scale-N.db with Store.add_articles; return its figures."""
    db = OUT / f"scale-{n}.db"
    meta = OUT / f"scale-{n}.json"
    if not fresh and db.exists() and meta.exists():
        figures = json.loads(meta.read_text())
        figures["cached"] = True
        return figures
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    dt, rss, out, _err = _run([sys.executable, "-c", BUILD, str(db), str(n)])
    inner = json.loads(out.strip().splitlines()[-1])
    figures = {
        "articles": n,
        "spans": inner["spans"],
        "seconds": inner["seconds"],
        "cpu": inner["cpu"],
        "rss_mb": rss,
        "bytes": db.stat().st_size,
        "built_at": time.strftime("%Y-%m-%d %H:%M"),
        "cached": False,
    }
    meta.write_text(json.dumps(figures))
    return figures


def jsonl(n: int) -> Path:
    """bench/out/articles-N.jsonl: n corpus articles as a JSONL of articles (no spans)."""
    from bench.corpus import articles

    path = OUT / f"articles-{n}.jsonl"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for a in articles(n, sentences=8):
            fh.write(json.dumps({"text": a.text, "title": a.title, "source": a.source}) + "\n")
    tmp.rename(path)
    return path


def cli_import(n: int) -> tuple[float, int, float]:
    """Time ``margin import --no-extract`` of an n-article JSONL into a new database."""
    src = jsonl(n)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        db = Path(tmp) / "import.db"
        dt, rss, _out, _err = _run(
            [sys.executable, "-c", MARGIN, "--db", str(db), "import", "--no-extract", str(src)]
        )
    return dt, rss, LAST_CPU[0]


def _line(name: str, value: str, target: str) -> None:
    print(f"   {name:<44} {value:>22}   (target: {target})", flush=True)


def _per_cpu(n: int, cpu: float | None) -> str:
    return f"{n / cpu:,.0f}/CPU-s" if cpu else "-/CPU-s"


def _flat(small: int, big: int) -> str:
    return f"{big / max(small, 1):.2f}x"


def _search(db: Path) -> None:
    from store import open_store

    store = open_store(db)
    try:
        queries = [
            "Bashar al-Assad",
            "Bashar al-Asad",
            "Hezbolah",
            "Aleppo",
            "Alep",
            "United Council",
            "label:PERSON Haddad",
            "tahrir sham",
        ]
        times = []
        try:
            store.search("warm up", limit=20)
        except NotImplementedError:
            _line("search", "not built yet", "p95 < 50 ms")
            return
        for _ in range(3):
            for q in queries:
                t = time.perf_counter()
                store.search(q, limit=20)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        _line(
            "search p50 / p95",
            f"{statistics.median(times):.1f} / {p95:.1f} ms",
            "p95 < 50 ms",
        )
    finally:
        store.close()


def _open_and_page(db: Path) -> None:
    from store import open_store

    t = time.perf_counter()
    store = open_store(db)
    first = store.articles(offset=0, limit=50, sort="newest")
    dt_first = time.perf_counter() - t
    t = time.perf_counter()
    store.articles(offset=50_000, limit=50, sort="title")
    dt_deep = time.perf_counter() - t
    t = time.perf_counter()
    store.article(first[0].id)
    store.spans(first[0].id)
    dt_article = time.perf_counter() - t
    store.close()
    _line("open + first page (50, newest)", f"{dt_first * 1000:.0f} ms", "< 1 s")
    _line("a page at offset 50,000 by title", f"{dt_deep * 1000:.0f} ms", "< 1 s")
    _line("one article with its spans", f"{dt_article * 1000:.1f} ms", "no visible pause")


def _commands(db: Path, small_db: Path) -> None:
    """Peak memory of whole-corpus commands on the big database against the small one."""
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        runs: list[tuple[str, list[str], str]] = [
            ("list --json", ["list", "--json"], "flat"),
            ("doctor", ["doctor", "--json"], "flat"),
        ]
        help_out = subprocess.run(
            [sys.executable, "-c", MARGIN, "--help"], cwd=ROOT, capture_output=True, text=True
        ).stdout
        if " export " in help_out or "\n  export" in help_out:
            runs.append(
                ("export --format csv (all)", ["export", "--format", "csv", "--out", "OUT"], "flat")
            )
        for name, args, _target in runs:
            figures = []
            for path in (small_db, db):
                out_file = Path(tmp) / f"{name.split()[0]}-{path.stem}.out"
                argv = [a if a != "OUT" else str(out_file) for a in args]
                try:
                    with open(os.devnull, "wb") as sink:
                        dt, rss, _o, _e = _run(
                            [sys.executable, "-c", MARGIN, "--db", str(path), *argv], stdout=sink
                        )
                except RuntimeError as exc:
                    figures.append(None)
                    print(f"   {name}: failed ({str(exc)[-200:]})")
                    continue
                figures.append((dt, rss))
            if all(figures):
                (dt_s, rss_s), (dt_b, rss_b) = figures  # type: ignore[misc]
                _line(
                    f"{name}: time small / big",
                    f"{dt_s:.1f} / {dt_b:.1f} s",
                    "linear",
                )
                _line(
                    f"{name}: peak RSS small / big",
                    f"{rss_s} / {rss_b} MB ({_flat(rss_s, rss_b)})",
                    "flat (about 1x)",
                )


def run(quick: bool) -> None:
    """Print the scale figures beside their targets."""
    OUT.mkdir(parents=True, exist_ok=True)
    small, big = (1_000, 5_000) if quick else (10_000, 100_000)
    s = build(small, fresh=True)
    b = build(big)
    for label, f in ((f"{small:,}", s), (f"{big:,}", b)):
        note = f" (cached {f['built_at']})" if f.get("cached") else ""
        _line(
            f"Store.add_articles, {label} articles",
            f"{f['articles'] / f['seconds']:,.0f}/s, {_per_cpu(f['articles'], f.get('cpu'))}",
            "thousands/s" + note,
        )
    _line(
        f"  spans at {big:,}",
        f"{b['spans']:,} ({b['spans'] / b['seconds']:,.0f}/s)",
        "about 2,000,000" if not quick else "-",
    )
    _line(
        "  peak RSS small / big",
        f"{s['rss_mb']} / {b['rss_mb']} MB ({_flat(s['rss_mb'], b['rss_mb'])})",
        "flat (about 1x)",
    )
    _line("  database size", f"{b['bytes'] / 1e6:,.0f} MB", "-")
    dt_s, rss_s, cpu_s = cli_import(small)
    dt_b, rss_b, cpu_b = cli_import(big)
    for n, dt, cpu in ((small, dt_s, cpu_s), (big, dt_b, cpu_b)):
        _line(
            f"margin import --no-extract, {n:,} JSONL",
            f"{n / dt:,.0f}/s, {n / cpu:,.0f}/CPU-s",
            "thousands/s",
        )
    _line(
        "  peak RSS small / big",
        f"{rss_s} / {rss_b} MB ({_flat(rss_s, rss_b)})",
        "flat (about 1x)",
    )
    big_db = OUT / f"scale-{big}.db"
    _open_and_page(big_db)
    _search(big_db)
    _commands(big_db, OUT / f"scale-{small}.db")
