"""What the reader's screens share: the data a screen loads, and the messages the App sends down."""

from __future__ import annotations

import gc
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message

from store import Article, EntityGroup, Label, Span


@dataclass(frozen=True)
class ArticleData:
    """Everything the reader shows for one article, read in one worker."""

    article: Article
    spans: list[Span]
    groups: list[EntityGroup]
    labels: list[Label]
    legend: list[Label]
    rank: int
    total: int
    progress: tuple[int, int] = (0, 0)  # (reviewed, articles) of the whole corpus


class StoreChanged(Message):
    """The database changed under the screen (undo, redo): reload what is shown."""

    def __init__(self, article_ids: list[int]) -> None:
        super().__init__()
        self.article_ids = article_ids


def freeze_memory() -> None:
    """Move what exists now out of the cyclic collector's way (call when a screen has its data).

    Without this a full collection over Textual's and the article's objects pauses the app
    for 150-200 ms every so often (a page down in a long article); refcounting still frees
    everything, only cyclic garbage made before the call stays.
    """
    gc.freeze()


def fit(lines: list[Text], width: int) -> Text:
    """Join lines, each cut to width with an ellipsis (a list row never wraps)."""
    for line in lines:
        line.truncate(max(8, width), overflow="ellipsis")
    return Text("\n").join(lines)
