"""The ``read`` command (open the reader) and ``config`` (where the config file is, the key ids)."""

from __future__ import annotations

import json
import os
import sys

import click

from store import Store
from store.config import config_path, review_and_next

from .articles import print_article
from .context import Context, pass_context
from .output import echo, echo_json


def open_reader(obj: Context, article_id: int | None) -> None:
    """Open the Textual reader on the database, optionally at one article.

    Without a terminal (piped, or in a script) the article is printed instead.
    """
    obj.front = "tui"  # the journal tells this window's changes from other processes'
    store = obj.store()
    store.origin = obj.origin()  # also when the store was opened first (margin --sample's import)
    if article_id is not None:
        store.article(article_id)  # NotFound names the missing id before the screen opens
    from ..keymap import keymap_from_config  # Textual loads only for the reader

    keymap = keymap_from_config(obj.config(), obj.config_file or config_path())  # before the screen
    # under `margin serve` the screen is a browser's: textual-serve sets the driver, pipes the rest
    served = "TEXTUAL_DRIVER" in os.environ
    if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        _print_article(store, article_id)
        return
    from ..app import MarginApp

    app = MarginApp(store, article_id, keymap)
    app.review_and_next = review_and_next(obj.config())  # [review] review_and_next
    app.run()


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
@click.option(
    "--toml", "as_toml", is_flag=True, help="Print a [keys] table to paste in the config."
)
@pass_context
def config_keys_cmd(obj: Context, as_json: bool, as_toml: bool) -> None:
    """List every key binding id with its key (as remapped by the config's [keys] table)."""
    from ..keymap import ALL, describe, keymap_from_config

    keymap = keymap_from_config(obj.config(), obj.config_file or config_path())
    bindings = [b for b in ALL if b.id]
    rows = describe(bindings, keymap)
    if as_json:
        echo_json([{"id": bid, "keys": keys, "description": d} for keys, d, bid in rows])
        return
    if as_toml:
        echo("[keys]")
        for b in sorted(bindings, key=lambda b: b.id or ""):
            bid = b.id or ""
            echo(f"{toml_pair(bid, keymap.get(bid, b.key))}  # {b.description}")
        return
    # an id holds dots: unquoted, TOML would read it as nested tables and the config refuse it
    echo("# remap in the config file (margin config path), e.g.:")
    echo("#   [keys]")
    echo(f"#   {toml_pair('reader.next_article', 'ctrl+n')}")
    echo("# or print a whole [keys] table to start from: margin config keys --toml")
    for keys, description, bid in sorted(rows, key=lambda r: r[2]):
        echo(f"{bid:<24} {keys:<18} {description}")


def toml_pair(key: str, value: str) -> str:
    """One TOML line `"key" = "value"`, both quoted as TOML basic strings."""
    return f"{toml_string(key)} = {toml_string(value)}"


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these ASCII ids and keys)."""
    return json.dumps(text, ensure_ascii=True)


def register(group: click.Group) -> None:
    """Add the read and config commands to the group."""
    group.add_command(read_cmd)
    group.add_command(config_group)
