"""The propagation preview: how many mentions in how many articles change, a few in context."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from store import PropagationPreview

from ..keymap import MODAL
from ..plain import plain

SHOWN = 8


def describe(preview: PropagationPreview) -> str:
    """One line: what applying would do."""
    # quoted by hand: repr() would double the backslash of an escape that plain() made visible
    surface = f"'{plain(preview.surface, one_line=True)}'"
    what = (
        f"give {plain(preview.label, one_line=True)} to every {surface}"
        if preview.label
        else f"reject every {surface}"
    )
    n, a = len(preview.mentions), preview.articles
    return f"{what}: {n} mention{'s' * (n != 1)} in {a} article{'s' * (a != 1)}"


def mentions_text(preview: PropagationPreview, shown: int = SHOWN) -> Text:
    """A few mentions in context, one a line: the mention underlined, the label it has now."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for m in preview.mentions[:shown]:
        before = plain(m.before, one_line=True)[-32:]
        after = plain(m.after, one_line=True)[:32]
        current = plain(m.current_label, one_line=True) if m.current_label else "untagged"
        text.append(f"{current:>10} ", Style(dim=True))
        text.append(f"…{before}")
        text.append(plain(preview.surface, one_line=True), Style(bold=True, underline=True))
        text.append(f"{after}…  ")
        text.append(plain(m.title, one_line=True)[:40] + "\n", Style(dim=True, italic=True))
    more = len(preview.mentions) - shown
    if more > 0:
        text.append(f"… and {more} more\n", Style(dim=True))
    return text


class PropagateScreen(ModalScreen[str | None]):
    """Confirm a propagation: enter for the whole corpus, t for this article only."""

    BINDINGS = [
        *MODAL,
        Binding("enter,y", "choose('corpus')", "Apply everywhere", id="propagate.corpus"),
        Binding("t", "choose('article')", "This article only", id="propagate.article"),
    ]

    def __init__(self, corpus: PropagationPreview, article: PropagationPreview) -> None:
        super().__init__()
        self.corpus = corpus
        self.article = article

    def compose(self) -> ComposeResult:
        with Vertical(id="propagate"):
            yield Static("Apply to every mention", id="propagate-title", markup=False)
            yield Static(describe(self.corpus), id="propagate-summary", markup=False)
            here = f"in this article: {len(self.article.mentions)}"
            if self.corpus.skipped:
                here += f" · {len(self.corpus.skipped)} left alone (they overlap an entity)"
            yield Static(here, markup=False)
            yield Static(mentions_text(self.corpus), id="propagate-mentions")
            yield Static(
                "enter: apply everywhere · t: this article only · escape: cancel",
                classes="hint",
                markup=False,
            )

    def action_choose(self, scope: str) -> None:
        self.dismiss(scope)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
