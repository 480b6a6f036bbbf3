"""The reader's keys for what needs a decision: N / P, } / {, f / F (hints), D (adjudicate), R and move on."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from store import Span

from ..workers import store_work
from .hints import HintScreen, assign

if TYPE_CHECKING:
    from .common import ArticleData
    from .reader import ReaderScreen

NOTHING_LEFT = "nothing left to check here; R marks this article reviewed"


def undecided(data: ArticleData) -> list[Span]:
    """The suggestions nobody decided yet, in text order (none in a reviewed article)."""
    if data.article.reviewed:
        return []
    return sorted((s for s in data.spans if s.status == "suggested"), key=lambda s: s.start)


def _reader(node: object) -> ReaderScreen:
    """The reader screen this mixin is part of (typed as such)."""
    return cast("ReaderScreen", node)


class QueueKeys:
    """Mixed into ReaderScreen: moving to the next article to review and the next suggestion."""

    def action_unreviewed(self, step: int) -> None:
        """N / P: the next / previous article not reviewed (wrapping round at an end)."""
        r = _reader(self)
        r.text_view.clear_selection()
        r.step_unreviewed(r.article_id, step)

    @store_work(group="reader-load", exclusive=True)
    def step_unreviewed(
        self, start: int, step: int, note: str | None = None, at_end: str = ""
    ) -> None:
        """Open the next (or previous) article not reviewed, at its first suggestion to check."""
        r = _reader(self)
        target = r.store.next_in_state(start, "unreviewed", r.sort, step, wrap=True)
        if target is None or target == start:
            r.post_message(r.AtEnd(at_end or "no other article to review"))
            return
        r.open_for_review(target, note)

    def open_for_review(self, target: int, note: str | None) -> None:
        """(In a worker) read an article, mark it read, and show it at its first suggestion."""
        r = _reader(self)
        from .reader import fetch_article

        data = fetch_article(r.store, target, r.sort)
        if not data.article.read:
            r.store.mark_read(target)
        todo = undecided(data)
        r.post_message(r.Loaded(data, todo[0].start if todo else 0, note, True))

    @store_work(group="reader-edit")
    def review_then_next(self, article_id: int) -> None:
        """R with [review] review_and_next: mark the article reviewed, open the next to review."""
        r = _reader(self)
        from .reader import fetch_article

        r._write(lambda s: s.set_reviewed(article_id, True))
        target = r.store.next_in_state(article_id, "unreviewed", r.sort, 1, wrap=True)
        if target is None:
            data = fetch_article(r.store, article_id, r.sort)
            note = "marked reviewed: every article is reviewed now"
            r.post_message(r.Loaded(data, None, note, clear_selection=True))
            return
        left = r.store.count_in_state("unreviewed")
        r.open_for_review(target, f"marked reviewed; {left:,} left to review")

    def action_undecided(self, step: int) -> None:
        """} / {: the next / previous suggestion nobody decided; past the last, the next article."""
        r = _reader(self)
        if r.data is None:
            return
        text = r.text_view
        todo = undecided(r.data)
        live = {s.id for s in text.spans}
        todo = [s for s in todo if s.id in live]
        here = r.selected.start if r.selected is not None else text.caret
        if step > 0:
            target = next((s for s in todo if s.start > here), None)
        else:
            target = next((s for s in reversed(todo) if s.start < here), None)
        if target is not None:
            text.select_span(target)
        elif step < 0:
            r.notify("no suggestion to check before this one", timeout=2)
        else:
            note = "nothing left to check there: the next article to review"
            r.step_unreviewed(r.article_id, 1, note, NOTHING_LEFT)

    def action_hints(self) -> None:
        """f: a label over each entity on screen; typing one selects that entity."""
        r = _reader(self)
        spans = r.text_view.visible_spans()
        if not spans:
            r.notify("no entity on screen", timeout=2)
            return
        hints = assign(spans)
        r.text_view.show_hints({s.start: h for h, s in hints.items()})

        def chosen(span: Span | None) -> None:
            r.text_view.show_hints({})
            if span is not None:
                r.text_view.select_span(span)

        r.app.push_screen(HintScreen(hints), chosen)

    def action_word_hints(self) -> None:
        """F: a label over each word on screen; typing one puts the caret there (then v marks it)."""
        r = _reader(self)
        starts = r.text_view.visible_tokens()
        if not starts:
            return
        hints = assign(starts)
        r.text_view.show_hints({at: h for h, at in hints.items()})

        def chosen(at: int | None) -> None:
            r.text_view.show_hints({})
            if at is not None:
                r.text_view.clear_selection()
                r.text_view.move_caret(at)

        r.app.push_screen(HintScreen(hints), chosen)

    def action_adjudicate(self) -> None:
        """D: this article as this file and a merged annotator have it, where they differ."""
        r = _reader(self)
        from .adjudicate import AdjudicateScreen

        def done(saved: bool | None) -> None:
            if saved:
                r.load(r.article_id, caret=r.text_view.caret)

        r.app.push_screen(AdjudicateScreen(r.article_id), done)
