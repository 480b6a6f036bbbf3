"""A full disk, a read-only folder, a read-only file: each said in its own words; reads still work.

The conditions are real: a small tmpfs filled up, a tmpfs remounted read-only, a read-only bind
mount of the database file (the tests run as root, and root ignores file permissions).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import ArticleDraft, open_store
from tests.helpers import SEED, margin

READS = (("list",), ("show", "1"), ("search", "Aleppo"), ("export", "--format", "csv"), ("stats",))


def _sh(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True)


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs of this test's own, unmounted afterwards."""
    where = tmp_path / "mnt"
    where.mkdir()
    done = _sh("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where))
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs to make a full or read-only disk ({done.stderr.strip()})"
        )
    try:
        yield where
    finally:
        for target in sorted(_mounts_under(where), key=len, reverse=True):
            _sh("umount", "-l", target)


def _mounts_under(where: Path) -> list[str]:
    lines = Path("/proc/mounts").read_text().splitlines()
    return [line.split()[1] for line in lines if line.split()[1].startswith(str(where))]


def _read_only(where: Path) -> None:
    done = _sh("mount", "-o", "remount,ro", str(where))
    assert done.returncode == 0, done.stderr


def _fill(db: Path) -> None:
    with open_store(db) as s:
        s.add_articles([ArticleDraft(SEED, title="Aleppo falls")])


def _reads_work(db: Path) -> None:
    for args in READS:
        done = margin(db, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert "Aleppo falls" in margin(db, "list").stdout


def _no_false_alarm(db: Path) -> None:
    done = margin(db, "doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems found" in done.stdout
    assert "restore a backup" not in done.stdout


def test_read_only_folder_without_wal(mount: Path) -> None:
    db = mount / "margin.db"
    _fill(db)
    assert not (mount / "margin.db-wal").exists()
    _read_only(mount)
    _reads_work(db)
    _no_false_alarm(db)
    done = margin(db, "import", "-", stdin=b'{"text": "Homs is a city."}\n')
    assert done.returncode == 1
    assert "read-only" in done.stderr and "cannot open as a margin database" not in done.stderr


def _live_copy(db: Path, into: Path) -> sqlite3.Connection:
    """Copy db with a -wal holding its newest article (and its -shm) into the folder into."""
    _fill(db)
    hold = sqlite3.connect(db)  # keeps the -wal from being checkpointed away
    hold.execute("PRAGMA wal_autocheckpoint = 0")
    hold.execute("SELECT COUNT(*) FROM articles").fetchone()
    with open_store(db) as s:
        s.add_articles([ArticleDraft(f"{SEED} Homs too.", title="only in the wal")])
    for name in ("margin.db", "margin.db-wal", "margin.db-shm"):
        shutil.copy(db.parent / name, into / name)
    return hold


def test_read_only_folder_with_wal_reads_the_wal(mount: Path, tmp_path: Path) -> None:
    hold = _live_copy(tmp_path / "margin.db", mount)
    try:
        _read_only(mount)
        db = mount / "margin.db"
        _reads_work(db)
        assert "only in the wal" in margin(db, "list").stdout
        _no_false_alarm(db)
    finally:
        hold.close()


def test_read_only_folder_with_a_wal_but_no_shm_names_the_missing_file(
    mount: Path, tmp_path: Path
) -> None:
    hold = _live_copy(tmp_path / "margin.db", mount)
    try:
        (mount / "margin.db-shm").unlink()
        _read_only(mount)
        done = margin(mount / "margin.db", "list")
        assert done.returncode == 1
        assert f"the folder {mount} is read-only" in done.stderr
        assert "margin.db-shm" in done.stderr
    finally:
        hold.close()


def test_read_only_file_in_a_writable_folder(tmp_path: Path) -> None:
    db = tmp_path / "margin.db"
    _fill(db)
    if _sh("mount", "--bind", str(db), str(db)).returncode != 0:
        pytest.skip("cannot bind-mount the file read-only (needs root)")
    try:
        assert _sh("mount", "-o", "remount,ro,bind", str(db)).returncode == 0
        _reads_work(db)
        _no_false_alarm(db)
        done = margin(db, "import", "-", stdin=b'{"text": "Homs is a city."}\n')
        assert done.returncode == 1
        assert f"the file {db} is read-only" in done.stderr
    finally:
        _sh("umount", "-l", str(db))


def test_full_disk(mount: Path) -> None:
    db = mount / "margin.db"
    _fill(db)
    with (mount / "filler").open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    assert shutil.disk_usage(mount).free < 65536
    _reads_work(db)
    _no_false_alarm(db)
    done = margin(db, "import", "-", stdin=b'{"text": "Homs is a city."}\n')
    assert done.returncode == 1
    assert f"no space left on the device holding {mount}" in done.stderr
