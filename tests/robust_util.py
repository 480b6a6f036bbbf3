"""Helpers for the robustness tests: run margin in real processes, a tiny fast model, db probes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAUNCH = "from tui.cli import main; main()"


# words the tiny model tags; every synthetic article (bench.corpus) mentions some of them
def _patterns() -> list[dict[str, Any]]:
    from bench.corpus import NORPS, ORG_HEAD, ORG_TAIL, PLACES

    out: list[dict[str, Any]] = [{"label": "GPE", "pattern": p} for p in PLACES]
    out += [{"label": "NORP", "pattern": p} for p in NORPS]
    out += [
        {"label": "ORG", "pattern": [{"ORTH": h}, {"ORTH": t}]} for h in ORG_HEAD for t in ORG_TAIL
    ]
    return out


def env(tmp: Path) -> dict[str, str]:
    """The environment of a margin child process: no user config, no user database."""
    out = dict(os.environ)
    out["MARGIN_CONFIG"] = str(tmp / "config.toml")
    out["MARGIN_DB"] = str(tmp / "default.db")
    out.pop("MARGIN_MODEL", None)
    out["PYTHONUNBUFFERED"] = "1"
    return out


def command(db: Path, *args: str) -> list[str]:
    """The argv of ``margin --db DB ARGS`` run by this interpreter."""
    return [sys.executable, "-c", LAUNCH, "--db", str(db), *args]


def margin(
    db: Path, *args: str, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run margin to the end in a child process; stdout and stderr decoded as text."""
    done = subprocess.run(
        command(db, *args),
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=env(db.parent),
        cwd=ROOT,
        timeout=timeout,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def margin_tty(db: Path, *args: str, timeout: float = 60) -> str:
    """Run margin with stdout and stderr on a pseudo-terminal (as a person sees it); return
    what reached the terminal, with the line discipline's \\r\\n turned back into \\n."""
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        command(db, *args),
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env={**env(db.parent), "COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color"},
        cwd=ROOT,
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            raise AssertionError(f"margin {args} did not finish in {timeout} s")
    finally:
        os.close(master)
        proc.wait(timeout=10)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def start(db: Path, *args: str) -> subprocess.Popen[str]:
    """Start margin in a child process (its own process group) and return at once."""
    return subprocess.Popen(
        command(db, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(db.parent),
        cwd=ROOT,
    )


def wait_until(probe: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    """Poll probe until it is true; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one read query on its own short connection; a missing table reads as no rows."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        conn.close()


def scalar(db: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the first row of a query (0 when there is none)."""
    rows = query(db, sql, params)
    return rows[0][0] if rows else 0


def integrity(db: Path) -> list[str]:
    """PRAGMA integrity_check's lines (['ok'] when sound)."""
    return [r[0] for r in query(db, "PRAGMA integrity_check")]


def assert_sound(db: Path) -> None:
    """The database passes SQLite's checks and margin's doctor."""
    assert integrity(db) == ["ok"]
    assert query(db, "PRAGMA foreign_key_check") == []
    from store.doctor import diagnose

    report = diagnose(db)
    assert report.ok, [p.as_dict() for p in report.problems]


def no_lock_errors(*streams: str) -> None:
    """No output of margin says the database was locked or shows a traceback."""
    for text in streams:
        assert "locked" not in text.lower(), text
        assert "Traceback" not in text, text


def write_jsonl(path: Path, n: int, start: int = 0, sentences: int = 6) -> Path:
    """Write n synthetic articles (bench.corpus texts, no spans) as a JSONL of articles."""
    from bench.corpus import article

    with path.open("w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            a = article(i, sentences)
            fh.write(json.dumps({"text": a.text, "title": a.title, "source": a.source}) + "\n")
    return path


_MODEL: list[str] = []


def tiny_model_path(factory: pytest.TempPathFactory) -> str:
    """A spaCy pipeline on disk with only an entity ruler: loads and runs in a blink (cached)."""
    if _MODEL:
        return _MODEL[0]
    import spacy

    path = factory.mktemp("model") / "tiny"
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(_patterns())  # type: ignore[attr-defined]
    nlp.to_disk(path)
    _MODEL.append(str(path))
    return str(path)
