"""Undo and redo walk the journal: exact restoration, redo discarded by a new edit, across reopen."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from store import CorrectionError, NotFound, SpanError, open_store
from tests.helpers import SEED, add_extracted, snapshot

OTHER = "Aleppo and Idlib. Russia bombed Aleppo again; the Aleppos of the world wait. Iran agreed."
LABELS = ("GPE", "NORP", "LOC", "PERSON")


def test_undo_redo_survive_a_reopen(db_path):
    with open_store(db_path) as s:
        art = add_extracted(s, SEED)
        start = snapshot(s)
        aleppo = next(x for x in s.spans(art) if x.text == "Aleppo")
        s.relabel(aleppo.id, "GPE")
        s.propagate("Aleppo", "GPE")
        end = snapshot(s)
    with open_store(db_path) as s:
        assert s.can_undo() and not s.can_redo()
        s.undo()  # the propagation and the relabel it repeated are one step
    with open_store(db_path) as s:
        assert snapshot(s) == start
        assert not s.can_undo()
    with open_store(db_path) as s:
        s.redo()
        assert snapshot(s) == end
        assert not s.can_redo()


def test_a_new_edit_discards_the_redo_stack(store):
    art = add_extracted(store, SEED)
    russia, iran = (next(x for x in store.spans(art) if x.text == t) for t in ("Russia", "Iran"))
    store.reject(russia.id)
    store.undo()
    assert store.can_redo()
    store.reject(iran.id)
    assert not store.can_redo()
    with pytest.raises(CorrectionError, match="nothing to redo"):
        store.redo()
    store.undo()
    assert store.span(russia.id).status == "suggested"
    assert not store.can_undo()
    with pytest.raises(CorrectionError, match="nothing to undo"):
        store.undo()


def test_a_new_edit_discards_every_undone_row_reading_only_those(store):
    from store.db.unit import DISCARD_REDO

    art = add_extracted(store, SEED)
    russia, iran = (next(x for x in store.spans(art) if x.text == t) for t in ("Russia", "Iran"))
    store.reject(russia.id)
    store.undo()
    group = store.db.execute("SELECT MAX(group_id) FROM journal WHERE state = 'undone'").fetchone()
    with store.unit() as tx:  # a row undo does not revert, in the undone group
        tx.execute(
            "INSERT INTO journal (group_id, at, actor, action, undoable, state)"
            " VALUES (?, 'now', 'margin', 'import', 0, 'undone')",
            (group[0],),
        )
    store.reject(iran.id)
    states = store.db.execute("SELECT DISTINCT state FROM journal WHERE group_id = ?", group)
    assert [r[0] for r in states] == ["discarded"]
    assert not store.db.execute("SELECT 1 FROM journal WHERE state = 'undone'").fetchall()
    # the undone rows are found through journal_state, not by reading every journal row
    plan = " ".join(str(r[3]) for r in store.db.execute(f"EXPLAIN QUERY PLAN {DISCARD_REDO}"))
    assert "journal_state" in plan and "SCAN" not in plan


def test_undo_skips_imports_and_extraction(store):
    art = add_extracted(store, SEED)
    aleppo = next(x for x in store.spans(art) if x.text == "Aleppo")
    store.accept(aleppo.id)
    add_extracted(store, OTHER)  # import + extraction: not undoable
    assert store.undo() == [art]
    assert store.span(aleppo.id).status == "suggested"
    assert not store.can_undo()


def test_redo_refuses_when_extraction_replaced_the_spans(store):
    from store.extract import run_extraction
    from tests.helpers import FakeExtractor

    art = add_extracted(store, SEED)
    aleppo = next(x for x in store.spans(art) if x.text == "Aleppo")
    store.accept(aleppo.id)
    store.undo()
    run_extraction(store, [art], FakeExtractor())  # replaces the suggestion aleppo was
    with pytest.raises(CorrectionError, match="re-extracted"):
        store.redo()
    assert not store.can_redo()


# -- property: any edits, then as many undos, give back the start ---------------------

EDIT = st.tuples(
    st.sampled_from(
        ["accept", "reject", "relabel", "resize", "add", "review", "propagate", "forget"]
    ),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.sampled_from(LABELS),
)


def _steps(s) -> int:
    """How many undo steps the journal holds."""
    return s.db.execute(
        "SELECT COUNT(DISTINCT group_id) FROM journal WHERE undoable = 1 AND state = 'done'"
    ).fetchone()[0]


def _edit(s, op, a, b, label) -> str | None:
    """Try one edit: "new" when it recorded an undo step, "absorbed" when it joined the
    newest one (a propagation of the decision just made), None when it changed nothing."""
    before = s.next_undo()
    steps = _steps(s)
    spans = [x for aid in (1, 2) for x in s.spans(aid)]
    span = spans[a % len(spans)]
    text = s.article(span.article_id).text
    try:
        if op == "accept":
            s.accept(span.id)
        elif op == "reject":
            s.reject(span.id)
        elif op == "relabel":
            s.relabel(span.id, label)
        elif op == "resize":
            s.resize(span.id, max(0, span.start - b % 3), min(len(text), span.end + b % 2))
        elif op == "add":
            start = b % (len(text) - 1)
            s.add_span(span.article_id, start, min(len(text), start + 1 + a % 9), label)
        elif op == "review":
            s.set_reviewed(1 + a % 2, bool(b % 2))
        elif op == "forget":
            rules = s.rules()
            if not rules:
                return None
            s.remove_rule(rules[a % len(rules)].id)
        else:
            surface = ("Aleppo", "Russia", "Iran", "aleppo")[b % 4]
            s.propagate(
                surface,
                None if a % 5 == 0 else label,
                article_id=None if a % 3 else 1 + b % 2,
                case_sensitive=bool(a % 2),
                learn=(None, True, False)[b % 3],
            )
    except (CorrectionError, SpanError, NotFound):
        return None
    after = s.next_undo()
    if after is None or (before is not None and after.group == before.group):
        return None
    return "new" if _steps(s) > steps else "absorbed"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(EDIT, max_size=12))
def test_edits_then_as_many_undos_return_to_the_start(tmp_path, edits):
    with tempfile.TemporaryDirectory(dir=tmp_path) as d, open_store(Path(d) / "m.db") as s:
        add_extracted(s, SEED)
        add_extracted(s, OTHER)
        start = snapshot(s)
        done = sum(_edit(s, *e) == "new" for e in edits)
        end = snapshot(s)
        for _ in range(done):
            s.undo()
        assert snapshot(s) == start
        assert not s.can_undo()
        for _ in range(done):
            s.redo()
        assert snapshot(s) == end
        assert not s.can_redo()


class UndoMachine(RuleBasedStateMachine):
    """Every step: an edit, an undo, a redo or a reopen; undo/redo must match recorded states."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name) / "m.db"
        self.store = open_store(self.path)
        add_extracted(self.store, SEED)
        add_extracted(self.store, OTHER)
        self.undo_stack: list[tuple] = []
        self.redo_stack: list[tuple] = []

    @rule(edit=EDIT)
    def edit(self, edit) -> None:
        before = snapshot(self.store)
        outcome = _edit(self.store, *edit)
        if outcome == "new":
            self.undo_stack.append(before)
            self.redo_stack.clear()
        elif outcome == "absorbed":  # joined the newest step: its undo goes further back
            self.redo_stack.clear()
        else:
            assert snapshot(self.store) == before

    @precondition(lambda self: self.undo_stack)
    @rule()
    def undo(self) -> None:
        self.redo_stack.append(snapshot(self.store))
        self.store.undo()
        assert snapshot(self.store) == self.undo_stack.pop()

    @precondition(lambda self: self.redo_stack)
    @rule()
    def redo(self) -> None:
        self.undo_stack.append(snapshot(self.store))
        self.store.redo()
        assert snapshot(self.store) == self.redo_stack.pop()

    @rule()
    def reopen(self) -> None:
        self.store.close()
        self.store = open_store(self.path)

    @invariant()
    def stacks_match_the_journal(self) -> None:
        assert self.store.can_undo() == bool(self.undo_stack)
        assert self.store.can_redo() == bool(self.redo_stack)

    def teardown(self) -> None:
        self.store.close()
        self.dir.cleanup()


TestUndoMachine = UndoMachine.TestCase
TestUndoMachine.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
