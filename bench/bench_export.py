"""Export at scale (issue 12, targets 4 and 5): every format over 100,000 articles against the
same format over 10,000, in child processes: wall and CPU time, peak RSS.

Time should grow with the corpus (about 10x for 10x the articles) and memory should not (about
1x): writers stream rows from the store, token formats tokenise with nlp.pipe in batches, and
``.spacy`` is written a batch at a time (one file) or in parts (a folder). The small run is the
reference measured in the same benchmark, run just before the big one, so a shared machine
slows both; the load average is printed before and after. Databases are cached in bench/out/.
``BENCH_EXPORT_FORMATS=spacy,spacy-parts`` runs only the formats named (on a busy machine).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench.bench_scale import LAST_CPU, MARGIN, OUT, _run, build


def _variants() -> list[tuple[str, list[str], str]]:
    """(name, export arguments, what --out is) for every format, and spaCy's folder of parts."""
    from store.formats import OUTPUTS

    out: list[tuple[str, list[str], str]] = []
    for name, fmt in OUTPUTS.items():
        out.append((name, ["--format", name], f"{name}{fmt.extension or '-folder'}"))
    out.append(("spacy (folder of parts)", ["--format", "spacy"], "spacy-parts"))
    chosen = [f for f in os.environ.get("BENCH_EXPORT_FORMATS", "").split(",") if f]
    if chosen:
        out = [v for v in out if v[2].split(".")[0].removesuffix("-folder") in chosen]
    return out


def _export(n: int, args: list[str], out_name: str) -> tuple[float, float, int, int]:
    """(wall s, CPU s, peak RSS MB, bytes written) of one ``margin export`` over scale-N.db."""
    db = OUT / f"scale-{n}.db"
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        out = Path(tmp) / out_name
        # the corpus is the model's suggestions, none reviewed: without --include-suggestions an
        # export would carry the texts and not one span
        argv = [sys.executable, "-c", MARGIN, "--db", str(db), "export", *args]
        argv += ["--include-suggestions", "--out", str(out)]
        with open(os.devnull, "wb") as sink:
            dt, rss, _o, _e = _run(argv, stdout=sink)
        cpu = LAST_CPU[0]
        size = (
            sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
            if out.is_dir()
            else out.stat().st_size
        )
        shutil.rmtree(out, ignore_errors=True)
    return dt, cpu, rss, size


def _baseline() -> tuple[float, int]:
    """(CPU s, peak RSS MB) of a process that loads margin's CLI and a blank spaCy, and exits:
    what every export pays before its first article."""
    code = "import spacy, tui.cli; spacy.blank('en')"
    _dt, rss, _o, _e = _run([sys.executable, "-c", code])
    return LAST_CPU[0], rss


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} ({os.cpu_count()} CPUs)"


def _line(name: str, value: str, target: str) -> None:
    print(f"   {name:<38} {value:>52}   (target: {target})", flush=True)


def run(quick: bool) -> None:
    """Each format over the small corpus, then the big one; ratios big/small beside targets."""
    OUT.mkdir(exist_ok=True)
    small, big = (200, 2_000) if quick else (10_000, 100_000)
    build(0)  # an empty database: what each format costs before its first article
    for n in (small, big):
        figures = build(n)
        cached = " (cached)" if figures.get("cached") else ""
        print(f"   database: {n:,} articles, {figures['spans']:,} spans{cached}", flush=True)
    print(f"   {_load()}", flush=True)
    base_cpu, base_rss = _baseline()
    print(
        f"   baseline process (margin CLI + blank spaCy): {base_cpu:.1f} CPU-s, {base_rss} MB",
        flush=True,
    )
    worst_rss = 0.0
    for name, args, out_name in _variants():
        try:
            _z_dt, z_cpu, _z_rss, _z_size = _export(0, args, out_name)  # this format's start-up
            s_dt, s_cpu, s_rss, _s_size = _export(small, args, out_name)
            b_dt, b_cpu, b_rss, b_size = _export(big, args, out_name)
        except RuntimeError as exc:
            print(f"   export {name}: failed ({str(exc)[-300:]})", flush=True)
            continue
        worst_rss = max(worst_rss, b_rss / max(s_rss, 1))
        _line(
            f"{name}, {big:,} articles",
            f"{b_dt:.1f} s ({b_cpu:.1f} CPU-s), {b_rss} MB, {b_size / 1e6:.1f} MB out",
            "time linear, memory flat",
        )
        _line(
            f"  against {small:,}",
            f"{s_dt:.1f} s ({s_cpu:.1f} CPU-s), {s_rss} MB: RSS {b_rss / max(s_rss, 1):.2f}x",
            "RSS ~1x",
        )
        # CPU above what this format's export of an empty database costs: linear is big/small
        grow = max(b_cpu - z_cpu, 1e-9) / max(s_cpu - z_cpu, 1e-9)
        _line("  CPU above start-up, big/small", f"{grow:.1f}x", f"~{big // small}x (linear)")
    _line("worst RSS big/small", f"{worst_rss:.2f}x", "~1x (flat)")
    print(f"   {_load()}", flush=True)
