"""Store: the one API the command line and the reader call; a thin facade over the store's modules.

Each attribute below hands its call to the module that does the job: ``reads(fn)`` runs
``fn(db, ...)`` on the calling thread's connection, ``writes(fn)`` runs ``fn(tx, ...)`` in a
unit of work of its own (one transaction, one journal group, one undo step). Either way an
error of SQLite comes out as one of margin's (``store.errors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from . import agreement as agree  # the review workflow (issue 18)
from . import (
    annotators,
    corrections,
    journal,
    merge,
    merge_db,
    propagation,
    queries,
    rows,
    suggestions,
)
from . import articles as article_ops
from . import history as changes
from . import labels as label_ops
from . import rules as rule_ops
from . import search as finder
from . import spans as span_ops
from . import stats as counts
from .db import Connections, Unit, check_pages, unit_of_work
from .delegate import reads, writes
from .models import ArticleDraft, Change, ImportResult, SpanDraft


class Store:
    """A margin database: articles, spans, labels, the journal and learned rules."""

    allow_overlaps: bool = False  # [annotate] allow_overlaps: spans of one article may overlap
    annotator: str | None = None  # who decides: stamped on every journal row (store.annotators)

    def __init__(
        self, path: str | Path, origin: str | None = None, read_only: bool = False
    ) -> None:
        self.path = str(path)
        self.origin = origin  # stamped on every journal group ("cli:PID@PPID", "tui:PID")
        self.read_only = read_only
        self._pool = Connections(self.path, read_only)
        self._rules = rule_ops.RuleCache()
        db = self._pool.get()  # create and migrate now, so errors surface at open
        if not read_only and self.path != ":memory:":
            try:
                check_pages(db, self.path)  # never write into damaged pages
            except BaseException:
                self._pool.close()
                raise

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection as a ``sqlite_utils.Database`` (for notebooks and scripts)."""
        return self._pool.get()

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        """A unit of work on this thread's connection: several writes as one undo step."""
        with unit_of_work(self.db, self.path, self.origin) as tx:
            tx.allow_overlaps = self.allow_overlaps
            tx.annotator = self.annotator
            yield tx

    def close(self) -> None:
        """Close every connection this store opened."""
        self._pool.close()

    def connections(self) -> int:
        """How many connections the store holds open (one per live thread that used it)."""
        return self._pool.count()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles ------------------------------------------------------------------------
    add_articles = writes(article_ops.add_articles)
    import_annotations = writes(merge.import_annotations)
    mark_read = writes(article_ops.mark_read)
    article = reads(rows.article)
    has_article = reads(article_ops.has_article)
    articles = reads(article_ops.page)
    iter_articles = reads(article_ops.iter_articles)
    texts = reads(article_ops.texts)
    article_count = reads(article_ops.count)
    article_ids = reads(article_ops.ids)
    reviewed_article_ids = reads(article_ops.reviewed_ids)

    def add_article(self, draft: ArticleDraft) -> ImportResult:
        """Store one article (and its spans) unless the same text is already there."""
        return self.add_articles([draft])[0]

    # -- spans, labels, extraction --------------------------------------------------------
    spans = reads(span_ops.spans)
    span = reads(span_ops.span)
    labels = reads(label_ops.labels)
    legend = reads(label_ops.legend)
    add_label = writes(label_ops.add_label)
    store_extraction = writes(suggestions.store_extraction)
    articles_without_suggestions = reads(suggestions.articles_without_suggestions)
    to_extract_after_import = reads(suggestions.to_extract_after_import)

    # -- corrections, propagation and the journal ---------------------------------------
    accept = writes(corrections.accept)
    reject = writes(corrections.reject)
    relabel = writes(corrections.relabel)
    resize = writes(corrections.resize)
    add_span = writes(corrections.add_span)
    set_reviewed = writes(corrections.set_reviewed)
    preview_propagation = reads(propagation.plan)
    propagate = writes(propagation.propagate)
    apply_propagation = writes(propagation.apply)
    undo = writes(journal.undo)
    undo_change = writes(journal.undo_change)
    can_undo = reads(journal.can_undo)
    can_redo = reads(journal.can_redo)
    next_undo = reads(journal.next_undo)
    next_redo = reads(journal.next_redo)
    history = reads(journal.history)
    last_decision = reads(journal.last_decision)

    def made_elsewhere(self, change: Change) -> str | None:
        """A warning when change was made by another process or window than this store's."""
        return journal.elsewhere(change, self.origin)

    def redo(self) -> list[int]:
        """Redo the oldest undone change group; returns the ids of the articles it touched.

        If its spans were re-extracted since the undo, nothing is redone, the redo history
        is cleared and CorrectionError says so.
        """
        return list(self.redo_change().articles)

    def redo_change(self) -> Change:
        """Redo as :meth:`redo` does; return the change redone (read in the same transaction)."""
        try:
            with self.unit() as tx:
                return journal.redo_change(tx)
        except journal.LostRedo:
            with self.unit() as tx:
                journal.discard_redo(tx)
            raise

    # -- rules ---------------------------------------------------------------------------
    rules = reads(rule_ops.rules)
    rule = reads(rule_ops.rule)
    remove_rule = writes(rule_ops.remove)

    def apply_rules(self, text: str, drafts: list[SpanDraft]) -> list[SpanDraft]:
        """Apply the learned rules to a model's suggestions for text (see rules.apply)."""
        return rule_ops.apply(self._rules.get(self.db), text, drafts)

    # -- reads for the reader, search and counts ------------------------------------------
    neighbour = reads(queries.neighbour)
    next_unread = reads(queries.next_unread)
    article_rank = reads(queries.article_rank)
    article_summary = reads(queries.article_summary)
    entity_groups = reads(queries.entity_groups)
    latest_article_id = reads(queries.latest_article_id)
    library_counts = reads(queries.library_counts)
    find_titles = reads(queries.find_titles)
    search = reads(finder.search)
    entity_mentions = reads(finder.entity_mentions)
    stats = reads(counts.stats)
    correction_stats = reads(counts.correction_stats)

    # -- review workflow: queue, progress, history, annotators, merge, agreement (issue 18) --
    next_in_state = reads(queries.next_in)
    articles_in_state = reads(queries.page_in)
    count_in_state = reads(queries.count_in)
    rank_in_state = reads(queries.rank_in)
    progress = reads(queries.progress)
    history_entries = reads(changes.entries)
    by_annotator = reads(annotators.by_annotator)
    merge_file = writes(merge_db.merge_file)
    merged_annotators = reads(merge_db.annotators)
    agreement = reads(agree.agreement)
    pick_annotator = reads(agree.pick_annotator)
    to_adjudicate = reads(agree.to_adjudicate)
    other_spans = reads(agree.other_spans)
    adjudicate = writes(agree.adjudicate)


def open_store(path: str | Path, origin: str | None = None, read_only: bool = False) -> Store:
    """Open (creating and migrating if needed) the margin database at path.

    origin: who writes through this store (the journal records it per change).
    read_only: the caller only reads, so a read-only file or folder, or a full disk, is no
    obstacle; every write through this store is refused.
    """
    return Store(path, origin, read_only)
