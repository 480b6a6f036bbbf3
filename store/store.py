"""Store: the one API the command line and the reader call; a thin facade over the store's modules.

Each attribute below hands its call to the module that does the job: ``reads(fn)`` runs
``fn(db, ...)`` on the calling thread's connection, ``writes(fn)`` runs ``fn(tx, ...)`` in a
unit of work of its own (one transaction, one journal group, one undo step). Either way an
error of SQLite comes out as one of margin's (``store.errors``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from . import agreement as agree  # the review workflow (issue 18)
from . import annotate_batch as op_batch
from . import (
    annotators,
    batch,
    bulk_load,
    corrections,
    decisions,
    journal,
    merge,
    merge_db,
    propagation,
    queries,
    rows,
    settings,
    suggestions,
)
from . import articles as article_ops
from . import disagreements as disagree
from . import history as changes
from . import label_ops as label_set_ops
from . import labels as label_ops
from . import rules as rule_ops
from . import search as finder
from . import spans as span_ops
from . import stats as counts
from .db import Connections, Unit, check_pages, unit_of_work
from .delegate import reads, writes
from .entities import actions as entity_actions
from .entities import consistency, names, overlaps, page, suggest, timeline, watch
from .errors import MarginError, translate
from .models import (
    ArticleDraft,
    ArticleSummary,
    Change,
    ImportResult,
    PropagationResult,
    SpanDraft,
)
from .training import registry as model_registry

# at most this long (seconds), a store's close waits for the checkpoint left to a thread
CLOSE_WAIT = 10.0


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
        self.allow_overlaps = settings.allow_overlaps(db)  # the project's; the config may override
        if not read_only and self.path != ":memory:":
            try:
                check_pages(db, self.path)  # never write into damaged pages
                self.recover()  # a propagation a crash cut short: rolled back
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
        """Close every connection this store opened, once the checkpoint a batch left to its
        thread is done (that thread's connection would otherwise open the file again after
        this close, even make it anew in a folder being deleted)."""
        batch.settle(CLOSE_WAIT, self.path)
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
    can_undo = reads(journal.can_undo)
    can_redo = reads(journal.can_redo)
    next_undo = reads(journal.next_undo)
    next_redo = reads(journal.next_redo)
    history = reads(journal.history)
    last_decision = reads(journal.last_decision)

    def made_elsewhere(self, change: Change) -> str | None:
        """A warning when change was made by another process or window than this store's."""
        return journal.elsewhere(change, self.origin)

    # -- propagation at scale: chunked writes, set-based batches, crash recovery -------------
    # (a big propagation, undo or redo commits in chunks of about 0.4 s: see journal.recover)

    def apply_propagation(
        self, surface: str, label: str | None, **options: Any
    ) -> PropagationResult:
        """Propagate a decision (see propagation.apply_in_chunks for the options)."""
        with self._translated():
            return propagation.apply_in_chunks(self.db, self.unit, surface, label, **options)

    def propagate(
        self,
        surface: str,
        label: str | None,
        *,
        article_id: int | None = None,
        case_sensitive: bool = True,
        learn: bool | None = None,
        **options: Any,
    ) -> int:
        """Propagate and return the mentions changed; learns a rule for any corpus-wide call."""
        done = self.apply_propagation(
            surface,
            label,
            article_id=article_id,
            case_sensitive=case_sensitive,
            learn=article_id is None if learn is None else learn,
            **options,
        )
        return done.mentions

    def undo_change(self) -> Change:
        """Undo the newest change group and return it described (a big one in chunks)."""
        with self._translated():
            return journal.undo_in_chunks(self.db, self.unit)

    def undo(self) -> list[int]:
        """Undo the newest change group; return the ids of the articles it touched."""
        return list(self.undo_change().articles)

    def recover(self) -> list[int]:
        """Make whole the changes a crashed process left half written; return their groups."""
        with self._translated():
            # a chunked propagation, undo or redo; then a file load cut short (deleted whole)
            return journal.recover(self.db, self.unit) + bulk_load.recover(self.db, self.unit)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            if isinstance(exc, MarginError):
                raise
            raise translate(exc, self.path) from exc

    def redo(self) -> list[int]:
        """Redo the oldest undone change group; returns the ids of the articles it touched.

        If its spans were re-extracted since the undo, nothing is redone, the redo history
        is cleared and CorrectionError says so.
        """
        return list(self.redo_change().articles)

    def redo_change(self) -> Change:
        """Redo as :meth:`redo` does; return the change redone (read in the same transaction)."""
        try:
            with self._translated():
                return journal.redo_in_chunks(self.db, self.unit)
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

    # -- labels: corpus-wide label operations, the label set, pattern rules (issue 13) -------
    label_summary = reads(label_set_ops.summary)
    rename_label = writes(label_set_ops.rename)
    merge_labels = writes(label_set_ops.merge)
    drop_label = writes(label_set_ops.drop)
    map_labels = writes(label_set_ops.map_labels)
    read_label_mapping = staticmethod(label_set_ops.read_mapping)
    order_labels = writes(label_ops.set_order)
    hide_labels = writes(label_ops.set_hidden)
    keep_label_map = writes(rule_ops.learn_map)
    import_patterns = writes(rule_ops.import_patterns)
    export_patterns = reads(rule_ops.export_patterns)
    write_patterns = reads(rule_ops.write_patterns)
    add_strip_rule = writes(rule_ops.add_strip)
    reject_remaining = writes(decisions.reject_remaining)
    read_batch = staticmethod(op_batch.read_batch)
    run_batch = writes(op_batch.run_batch)
    project_allows_overlaps = reads(settings.allow_overlaps)

    def set_allow_overlaps(self, value: bool) -> bool:
        """Allow (or forbid) overlapping entities in this project (kept in the database)."""
        with self.unit() as tx:
            self.allow_overlaps = settings.set_allow_overlaps(tx, value)
        return value

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

    # -- entities across the corpus (issue 16): pages, aliases, timelines, consistency ----
    entity = reads(page.entity)
    entity_page = reads(page.entity_page)
    entity_page_mentions = reads(page.mentions)
    entity_page_extras = reads(page.extras)
    count_entity_mentions = reads(page.count_mentions)
    resolve_entity = reads(names.resolve)
    entity_ids = reads(names.entity_id_map)
    aliased_entities = reads(names.aliases)
    alias = writes(names.alias)
    unalias = writes(names.unalias)
    mark_distinct = writes(names.mark_distinct)
    alias_suggestions = reads(suggest.suggestions)
    corpus_alias_suggestions = reads(suggest.corpus_suggestions)
    entity_timeline = reads(timeline.timeline)
    bulk_decide = writes(entity_actions.bulk)
    plan_one_label = reads(entity_actions.plan_one_label)
    one_label = writes(entity_actions.one_label)
    check = reads(consistency.check)
    refresh_overlaps = writes(overlaps.refresh)  # the queue's overlap cache, brought up to date
    resolve_check = writes(consistency.resolve)
    mark_intended = writes(consistency.mark_intended)
    count_dated = reads(article_ops.count_dated)
    add_watch = writes(watch.add)
    remove_watch = writes(watch.remove)
    watches = reads(watch.watches)
    mark_watch_seen = writes(watch.mark_seen)
    find_watch = reads(watch.find)
    # -- trained models and where re-extraction disagrees (issue 14) ----------------------
    trained_models = reads(model_registry.trained)
    trained_model = reads(model_registry.find)
    model_in_use = reads(model_registry.in_use)
    use_model = writes(model_registry.use)
    extractor_for = reads(model_registry.extractor_for)
    trained_path = reads(model_registry.trained_path)
    model_stats = reads(counts.model_stats)
    keep_prior_suggestions = writes(disagree.keep_prior)
    disagreements = reads(disagree.queue)
    resolve_disagreement = writes(disagree.resolve)
    # -- review workflow: queue, progress, history, annotators, merge, agreement (issue 18) --
    next_in_state = reads(queries.next_in)
    articles_in_state = reads(queries.page_in)
    count_in_state = reads(queries.count_in)
    rank_in_state = reads(queries.rank_in)
    progress = reads(queries.progress)

    def watch_articles(self, key: str, limit: int = 500) -> list[ArticleSummary]:
        """The articles of a watch-list (its id or query), newest by date first: the
        library's own page in the date order, filtered by the watch-list."""
        return self.articles_in_state("all", 0, limit, "date", watch=key)

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
