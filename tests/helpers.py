"""Helpers shared by the tests outside tests/tui: sample texts, a fake model, margin in real
processes, database probes, format round trips, and polling for a condition."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from store import ArticleDraft, SpanDraft, Store
from store.export import ExportOptions, ExportResult, run_export
from store.extract import run_extraction
from store.importer import ImportSummary, import_paths

# --- waiting for a condition (never a fixed sleep) -----------------------------------------------


def wait_until(probe: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    """Poll probe until it is true; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# --- sample texts -------------------------------------------------------------------------------

SEED = (
    "Rebel forces have taken control of the majority of Aleppo, the country's second-largest "
    "city, marking a significant blow to the regime of President Bashar al-Assad. Russia and "
    "Iran, allies of the Syrian government, responded with air raids on Aleppo."
)

# the search tests' article and the entities a model found in it
SEARCH_TEXT = (
    "Rebel forces have taken control of Aleppo, a blow to President Bashar al-Assad. "
    "Iran and Hezbollah are weakened. The rebels are led by Hayat Tahrir al-Sham (HTS). "
    "Bashar Haddad, a resident of Aleppo, said the Syrian Observatory for Human Rights "
    "counted the dead."
)
SEARCH_ENTITIES = [
    ("Aleppo", "GPE"),
    ("Bashar al-Assad", "PERSON"),
    ("Iran", "GPE"),
    ("Hezbollah", "ORG"),
    ("Hayat Tahrir al-Sham", "ORG"),
    ("HTS", "ORG"),
    ("Bashar Haddad", "PERSON"),
    ("Syrian Observatory for Human Rights", "ORG"),
]


def spans_for(text: str, entities: list[tuple[str, str]]) -> tuple[SpanDraft, ...]:
    """Every occurrence of each surface as a suggested span (first listed wins overlaps)."""
    out: list[SpanDraft] = []
    for surface, label in entities:
        i = 0
        while (i := text.find(surface, i)) >= 0:
            if not any(s.start < i + len(surface) and i < s.end for s in out):
                out.append(SpanDraft(i, i + len(surface), label, "model:test@1"))
            i += len(surface)
    return tuple(sorted(out, key=lambda s: s.start))


# anything a terminal would act on: C0 controls except \t \n, DEL, C1 controls, bidi overrides
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# --- a fake model (no spaCy) and what undo must restore -----------------------------------------

# the model's mistakes, as in the seed article: Aleppo is NORP, Assad a PERSON
TAGS = {"Aleppo": "NORP", "Bashar al-Assad": "PERSON", "Russia": "GPE", "Iran": "GPE"}
_PATTERN = re.compile("|".join(rf"\b{re.escape(s)}\b" for s in sorted(TAGS, key=len, reverse=True)))


class FakeExtractor:
    """Tags every whole-word occurrence of TAGS' surfaces, like a model that is always wrong the same way."""

    source = "model:fake@1"

    def __init__(self, model: str = "fake") -> None:
        self.model = model

    def load(self) -> None:
        """Nothing to load."""

    def check(self) -> None:
        """Always installed."""

    def extract(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 64
    ) -> Iterator[list[SpanDraft]]:
        for text in texts:
            yield [
                SpanDraft(m.start(), m.end(), TAGS[m.group()], self.source, "suggested")
                for m in _PATTERN.finditer(text)
            ]


def add_extracted(store: Store, text: str, title: str | None = None) -> int:
    """Import one article and run the fake model (and the learned rules) on it; return its id."""
    res = store.add_article(ArticleDraft(text, title=title, source="test"))
    run_extraction(store, [res.article_id], FakeExtractor())
    return res.article_id


def snapshot(store: Store) -> tuple:
    """Everything undo must restore: spans, review states and rules."""
    db = store.db
    spans = tuple(
        db["spans"].rows_where(
            select='id, article_id, start, "end", label, source, status, text, created_at,'
            " updated_at",
            order_by="id",
        )
    )
    arts = tuple(
        db["articles"].rows_where(select="id, reviewed, reviewed_at, entity_count", order_by="id")
    )
    rules = tuple(db["rules"].rows_where(order_by="id"))
    return spans, arts, rules


# --- margin in real processes ------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"  # files kept for tests (a margin 0.1.0 database)
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


def open_files(path: Path) -> int:
    """How many file descriptors of this process are open on path (Linux: /proc/self/fd)."""
    target = os.path.realpath(path)
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink(f"/proc/self/fd/{fd}") == target
        except OSError:  # closed since listdir (the listing's own descriptor, for one)
            pass
    return n


def no_lock_errors(*streams: str) -> None:
    """No output of margin says the database was locked or shows a traceback."""
    for text in streams:
        assert "locked" not in text.lower(), text
        assert "Traceback" not in text, text


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run margin's entry point in this process; any exception but SystemExit fails the test."""
    from tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["margin", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


def dump(db: Path) -> list[str]:
    """Everything in the database, as SQL text (the file itself changes with WAL checkpoints)."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


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


# --- format round trips ------------------------------------------------------------------------


def export_corpus(store: Store) -> tuple[int, int]:
    """Article 1: reviewed, one accepted and one open suggestion; article 2: not reviewed."""
    t1 = "Aleppo and Damascus are in Syria."
    a1 = store.add_article(
        ArticleDraft(
            t1,
            spans=(
                SpanDraft(0, 6, "GPE", "model:m@1"),
                SpanDraft(11, 19, "GPE", "model:m@1"),
                SpanDraft(27, 32, "PERSON", "model:m@1"),
            ),
        )
    ).article_id
    s = store.spans(a1)
    store.accept(s[0].id)
    store.reject(s[2].id)
    store.set_reviewed(a1)
    t2 = "Obama met Merkel in Berlin."
    a2 = store.add_article(
        ArticleDraft(
            t2,
            spans=(SpanDraft(0, 5, "PERSON", "model:m@1"), SpanDraft(20, 26, "GPE", "model:m@1")),
        )
    ).article_id
    store.add_span(a2, 10, 16, "PERSON")
    return a1, a2


def import_file(store: Store, path: Path | str, fmt: str | None = None) -> ImportSummary:
    """Import one file or folder and insist it was accepted."""
    summary = import_paths(store, [str(path)], fmt)
    assert summary.ok, summary.errors
    return summary


def import_error(store: Store, path: Path | str, fmt: str | None = None) -> str:
    """Import a file that must be rejected; return the one error line."""
    summary = import_paths(store, [str(path)], fmt)
    assert len(summary.errors) == 1, summary.errors
    assert "\n" not in summary.errors[0]
    assert store.article_count() == 0
    return summary.errors[0]


def export(store: Store, fmt: str, out: Path, **kw) -> ExportResult:
    """Export the whole store to a path."""
    return run_export(store, ExportOptions(fmt=fmt, out=out, **kw))


def annotations(store: Store) -> list[tuple[str, bool, list[tuple[int, int, str]]]]:
    """Every article's text, review state and decided spans, in text order."""
    out = []
    for art in store.iter_articles():
        spans = sorted(
            (s.start, s.end, s.label) for s in store.spans(art.id) if s.status == "accepted"
        )
        out.append((art.text, art.reviewed, spans))
    return sorted(out)


def roundtrip(tmp_path: Path, source: Path, fmt: str, out_name: str, in_fmt: str | None = None):
    """Import source, export it in fmt, import the export into a fresh store; return both views."""
    a = Store(tmp_path / "a.db")
    b = Store(tmp_path / "b.db")
    try:
        import_file(a, source, in_fmt)
        result = export(a, fmt, tmp_path / out_name)
        assert not result.total.skipped, result.total.skipped
        target = tmp_path / out_name
        if fmt == "brat":
            import_file(b, target)
        else:
            import_file(b, target, in_fmt or fmt)
        return annotations(a), annotations(b), result
    finally:
        a.close()
        b.close()
