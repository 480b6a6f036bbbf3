"""Corrections: accept, reject, relabel, resize, add and review, each in the unit's journal group."""

from __future__ import annotations

from . import journal, spans
from .db import Unit
from .labels import clean_label
from .models import USER_SOURCE, SpanDraft, check_span, now
from .rows import article_text, span_row


def accept(tx: Unit, span_id: int) -> int:
    """Mark a span accepted; returns its id. Accepting an accepted span records nothing."""
    row = span_row(tx.db, span_id)
    if row["status"] == "accepted":
        return span_id
    if row["status"] == "rejected":
        spans.check_overlap(
            tx, row["article_id"], row["start"], row["end"], (span_id,), row["label"]
        )
    spans.update(tx, span_id, "accept", status="accepted")
    return span_id


def reject(tx: Unit, span_id: int) -> int:
    """Mark a span rejected (it stays in the database as evidence); returns its id."""
    row = span_row(tx.db, span_id)
    if row["status"] != "rejected":
        spans.update(tx, span_id, "reject", status="rejected")
    return span_id


def relabel(tx: Unit, span_id: int, label: str) -> int:
    """Give a span another label: the old one is rejected, a user span replaces it.

    Returns the id of the span that now carries the label.
    """
    return replace(tx, span_id, label=clean_label(label))


def resize(tx: Unit, span_id: int, start: int, end: int, label: str | None = None) -> int:
    """Move a span's boundaries (and optionally relabel it); returns the new span's id."""
    return replace(
        tx, span_id, start=start, end=end, label=None if label is None else clean_label(label)
    )


def replace(
    tx: Unit,
    span_id: int,
    *,
    start: int | None = None,
    end: int | None = None,
    label: str | None = None,
) -> int:
    """Reject a span and put a person's span with new boundaries or label in its place."""
    row = span_row(tx.db, span_id)
    start = row["start"] if start is None else start
    end = row["end"] if end is None else end
    label = row["label"] if label is None else label
    text = article_text(tx.db, row["article_id"])
    check_span(text, start, end)
    if (start, end, label) == (row["start"], row["end"], row["label"]):
        return accept(tx, span_id)  # the same span again: that is accepting it
    spans.check_overlap(tx, row["article_id"], start, end, (span_id,), label)
    action = "relabel" if (start, end) == (row["start"], row["end"]) else "resize"
    if row["status"] != "rejected":
        spans.update(tx, span_id, action, status="rejected")
    draft = SpanDraft(start, end, str(label), USER_SOURCE, "accepted")
    return spans.insert(tx, text, row["article_id"], draft, action=action)


def add_span(tx: Unit, article_id: int, start: int, end: int, label: str) -> int:
    """Add an entity a person marked; returns its id."""
    label = clean_label(label)
    text = article_text(tx.db, article_id)
    check_span(text, start, end)
    spans.check_overlap(tx, article_id, start, end, (), label)
    return spans.insert(tx, text, article_id, SpanDraft(start, end, label, USER_SOURCE, "accepted"))


def set_reviewed(tx: Unit, article_id: int, reviewed: bool = True, actor: str = "user") -> bool:
    """Mark an article reviewed: its remaining suggestions count as accepted for export.

    The suggestions keep their status (so un-reviewing gives them back as they were); the
    journal records how many there were. Setting the state it already has records nothing
    and returns False.
    """
    article_text(tx.db, article_id)  # NotFound for an unknown id
    before = tx.execute(
        "SELECT reviewed, reviewed_at FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if bool(before[0]) == reviewed:
        return False
    stamp = now() if reviewed else None
    tx.execute(
        "UPDATE articles SET reviewed = ?, reviewed_at = ? WHERE id = ?",
        (int(reviewed), stamp, article_id),
    )
    pending = tx.one(
        "SELECT COUNT(*) FROM spans WHERE article_id = ? AND status = 'suggested'", (article_id,)
    )
    after = {"reviewed": int(reviewed), "reviewed_at": stamp}
    if actor == "user":  # an import's review says nothing of suggestions it did not see
        after["suggestions"] = pending
    journal.record(
        tx,
        "review" if reviewed else "unreview",
        article_id=article_id,
        before={"reviewed": before[0], "reviewed_at": before[1]},
        after=after,
        actor=actor,
    )
    return True


def reviewed_by_import(tx: Unit, article_ids: list[int]) -> int:
    """set_reviewed(tx, id, True, actor="import") for each article, in a few statements (an
    import marking 10,000 new articles reviewed spent a second on them one by one); returns
    how many it marked. The journal rows are the ones set_reviewed writes."""
    wanted = list(dict.fromkeys(article_ids))
    found: dict[int, tuple[int, str | None]] = {}
    for i in range(0, len(wanted), 500):
        part = wanted[i : i + 500]
        marks = ", ".join("?" * len(part))
        for aid, done, at in tx.execute(
            f"SELECT id, reviewed, reviewed_at FROM articles WHERE id IN ({marks})", part
        ):
            found[int(aid)] = (int(done), at)
    for aid in wanted:
        if aid not in found:
            article_text(tx.db, aid)  # NotFound, as set_reviewed says it
    todo = [aid for aid in wanted if not found[aid][0]]
    if not todo:
        return 0
    stamp = now()
    tx.conn.executemany(
        "UPDATE articles SET reviewed = 1, reviewed_at = ? WHERE id = ?", ((stamp, a) for a in todo)
    )
    after = journal.dumps({"reviewed": 1, "reviewed_at": stamp})
    tx.conn.executemany(
        journal.RECORD,
        (
            (
                tx.edit_group(),
                stamp,
                "import",
                "review",
                aid,
                None,
                journal.dumps({"reviewed": 0, "reviewed_at": found[aid][1]}),
                after,
                tx.origin,
                tx.annotator,
            )
            for aid in todo
        ),
    )
    return len(todo)
