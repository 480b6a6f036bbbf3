"""Plain text and Markdown articles: the whole file is the text; the title its first line."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..dates import date_from
from ..models import ArticleDraft, title_from_text
from .decode import decode_text

NAME = "text"
EXTENSIONS = (".txt", ".text", ".md", ".markdown")

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def read(path: str, data: bytes) -> Iterator[ArticleDraft]:
    """Yield the one article a text or Markdown file holds."""
    text = decode_text(path, data)
    title = None
    fields: dict[str, str] = {}
    front = _FRONT.match(text)
    if front:
        for line in front.group(1).split("\n"):
            key, _, value = line.partition(":")
            fields.setdefault(key.strip().lower(), value.strip().strip("'\""))
            if key.strip().lower() == "title" and value.strip():
                title = value.strip().strip("'\"")
    if title is None:
        name = path.rsplit("/", 1)[-1]
        title = title_from_text(text[front.end() :] if front else text, fallback=name)
    yield ArticleDraft(text=text, title=title, source=path, date=date_from(fields))
