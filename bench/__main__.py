"""Run every benchmark module (``bench/bench_*.py``), or those named: ``python -m bench search``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys
import time

import bench


def main() -> None:
    """Discover and run the benchmarks; each prints its own figures as ratios and targets."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    names = sorted(
        info.name[len("bench_") :]
        for info in pkgutil.iter_modules(bench.__path__)
        if info.name.startswith("bench_")
    )
    chosen = args.names or names
    if len(chosen) > 1:
        # each benchmark in a process of its own: one that loads spaCy would otherwise set the
        # peak memory (inherited across fork and exec on Linux) that the next one reports
        for name in chosen:
            cmd = [sys.executable, "-m", "bench", name] + (["--quick"] if args.quick else [])
            subprocess.run(cmd, check=False)
        return
    for name in chosen:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name} ==", flush=True)
        t = time.perf_counter()
        module.run(quick=args.quick)
        print(f"   ({time.perf_counter() - t:.1f} s)\n", flush=True)


if __name__ == "__main__":
    main()
