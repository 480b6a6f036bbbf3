"""`margin serve`: a browser tab's reader start and key round trip, against the terminal reader.

The reference is `margin read` on a pseudo-terminal, measured in the same run: the time from
starting it to the library's first row on its screen. A tab's start is the time from opening the
websocket (what a browser does after loading the page) to the same row in the frames it gets.
The key round trip is `s` (the library's sort) sent over the websocket until the redrawn status
line comes back, against the same key on the terminal reader's pty. Several tabs open at once must each get their own reader in about the time of
one (the machine has 2 cores: more tabs than that queue for them).
"""

from __future__ import annotations

import asyncio
import os
import pty
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from store import ArticleDraft, open_store

TITLE = "Benchmark article number"
LAUNCH = "from tui.cli import main; main()"
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
TARGET_START_RATIO = 1.5  # a tab may start at most 1.5x slower than a terminal reader
TARGET_KEY_MS = 100.0  # a key to its redraw, in the median


def _database(folder: Path, n: int) -> Path:
    db = folder / "serve.db"
    with open_store(db) as store:
        store.add_articles(
            [ArticleDraft(f"Text {i} about Aleppo.", title=f"{TITLE} {i}") for i in range(n)]
        )
    return db


# what `s` cycles the library's order to, in turn, as the status line says it
# what the status line says after each `s` (the library cycles newest, title, entities, date)
ORDERS = ["sorted by title", "sorted most entities", "sorted by date", "sorted newest first"]


def _terminal(db: Path, keys: int) -> tuple[float, list[float]]:
    """Seconds from starting `margin read` on a pty to the first article row on its screen,
    then milliseconds per `s` to the redrawn status line."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--db", str(db), "read"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)

    def until(text: str, since: float) -> float:
        seen = b""
        while time.perf_counter() - since < 120:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                seen += os.read(master, 65536)
                if text.encode() in ANSI.sub(b"", seen):
                    return time.perf_counter() - since
        raise RuntimeError(f"the terminal reader never showed {text!r}")

    try:
        start = until(TITLE, t0)
        rounds = []
        for i in range(keys):
            t1 = time.perf_counter()
            os.write(master, b"s")
            rounds.append(until(ORDERS[i % len(ORDERS)], t1) * 1000)
        return start, rounds
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


async def _tab(url: str, keys: int) -> tuple[float, list[float]]:
    """One tab: seconds to the library, then milliseconds per `s` to its redrawn status line."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        t0 = time.perf_counter()
        async with session.ws_connect(f"{url}ws?width=120&height=40") as ws:
            await ws.send_json(["resize", {"width": 120, "height": 40}])
            seen = b""
            while TITLE.encode() not in ANSI.sub(b"", seen):
                msg = await asyncio.wait_for(ws.receive(), 120)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    seen += msg.data
                elif msg.type != aiohttp.WSMsgType.TEXT:
                    raise RuntimeError(f"the tab closed before the library showed ({msg.type})")
            start = time.perf_counter() - t0
            rounds: list[float] = []
            for i in range(keys):
                want = ORDERS[i % len(ORDERS)]
                t1 = time.perf_counter()
                await ws.send_json(["stdin", "s"])
                seen = b""
                while want.encode() not in ANSI.sub(b"", seen):
                    msg = await asyncio.wait_for(ws.receive(), 30)
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        seen += msg.data
                rounds.append((time.perf_counter() - t1) * 1000)
            return start, rounds


def _serve(db: Path) -> tuple[subprocess.Popen[str], str, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--db", str(db), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if not match:
        proc.kill()
        raise RuntimeError(f"margin serve printed {line!r}")
    return proc, match.group(1), time.perf_counter() - t0


def run(quick: bool) -> None:
    """Print the figures beside their targets."""
    keys, tabs = (3, 2) if quick else (20, 4)
    with tempfile.TemporaryDirectory(prefix="margin-bench-serve-") as folder:
        db = _database(Path(folder), 50)
        terminal, term_rounds = _terminal(db, keys)
        proc, url, listening = _serve(db)
        try:
            start, rounds = asyncio.run(_tab(url, keys))
            starts = [s for s, _ in asyncio.run(_many(url, tabs))]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    median = statistics.median(rounds)
    term_median = statistics.median(term_rounds)
    print(f"  margin serve listening after      {listening:6.2f} s")
    print(f"  terminal reader start (reference) {terminal:6.2f} s")
    print(
        f"  one tab's reader start            {start:6.2f} s = {start / terminal:4.2f}x the"
        f" terminal's (target <= {TARGET_START_RATIO}x)"
    )
    print(f"  terminal key round trip (ref.)    {term_median:6.1f} ms (median of {keys})")
    print(
        f"  tab key round trip                {median:6.1f} ms = {median / term_median:4.2f}x"
        f" the terminal's (median of {keys}, max {max(rounds):.1f} ms; target < {TARGET_KEY_MS:.0f} ms)"
    )
    print(
        f"  {tabs} tabs at once: slowest start   {max(starts):6.2f} s = {max(starts) / start:4.2f}x"
        f" one tab's ({tabs} readers on {os.cpu_count()} cores)"
    )


async def _many(url: str, tabs: int) -> list[tuple[float, list[float]]]:
    return list(await asyncio.gather(*(_tab(url, 0) for _ in range(tabs))))
