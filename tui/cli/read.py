"""The ``read`` command (open the reader) and ``config`` (where the config file is, the key ids)."""

from __future__ import annotations

import sys

import click

from store import Store
from store.config import config_path

from .articles import print_article
from .context import Context, pass_context
from .output import echo, echo_json


def open_reader(obj: Context, article_id: int | None) -> None:
    """Open the Textual reader on the database, optionally at one article.

    Without a terminal (piped, or in a script) the article is printed instead.
    """
    obj.front = "tui"  # the journal tells this window's changes from other processes'
    store = obj.store()
    if article_id is not None:
        store.article(article_id)  # NotFound names the missing id before the screen opens
    from ..keymap import keymap_from_config  # Textual loads only for the reader

    keymap = keymap_from_config(obj.config(), obj.config_file or config_path())  # before the screen
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _print_article(store, article_id)
        return
    from ..app import MarginApp

    MarginApp(store, article_id, keymap).run()


def _print_article(store: Store, article_id: int | None) -> None:
    if article_id is None:
        rows = store.articles(limit=1, sort="id")
        if not rows:
            echo("no articles yet: margin import PATH")
            return
        article_id = rows[0].id
    print_article(store.article(article_id), store.spans(article_id, include_rejected=False))


@click.command("read")
@click.argument("article_id", type=int, required=False)
@pass_context
def read_cmd(obj: Context, article_id: int | None) -> None:
    """Open the reader, optionally at an article."""
    open_reader(obj, article_id)


@click.group("config")
def config_group() -> None:
    """Where the config file is, and what can be set in it."""


@config_group.command("path")
@pass_context
def config_path_cmd(obj: Context) -> None:
    """Print the config file's path (it may not exist yet)."""
    echo(str(obj.config_file or config_path()))


@config_group.command("keys")
@click.option("--json", "as_json", is_flag=True, help="Print the bindings as JSON.")
@pass_context
def config_keys_cmd(obj: Context, as_json: bool) -> None:
    """List every key binding id with its key (as remapped by the config's [keys] table)."""
    from ..keymap import ALL, describe, keymap_from_config

    keymap = keymap_from_config(obj.config(), obj.config_file or config_path())
    rows = describe([b for b in ALL if b.id], keymap)
    if as_json:
        echo_json([{"id": bid, "keys": keys, "description": d} for keys, d, bid in rows])
        return
    echo('# remap in the config file, e.g.  [keys]  reader.next_article = "ctrl+n"')
    for keys, description, bid in sorted(rows, key=lambda r: r[2]):
        echo(f"{bid:<24} {keys:<18} {description}")


def register(group: click.Group) -> None:
    """Add the read and config commands to the group."""
    group.add_command(read_cmd)
    group.add_command(config_group)
