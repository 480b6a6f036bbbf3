"""Propagation: apply one decision to every identical mention in an article or the corpus."""

from __future__ import annotations

import bisect
import gc
import operator
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from . import batch, journal, rules
from .db import Unit
from .db.m0013_long_spans import LONG
from .errors import CorrectionError
from .labels import clean_label
from .mentions import is_word_char, mention_pattern
from .models import Mention, PropagationPreview, PropagationResult, now
from .rows import article_text, marks

CONTEXT = 40  # characters of context each side of a mention in a preview
BATCH = 400  # articles read from SQLite at a time
# mentions one write transaction changes at first; when a propagation has more, it goes in
# chunks, each sized from the last one's pace to hold the write lock about 0.4 s
# (16,000 hold it about 0.3 s on a 2-core machine, with the count triggers suspended and the
# checkpoints left to a thread)
CHUNK_MENTIONS = 16_000
# ...unless all of it fits one transaction of ONE_TX times that (36,000): then it is one
# (about 0.7 s of the write lock for 32,000 on a 2-core machine), with a page cache that holds
# all its pages; two chunks cost it 0.2 s more (the gap between them, the first one's
# checkpoint, a cache that spilled). A bigger one plans that far, then writes its first
# CHUNK_MENTIONS and goes on.
ONE_TX = 2.25
Units = journal.Units
Key = tuple[int, int, int]  # (article id, start, end) of a mention
Art = tuple[int, str, str, bool]  # (id, title, text, reviewed) of an article being planned


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Query:
    """One propagation's question: which surface, how it matches, what it may change."""

    surface: str
    label: str | None
    article_id: int | None = None
    case_sensitive: bool = True
    replace: bool = False
    include_reviewed: bool = False
    # each mention's context (before, after): for a preview; applying needs none
    context: bool = field(default=True, compare=False)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    exact: re.Pattern[str] = field(init=False, repr=False, compare=False)
    edges: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.surface, str) or not self.surface.strip():
            raise CorrectionError("propagation needs the text of a mention")
        if self.label is not None:
            object.__setattr__(self, "label", clean_label(self.label))
        flags = 0 if self.case_sensitive else re.IGNORECASE
        object.__setattr__(self, "pattern", mention_pattern([self.surface], self.case_sensitive))
        object.__setattr__(self, "exact", re.compile(re.escape(self.surface), flags))
        # the surface, then (behind it) no word character before it and none after: both
        # edges tested by the regex engine, the leading literal still found by its fast scan
        lit = re.escape(self.surface)
        object.__setattr__(self, "edges", re.compile(rf"{lit}(?<!\w{lit})(?!\w)", flags))

    def find(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each mention in text, as :func:`store.mentions.find_mentions` finds them.

        The regex rules out letters, digits and _ on either edge; a combining mark (never
        ASCII, rare) is tested here, and a mention it touches is looked for again one
        character on, as find_mentions does.
        """
        if text.isascii():  # no combining mark: the regex tested both edges already
            return [m.span() for m in self.edges.finditer(text)]
        out: list[tuple[int, int]] = []
        search, pos, n = self.edges.search, 0, len(text)
        while (m := search(text, pos)) is not None:
            start, end = m.span()
            if (start and not text[start - 1].isascii() and is_word_char(text[start - 1])) or (
                end < n and not text[end].isascii() and is_word_char(text[end])
            ):
                pos = start + 1
                continue
            out.append((start, end))
            pos = end
        return out


def _fts_phrase(surface: str) -> str | None:
    """The FTS5 phrase whose matches include every mention of an ASCII surface, or None."""
    if not surface.isascii():
        return None  # Unicode case folding of the regex and of FTS5 may differ: scan instead
    words = re.findall(r"[A-Za-z0-9]+", surface)
    return None if not words else 'text : "' + " ".join(words) + '"'


def candidate_ids(db: sqlite_utils.Database, q: Query) -> list[int]:
    """The ids of the articles that may mention the surface, in order (a superset).

    An ASCII surface is looked up in the word index (articles_fts): an exact whole-word
    mention is always a match of its words as a phrase there. Otherwise SQLite tests the
    substring (instr, or LIKE for ASCII without case), so only those texts reach Python.
    """
    if q.article_id is not None:
        article_text(db, q.article_id)  # NotFound for an unknown id
        return [q.article_id]
    phrase = _fts_phrase(q.surface)
    if phrase is not None:
        try:
            rows = db.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid",
                (phrase,),
            ).fetchall()
            return [int(r[0]) for r in rows]
        except sqlite3.OperationalError:  # no word index (a database made by hand): scan
            pass
    if q.case_sensitive:
        where, params = "instr(text, ?) > 0", [q.surface]
    elif q.surface.isascii():
        where, params = "text LIKE ? ESCAPE '\\'", [f"%{_like_escape(q.surface)}%"]
    else:
        pattern = q.pattern

        def margin_mentions(t: str | None) -> int:
            return 1 if t is not None and pattern.search(t) else 0

        db.register_function(margin_mentions, deterministic=True, replace=True)
        where, params = "margin_mentions(text)", []
    rows = db.execute(f"SELECT id FROM articles WHERE {where} ORDER BY id", params).fetchall()
    return [int(r[0]) for r in rows]


@dataclass
class Found:
    """What planning some articles found: changes, skipped and reviewed mentions."""

    changes: list[Mention] = field(default_factory=list)
    skipped: list[Mention] = field(default_factory=list)
    reviewed: list[Mention] = field(default_factory=list)


def _entities(db: sqlite_utils.Database, q: Query) -> list[tuple[str, str]] | None:
    """The (surface, label) pairs of current spans whose text is the surface, or None.

    Read from the entities table (one row per surface and label of the non-rejected spans),
    so that the spans themselves are then found through their (text, label, article) index.
    None when the surface folds case beyond ASCII (the NOCASE collation would miss some).
    """
    if q.case_sensitive:
        rows = db.execute("SELECT surface, label FROM entities WHERE surface = ?", (q.surface,))
    elif q.surface.isascii():
        rows = db.execute(
            "SELECT surface, label FROM entities WHERE surface = ? COLLATE NOCASE", (q.surface,)
        )
    else:
        return None
    return [(r[0], r[1]) for r in rows if q.exact.fullmatch(r[0])]


def _tagged(
    db: sqlite_utils.Database,
    q: Query,
    pairs: list[tuple[str, str]] | None,
    chunk: list[int],
) -> dict[int, list[tuple[Any, ...]]]:
    """The current spans of some articles whose text is the surface, per article, by start."""
    tagged: dict[int, list[tuple[Any, ...]]] = {aid: [] for aid in chunk}
    cur = db.conn.cursor()
    cur.row_factory = None  # plain tuples
    cols = 'SELECT id, start, "end", label, status, text, article_id FROM spans'
    found: list[tuple[Any, ...]] = []
    if pairs is not None:
        low, high = min(chunk), max(chunk)
        for text, label in pairs:
            found += cur.execute(
                f"{cols} WHERE text = ? AND label = ? AND article_id BETWEEN ? AND ?"
                " AND status != 'rejected'",
                (text, label, low, high),
            ).fetchall()
    else:
        exact = q.exact

        def margin_same(t: str | None) -> int:
            return 1 if exact.fullmatch(t or "") else 0

        db.register_function(margin_same, deterministic=True, replace=True)
        found = cur.execute(
            f"{cols} WHERE article_id IN ({marks(chunk)}) AND status != 'rejected'"
            " AND margin_same(text)",
            chunk,
        ).fetchall()
    # (each text is the surface already: a pair's, which matched it, or margin_same's)
    found.sort(key=_BY_ARTICLE)
    for s in found:
        spans = tagged.get(s[6])
        if spans is not None:  # (not an article between two of the chunk's)
            spans.append(s)
    return tagged


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while planning makes its objects.

    A 30,000-mention plan makes some 200,000 (mentions, their dicts, tuples, none in a cycle):
    the collections they set off, a full one through every object of the process among them,
    cost 0.03 s of 0.25 and freed nothing. Collecting is left as it was afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_BY_ARTICLE = operator.itemgetter(6, 1, 0)  # a span row (id, start, ...) by article, start, id


def plan_ids(db: sqlite_utils.Database, q: Query, ids: Sequence[int]) -> Found:
    """Plan the given articles (ids in order), reading them a batch at a time."""
    with _paused_gc():
        return _plan_ids(db, q, ids)


def _plan_ids(db: sqlite_utils.Database, q: Query, ids: Sequence[int]) -> Found:
    found = Found()
    pairs = _entities(db, q)
    for i in range(0, len(ids), BATCH):
        chunk = list(ids[i : i + BATCH])
        cur = db.conn.cursor()
        cur.row_factory = None  # plain tuples: a Row looks each column up by name
        arts = [
            (r[0], r[1], r[2], bool(r[3]))
            for r in cur.execute(
                f"SELECT id, title, text, reviewed FROM articles WHERE id IN ({marks(chunk)})"
                " ORDER BY id",
                chunk,
            )
        ]
        tagged = _tagged(db, q, pairs, chunk)
        _plan_batch(db, q, arts, tagged, found)
    return found


def _plan_batch(
    db: sqlite_utils.Database,
    q: Query,
    arts: list[Art],
    tagged: dict[int, list[tuple[Any, ...]]],
    found: Found,
) -> None:
    """Decide each mention of a batch of articles; the overlaps are read in one query."""
    untagged: list[tuple[Art, int, int]] = []
    per_article: list[tuple[Art, list[Mention]]] = []
    label, ctx, find = q.label, q.context, q.find
    for art in arts:
        spans = tagged[art[0]]
        out: list[Mention] = []
        for s in spans:
            if label is None:
                action = "reject"
            elif s[3] != label:
                action = "relabel"
            elif s[4] == "suggested":
                action = "accept"
            else:
                continue
            out.append(_mention(art, s[1], s[2], s, action, (), ctx))
        per_article.append((art, out))
        if label is None:
            continue
        places = find(art[2])
        if spans:
            covered = {(s[1], s[2]) for s in spans}
            places = [p for p in places if p not in covered]
        untagged += [(art, start, end) for start, end in places]
    # without replace only whether a span is in the way counts, not which
    overlaps = _overlaps(db, [(a[0], s, e) for a, s, e in untagged], texts=q.replace)
    extra: dict[int, list[Mention]] = {}
    for art, start, end in untagged:
        over = overlaps.get((art[0], start, end))
        if not over:
            extra.setdefault(art[0], []).append(_mention(art, start, end, None, "add", (), ctx))
            continue
        # a span with the surface itself in the way is never replaced (it is a mention too)
        if q.replace and not any(q.exact.fullmatch(t) for _sid, t in over):
            replaced = tuple(sid for sid, _t in over)
            m = _mention(art, start, end, None, "replace", replaced, ctx)
            extra.setdefault(art[0], []).append(m)
        else:
            found.skipped.append(_mention(art, start, end, None, "skip", (), ctx))
    for art, out in per_article:
        out.extend(extra.get(art[0], ()))
        if art[3] and not q.include_reviewed:
            found.reviewed.extend(out)
        else:
            found.changes.extend(out)


def _overlaps(
    db: sqlite_utils.Database, places: list[Key], texts: bool = True
) -> dict[Key, list[tuple[int, str]]]:
    """For each (article, start, end), the current spans it overlaps: [(id, text)] by start.

    Without texts each text is "" (and the spans are read from the index alone).
    """
    out: dict[Key, list[tuple[int, str]]] = {}
    cur = db.conn.cursor()
    cur.row_factory = None  # plain tuples
    text = "sp.text" if texts else "''"
    step = 2000  # 3 parameters each, well under SQLite's 32,766
    for i in range(0, len(places), step):
        part = places[i : i + step]
        values = ",".join("(?, ?, ?)" for _ in part)
        # a span of at most LONG characters that overlaps a place starts after s - LONG: the
        # index is read from there (the longer ones, few, come from spans_long below)
        rows = cur.execute(
            f"WITH m(aid, s, e) AS (VALUES {values})"
            f" SELECT m.aid, m.s, m.e, sp.id, {text} FROM m JOIN spans sp"
            " ON sp.article_id = m.aid AND sp.start > m.s - ? AND sp.start < m.e"
            " AND sp.\"end\" > m.s AND sp.status != 'rejected' ORDER BY sp.start, sp.id",
            [v for p in part for v in p] + [LONG],
        ).fetchall()
        for r in rows:
            out.setdefault((r[0], r[1], r[2]), []).append((int(r[3]), r[4]))
        _long_overlaps(cur, part, out)
    return out


def _long_overlaps(
    cur: sqlite3.Cursor, places: list[Key], out: dict[Key, list[tuple[int, str]]]
) -> None:
    """Add to out the spans longer than LONG that start LONG or more before a place and end
    inside or after it (they come before the others in start order)."""
    aids = sorted({p[0] for p in places})
    longs: dict[int, list[tuple[int, int, int, str]]] = {}
    for r in cur.execute(  # the expression of spans_long's WHERE, as it is, for SQLite to use it
        f'SELECT article_id, start, "end", id, text FROM spans WHERE "end" - start > {LONG}'
        f" AND article_id IN ({marks(aids)}) AND status != 'rejected' ORDER BY start, id",
        aids,
    ):
        longs.setdefault(int(r[0]), []).append((int(r[1]), int(r[2]), int(r[3]), str(r[4])))
    if not longs:
        return
    for aid, s, e in places:
        before = [(sid, t) for ls, le, sid, t in longs.get(aid, ()) if ls <= s - LONG and le > s]
        if before:
            out[(aid, s, e)] = before + out.get((aid, s, e), [])


_new = object.__new__
_set = object.__setattr__


def _mention(
    art: Art,
    start: int,
    end: int,
    span: tuple[Any, ...] | None,
    action: str,
    replaces: tuple[int, ...] = (),
    context: bool = True,
) -> Mention:
    aid, title, text, reviewed = art
    if span is None:
        sid = label = status = None
    else:
        sid, label, status = span[0], span[3], span[4]
    m = _new(Mention)  # a frozen dataclass's __init__ sets each field by hand: slow
    _set(
        m,
        "__dict__",
        {
            "article_id": aid,
            "title": title,
            "start": start,
            "end": end,
            "span_id": sid,
            "current_label": label,
            "before": text[start - CONTEXT if start > CONTEXT else 0 : start] if context else "",
            "after": text[end : end + CONTEXT] if context else "",
            "action": action,
            "current_status": status,
            "text": text[start:end],
            "replaces": replaces,
            "reviewed": reviewed,
        },
    )
    return m


def plan(
    db: sqlite_utils.Database,
    surface: str,
    label: str | None,
    *,
    article_id: int | None = None,
    case_sensitive: bool = True,
    replace: bool = False,
    include_reviewed: bool = False,
) -> PropagationPreview:
    """List every mention of surface (in one article, or the corpus) that would change.

    A mention is the exact surface (ignoring case if asked) as a whole word, or a
    non-rejected span whose text is the surface. With a label: a span with another label
    is relabelled, a suggestion with that label accepted, untagged text tagged; untagged
    text that overlaps an entity is listed in ``skipped``, or with replace it replaces the
    entities it overlaps. With None: every span rejected. Mentions in reviewed articles are
    listed in ``reviewed`` and left alone unless include_reviewed.
    """
    q = Query(surface, label, article_id, case_sensitive, replace, include_reviewed)
    found = plan_ids(db, q, candidate_ids(db, q))
    return _preview(q, found)


def _preview(q: Query, found: Found) -> PropagationPreview:
    return PropagationPreview(
        q.surface,
        q.label,
        tuple(found.changes),
        tuple(found.skipped),
        q.case_sensitive,
        q.article_id,
        tuple(found.reviewed),
        q.replace,
        q.include_reviewed,
    )


# -- applying ------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the chunks of one propagation changed, added up."""

    counts: dict[str, int] = field(default_factory=dict)
    articles: set[int] = field(default_factory=set)
    was: set[str] = field(default_factory=set)
    skipped: int = 0
    reviewed: int = 0
    chunks: int = 0

    @property
    def mentions(self) -> int:
        return sum(self.counts.values())

    def add(self, found: Found, changed: list[Mention]) -> None:
        counts = self.counts
        for action, n in Counter(m.action for m in changed).items():
            counts[action] = counts.get(action, 0) + n
        self.articles.update(m.article_id for m in changed)
        self.was.update(m.current_label for m in changed if m.current_label is not None)
        self.skipped += len(found.skipped)
        self.reviewed += len(found.reviewed)
        self.chunks += 1


def write(tx: Unit, group: int, label: str | None, mentions: Sequence[Mention]) -> None:
    """Make the planned changes set-based: one UPDATE for the statuses, one insert of spans."""
    stamp = now()
    statuses: dict[int, str] = {}
    places: list[tuple[int, int, int, str]] = []
    for m in mentions:
        if m.span_id is not None:
            statuses[m.span_id] = "accepted" if m.action == "accept" else "rejected"
        for sid in m.replaces:
            statuses[sid] = "rejected"
        if m.action in ("relabel", "add", "replace"):
            places.append((m.article_id, m.start, m.end, m.text))
    if not statuses and not places:
        return
    with batch.entity_counts(tx) as touched:
        batch.set_statuses(tx, group, statuses, stamp, touched)
        batch.insert_user_spans(tx, group, str(label), places, stamp, touched)


def _finish(
    tx: Unit, q: Query, tally: Tally, learn: bool | None, chunked: bool
) -> PropagationResult:
    """Absorb the decision being propagated, learn the rule, describe the group."""
    if learn is None:
        learn = q.article_id is None and tally.mentions > 0
    if not tally.mentions and not learn:
        if chunked:  # the pending mark and marker row of a group that changed nothing
            journal.drop_group(tx, tx.group())
        return PropagationResult(q.surface, q.label, 0, (), reviewed=tally.reviewed)
    absorbed = _decision_being_propagated(tx.db, q.surface, q.label, q.case_sensitive)
    if absorbed is not None:
        journal.regroup(tx, absorbed)
    info: dict[str, Any] = {
        "surface": q.surface,
        "label": q.label,
        "case_sensitive": q.case_sensitive,
        "article_id": q.article_id,
        # what one undo reverts: the decision it absorbed (the hand-made relabel) counts too
        "changed": tally.mentions + (absorbed is not None),
        "articles": len(tally.articles),
        "skipped": tally.skipped,
        "reviewed": tally.reviewed,
        "counts": dict(sorted(tally.counts.items())),
        "was": sorted(tally.was),
        "replace": q.replace,
        "include_reviewed": q.include_reviewed,
    }
    rule = None
    if learn:
        rule = info["rule"] = rules.learn(tx, q.surface, q.label, q.case_sensitive)
    if chunked:
        journal.rewrite_after(tx, tx.group(), "propagate", info)
        batch.close_pending(tx, tx.group())
    else:
        journal.record(tx, "propagate", after=info)
    return PropagationResult(
        q.surface,
        q.label,
        tally.mentions,
        tuple(sorted(tally.articles)),
        rule,
        tally.skipped,
        tx.group(),
        tuple(sorted(tally.counts.items())),
        tally.reviewed,
        tally.chunks,
    )


def apply(
    tx: Unit,
    surface: str,
    label: str | None,
    *,
    article_id: int | None = None,
    case_sensitive: bool = True,
    learn: bool | None = None,
    replace: bool = False,
    include_reviewed: bool = False,
    exclude: Collection[Key] = (),
) -> PropagationResult:
    """Give every mention of surface the label (None: reject it) in the unit's journal group.

    All in this one transaction (see :func:`apply_in_chunks` for one that keeps each write
    short). When the newest change is the decision being propagated (the relabel of one
    "Aleppo" before ``A``), it joins this group, so one undo reverts them together. With
    learn, the decision also becomes a rule that later extraction applies; by default
    (None) it does when the propagation covers the whole corpus and changed something.
    exclude names mentions (article id, start, end) to leave alone. Returns what this call
    did (not read back from the journal, which others may write).
    """
    q = Query(surface, label, article_id, case_sensitive, replace, include_reviewed, False)
    tally = Tally()
    found = plan_ids(tx.db, q, candidate_ids(tx.db, q))
    skip = set(exclude)
    changed = [m for m in found.changes if m.key not in skip] if skip else found.changes
    if changed:
        write(tx, tx.edit_group(), q.label, changed)
    tally.add(found, changed)
    return _finish(tx, q, tally, learn, chunked=False)


def apply_in_chunks(
    db: sqlite_utils.Database,
    units: Units,
    surface: str,
    label: str | None,
    *,
    article_id: int | None = None,
    case_sensitive: bool = True,
    learn: bool | None = None,
    replace: bool = False,
    include_reviewed: bool = False,
    exclude: Collection[Key] = (),
    progress: Callable[[int, int], None] | None = None,
) -> PropagationResult:
    """Apply a propagation as :func:`apply` does, in write transactions of at most about 0.7 s.

    Up to ONE_TX x CHUNK_MENTIONS mentions are one transaction, as :func:`apply`. A bigger one
    goes in chunks of about 0.4 s and is still
    one journal group, one undo, all or nothing: the first chunk commits a pending
    mark on the group (undo and the history do not see it), each chunk plans its articles
    outside the write lock and writes them set-based (planning again inside when another
    process wrote meanwhile), and the last one learns the rule and clears the mark. An
    error or Ctrl-C rolls back what was written; a crash is rolled back on the next open
    (:func:`journal.recover`). Between chunks other processes get the write lock.
    progress(done, total) is called with articles done after each chunk.
    """
    q = Query(surface, label, article_id, case_sensitive, replace, include_reviewed, False)
    with batch.room(db, batch.ONE_TX_CACHE_KB), batch.Checkpoints(db) as checkpoints:
        return _apply_chunks(db, units, q, set(exclude), learn, progress, checkpoints)


def _apply_chunks(
    db: sqlite_utils.Database,
    units: Units,
    q: Query,
    skip: set[Key],
    learn: bool | None,
    progress: Callable[[int, int], None] | None,
    checkpoints: batch.Checkpoints,
) -> PropagationResult:
    checkpoints.early()  # (what others left in the WAL is copied while the first chunk plans)
    ids = candidate_ids(db, q)
    tally = Tally()
    pacer = batch.Pacer(CHUNK_MENTIONS, least=200)
    group: int | None = None
    pos = 0
    try:
        while True:
            started = time.perf_counter()
            db.execute("BEGIN")  # plan in one read snapshot, outside the write lock
            try:
                seen = _data_version(db)
                most = int(CHUNK_MENTIONS * ONE_TX) if group is None else pacer.size
                found, n = _plan_upto(db, q, ids, pos, most)
            finally:
                db.execute("COMMIT")
            if group is None and pos + n < len(ids):  # more than one transaction's worth
                found, n = _first_part(found, ids, pos, n, pacer.size)
            part, last = ids[pos : pos + n], pos + n >= len(ids)
            if group is not None:  # the gap: planning (and the checkpoint) took part of it
                time.sleep(max(0.0, batch.GAP - (time.perf_counter() - started)))
            checkpoints.ready(2.0 if group is not None else 0.0)
            held = time.perf_counter()
            with units() as tx:
                if _data_version(tx.db) != seen:  # another process wrote: plan again, inside
                    found = plan_ids(tx.db, q, part)
                changed = [m for m in found.changes if m.key not in skip] if skip else found.changes
                if group is None and last:  # all of it fits one transaction: no pending mark
                    if changed:
                        write(tx, tx.edit_group(), q.label, changed)
                    tally.add(found, changed)
                    return _finish(tx, q, tally, learn, chunked=False)
                if group is None:
                    group = tx.edit_group()
                    batch.open_pending(tx, group, "apply", 0)
                    journal.record(tx, "propagate", after={"surface": q.surface, "pending": True})
                else:
                    tx.join(group)
                write(tx, group, q.label, changed)
            took = time.perf_counter() - held
            checkpoints.committed()  # first: before another process's commit can copy our pages
            pacer.took(took, max(1, len(changed)))
            tally.add(found, changed)
            pos += n
            if progress is not None:
                progress(pos, len(ids))
            if last:
                break
        with units() as tx:  # (small: it need not wait for the last chunk's checkpoint)
            assert group is not None
            tx.join(group)
            return _finish(tx, q, tally, learn, chunked=True)
    except BaseException:
        if group is not None:
            journal.roll_back(db, units, group)
        raise


def _first_part(
    found: Found, ids: Sequence[int], pos: int, n: int, mentions: int
) -> tuple[Found, int]:
    """The plan of the articles ids[pos:pos + n] cut to its first articles of about mentions
    changes (the rest is planned again with the next chunk)."""
    if len(found.changes) <= mentions:
        return found, n
    boundary = found.changes[mentions].article_id
    kept = bisect.bisect_left(ids, boundary, pos, pos + n) - pos
    if kept <= 0:  # one article has more than that: it goes whole
        return found, n

    def before(ms: list[Mention]) -> list[Mention]:
        return [m for m in ms if m.article_id < boundary]

    return Found(before(found.changes), before(found.skipped), before(found.reviewed)), kept


def _plan_upto(
    db: sqlite_utils.Database, q: Query, ids: Sequence[int], pos: int, mentions: int
) -> tuple[Found, int]:
    """Plan the articles from ids[pos] on, a batch at a time, until about mentions changes."""
    found = Found()
    n = 0
    with _paused_gc():
        while pos + n < len(ids) and (n == 0 or len(found.changes) < mentions):
            part = ids[pos + n : pos + n + BATCH]
            more = _plan_ids(db, q, part)
            found.changes += more.changes
            found.skipped += more.skipped
            found.reviewed += more.reviewed
            n += len(part)
    return found, n


def _data_version(db: sqlite_utils.Database) -> int:
    """Changes when another connection commits (PRAGMA data_version)."""
    return int(db.execute("PRAGMA data_version").fetchone()[0])


def propagate(
    tx: Unit,
    surface: str,
    label: str | None,
    *,
    article_id: int | None = None,
    case_sensitive: bool = True,
    learn: bool | None = None,
) -> int:
    """Give every mention of surface the label (see :func:`apply`); return mentions changed.

    Here learn=None learns a rule for any corpus-wide propagation, even one that matched
    nothing (a rule taught before the articles arrive); :func:`apply` learns only on a change.
    """
    if learn is None:
        learn = article_id is None
    done = apply(
        tx, surface, label, article_id=article_id, case_sensitive=case_sensitive, learn=learn
    )
    return done.mentions


def _decision_being_propagated(
    db: sqlite_utils.Database, surface: str, label: str | None, case_sensitive: bool
) -> int | None:
    """The journal group of the newest change when it is the decision being propagated."""
    decision = journal.last_decision(db)
    if decision is None:
        return None
    done_surface, done_label, _article = decision
    same = (
        done_surface == surface if case_sensitive else done_surface.casefold() == surface.casefold()
    )
    if not same or done_label != label:
        return None
    return journal.last_group(db, "done")


def keys(mentions: Sequence[Mention]) -> Iterator[Key]:
    """The keys of mentions (for ``exclude``)."""
    return (m.key for m in mentions)
