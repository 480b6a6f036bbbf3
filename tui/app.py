"""The Textual App (placeholder until the reader lands: prints the article and its entities)."""

from __future__ import annotations

from .context import Context
from .output import echo
from .plain import plain


def run_app(obj: Context, article_id: int | None) -> None:
    """Show the article: for now as text with its entities listed."""
    store = obj.store()
    rows = store.articles(limit=1, sort="id")
    if article_id is None:
        if not rows:
            echo("no articles yet: margin import PATH")
            return
        article_id = rows[0].id
    art = store.article(article_id)
    echo(plain(art.text))
    for s in store.spans(article_id, include_rejected=False):
        echo(f"  {s.label:<12} {plain(s.text, one_line=True)}")
