"""Corrections: accept, reject, relabel, resize, add, review, and undo/redo over the journal."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import USER_SOURCE, NotFound, SpanDraft, SpanError, check_span, now

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store


from .errors import CorrectionError as CorrectionError  # noqa: E402


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
    action: str = ""  # "relabel", "accept", "add", "reject"; "skip" for a skipped mention
    current_status: str | None = None  # status of the span there now, if any
    text: str = ""  # the mention as it is written in the article


@dataclass(frozen=True)
class PropagationPreview:
    """What ``propagate`` would do: every mention it changes, and in how many articles."""

    surface: str
    label: str | None  # None means reject every mention
    mentions: tuple[Mention, ...]
    skipped: tuple[Mention, ...] = ()  # untagged mentions left alone: they overlap an entity
    case_sensitive: bool = True
    article_id: int | None = None  # the one article it is limited to, if any

    @property
    def articles(self) -> int:
        """How many articles would change."""
        return len({m.article_id for m in self.mentions})

    def counts(self) -> dict[str, int]:
        """How many mentions each action changes (relabel, accept, add, reject)."""
        out: dict[str, int] = {}
        for m in self.mentions:
            out[m.action] = out.get(m.action, 0) + 1
        return out


@dataclass(frozen=True)
class Change:
    """One journal group as undo/redo would describe it."""

    group: int
    action: str  # the group's main action: relabel, resize, add, accept, reject, review, ...
    at: str
    articles: tuple[int, ...]
    spans: int  # how many span rows it touched
    surface: str | None = None  # the text of the (first) span it changed
    label: str | None = None  # the label it gave (None for reject and review)
    mentions: int = 0  # for a propagation: how many mentions it changed

    def describe(self) -> str:
        """One short line for a status bar or the command line."""
        what = self.action
        if self.surface is not None:
            what += f" {self.surface!r}"
        if self.label is not None and self.action != "reject":
            what += f" -> {self.label}"
        elif self.action in ("propagate", "learn rule", "remove rule") and self.label is None:
            what += " -> rejected"
        if self.articles:
            where = ", ".join(str(a) for a in self.articles[:5])
            more = ", ..." if len(self.articles) > 5 else ""
            what += f" in article{'s' if len(self.articles) > 1 else ''} {where}{more}"
        if self.action == "propagate":
            what += f" ({self.mentions} mention(s))"
        elif self.spans > 1:
            what += f" ({self.spans} span changes)"
        return what


# actions whose journal entries are markers: undo/redo leaves the database alone for them
_MARKERS = ("propagate",)
# the order in which a group's main action is picked for Change.action
_MAIN = ("propagate", "resize", "relabel", "add", "reject", "accept", "rule", "review", "unreview")


class CorrectionsMixin:
    """Store methods that record a person's decisions; every one is one journal group."""

    allow_overlaps: bool = False

    # -- helpers -----------------------------------------------------------------------

    def _article_text(self: Store, conn: sqlite3.Connection, article_id: int) -> str:
        row = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"article {article_id} does not exist")
        return str(row[0])

    def _check_overlap(
        self: Store,
        conn: sqlite3.Connection,
        article_id: int,
        start: int,
        end: int,
        ignore: tuple[int, ...] = (),
        label: str | None = None,
    ) -> None:
        """Refuse a span that overlaps a current entity (or duplicates one when overlaps are allowed)."""
        q = (
            'SELECT id, start, "end", label, text FROM spans WHERE article_id = ?'
            " AND status != 'rejected' AND start < ? AND \"end\" > ?"
        )
        if ignore:  # (NOT IN (NULL) would match nothing at all)
            q += f" AND id NOT IN ({','.join('?' * len(ignore))})"
        params: list[Any] = [article_id, end, start, *ignore]
        if self.allow_overlaps:
            q += ' AND start = ? AND "end" = ? AND label = ?'
            params += [start, end, label]
        row = conn.execute(q + " ORDER BY start LIMIT 1", params).fetchone()
        if row is not None:
            raise CorrectionError(
                f"{start}..{end} overlaps entity {row['id']} {row['text']!r} ({row['label']})"
                f" in article {article_id}"
            )

    def _discard_redo(self: Store, conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE journal SET state = 'discarded' WHERE state = 'undone'")

    def _begin_edit(self: Store, conn: sqlite3.Connection) -> int:
        """Start a new undo step: a new edit makes the undone steps unreachable."""
        self._discard_redo(conn)
        return self._new_group(conn)

    @staticmethod
    def _clean_label(label: str) -> str:
        if not isinstance(label, str) or not label.strip():
            raise SpanError("a span needs a label")
        return label.strip()

    # -- single decisions --------------------------------------------------------------

    def accept(self: Store, span_id: int) -> int:
        """Mark a span accepted; returns its id. Accepting an accepted span records nothing."""
        with self._tx() as conn:
            row = self._span_row(conn, span_id)
            if row["status"] == "accepted":
                return span_id
            if row["status"] == "rejected":
                self._check_overlap(
                    conn, row["article_id"], row["start"], row["end"], (span_id,), row["label"]
                )
            group = self._begin_edit(conn)
            self._update_span(conn, span_id, group, "accept", status="accepted")
        return span_id

    def reject(self: Store, span_id: int) -> int:
        """Mark a span rejected (it stays in the database as evidence); returns its id."""
        with self._tx() as conn:
            row = self._span_row(conn, span_id)
            if row["status"] == "rejected":
                return span_id
            group = self._begin_edit(conn)
            self._update_span(conn, span_id, group, "reject", status="rejected")
        return span_id

    def relabel(self: Store, span_id: int, label: str) -> int:
        """Give a span another label: the old one is rejected, a user span replaces it.

        Returns the id of the span that now carries the label.
        """
        label = self._clean_label(label)
        with self._tx() as conn:
            return self._replace(conn, span_id, label=label)

    def resize(self: Store, span_id: int, start: int, end: int, label: str | None = None) -> int:
        """Move a span's boundaries (and optionally relabel it); returns the new span's id."""
        if label is not None:
            label = self._clean_label(label)
        with self._tx() as conn:
            return self._replace(conn, span_id, start=start, end=end, label=label)

    def _replace(
        self: Store,
        conn: sqlite3.Connection,
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
            # the same span again: that is accepting it
            if row["status"] == "accepted":
                return span_id
            if row["status"] == "rejected":
                self._check_overlap(conn, row["article_id"], start, end, (span_id,), label)
            group = self._begin_edit(conn)
            self._update_span(conn, span_id, group, "accept", status="accepted")
            return span_id
        self._check_overlap(conn, row["article_id"], start, end, (span_id,), label)
        group = self._begin_edit(conn)
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
        label = self._clean_label(label)
        with self._tx() as conn:
            text = self._article_text(conn, article_id)
            check_span(text, start, end)
            self._check_overlap(conn, article_id, start, end, (), label)
            group = self._begin_edit(conn)
            return self._insert_span(
                conn,
                text,
                article_id,
                SpanDraft(start, end, label, USER_SOURCE, "accepted"),
                group=group,
            )

    def set_reviewed(self: Store, article_id: int, reviewed: bool = True) -> None:
        """Mark an article reviewed: its remaining suggestions count as accepted for export.

        The suggestions keep their status (so un-reviewing gives them back as they were);
        the journal records how many there were. Setting the state it already has records nothing.
        """
        with self._tx() as conn:
            self._article_text(conn, article_id)
            before = conn.execute(
                "SELECT reviewed, reviewed_at FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if bool(before[0]) == reviewed:
                return
            group = self._begin_edit(conn)
            stamp = now() if reviewed else None
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

    # -- history -----------------------------------------------------------------------

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

    def next_undo(self: Store) -> Change | None:
        """Describe the change ``undo`` would revert, or None."""
        group = self._last_group("done", "DESC")
        return None if group is None else self._change(self._conn(), group)

    def next_redo(self: Store) -> Change | None:
        """Describe the change ``redo`` would make again, or None."""
        group = self._last_group("undone", "ASC")
        return None if group is None else self._change(self._conn(), group)

    def history(self: Store, limit: int = 20) -> list[Change]:
        """The newest undoable changes that are done, newest first."""
        rows = self._conn().execute(
            "SELECT DISTINCT group_id FROM journal WHERE undoable = 1 AND state = 'done'"
            " ORDER BY group_id DESC LIMIT ?",
            (limit,),
        )
        conn = self._conn()
        return [self._change(conn, int(r[0])) for r in rows.fetchall()]

    def last_decision(self: Store) -> tuple[str, str | None, int] | None:
        """(surface, label or None for a rejection, article id) of the newest span decision.

        This is what propagation (`A` in the reader) applies to the other mentions;
        None when the newest change is not a decision about one span, or was undone.
        """
        row = (
            self._conn()
            .execute(
                "SELECT group_id, state FROM journal WHERE undoable = 1 ORDER BY group_id DESC LIMIT 1"
            )
            .fetchone()
        )
        if row is None or row[1] != "done":  # nothing done yet, or the newest step was undone
            return None
        change = self._change(self._conn(), int(row[0]))
        if change.action not in ("relabel", "resize", "add", "accept", "reject"):
            return None
        if change.surface is None or not change.articles:
            return None
        label = None if change.action == "reject" else change.label
        return change.surface, label, change.articles[0]

    def _change(self: Store, conn: sqlite3.Connection, group: int) -> Change:
        entries = conn.execute(
            "SELECT * FROM journal WHERE group_id = ? ORDER BY id", (group,)
        ).fetchall()
        actions = [e["action"] for e in entries]
        main = next((a for a in _MAIN if a in actions), actions[0] if actions else "?")
        surface = label = None
        mentions = 0
        if main == "propagate":
            info = json.loads(next(e for e in entries if e["action"] == "propagate")["after"])
            surface, label, mentions = info["surface"], info["label"], info["changed"]
        elif main == "rule":
            e = next(e for e in entries if e["action"] == "rule")
            info = json.loads(e["after"] or e["before"])
            surface, label = info["surface"], info["label"]
            main = "learn rule" if e["after"] else "remove rule"
        else:
            for e in entries:
                if e["span_id"] is None:
                    continue
                state = json.loads(e["after"]) if e["after"] else None
                if state is None:
                    continue
                surface = state["text"]
                # the span that carries the decision: the inserted one, else the changed one
                if e["before"] is None or main in ("accept", "reject"):
                    label = state["label"]
                    break
                label = state["label"]
        arts = tuple(sorted({e["article_id"] for e in entries if e["article_id"] is not None}))
        spans = sum(1 for e in entries if e["span_id"] is not None)
        at = entries[0]["at"] if entries else ""
        return Change(group, main, at, arts, spans, surface, label, mentions)

    # -- undo and redo -----------------------------------------------------------------

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
        """Redo the oldest undone change group; returns the ids of the articles it touched.

        If a span the change needs is gone (extraction replaced the article's suggestions
        since the undo), nothing is redone, the redo history is cleared and CorrectionError says so.
        """
        lost: int | None = None
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
                if entry["span_id"] is not None and entry["before"] is not None:
                    gone = conn.execute(
                        "SELECT 1 FROM spans WHERE id = ?", (entry["span_id"],)
                    ).fetchone()
                    if gone is None:
                        lost = entry["article_id"]
                        break
            if lost is None:
                for entry in entries:
                    _apply(conn, entry, "after")
                conn.execute("UPDATE journal SET state = 'done' WHERE group_id = ?", (group,))
            else:
                self._discard_redo(conn)
        if lost is not None:
            raise CorrectionError(
                f"cannot redo: the entities of article {lost} were re-extracted after the undo;"
                " the redo history is cleared"
            )
        return sorted({e["article_id"] for e in entries if e["article_id"] is not None})


def _apply(conn: sqlite3.Connection, entry: sqlite3.Row, side: str) -> None:
    """Make the database match one side ('before' or 'after') of a journal entry."""
    raw = entry[side]
    state: dict[str, Any] | None = json.loads(raw) if raw is not None else None
    action = entry["action"]
    if action in _MARKERS:
        return
    if action == "rule":
        other = entry["after" if side == "before" else "before"]
        if state is None:
            rule_id = json.loads(other)["id"]
            conn.execute("DELETE FROM rules WHERE id = ?", (rule_id,))
        else:
            cols = list(state)
            conn.execute(
                f"INSERT OR REPLACE INTO rules ({', '.join(_q(c) for c in cols)})"
                f" VALUES ({', '.join('?' * len(cols))})",
                [state[c] for c in cols],
            )
        return
    if entry["span_id"] is not None:
        if state is None:
            conn.execute("DELETE FROM spans WHERE id = ?", (entry["span_id"],))
            return
        cur = conn.execute(
            "UPDATE spans SET label = ?, status = ?, updated_at = ? WHERE id = ?",
            (state["label"], state["status"], state["updated_at"], entry["span_id"]),
        )
        if cur.rowcount == 0:  # gone (an undone insert being redone): put it back
            cols = list(state)
            conn.execute(
                f"INSERT INTO spans ({', '.join(_q(c) for c in cols)})"
                f" VALUES ({', '.join('?' * len(cols))})",
                [state[c] for c in cols],
            )
        return
    if action in ("review", "unreview") and state is not None:
        conn.execute(
            "UPDATE articles SET reviewed = ?, reviewed_at = ? WHERE id = ?",
            (state["reviewed"], state["reviewed_at"], entry["article_id"]),
        )
        return
    raise SpanError(f"journal entry {entry['id']} ({entry['action']}) cannot be replayed")


def _q(col: str) -> str:
    return f'"{col}"'
