"""Where an export lands: devices and FIFOs written through, symlinks followed, regular files
and brat folders replaced whole, margin's stale temporaries cleaned up."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from store import ArticleDraft, ExportError, SpanDraft
from store.export import ExportOptions, run_export
from store.outfile import MARKER
from tests.helpers import export_corpus


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


@pytest.mark.skipif(os.geteuid() != 0, reason="replacing /dev/null needs root to go wrong")
def test_dev_null_stays_a_device(store):
    export_corpus(store)
    for fmt in ("doccano", "labelstudio", "spacy"):
        run_export(store, ExportOptions(fmt=fmt, out=Path("/dev/null")))
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode), fmt
    assert not Path("/dev/null.label_config.xml").exists()
    assert not [p for p in Path("/dev").iterdir() if ".margin-tmp-" in p.name]


def test_a_character_device_is_written_through(store, tmp_path):
    export_corpus(store)
    dev = tmp_path / "null"
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    except (PermissionError, OSError):
        pytest.skip("cannot make a device node here")
    run_export(store, ExportOptions(fmt="doccano", out=dev))
    assert stat.S_ISCHR(os.stat(dev).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".null")]


def test_a_fifo_is_written_through_to_its_reader(store, tmp_path):
    a1, a2 = export_corpus(store)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run_export(store, ExportOptions(fmt="doccano", out=fifo))
    reader.join(timeout=30)
    assert not reader.is_alive(), "the reader never saw the end of the export"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [json.loads(x)["id"] for x in got[0].decode().splitlines()] == [a1, a2]


def test_a_symlink_is_kept_and_its_target_replaced(store, tmp_path):
    a1, a2 = export_corpus(store)
    real = tmp_path / "data" / "real.jsonl"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    run_export(store, ExportOptions(fmt="doccano", out=link))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert [r["id"] for r in _lines(real)] == [a1, a2]
    # a dangling link: its target is created
    gone = tmp_path / "data" / "new.jsonl"
    link2 = tmp_path / "link2.jsonl"
    link2.symlink_to(gone)
    run_export(store, ExportOptions(fmt="doccano", out=link2))
    assert link2.is_symlink() and [r["id"] for r in _lines(gone)] == [a1, a2]
    assert not [p for p in tmp_path.rglob("*") if ".margin-tmp-" in p.name]


def test_stale_temporaries_of_a_dead_export_are_removed(store, tmp_path):
    export_corpus(store)
    out = tmp_path / "o.jsonl"
    dead = tmp_path / f".o.jsonl.margin-tmp-{_dead_pid()}-0bad"
    dead.write_text("half an export", encoding="utf-8")
    dead_dir = tmp_path / f".o.jsonl.margin-tmp-{_dead_pid()}-0dir"
    dead_dir.mkdir()
    (dead_dir / "1.txt").write_text("x", encoding="utf-8")
    alive = tmp_path / f".o.jsonl.margin-tmp-{os.getppid()}-0live"  # a running export's
    alive.write_text("being written", encoding="utf-8")
    other = tmp_path / ".o.jsonl.someone-elses"
    other.write_text("not ours", encoding="utf-8")
    run_export(store, ExportOptions(fmt="doccano", out=out))
    assert not dead.exists() and not dead_dir.exists()
    assert alive.exists() and other.exists() and out.exists()


def test_a_regular_file_is_replaced_keeping_its_mode(store, tmp_path):
    export_corpus(store)
    out = tmp_path / "o.jsonl"
    old = os.umask(0o022)
    try:
        run_export(store, ExportOptions(fmt="doccano", out=out))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    out.chmod(0o600)  # a private file stays private when it is exported over
    run_export(store, ExportOptions(fmt="doccano", out=out))
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


# --- brat folders (item 15) ----------------------------------------------------------------------


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_brat_reexport_leaves_no_old_files(store, tmp_path):
    a1, _a2 = export_corpus(store)
    a3 = store.add_article(ArticleDraft("The Wagner group left.")).article_id
    store.add_span(a3, 4, 16, "MILITIA")
    out = tmp_path / "brat"
    run_export(store, ExportOptions(fmt="brat", out=out))
    assert f"{a3}.ann" in _files(out) and (out / MARKER).is_file()
    assert "MILITIA" in (out / "annotation.conf").read_text("utf-8")
    run_export(store, ExportOptions(fmt="brat", out=out, article_ids=(a1,)))
    assert _files(out) == {f"{a1}.txt", f"{a1}.ann", "annotation.conf", "visual.conf", MARKER}
    assert "MILITIA" not in (out / "annotation.conf").read_text("utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_brat_into_an_empty_folder_and_through_a_symlink(store, tmp_path):
    a1, _a2 = export_corpus(store)
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    run_export(store, ExportOptions(fmt="brat", out=link))
    assert link.is_symlink() and f"{a1}.ann" in _files(real)


def test_brat_refuses_a_foreign_folder_untouched(store, tmp_path):
    export_corpus(store)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(ExportError) as err:
        run_export(store, ExportOptions(fmt="brat", out=out))
    assert str(out) in str(err.value) and "not a previous margin export" in str(err.value)
    assert _files(out) == {"thesis.tex"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_brat_split_parts_are_swapped_each(store, tmp_path):
    ids = [
        store.add_article(
            ArticleDraft(f"Paris number {i}.", spans=(SpanDraft(0, 5, "GPE"),))
        ).article_id
        for i in range(10)
    ]
    out = tmp_path / "b"
    run_export(store, ExportOptions(fmt="brat", out=out, split=(("dev", 0.2),)))
    run_export(store, ExportOptions(fmt="brat", out=out, split=(("dev", 0.2),)))
    anns = {p.name for p in out.rglob("*.ann")}
    assert anns == {f"{i}.ann" for i in ids}
