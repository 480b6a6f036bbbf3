"""What the reader's screens share: the data a screen loads, and the messages the App sends down."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from store.models import Article, Label, Span
from store.queries import EntityGroup


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


class StoreChanged(Message):
    """The database changed under the screen (undo, redo): reload what is shown."""

    def __init__(self, article_ids: list[int]) -> None:
        super().__init__()
        self.article_ids = article_ids
