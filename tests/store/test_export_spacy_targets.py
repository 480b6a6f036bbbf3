"""Where a .spacy export lands: through a FIFO to its reader, and a kill -9 half-way leaves the old
export (file or folder of parts) whole, no temporaries after the next export."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import threading
import zlib
from pathlib import Path

import pytest
import srsly
from spacy.tokens import DocBin

from store import ArticleDraft, Store
from store.export import ExportOptions, run_export
from tests.helpers import command, export_corpus, wait_until


def test_one_file_streams_through_a_fifo(store, tmp_path):
    a1, a2 = export_corpus(store)
    fifo = tmp_path / "pipe.spacy"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run_export(store, ExportOptions(fmt="spacy", out=fifo))
    reader.join(timeout=60)
    assert not reader.is_alive(), "the reader never saw the end of the export"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    msg = srsly.msgpack_loads(zlib.decompress(got[0]))
    assert [u and srsly.msgpack_loads(u)["margin"]["article_id"] for u in msg["user_data"]] == [
        a1,
        a2,
    ]


def _fill(db: Path, n: int) -> None:
    s = Store(db)
    text = "Angela Merkel met Barack Obama in Berlin and flew on to Paris. " * 40
    for i in range(n):
        s.add_article(ArticleDraft(f"{i} {text}", title=f"t{i}"))
    s.close()


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["old.spacy", "corpus"])
def test_kill_half_way_keeps_the_old_export(tmp_path, name):
    db = tmp_path / "m.db"
    _fill(db, 1500)
    out = tmp_path / name
    first = subprocess.run(
        command(db, "export", "--format", "spacy", "--out", str(out)), capture_output=True
    )
    assert first.returncode == 0, first.stderr
    before = out.read_bytes() if out.is_file() else sorted(_names(out))
    child = subprocess.Popen(command(db, "export", "--format", "spacy", "--out", str(out)))
    try:
        wait_until(
            lambda: any(".margin-tmp-" in p for p in _names(tmp_path)),
            timeout=120,
            what="the export's temporary",
        )
        tmp = next(p for p in tmp_path.iterdir() if ".margin-tmp-" in p.name)
        if tmp.is_dir():  # a folder: kill once its first part is written
            wait_until(lambda: (tmp / "part-00001.spacy").exists(), 120, "a first part")
        assert child.poll() is None, "the export ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    after = out.read_bytes() if out.is_file() else sorted(_names(out))
    assert after == before  # the old export, whole
    third = subprocess.run(
        command(db, "export", "--format", "spacy", "--out", str(out)), capture_output=True
    )
    assert third.returncode == 0, third.stderr
    assert not [p for p in _names(tmp_path) if ".margin-tmp-" in p]
    files = [out] if out.is_file() else sorted(out.glob("*.spacy"))
    assert sum(len(DocBin().from_disk(f)) for f in files) == 1500
