"""kill -9 in the middle of a brat folder export: the folder is the old export or the new one,
never a mix, and the next export removes what the killed one left beside it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft
from store.export import ExportOptions, run_export
from tests.helpers import ROOT, env

pytestmark = pytest.mark.slow

# the child slows every file write and every rename, printing one line before each
CHILD = r"""
import os, sys, time
from pathlib import Path
import store.outfile as outfile
from store import open_store
from store.export import ExportOptions, run_export

def slow(fn, tag):
    def inner(*a, **k):
        print(tag, flush=True)
        time.sleep(0.05)
        return fn(*a, **k)
    return inner

Path.write_text = slow(Path.write_text, "write")
os.replace = slow(os.replace, "rename")
os.rename = slow(os.rename, "rename")
if hasattr(outfile, "_exchange"):
    outfile._exchange = slow(outfile._exchange, "exchange")
s = open_store(Path(sys.argv[1]))
run_export(s, ExportOptions(fmt="brat", out=Path(sys.argv[2])))
print("done", flush=True)
"""


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(folder.iterdir())}


def _kill_after(db: Path, out: Path, events: int) -> bool:
    """Run the slow export in a child; SIGKILL it after it announced `events` steps."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env(db.parent),
        text=True,
    )
    assert proc.stdout is not None
    seen = 0
    killed = False
    for line in proc.stdout:
        if line.strip() == "done":
            break
        seen += 1
        if seen >= events:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
    proc.wait(timeout=60)
    if not killed:
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return killed


@pytest.mark.parametrize("events", [4, 16, 20, 24])
def test_a_killed_brat_export_leaves_the_old_folder_or_the_new(store, db_path, tmp_path, events):
    def add(i: int) -> int:
        draft = ArticleDraft(f"Paris is article {i}.", spans=(SpanDraft(0, 5, "GPE"),))
        return store.add_article(draft).article_id

    first = [add(i) for i in range(3)]
    out = tmp_path / "brat"
    run_export(store, ExportOptions(fmt="brat", out=out, article_ids=tuple(first)))
    old = _files(out)
    for i in range(3, 6):
        add(i)
    killed = _kill_after(db_path, out, events)
    got = _files(out)
    if got != old:  # the new export, whole: the same files as an export run to its end
        fresh = tmp_path / "fresh"
        run_export(store, ExportOptions(fmt="brat", out=fresh))
        assert got == _files(fresh), f"a mix of old and new after a kill at step {events}"
    assert killed or got != old
    # the next export cleans up what the killed one left beside the folder
    run_export(store, ExportOptions(fmt="brat", out=out))
    assert len([n for n in _files(out) if n.endswith(".ann")]) == 6
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".brat")] == []
