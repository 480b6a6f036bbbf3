"""Corrections: accept, reject, relabel, resize, add, review, and undo/redo over the journal."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import USER_SOURCE, SpanDraft, SpanError, check_span

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store


class CorrectionError(ValueError):
    """A correction that cannot be made (overlap, unknown span, nothing to undo ...)."""


@dataclass(frozen=True)
class Mention:
    """One place a propagation would change: where, what is there now, a little context."""

    article_id: int
    title: str
    start: int
    end: int
    span_id: int | None  # the span there now, if any
    current_label: str | None  # its label (None: the text is untagged there)
    before: str  # context left of the mention
    after: str  # context right of the mention


@dataclass(frozen=True)
class PropagationPreview:
    """What ``propagate`` would do: every mention it changes, and in how many articles."""

    surface: str
    label: str | None  # None means reject every mention
    mentions: tuple[Mention, ...]

    @property
    def articles(self) -> int:
        """How many articles would change."""
        return len({m.article_id for m in self.mentions})


class CorrectionsMixin:
    """Store methods that record a person's decisions; every one is one journal group."""

    allow_overlaps: bool = False

    # -- helpers -----------------------------------------------------------------------

    def _article_text(self: Store, conn: sqlite3.Connection, article_id: int) -> str:
        row = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            from .store import NotFound

            raise NotFound(f"article {article_id} does not exist")
        return str(row[0])

    def _check_overlap(
        self: Store,
        conn: sqlite3.Connection,
        article_id: int,
        start: int,
        end: int,
        ignore: tuple[int, ...] = (),
    ) -> None:
        if self.allow_overlaps:
            return
        row = conn.execute(
            'SELECT id, start, "end", label, text FROM spans WHERE article_id = ?'
            " AND status != 'rejected' AND start < ? AND \"end\" > ?"
            f" AND id NOT IN ({','.join('?' * len(ignore)) or 'NULL'})",
            (article_id, end, start, *ignore),
        ).fetchone()
        if row is not None:
            raise CorrectionError(
                f"{start}..{end} overlaps entity {row['id']} {row['text']!r} ({row['label']})"
            )

    def _discard_redo(self: Store, conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE journal SET state = 'discarded' WHERE state = 'undone'")

    def _begin_edit(self: Store, conn: sqlite3.Connection) -> int:
        self._discard_redo(conn)
        return self._new_group(conn)

    # -- single decisions --------------------------------------------------------------

    def accept(self: Store, span_id: int) -> int:
        """Mark a span accepted; returns its id."""
        with self._tx() as conn:
            group = self._begin_edit(conn)
            row = self._span_row(conn, span_id)
            if row["status"] == "rejected":
                self._check_overlap(conn, row["article_id"], row["start"], row["end"], (span_id,))
            self._update_span(conn, span_id, group, "accept", status="accepted")
        return span_id

    def reject(self: Store, span_id: int) -> int:
        """Mark a span rejected (it stays in the database as evidence); returns its id."""
        with self._tx() as conn:
            group = self._begin_edit(conn)
            self._update_span(conn, span_id, group, "reject", status="rejected")
        return span_id

    def relabel(self: Store, span_id: int, label: str) -> int:
        """Give a span another label: the old one is rejected, a user span replaces it.

        Returns the id of the span that now carries the label.
        """
        with self._tx() as conn:
            group = self._begin_edit(conn)
            return self._replace(conn, group, span_id, label=label)

    def resize(self: Store, span_id: int, start: int, end: int, label: str | None = None) -> int:
        """Move a span's boundaries (and optionally relabel it); returns the new span's id."""
        with self._tx() as conn:
            group = self._begin_edit(conn)
            return self._replace(conn, group, span_id, start=start, end=end, label=label)

    def _replace(
        self: Store,
        conn: sqlite3.Connection,
        group: int,
        span_id: int,
        *,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> int:
        row = self._span_row(conn, span_id)
        start = row["start"] if start is None else start
        end = row["end"] if end is None else end
        label = row["label"] if label is None else label
        text = self._article_text(conn, row["article_id"])
        check_span(text, start, end)
        if (start, end, label) == (row["start"], row["end"], row["label"]):
            if row["status"] != "accepted":
                self._update_span(conn, span_id, group, "accept", status="accepted")
            return span_id
        self._check_overlap(conn, row["article_id"], start, end, (span_id,))
        action = "relabel" if (start, end) == (row["start"], row["end"]) else "resize"
        if row["status"] != "rejected":
            self._update_span(conn, span_id, group, action, status="rejected")
        return self._insert_span(
            conn,
            text,
            row["article_id"],
            SpanDraft(start, end, label, USER_SOURCE, "accepted"),
            group=group,
            action=action,
        )

    def add_span(self: Store, article_id: int, start: int, end: int, label: str) -> int:
        """Add an entity a person marked; returns its id."""
        with self._tx() as conn:
            group = self._begin_edit(conn)
            text = self._article_text(conn, article_id)
            check_span(text, start, end)
            self._check_overlap(conn, article_id, start, end)
            return self._insert_span(
                conn,
                text,
                article_id,
                SpanDraft(start, end, label, USER_SOURCE, "accepted"),
                group=group,
            )

    def set_reviewed(self: Store, article_id: int, reviewed: bool = True) -> None:
        """Mark an article reviewed: its remaining suggestions count as accepted for export."""
        with self._tx() as conn:
            self._article_text(conn, article_id)
            group = self._begin_edit(conn)
            before = conn.execute(
                "SELECT reviewed, reviewed_at FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            stamp = self._stamp() if reviewed else None
            conn.execute(
                "UPDATE articles SET reviewed = ?, reviewed_at = ? WHERE id = ?",
                (int(reviewed), stamp, article_id),
            )
            pending = conn.execute(
                "SELECT COUNT(*) FROM spans WHERE article_id = ? AND status = 'suggested'",
                (article_id,),
            ).fetchone()[0]
            self._journal(
                conn,
                group,
                "review" if reviewed else "unreview",
                article_id=article_id,
                before={"reviewed": before[0], "reviewed_at": before[1]},
                after={"reviewed": int(reviewed), "reviewed_at": stamp, "suggestions": pending},
            )

    def _stamp(self: Store) -> str:
        from .store import now

        return now()

    def preview_propagation(
        self: Store,
        surface: str,
        label: str | None,
        *,
        article_id: int | None = None,
        case_sensitive: bool = True,
    ) -> PropagationPreview:
        """List every mention of surface (in one article, or the corpus) that would change."""
        raise NotImplementedError("propagation is not built yet")

    def propagate(
        self: Store,
        surface: str,
        label: str | None,
        *,
        article_id: int | None = None,
        case_sensitive: bool = True,
        learn: bool = True,
    ) -> int:
        """Give every mention of surface the label (None: reject it) as one journal group.

        With learn, the decision also becomes a rule that later extraction applies.
        Returns how many mentions changed.
        """
        raise NotImplementedError("propagation is not built yet")

    def apply_rules(self: Store, text: str, drafts: list[SpanDraft]) -> list[SpanDraft]:
        """Apply the learned rules to a model's suggestions for text (none yet: unchanged)."""
        return drafts

    # -- undo and redo -----------------------------------------------------------------

    def can_undo(self: Store) -> bool:
        """True when there is a change to undo."""
        return self._last_group("done", "DESC") is not None

    def can_redo(self: Store) -> bool:
        """True when there is an undone change to redo."""
        return self._last_group("undone", "ASC") is not None

    def _last_group(self: Store, state: str, order: str) -> int | None:
        row = (
            self._conn()
            .execute(
                f"SELECT group_id FROM journal WHERE undoable = 1 AND state = ?"
                f" ORDER BY group_id {order} LIMIT 1",
                (state,),
            )
            .fetchone()
        )
        return None if row is None else int(row[0])

    def undo(self: Store) -> list[int]:
        """Undo the newest change group; returns the ids of the articles it touched."""
        with self._tx() as conn:
            row = conn.execute(
                "SELECT MAX(group_id) FROM journal WHERE undoable = 1 AND state = 'done'"
            ).fetchone()
            if row[0] is None:
                raise CorrectionError("nothing to undo")
            group = int(row[0])
            entries = conn.execute(
                "SELECT * FROM journal WHERE group_id = ? ORDER BY id DESC", (group,)
            ).fetchall()
            for entry in entries:
                _apply(conn, entry, "before")
            conn.execute("UPDATE journal SET state = 'undone' WHERE group_id = ?", (group,))
        return sorted({e["article_id"] for e in entries if e["article_id"] is not None})

    def redo(self: Store) -> list[int]:
        """Redo the oldest undone change group; returns the ids of the articles it touched."""
        with self._tx() as conn:
            row = conn.execute(
                "SELECT MIN(group_id) FROM journal WHERE undoable = 1 AND state = 'undone'"
            ).fetchone()
            if row[0] is None:
                raise CorrectionError("nothing to redo")
            group = int(row[0])
            entries = conn.execute(
                "SELECT * FROM journal WHERE group_id = ? ORDER BY id ASC", (group,)
            ).fetchall()
            for entry in entries:
                _apply(conn, entry, "after")
            conn.execute("UPDATE journal SET state = 'done' WHERE group_id = ?", (group,))
        return sorted({e["article_id"] for e in entries if e["article_id"] is not None})


def _apply(conn: sqlite3.Connection, entry: sqlite3.Row, side: str) -> None:
    """Make the database match one side ('before' or 'after') of a journal entry."""
    raw = entry[side]
    state: dict[str, Any] | None = json.loads(raw) if raw is not None else None
    if entry["span_id"] is not None:
        if state is None:
            conn.execute("DELETE FROM spans WHERE id = ?", (entry["span_id"],))
            return
        exists = conn.execute("SELECT 1 FROM spans WHERE id = ?", (entry["span_id"],)).fetchone()
        if exists:
            conn.execute(
                "UPDATE spans SET label = ?, status = ?, updated_at = ? WHERE id = ?",
                (state["label"], state["status"], state["updated_at"], entry["span_id"]),
            )
        else:
            cols = list(state)
            conn.execute(
                f"INSERT INTO spans ({', '.join(_q(c) for c in cols)})"
                f" VALUES ({', '.join('?' * len(cols))})",
                [state[c] for c in cols],
            )
        return
    if entry["action"] in ("review", "unreview") and state is not None:
        conn.execute(
            "UPDATE articles SET reviewed = ?, reviewed_at = ? WHERE id = ?",
            (state["reviewed"], state["reviewed_at"], entry["article_id"]),
        )
        return
    raise SpanError(f"journal entry {entry['id']} ({entry['action']}) cannot be replayed")


def _q(col: str) -> str:
    return f'"{col}"'
