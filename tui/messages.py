"""Messages that screens post up to the App."""

from __future__ import annotations

from textual.message import Message


class OpenArticle(Message):
    """Open the reader at an article, optionally selecting the mention at start..end."""

    def __init__(self, article_id: int, start: int | None = None, end: int | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.start = start
        self.end = end
