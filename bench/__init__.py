"""Benchmarks for `make bench`: each module ``bench_*.py`` defines ``run(quick: bool) -> None``."""
