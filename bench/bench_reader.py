"""Reader timings with App.run_test(): a long article (open, page down) and a large library."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import article, build_database, long_article
from store import open_store

OUT = Path(__file__).parent / "out"
SIZE = (120, 40)
TARGET_OPEN_S = 1.0
TARGET_PAGE_S = 0.1
LIBRARY_SENTENCES = 4  # the list reads only the articles table; short texts build faster


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


_MARKS: dict[str, float] = {}


def _watch_first_frame() -> None:
    """Note in _MARKS when the screen has been refreshed after its first data arrived (once)."""
    if _MARKS.get("wrapped"):
        return
    _MARKS["wrapped"] = 1.0
    marks = _MARKS
    from tui.screens.library import LibraryScreen
    from tui.screens.reader import ReaderScreen

    def wrap(cls: type, name: str) -> None:
        original = getattr(cls, name)

        def handler(self, message):  # type: ignore[no-untyped-def]
            original(self, message)
            if "frame" not in marks:
                self.call_after_refresh(lambda: marks.setdefault("frame", time.perf_counter()))

        setattr(cls, name, handler)

    wrap(ReaderScreen, "on_reader_screen_loaded")
    wrap(LibraryScreen, "on_library_screen_counted")


async def _open(db: Path, article_id: int | None, pages: int = 0) -> tuple[float, list[float]]:
    """Seconds from starting the app to its first complete frame, then per page-down + redraw."""
    from tui.app import MarginApp
    from tui.widgets.article_text import ArticleText

    store = open_store(db)
    _watch_first_frame()
    _MARKS.pop("frame", None)
    try:
        t = time.perf_counter()
        app = MarginApp(store, article_id)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            opened = _MARKS["frame"] - t
            steps = []
            if pages:
                text = app.screen.query_one(ArticleText)
                for _ in range(pages):
                    t = time.perf_counter()
                    text.action_page(1)
                    app.screen._compositor.render_update(full=True)  # the whole screen drawn
                    steps.append(time.perf_counter() - t)
    finally:
        store.close()
    return opened, steps


def _row(name: str, seconds: float, reference: float, target: float) -> None:
    ratio = seconds / reference if reference else float("nan")
    mark = "ok" if seconds < target else "SLOW"
    print(
        f"   {name:<44} {seconds * 1000:8.0f} ms  {ratio:5.1f}x ref  target < {target * 1000:.0f} ms  {mark}"
    )


def _import_seconds() -> float:
    """Seconds a fresh Python process takes to import the app (the median of three)."""
    code = "import time; t = time.perf_counter(); import tui.cli, tui.app; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return statistics.median(runs)


def _library_db(n: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"reader-library-{n}.db"
    store = open_store(path)
    have = store.article_count()
    store.close()
    if have < n - n // 100:  # a few generated texts repeat and are stored once
        print(f"   building {n:,} articles into {path} (once; cached) ...", flush=True)
        t = time.perf_counter()
        build_database(path, n, sentences=LIBRARY_SENTENCES)
        print(f"   built in {time.perf_counter() - t:.0f} s", flush=True)
    return path


def run(quick: bool = False) -> None:
    """Print open and page-down times for a long article, and open time for a large library."""

    chars, entities = (10_000, 400) if quick else (50_000, 2_000)  # DESIGN §7's long article
    n = 2_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.db"
        store = open_store(small)
        store.add_article(article(1))
        store.close()
        big = Path(tmp) / "long.db"
        store = open_store(big)
        draft = long_article(chars, entities=entities)
        store.add_article(draft)
        store.close()
        print(f"   long article: {len(draft.text):,} characters, {len(draft.spans):,} entities")
        asyncio.run(_open(small, 1))  # warm imports and caches
        ref, ref_pages = asyncio.run(_open(small, 1, pages=3))
        opened, pages = asyncio.run(_open(big, 1, pages=10))
    _row("reference: open a 12-sentence article", ref, ref, TARGET_OPEN_S)
    _row("open the long article (first complete frame)", opened, ref, TARGET_OPEN_S)
    _row(
        "page down in the long article (median)",
        statistics.median(pages),
        statistics.median(ref_pages),
        TARGET_PAGE_S,
    )
    _row(
        "page down in the long article (worst)",
        max(pages),
        statistics.median(ref_pages),
        TARGET_PAGE_S,
    )
    db = _library_db(n)
    lib, _ = asyncio.run(_open(db, None))
    _row(f"open the library on {n:,} articles", lib, ref, TARGET_OPEN_S)
    store = open_store(db)
    middle = store.articles(offset=n // 2, limit=1)[0].id
    store.close()
    reader, _ = asyncio.run(_open(db, middle))
    _row(f"open an article in the middle of {n:,}", reader, ref, TARGET_OPEN_S)
    imports = _import_seconds()
    _row("import the app in a fresh process", imports, ref, TARGET_OPEN_S)
    _row(f"fresh process: imports + library on {n:,}", imports + lib, ref, TARGET_OPEN_S)
