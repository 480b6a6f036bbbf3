"""The ``read`` command: open the reader (or, without a terminal, print the article)."""

from __future__ import annotations

import click

from ..context import Context, pass_context


def open_reader(obj: Context, article_id: int | None) -> None:
    """Open the Textual reader on the database, optionally at one article."""
    store = obj.store()
    if article_id is not None:
        store.article(article_id)  # NotFound names the missing id before the screen opens
    from ..app import run_app

    run_app(obj, article_id)


@click.command("read")
@click.argument("article_id", type=int, required=False)
@pass_context
def read_cmd(obj: Context, article_id: int | None) -> None:
    """Open the reader, optionally at an article."""
    open_reader(obj, article_id)


def register(group: click.Group) -> None:
    """Add the read command to the group."""
    group.add_command(read_cmd)
