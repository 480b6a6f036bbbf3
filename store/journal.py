"""The journal: every change recorded in its unit's group, described, undone and redone."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlite_utils

from . import batch
from .db import Unit
from .db.unit import DISCARD_REDO
from .errors import CorrectionError, SpanError
from .models import Change, now

# actions whose journal entries are markers: undo/redo leaves the database alone for them
_MARKERS = ("propagate",)
# the order in which a group's main action is picked for Change.action
_MAIN = ("propagate", "resize", "relabel", "add", "reject", "accept", "rule", "review", "unreview")
DECISIONS = ("relabel", "resize", "add", "accept", "reject")
# actions that add or take away one row of a table (before / after are the row): the
# entities' aliases, names said to differ, consistency items marked intended, watch-lists
ROWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "alias": ("aliases", ("alias",)),
    "distinct": ("distinct_names", ("a", "b")),
    "intended": ("check_intended", ("kind", "surface")),
    "watch": ("watches", ("id",)),
}
# a group still being written in chunks is no change yet: undo, history and A do not see it
_WHOLE = " AND group_id NOT IN (SELECT group_id FROM journal_pending)"
# batch rows an undo/redo reverts in one transaction (the 41,000 of a 30,000-mention
# propagation: about 0.6 s of the write lock; two chunks cost 0.25 s more); more in chunks
SINGLE_ROWS = 47_000
# batch rows of the first chunk (then paced to about 0.4 s a chunk); 20,000 take about 0.3 s,
# so the 41,000 rows of a 30,000-mention propagation are two chunks (one 0.1 s gap between)
CHUNK_ROWS = 20_000
Units = Callable[[], AbstractContextManager[Unit]]  # opens a unit of work (Store.unit)


def dumps(value: dict[str, Any] | None) -> str | None:
    """A journal row's before or after, as the journal stores it (JSON, or NULL)."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


# one undoable change: (group, at, actor, action, article id, span id, before, after, origin,
# annotator), before and after as dumps() gives them
RECORD = (
    "INSERT INTO journal (group_id, at, actor, action, article_id, span_id, before, after,"
    " undoable, origin, annotator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"
)


def record(
    tx: Unit,
    action: str,
    *,
    article_id: int | None = None,
    span_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: str = "user",
) -> None:
    """Journal one undoable change in the unit's edit group."""
    tx.execute(
        RECORD,
        (
            tx.edit_group(),
            now(),
            actor,
            action,
            article_id,
            span_id,
            dumps(before),
            dumps(after),
            tx.origin,
            tx.annotator,
        ),
    )


def record_many(
    tx: Unit, actor: str, action: str, entries: Iterable[tuple[int, dict[str, Any]]]
) -> None:
    """Journal many changes that undo cannot revert (imports, extraction runs), in bulk."""
    group, stamp = tx.group(), now()
    tx.conn.executemany(  # one prepared statement: insert_all's per-row Python costs more
        "INSERT INTO journal (group_id, at, actor, action, article_id, after, undoable, origin,"
        " annotator) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        (
            (group, stamp, actor, action, aid, dumps(after), tx.origin, tx.annotator)
            for aid, after in entries
        ),
    )


def regroup(tx: Unit, old: int) -> None:
    """Move an earlier group's entries into this unit's group (one undo reverts both)."""
    tx.execute("UPDATE journal SET group_id = ? WHERE group_id = ?", (tx.edit_group(), old))
    tx.execute("UPDATE journal_batch SET group_id = ? WHERE group_id = ?", (tx.group(), old))


def rewrite_after(tx: Unit, group: int, action: str, after: dict[str, Any]) -> None:
    """Replace the description of a group's marker entry (a chunked change, once whole)."""
    tx.execute(
        "UPDATE journal SET after = ? WHERE group_id = ? AND action = ?",
        (dumps(after), group, action),
    )


def drop_group(tx: Unit, group: int) -> None:
    """Delete a group that never became whole (its changes already reverted)."""
    tx.execute("DELETE FROM journal WHERE group_id = ?", (group,))
    tx.execute("DELETE FROM journal_batch WHERE group_id = ?", (group,))
    batch.close_pending(tx, group)


# -- reading ---------------------------------------------------------------------------------


def last_group(db: sqlite_utils.Database, state: str, newest: bool = True) -> int | None:
    """The newest (or oldest) undoable group in a state ('done' or 'undone')."""
    order = "DESC" if newest else "ASC"
    row = db.execute(
        f"SELECT group_id FROM journal WHERE undoable = 1 AND state = ?{_WHOLE}"
        f" ORDER BY group_id {order} LIMIT 1",
        (state,),
    ).fetchone()
    return None if row is None else int(row[0])


def can_undo(db: sqlite_utils.Database) -> bool:
    """True when there is a change to undo."""
    return last_group(db, "done") is not None


def can_redo(db: sqlite_utils.Database) -> bool:
    """True when there is an undone change to redo."""
    return last_group(db, "undone") is not None


def next_undo(db: sqlite_utils.Database) -> Change | None:
    """The change ``undo`` would revert, or None."""
    group = last_group(db, "done")
    return None if group is None else describe(db, group)


def next_redo(db: sqlite_utils.Database) -> Change | None:
    """The change ``redo`` would make again, or None."""
    group = last_group(db, "undone", newest=False)
    return None if group is None else describe(db, group)


def describe(db: sqlite_utils.Database, group: int) -> Change:
    """The change one journal group made, as undo and the history show it."""
    entries = db.execute(
        "SELECT * FROM journal WHERE group_id = ? ORDER BY id", (group,)
    ).fetchall()
    actions = [e["action"] for e in entries]
    main = next((a for a in _MAIN if a in actions), actions[0] if actions else "?")
    surface = label = None
    mentions = 0
    was: tuple[str, ...] = ()
    if main == "propagate":
        info = json.loads(next(e for e in entries if e["action"] == "propagate")["after"])
        surface, label, mentions = info["surface"], info["label"], info["changed"]
        was = tuple(info.get("was", ()))
    elif main == "rule":
        e = next(e for e in entries if e["action"] == "rule")
        info = json.loads(e["after"] or e["before"])
        surface, label = info["surface"], info["label"]
        main = "learn rule" if e["after"] else "remove rule"
    elif main in ROWS:
        e = next(e for e in entries if e["action"] == main)
        info = json.loads(e["after"] or e["before"])
        surface = str(info.get("query", info.get(ROWS[main][1][-1])))
        label = info.get("canonical")
        main = main if e["after"] else f"un{main}"
    else:
        for e in entries:
            state = json.loads(e["after"]) if e["span_id"] is not None and e["after"] else None
            if state is None:
                continue
            surface, label = state["text"], state["label"]
            if e["before"] is not None and main == "relabel" and not was:
                was = (json.loads(e["before"])["label"],)  # the span the relabel replaced
            # the span that carries the decision: the inserted one, else the changed one
            if e["before"] is None or main in ("accept", "reject"):
                break
    arts = tuple(sorted({e["article_id"] for e in entries if e["article_id"] is not None}))
    spans = sum(1 for e in entries if e["span_id"] is not None)
    if main == "propagate":  # its spans are in its batch
        arts = tuple(sorted(set(arts) | set(batch.articles(db, group))))
        spans += batch.size(db, group)
    at = entries[0]["at"] if entries else ""
    origin = entries[-1]["origin"] if entries else None
    return Change(group, main, at, arts, spans, surface, label, mentions, was, origin)


def history(db: sqlite_utils.Database, limit: int = 20) -> list[Change]:
    """The newest undoable changes that are done, newest first."""
    rows = db.execute(
        f"SELECT DISTINCT group_id FROM journal WHERE undoable = 1 AND state = 'done'{_WHOLE}"
        " ORDER BY group_id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [describe(db, int(r[0])) for r in rows]


def last_decision(db: sqlite_utils.Database) -> tuple[str, str | None, int] | None:
    """(surface, label or None for a rejection, article id) of the newest span decision.

    What propagation (``A`` in the reader) applies to the other mentions; None when the
    newest undoable step is not a decision about one span, or was undone.
    """
    row = db.execute(
        f"SELECT group_id, state FROM journal WHERE undoable = 1{_WHOLE}"
        " ORDER BY group_id DESC LIMIT 1"
    ).fetchone()
    if row is None or row[1] != "done":
        return None
    change = describe(db, int(row[0]))
    if change.action not in DECISIONS or change.surface is None or not change.articles:
        return None
    label = None if change.action == "reject" else change.label
    return change.surface, label, change.articles[0]


# -- undo and redo ---------------------------------------------------------------------------


def undo(tx: Unit) -> list[int]:
    """Undo the newest change group; return the ids of the articles it touched."""
    group = last_group(tx.db, "done")
    if group is None:
        raise CorrectionError("nothing to undo")
    low, high = batch.bounds(tx.db, group)
    touched = batch.articles(tx.db, group)
    batch.revert(tx, group, low, high)
    return sorted(set(touched) | set(_finish_undo(tx, group)))


def _finish_undo(tx: Unit, group: int) -> list[int]:
    """Undo the group's journal entries (its batch already reverted); mark it undone."""
    entries = tx.execute(
        "SELECT * FROM journal WHERE group_id = ? ORDER BY id DESC", (group,)
    ).fetchall()
    for entry in entries:
        _apply(tx, entry, "before")
    _restore_labels(tx, group, "before")
    tx.execute("UPDATE journal SET state = 'undone' WHERE group_id = ?", (group,))
    batch.close_pending(tx, group)
    return _articles(entries)


def undo_change(tx: Unit) -> Change:
    """Undo the newest change group and return it described (read in the same transaction)."""
    group = last_group(tx.db, "done")
    if group is None:
        raise CorrectionError("nothing to undo")
    change = describe(tx.db, group)
    undo(tx)
    return change


def elsewhere(change: Change, origin: str | None) -> str | None:
    """A warning when change was made by another process or window than origin, else None.

    Origins read "KIND:PID" or "KIND:PID@SESSION": the same session (one shell running
    several commands) counts as the same person. An unknown origin (before 0.2) warns not.
    """
    made = change.origin
    if made is None or origin is None or made == origin:
        return None
    session = made.partition("@")[2]
    if session and session == origin.partition("@")[2]:
        return None
    kind, _, rest = made.partition(":")
    who = "the reader" if kind == "tui" else "another command" if kind == "cli" else kind
    pid = rest.partition("@")[0]
    return f"the newest change was made by {who} (process {pid}), not by you here"


def redo(tx: Unit) -> list[int]:
    """Redo the oldest undone change group; return the ids of the articles it touched.

    If a span the change needs is gone (extraction replaced the article's suggestions
    since the undo), nothing is redone and CorrectionError says so; the caller clears the
    redo history with :func:`discard_redo` in a unit of its own.
    """
    group = last_group(tx.db, "undone", newest=False)
    if group is None:
        raise CorrectionError("nothing to redo")
    entries = _start_redo(tx, group)
    low, high = batch.bounds(tx.db, group)
    batch.replay(tx, group, low, high)
    tx.execute("UPDATE journal SET state = 'done' WHERE group_id = ?", (group,))
    return sorted(set(_articles(entries)) | set(batch.articles(tx.db, group)))


def _start_redo(tx: Unit, group: int) -> list[sqlite3.Row]:
    """Check that the group can be redone (LostRedo if not) and redo its journal entries."""
    entries = tx.execute(
        "SELECT * FROM journal WHERE group_id = ? ORDER BY id", (group,)
    ).fetchall()
    for entry in entries:
        if entry["span_id"] is not None and entry["before"] is not None:
            if tx.one("SELECT 1 FROM spans WHERE id = ?", (entry["span_id"],)) is None:
                raise LostRedo(entry["article_id"])
    gone = batch.lost(tx.db, group)
    if gone is not None:
        raise LostRedo(gone)
    for entry in entries:
        _apply(tx, entry, "after")
    _restore_labels(tx, group, "after")
    return list(entries)


def redo_change(tx: Unit) -> Change:
    """Redo the oldest undone change group and return it described (see :func:`redo`)."""
    group = last_group(tx.db, "undone", newest=False)
    if group is None:
        raise CorrectionError("nothing to redo")
    change = describe(tx.db, group)
    redo(tx)
    return change


class LostRedo(CorrectionError):
    """A redo whose spans were re-extracted since the undo."""

    def __init__(self, article_id: int) -> None:
        super().__init__(
            f"cannot redo: the entities of article {article_id} were re-extracted after the undo;"
            " the redo history is cleared"
        )


# -- undo and redo of big groups, a chunk per transaction -----------------------------------


def undo_in_chunks(db: sqlite_utils.Database, units: Units) -> Change:
    """Undo the newest change; a big batch is reverted in chunks that each hold the lock briefly.

    The first transaction marks the group pending (so nobody else undoes it, and a crash is
    finished on the next open), each chunk reverts part of its batch and moves the cursor,
    the last one undoes its journal entries and marks it undone.
    """
    with batch.room(db, batch.ONE_TX_CACHE_KB), batch.Checkpoints(db) as checkpoints:
        with units() as tx:
            group = last_group(tx.db, "done")
            if group is None:
                raise CorrectionError("nothing to undo")
            change = describe(tx.db, group)
            low, high = batch.bounds(tx.db, group)
            if batch.size(tx.db, group) <= SINGLE_ROWS:
                undo(tx)
                return change
            batch.open_pending(tx, group, "undo", high + 1)
        checkpoints.committed()
        _revert_chunks(units, group, low, high + 1, checkpoints=checkpoints)
        with units() as tx:  # (small: it need not wait for the last chunk's checkpoint)
            _finish_undo(tx, group)
    return change


def redo_in_chunks(db: sqlite_utils.Database, units: Units) -> Change:
    """Redo the oldest undone change, a big batch in chunks (see :func:`undo_in_chunks`)."""
    with batch.room(db, batch.ONE_TX_CACHE_KB), batch.Checkpoints(db) as checkpoints:
        with units() as tx:
            group = last_group(tx.db, "undone", newest=False)
            if group is None:
                raise CorrectionError("nothing to redo")
            change = describe(tx.db, group)
            if batch.size(tx.db, group) <= SINGLE_ROWS:
                redo(tx)
                return change
            _start_redo(tx, group)
            batch.open_pending(tx, group, "redo", 0)
        checkpoints.committed()
        _replay_chunks(db, units, group, 0, checkpoints)
    return change


def _revert_chunks(
    units: Units,
    group: int,
    low: int,
    cursor: int,
    rollback: bool = False,
    checkpoints: batch.Checkpoints | None = None,
) -> None:
    """Revert the group's batch rows from cursor down to low, a paced chunk per transaction."""
    pacer = batch.Pacer(CHUNK_ROWS)
    released: float | None = None
    while True:
        if released is not None:
            batch.pause(released, checkpoints)
        started = time.perf_counter()
        with units() as tx:
            tx.join(group)
            ids = batch.ids(tx.db, group, low - 1, cursor, pacer.size)
            if not ids:
                return
            batch.revert(tx, group, ids[-1], ids[0], only_unchanged=rollback)
            if rollback:
                batch.forget(tx, group, ids[-1], ids[0])
            else:
                batch.move_cursor(tx, group, ids[-1])
        released = time.perf_counter()
        if checkpoints is not None:
            checkpoints.committed()
        pacer.took(released - started, len(ids))
        cursor = ids[-1]
        if cursor <= low:  # that was the last: no gap and empty transaction to find so
            return


def _replay_chunks(
    db: sqlite_utils.Database,
    units: Units,
    group: int,
    cursor: int,
    checkpoints: batch.Checkpoints | None = None,
) -> None:
    """Redo the group's batch rows above cursor, a paced chunk per transaction; then mark it done."""
    pacer = batch.Pacer(CHUNK_ROWS)
    _low, high = batch.bounds(db, group)
    released: float | None = None
    while True:
        if released is not None:
            batch.pause(released, checkpoints)
        started = time.perf_counter()
        with units() as tx:
            tx.join(group)
            row = tx.execute(
                "SELECT MAX(id) FROM (SELECT id FROM journal_batch WHERE group_id = ? AND id > ?"
                " ORDER BY id LIMIT ?)",
                (group, cursor, pacer.size),
            ).fetchone()
            top = row[0]
            if top is None or cursor >= high:
                tx.execute("UPDATE journal SET state = 'done' WHERE group_id = ?", (group,))
                batch.close_pending(tx, group)
                return
            batch.replay(tx, group, cursor + 1, int(top))
            batch.move_cursor(tx, group, int(top))
            if int(top) >= high:  # the last chunk marks the group done (no gap, no extra unit)
                tx.execute("UPDATE journal SET state = 'done' WHERE group_id = ?", (group,))
                batch.close_pending(tx, group)
        released = time.perf_counter()
        if checkpoints is not None:
            checkpoints.committed()
        pacer.took(released - started, int(top) - cursor)
        if int(top) >= high:
            return
        cursor = int(top)


def roll_back(db: sqlite_utils.Database, units: Units, group: int) -> None:
    """Revert what a chunked change cut short wrote, and delete its group (as if never made).

    A span someone changed after the batch changed it is left as they made it.
    """
    low, high = batch.bounds(db, group)
    with batch.Checkpoints(db) as checkpoints:
        if high:
            _revert_chunks(units, group, low, high + 1, True, checkpoints)
        with units() as tx:
            drop_group(tx, group)


def recover(db: sqlite_utils.Database, units: Units) -> list[int]:
    """Make whole every group a crashed process left pending; return the groups it touched.

    A propagation cut short ('apply') is rolled back: nothing of it stays. An undo or redo
    cut short is finished, from the cursor its last chunk committed.
    """
    done: list[int] = []
    for row in batch.pending(db):
        if batch.alive(row["pid"]):
            continue
        group = int(row["group_id"])
        if row["op"] == "apply":
            roll_back(db, units, group)
        elif row["op"] == "undo":
            low, _high = batch.bounds(db, group)
            with batch.Checkpoints(db) as checkpoints:
                _revert_chunks(units, group, low, int(row["cursor"]), checkpoints=checkpoints)
                with units() as tx:
                    _finish_undo(tx, group)
        else:
            with batch.Checkpoints(db) as checkpoints:
                _replay_chunks(db, units, group, int(row["cursor"]), checkpoints)
        done.append(group)
    return done


def discard_redo(tx: Unit) -> None:
    """Make every undone step unreachable."""
    tx.execute(DISCARD_REDO)


def _articles(entries: Sequence[sqlite3.Row]) -> list[int]:
    return sorted({e["article_id"] for e in entries if e["article_id"] is not None})


def _q(col: str) -> str:
    return f'"{col}"'


def _put_back(tx: Unit, table: str, state: dict[str, Any], replace: bool = False) -> None:
    cols = list(state)
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    tx.execute(
        f"{verb} INTO {table} ({', '.join(_q(c) for c in cols)})"
        f" VALUES ({', '.join('?' * len(cols))})",
        [state[c] for c in cols],
    )


def _restore_labels(tx: Unit, group: int, side: str) -> None:
    """Put back the legend rows a label operation of the group changed (label_history)."""
    order = "DESC" if side == "before" else "ASC"
    for (raw,) in tx.execute(
        f"SELECT {side} FROM label_history WHERE group_id = ? ORDER BY id {order}", (group,)
    ).fetchall():
        for name, row in json.loads(raw).items():
            tx.execute("DELETE FROM labels WHERE name = ?", (name,))
            if row is not None:
                tx.db.table("labels").insert(row)


def _apply(tx: Unit, entry: sqlite3.Row, side: str) -> None:
    """Make the database match one side ('before' or 'after') of a journal entry."""
    raw = entry[side]
    state: dict[str, Any] | None = json.loads(raw) if raw is not None else None
    action = entry["action"]
    if action in _MARKERS:
        return
    if action == "rule":
        if state is None:
            other = entry["after" if side == "before" else "before"]
            tx.execute("DELETE FROM rules WHERE id = ?", (json.loads(other)["id"],))
        else:
            _put_back(tx, "rules", state, replace=True)
        return
    if action in ROWS:
        table, keys = ROWS[action]
        if state is None:
            other = json.loads(entry["after" if side == "before" else "before"])
            where = " AND ".join(f"{_q(k)} = ?" for k in keys)
            tx.execute(f"DELETE FROM {table} WHERE {where}", [other[k] for k in keys])
        else:
            _put_back(tx, table, {k: v for k, v in state.items() if k != "canonical"}, True)
        return
    if entry["span_id"] is not None:
        if state is None:
            tx.execute("DELETE FROM spans WHERE id = ?", (entry["span_id"],))
            return
        cur = tx.execute(
            "UPDATE spans SET label = ?, status = ?, updated_at = ? WHERE id = ?",
            (state["label"], state["status"], state["updated_at"], entry["span_id"]),
        )
        if cur.rowcount == 0:  # gone (an undone insert being redone): put it back
            _put_back(tx, "spans", state)
        return
    if action in ("review", "unreview") and state is not None:
        tx.execute(
            "UPDATE articles SET reviewed = ?, reviewed_at = ? WHERE id = ?",
            (state["reviewed"], state["reviewed_at"], entry["article_id"]),
        )
        return
    raise SpanError(f"journal entry {entry['id']} ({entry['action']}) cannot be replayed")
