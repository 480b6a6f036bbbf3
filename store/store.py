"""Store: the one API that the command line and the reader call; one method is one transaction."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from .annotations import AnnotationsMixin
from .correction_stats import CorrectionStatsMixin
from .corrections import CorrectionsMixin
from .db import open_database
from .labels import color_for
from .models import (  # NotFound and now are re-exported: store.store.NotFound
    STATUSES,
    Article,
    ArticleDraft,
    ArticleSummary,
    ImportResult,
    Label,
    LabelCount,
    NotFound,
    Span,
    SpanDraft,
    SpanError,
    Stats,
    check_span,
    content_hash,
    normalise_text,
    now,
    title_from_text,
)
from .propagation import PropagationMixin
from .queries import QueriesMixin
from .rules import RulesMixin
from .search import SearchMixin

SORTS = {
    "newest": "a.imported_at DESC, a.id DESC",
    "oldest": "a.imported_at ASC, a.id ASC",
    "title": "a.title COLLATE NOCASE ASC, a.id ASC",
    "entities": "a.entity_count DESC, a.id ASC",
    "id": "a.id ASC",
}

SPAN_COLUMNS = 'id, article_id, start, "end", label, source, status, text, created_at, updated_at'


def span_from_row(row: sqlite3.Row) -> Span:
    """Build a Span from a row selected with SPAN_COLUMNS."""
    return Span(
        id=row["id"],
        article_id=row["article_id"],
        start=row["start"],
        end=row["end"],
        label=row["label"],
        source=row["source"],
        status=row["status"],
        text=row["text"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        source=row["source"],
        content_hash=row["content_hash"],
        imported_at=row["imported_at"],
        read=bool(row["read"]),
        reviewed=bool(row["reviewed"]),
        meta=json.loads(row["meta"]) if row["meta"] else None,
    )


def _summary_from_row(row: sqlite3.Row) -> ArticleSummary:
    return ArticleSummary(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        imported_at=row["imported_at"],
        read=bool(row["read"]),
        reviewed=bool(row["reviewed"]),
        entity_count=row["entity_count"],
        length=row["length"],
    )


@dataclass(frozen=True)
class _Prepared:
    """An article draft checked and normalised, ready to insert."""

    text: str
    digest: str
    title: str
    source: str
    meta: str | None
    spans: tuple[SpanDraft, ...]


def check_unicode(value: str, what: str) -> None:
    """Raise ValueError if value holds a lone surrogate, which no UTF-8 file or SQLite can keep."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        raise ValueError(
            f"the {what} holds a lone surrogate (U+{code:04X}) at offset {exc.start}:"
            " not valid Unicode"
        ) from None


def check_draft_span(text: str, span: SpanDraft) -> None:
    """Raise SpanError unless the span fits the (normalised) text and has a label and status."""
    check_span(text, span.start, span.end)
    if span.status not in STATUSES:
        raise SpanError(f"unknown span status {span.status!r}")
    if not isinstance(span.label, str) or not span.label.strip():
        raise SpanError(f"span {span.start}..{span.end} has no label")
    try:
        check_unicode(span.label, "label")
        check_unicode(span.source, "span source")
    except ValueError as exc:
        raise SpanError(str(exc)) from None


def prepare_draft(draft: ArticleDraft) -> _Prepared:
    """Normalise and check one draft; raise ValueError (SpanError) before anything is written."""
    text = normalise_text(draft.text)
    if not text.strip():
        raise ValueError("the article text is empty")
    check_unicode(text, "text")
    check_unicode(draft.title or "", "title")
    check_unicode(draft.source, "source")
    for span in draft.spans:
        check_draft_span(text, span)
    title = (draft.title or "").strip() or title_from_text(text, fallback=draft.source)
    try:
        meta = json.dumps(draft.meta, ensure_ascii=False) if draft.meta else None
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold, or a cycle
        raise ValueError(f"the meta cannot be stored as JSON ({exc})") from None
    if meta is not None:
        check_unicode(meta, "meta")
    return _Prepared(text, content_hash(text), title, draft.source, meta, tuple(draft.spans))


class Store(
    CorrectionsMixin,
    PropagationMixin,
    RulesMixin,
    CorrectionStatsMixin,
    SearchMixin,
    QueriesMixin,
    AnnotationsMixin,
):
    """A margin database: articles, spans, labels, the journal and learned rules."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        # every connection opened, with the thread that uses it; a dead thread's is reused
        self._all: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._memory = self.path == ":memory:"
        self._shared: sqlite3.Connection | None = None
        self._conn()  # create and migrate now, so errors surface at open

    # -- connections and transactions -------------------------------------------------

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection as a ``sqlite_utils.Database`` (for notebooks and scripts)."""
        conn = self._conn()
        db = getattr(self._local, "db", None)
        if db is None or db.conn is not conn:
            db = sqlite_utils.Database(conn)
            self._local.db = db
        return db

    def _conn(self) -> sqlite3.Connection:
        """Return this thread's connection (one shared connection for :memory:)."""
        if self._memory:
            if self._shared is None:
                self._shared = open_database(":memory:")
            return self._shared
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._adopt()
            self._local.conn = conn
        return conn

    def _adopt(self) -> sqlite3.Connection:
        """Hand this thread the connection of a thread that has ended, or register a new one.

        The reader runs each store call in a short-lived worker thread: without reuse, every
        call would leave an open connection (and file handles) behind until the store closes.
        """
        me = threading.current_thread()
        with self._lock:
            for i, (thread, conn) in enumerate(self._all):
                if not thread.is_alive():
                    if conn.in_transaction:  # its thread died mid-way: nothing was committed
                        conn.rollback()
                    self._all[i] = (me, conn)
                    return conn
        conn = open_database(self.path)  # outside the lock: it may wait on another writer
        with self._lock:
            self._all.append((me, conn))
        return conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """Run a write transaction (BEGIN IMMEDIATE ... COMMIT), rolled back on any error."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:  # a failed COMMIT leaves the transaction open: end it
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            for _thread, conn in self._all:
                conn.close()
            self._all.clear()
        if self._shared is not None:
            self._shared.close()
            self._shared = None
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- journal primitives ------------------------------------------------------------

    def _new_group(self, conn: sqlite3.Connection) -> int:
        """Return a fresh journal group id (call inside a write transaction)."""
        row = conn.execute("SELECT COALESCE(MAX(group_id), 0) + 1 FROM journal").fetchone()
        return int(row[0])

    def _journal(
        self,
        conn: sqlite3.Connection,
        group: int,
        action: str,
        *,
        article_id: int | None = None,
        span_id: int | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        actor: str = "user",
        undoable: bool = True,
    ) -> None:
        conn.execute(
            "INSERT INTO journal (group_id, at, actor, action, article_id, span_id, before, after,"
            " undoable) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                group,
                now(),
                actor,
                action,
                article_id,
                span_id,
                json.dumps(before, ensure_ascii=False) if before is not None else None,
                json.dumps(after, ensure_ascii=False) if after is not None else None,
                int(undoable),
            ),
        )

    def _span_row(self, conn: sqlite3.Connection, span_id: int) -> dict[str, Any]:
        row = conn.execute(f"SELECT {SPAN_COLUMNS} FROM spans WHERE id = ?", (span_id,)).fetchone()
        if row is None:
            raise NotFound(f"span {span_id} does not exist")
        return dict(row)

    def _insert_span(
        self,
        conn: sqlite3.Connection,
        text: str,
        article_id: int,
        draft: SpanDraft,
        *,
        group: int | None = None,
        action: str = "add",
        actor: str = "user",
    ) -> int:
        """Insert a span after checking it against the text; journal it when group is given."""
        check_draft_span(text, draft)
        self._ensure_label(conn, draft.label)
        stamp = now()
        cur = conn.execute(
            'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                draft.start,
                draft.end,
                draft.label,
                draft.source,
                draft.status,
                text[draft.start : draft.end],
                stamp,
                stamp,
            ),
        )
        span_id = int(cur.lastrowid or 0)
        if group is not None:
            self._journal(
                conn,
                group,
                action,
                article_id=article_id,
                span_id=span_id,
                after=self._span_row(conn, span_id),
                actor=actor,
            )
        return span_id

    def _update_span(
        self,
        conn: sqlite3.Connection,
        span_id: int,
        group: int,
        action: str,
        *,
        actor: str = "user",
        **changes: Any,
    ) -> dict[str, Any]:
        """Change a span's status or label, journalling before and after; return the after row."""
        allowed = {"status", "label"}
        if not set(changes) <= allowed:
            raise ValueError(f"only {sorted(allowed)} of a span can change")
        before = self._span_row(conn, span_id)
        if "label" in changes:
            self._ensure_label(conn, changes["label"])
        sets = ", ".join(f"{k} = ?" for k in changes)
        conn.execute(
            f"UPDATE spans SET {sets}, updated_at = ? WHERE id = ?",
            (*changes.values(), now(), span_id),
        )
        after = self._span_row(conn, span_id)
        self._journal(
            conn,
            group,
            action,
            article_id=before["article_id"],
            span_id=span_id,
            before=before,
            after=after,
            actor=actor,
        )
        return after

    def _ensure_label(self, conn: sqlite3.Connection, name: str) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO labels (name, color, position) VALUES"
            " (?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM labels))",
            (name, color_for(name)),
        )

    # -- articles ----------------------------------------------------------------------

    def add_article(self, draft: ArticleDraft) -> ImportResult:
        """Store one article (and its spans) unless the same text is already there."""
        return self.add_articles([draft])[0]

    def add_articles(self, drafts: Sequence[ArticleDraft]) -> list[ImportResult]:
        """Store several articles in one transaction; identical texts become one article.

        Every article and span is checked before anything is written, so a bad one
        rejects the whole batch; spans, labels and journal rows are written in bulk.
        """
        prepared = [prepare_draft(draft) for draft in drafts]
        results: list[ImportResult] = []
        if not prepared:
            return results
        with self._tx() as conn:
            group = self._new_group(conn)
            known = self._existing_hashes(conn, [p.digest for p in prepared])
            stamp = now()
            span_rows: list[tuple[Any, ...]] = []
            journal_rows: list[tuple[Any, ...]] = []
            labels: set[str] = set()
            for p in prepared:
                if p.digest in known:
                    results.append(ImportResult(known[p.digest], False, 0))
                    continue
                cur = conn.execute(
                    "INSERT INTO articles (title, text, source, content_hash, imported_at, meta,"
                    " length) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (p.title, p.text, p.source, p.digest, stamp, p.meta, len(p.text)),
                )
                article_id = int(cur.lastrowid or 0)
                known[p.digest] = article_id
                for sp in p.spans:
                    labels.add(sp.label)
                    span_rows.append(
                        (
                            article_id,
                            sp.start,
                            sp.end,
                            sp.label,
                            sp.source,
                            sp.status,
                            p.text[sp.start : sp.end],
                            stamp,
                            stamp,
                        )
                    )
                journal_rows.append(
                    (
                        group,
                        stamp,
                        "import",
                        "import",
                        article_id,
                        json.dumps({"source": p.source, "spans": len(p.spans)}, ensure_ascii=False),
                    )
                )
                results.append(ImportResult(article_id, True, len(p.spans)))
            self._ensure_labels(conn, labels)
            conn.executemany(
                'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                span_rows,
            )
            conn.executemany(
                "INSERT INTO journal (group_id, at, actor, action, article_id, after, undoable)"
                " VALUES (?, ?, ?, ?, ?, ?, 0)",
                journal_rows,
            )
        return results

    def _existing_hashes(self, conn: sqlite3.Connection, digests: list[str]) -> dict[str, int]:
        """Return {content hash: article id} for the hashes already stored."""
        found: dict[str, int] = {}
        unique = list(dict.fromkeys(digests))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            q = f"SELECT content_hash, id FROM articles WHERE content_hash IN ({marks})"
            found.update((h, int(aid)) for h, aid in conn.execute(q, chunk))
        return found

    def _ensure_labels(self, conn: sqlite3.Connection, names: Iterable[str]) -> None:
        """Add the labels that do not exist yet, at the end of the legend, in name order."""
        have = {r[0] for r in conn.execute("SELECT name FROM labels")}
        for name in sorted(set(names) - have):
            self._ensure_label(conn, name)

    def article(self, article_id: int) -> Article:
        """Return one article with its text; raise NotFound if there is none."""
        row = self._conn().execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"article {article_id} does not exist")
        return _article_from_row(row)

    def has_article(self, article_id: int) -> bool:
        """True when an article with this id exists."""
        q = "SELECT 1 FROM articles WHERE id = ?"
        return self._conn().execute(q, (article_id,)).fetchone() is not None

    def articles(
        self, offset: int = 0, limit: int = 50, sort: str = "newest"
    ) -> list[ArticleSummary]:
        """Return one page of article summaries, never the whole table."""
        order = SORTS.get(sort)
        if order is None:
            raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
        rows = self._conn().execute(
            "SELECT a.id, a.title, a.source, a.imported_at, a.read, a.reviewed, a.entity_count,"
            f" a.length FROM articles a ORDER BY {order} LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_summary_from_row(r) for r in rows]

    def iter_articles(
        self, ids: Iterable[int] | None = None, batch: int = 200
    ) -> Iterator[Article]:
        """Yield articles (all, or the given ids) in id order, a batch at a time."""
        conn = self._conn()
        if ids is not None:
            for aid in ids:
                yield self.article(aid)
            return
        last = 0
        while True:
            rows = conn.execute(
                "SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _article_from_row(row)
            last = rows[-1]["id"]

    def texts(self, ids: Sequence[int], batch: int = 200) -> Iterator[tuple[int, str]]:
        """Yield (id, text) for the given article ids in that order, reading a batch at a time."""
        conn = self._conn()
        for i in range(0, len(ids), batch):
            chunk = list(ids[i : i + batch])
            marks = ",".join("?" * len(chunk))
            rows = dict(conn.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", chunk))
            for aid in chunk:
                if aid not in rows:
                    raise NotFound(f"article {aid} does not exist")
                yield aid, rows[aid]

    def article_count(self) -> int:
        """Return how many articles there are."""
        return int(self._conn().execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def article_ids(self) -> list[int]:
        """Return every article id in id order (ints only)."""
        return [r[0] for r in self._conn().execute("SELECT id FROM articles ORDER BY id")]

    def reviewed_article_ids(self) -> set[int]:
        """Return the ids of the articles marked reviewed."""
        rows = self._conn().execute("SELECT id FROM articles WHERE reviewed = 1")
        return {r[0] for r in rows}

    def mark_read(self, article_id: int, read: bool = True) -> None:
        """Set an article's read state."""
        with self._tx() as conn:
            cur = conn.execute("UPDATE articles SET read = ? WHERE id = ?", (int(read), article_id))
            if cur.rowcount == 0:
                raise NotFound(f"article {article_id} does not exist")

    # -- spans -------------------------------------------------------------------------

    def spans(self, article_id: int, *, include_rejected: bool = True) -> list[Span]:
        """Return an article's spans ordered by start, then end."""
        q = f"SELECT {SPAN_COLUMNS} FROM spans WHERE article_id = ?"
        if not include_rejected:
            q += " AND status != 'rejected'"
        q += ' ORDER BY start, "end", id'
        return [span_from_row(r) for r in self._conn().execute(q, (article_id,))]

    def span(self, span_id: int) -> Span:
        """Return one span; raise NotFound if there is none."""
        return span_from_row(self._span_row(self._conn(), span_id))  # type: ignore[arg-type]

    def store_extraction(
        self,
        results: Sequence[tuple[int, Sequence[SpanDraft]]],
        source: str,
        texts: Mapping[int, str] | None = None,
    ) -> int:
        """Replace the untouched model suggestions of some articles in one transaction.

        A span a person accepted, rejected or added survives; a new suggestion that a
        person already rejected, or that overlaps a person's decision, is not added.
        ``texts`` (article id -> text) saves reading texts the caller already has.
        Returns how many spans were written.
        """
        if not results:
            return 0
        with self._tx() as conn:
            group = self._new_group(conn)
            stamp = now()
            rows: list[tuple[Any, ...]] = []
            journal_rows: list[tuple[Any, ...]] = []
            for article_id, drafts in results:
                text = texts.get(article_id) if texts is not None else None
                if text is None:
                    text = self._article_text(conn, article_id)
                added, removed = self._replace_suggestions(
                    conn, article_id, text, drafts, source, stamp, rows
                )
                after = {"source": source, "added": added, "removed": removed}
                journal_rows.append(
                    (group, stamp, source, "extract", article_id, json.dumps(after))
                )
            self._ensure_labels(conn, {r[3] for r in rows})
            conn.executemany(
                'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO journal (group_id, at, actor, action, article_id, after, undoable)"
                " VALUES (?, ?, ?, ?, ?, ?, 0)",
                journal_rows,
            )
        return len(rows)

    def _replace_suggestions(
        self,
        conn: sqlite3.Connection,
        article_id: int,
        text: str,
        drafts: Sequence[SpanDraft],
        source: str,
        stamp: str,
        rows: list[tuple[Any, ...]],
    ) -> tuple[int, int]:
        """Delete an article's untouched suggestions; append the new rows to write.

        Returns (rows appended, suggestions removed).
        """
        removed = conn.execute(
            "DELETE FROM spans WHERE article_id = ? AND status = 'suggested'"
            " AND (source LIKE 'model:%' OR source LIKE 'rule:%')",
            (article_id,),
        ).rowcount
        kept = conn.execute(
            'SELECT start, "end", label, status FROM spans WHERE article_id = ?', (article_id,)
        ).fetchall()
        rejected = {(s, e, lab) for s, e, lab, st in kept if st == "rejected"}
        decided = [(s, e) for s, e, _lab, st in kept if st != "rejected"]
        before = len(rows)
        for d in drafts:
            check_draft_span(text, d)
            if (d.start, d.end, d.label) in rejected:
                continue
            if decided and any(d.start < e and s < d.end for s, e in decided):
                continue
            rows.append(
                (
                    article_id,
                    d.start,
                    d.end,
                    d.label,
                    d.source or source,
                    d.status,
                    text[d.start : d.end],
                    stamp,
                    stamp,
                )
            )
        return len(rows) - before, removed

    def to_extract_after_import(
        self, created: Sequence[int], existing: Sequence[int], reviewed: Iterable[int] = ()
    ) -> list[int]:
        """The articles an import should run the model on, in order.

        New articles, and present ones never extracted (an earlier import was cut short);
        not those a file marks fully annotated (``reviewed``) or that are reviewed already,
        whose suggestions would count as decisions in exports.
        """
        marked = set(reviewed)
        if not created and not existing:
            return []
        never = set(self.articles_without_suggestions())
        present = [
            i for i in existing if i in never and i not in marked and not self.article(i).reviewed
        ]
        fresh = [i for i in created if i not in marked]
        return [i for i in dict.fromkeys(fresh + present) if i in never]

    def articles_without_suggestions(self, source_prefix: str = "model:") -> list[int]:
        """Return ids of articles that no extractor has run on yet."""
        rows = self._conn().execute(  # one pass over each table, not a subquery per article
            "SELECT id FROM articles EXCEPT SELECT article_id FROM journal"
            " WHERE action = 'extract' AND actor LIKE ? ORDER BY 1",
            (source_prefix + "%",),
        )
        return [r[0] for r in rows]

    # -- labels ------------------------------------------------------------------------

    def labels(self) -> list[Label]:
        """Return every label in legend order."""
        rows = self._conn().execute(
            "SELECT name, description, color, key, position FROM labels ORDER BY position, name"
        )
        return [Label(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def add_label(self, name: str, description: str = "", color: str | None = None) -> Label:
        """Add a label (or leave an existing one as it is) and return it."""
        name = name.strip()
        if not name:
            raise ValueError("a label needs a name")
        with self._tx() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO labels (name, description, color, position) VALUES"
                " (?, ?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM labels))",
                (name, description, color or color_for(name)),
            )
        return next(lab for lab in self.labels() if lab.name == name)

    # -- counts ------------------------------------------------------------------------

    def stats(self) -> Stats:
        """Return corpus-wide counts, per label by status."""
        conn = self._conn()
        a = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(read), 0), COALESCE(SUM(reviewed), 0) FROM articles"
        ).fetchone()
        per: dict[str, dict[str, int]] = {}
        total = 0
        for label, status, n in conn.execute(
            "SELECT label, status, COUNT(*) FROM spans GROUP BY label, status"
        ):
            per.setdefault(label, {})[status] = n
            total += n
        counts = tuple(
            LabelCount(label, v.get("suggested", 0), v.get("accepted", 0), v.get("rejected", 0))
            for label, v in sorted(per.items())
        )
        return Stats(int(a[0]), int(a[1]), int(a[2]), total, counts)


def open_store(path: str | Path) -> Store:
    """Open (creating and migrating if needed) the margin database at path."""
    return Store(path)
