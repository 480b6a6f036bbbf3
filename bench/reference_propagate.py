"""The row-by-row propagation margin had before the set-based one: the benchmark's reference.

Kept as it was (about eight statements per mention, one journal row per span changed) so that
bench_propagate can time the old path in the same run and the tests can check that the new
path leaves exactly the state this one leaves. Not part of the product.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import sqlite_utils

from store import journal, rules, spans
from store.db import Unit
from store.errors import CorrectionError
from store.labels import clean_label
from store.mentions import find_mentions, mention_pattern
from store.models import USER_SOURCE, Mention, PropagationPreview, PropagationResult, SpanDraft
from store.rows import article_text

CONTEXT = 40  # characters of context each side of a mention in a preview
BATCH = 200  # articles read from SQLite at a time


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _candidates(
    db: sqlite_utils.Database,
    surface: str,
    case_sensitive: bool,
    article_id: int | None,
    pattern: re.Pattern[str],
) -> Iterator[sqlite3.Row]:
    """Yield (id, title, text) of the articles whose text contains surface, a batch at a time.

    SQLite does the substring test (instr, or LIKE for ASCII without case), so only
    articles that contain the surface ever reach Python.
    """
    if case_sensitive:
        where, params = "instr(text, ?) > 0", [surface]
    elif surface.isascii():
        where, params = "text LIKE ? ESCAPE '\\'", [f"%{_like_escape(surface)}%"]
    else:

        def margin_mentions(t: str | None) -> int:
            return 1 if t is not None and pattern.search(t) else 0

        db.register_function(margin_mentions, deterministic=True, replace=True)
        where, params = "margin_mentions(text)", []
    if article_id is not None:
        row = db.execute(
            f"SELECT id, title, text FROM articles WHERE id = ? AND {where}",
            [article_id, *params],
        ).fetchone()
        if row is not None:
            yield row
        return
    last = 0
    while True:
        rows = db.execute(
            f"SELECT id, title, text FROM articles WHERE id > ? AND {where} ORDER BY id LIMIT ?",
            [last, *params, BATCH],
        ).fetchall()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1]["id"]


def plan(
    db: sqlite_utils.Database,
    surface: str,
    label: str | None,
    *,
    article_id: int | None = None,
    case_sensitive: bool = True,
) -> PropagationPreview:
    """List every mention of surface (in one article, or the corpus) that would change.

    A mention is the exact surface (ignoring case if asked) as a whole word, or a
    non-rejected span whose text is the surface. With a label: a span with another label
    is relabelled, a suggestion with that label accepted, untagged text tagged (unless it
    overlaps an entity: then it is listed in ``skipped``). With None: every span rejected.
    """
    if not isinstance(surface, str) or not surface.strip():
        raise CorrectionError("propagation needs the text of a mention")
    if label is not None:
        label = clean_label(label)
    if article_id is not None:
        article_text(db, article_id)  # NotFound for an unknown id
    pattern = mention_pattern([surface], case_sensitive)
    exact = re.compile(re.escape(surface), 0 if case_sensitive else re.IGNORECASE)
    changes: list[Mention] = []
    skipped: list[Mention] = []
    batch: list[sqlite3.Row] = []
    if case_sensitive:
        same, same_params = "+text = ?", [surface]  # + : use the article index
    elif surface.isascii():  # LIKE without wildcards: equal ignoring ASCII case
        same, same_params = "text LIKE ? ESCAPE '\\'", [_like_escape(surface)]
    else:

        def margin_same(t: str | None) -> int:
            return 1 if exact.fullmatch(t or "") else 0

        db.register_function(margin_same, deterministic=True, replace=True)
        same, same_params = "margin_same(text)", []

    def overlaps(article_id: int, start: int, end: int) -> bool:
        q = (
            'SELECT 1 FROM spans WHERE article_id = ? AND start < ? AND "end" > ?'
            " AND status != 'rejected' LIMIT 1"
        )
        return db.execute(q, (article_id, end, start)).fetchone() is not None

    def flush() -> None:
        ids = [r["id"] for r in batch]
        tagged: dict[int, list[tuple[Any, ...]]] = {i: [] for i in ids}
        marks = ",".join("?" * len(ids))
        cur = db.conn.cursor()
        cur.row_factory = None  # plain tuples
        for s in cur.execute(
            'SELECT id, start, "end", label, status, text, article_id FROM spans'
            f" WHERE article_id IN ({marks}) AND status != 'rejected' AND {same}"
            " ORDER BY start, id",
            [*ids, *same_params],
        ):
            if exact.fullmatch(s[5]):
                tagged[s[6]].append(s)
        for art in batch:
            _plan_article(art, tagged[art["id"]], label, pattern, changes, skipped, overlaps)
        batch.clear()

    for art in _candidates(db, surface, case_sensitive, article_id, pattern):
        batch.append(art)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return PropagationPreview(
        surface, label, tuple(changes), tuple(skipped), case_sensitive, article_id
    )


def _plan_article(
    art: sqlite3.Row,
    tagged: list[
        tuple[Any, ...]
    ],  # spans with the surface: (id, start, end, label, status, text, aid)
    label: str | None,
    pattern: re.Pattern[str],
    changes: list[Mention],
    skipped: list[Mention],
    overlaps: Callable[[int, int, int], bool],
) -> None:
    text: str = art["text"]

    def mention(start: int, end: int, span: tuple[Any, ...] | None, action: str) -> Mention:
        return Mention(
            article_id=art["id"],
            title=art["title"],
            start=start,
            end=end,
            span_id=None if span is None else span[0],
            current_label=None if span is None else span[3],
            before=text[max(0, start - CONTEXT) : start],
            after=text[end : end + CONTEXT],
            action=action,
            current_status=None if span is None else span[4],
            text=text[start:end],
        )

    for s in tagged:
        if label is None:
            action = "reject"
        elif s[3] != label:
            action = "relabel"
        elif s[4] == "suggested":
            action = "accept"
        else:
            continue
        changes.append(mention(s[1], s[2], s, action))
    if label is None:
        return
    covered = {(s[1], s[2]) for s in tagged}
    for start, end in find_mentions(pattern, text):
        if (start, end) in covered:
            continue
        if overlaps(art["id"], start, end):
            skipped.append(mention(start, end, None, "skip"))
            continue
        changes.append(mention(start, end, None, "add"))


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


def apply(
    tx: Unit,
    surface: str,
    label: str | None,
    *,
    article_id: int | None = None,
    case_sensitive: bool = True,
    learn: bool | None = None,
) -> PropagationResult:
    """Give every mention of surface the label (None: reject it) in the unit's journal group.

    When the newest change is the decision being propagated (the relabel of one "Aleppo"
    before ``A``), it joins this group, so one undo reverts them together. With learn, the
    decision also becomes a rule that later extraction applies; by default (None) it does
    when the propagation covers the whole corpus, not one article, and changed something.
    Returns what this call did (not read back from the journal, which others may write).
    """
    found = plan(tx.db, surface, label, article_id=article_id, case_sensitive=case_sensitive)
    if learn is None:
        learn = article_id is None and bool(found.mentions)
    if not found.mentions and not learn:
        return PropagationResult(surface, found.label, 0, ())
    absorbed = _decision_being_propagated(tx.db, surface, found.label, case_sensitive)
    if absorbed is not None:
        journal.regroup(tx, absorbed)
    texts: dict[int, str] = {}
    for m in found.mentions:
        if m.span_id is not None and m.action in ("accept", "reject", "relabel"):
            status = "accepted" if m.action == "accept" else "rejected"
            spans.update(tx, m.span_id, m.action, status=status)
        if m.action in ("relabel", "add"):
            if m.article_id not in texts:
                texts = {m.article_id: article_text(tx.db, m.article_id)}
            draft = SpanDraft(m.start, m.end, str(found.label), USER_SOURCE, "accepted")
            spans.insert(tx, texts[m.article_id], m.article_id, draft, action=m.action)
    articles = tuple(sorted({m.article_id for m in found.mentions}))
    was = sorted({m.current_label for m in found.mentions if m.current_label is not None})
    info: dict[str, Any] = {
        "surface": surface,
        "label": found.label,
        "case_sensitive": case_sensitive,
        "article_id": article_id,
        # what one undo reverts: the decision it absorbed (the hand-made relabel) counts too
        "changed": len(found.mentions) + (absorbed is not None),
        "articles": len(articles),
        "skipped": len(found.skipped),
        "counts": found.counts(),
        "was": was,
    }
    rule = None
    if learn:
        rule = info["rule"] = rules.learn(tx, surface, found.label, case_sensitive)
    journal.record(tx, "propagate", after=info)
    return PropagationResult(
        surface, found.label, len(found.mentions), articles, rule, len(found.skipped), tx.group()
    )


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
