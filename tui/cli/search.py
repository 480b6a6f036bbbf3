"""The `search` command: fuzzy search over entities and articles, as text or JSON."""

from __future__ import annotations

import click

from store.search.parse import FILTER_HELP

from ..plain import plain
from .context import Context, pass_context
from .output import echo, echo_json


@click.command(
    "search",
    epilog=f"Filters inside QUERY: {FILTER_HELP}. Any other character is searched as text.",
)
@click.argument("query")
@click.option("--label", help="Only entities with this label (same as label:NAME in the query).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON output: a list of hits.")
@pass_context
def search_cmd(obj: Context, query: str, label: str | None, limit: int, as_json: bool) -> None:
    """Find entities (by fuzzy name) and articles (by words) matching QUERY."""
    hits = obj.store().search(query, limit=limit, label=label)  # QueryError names a bad label
    if as_json:
        echo_json([h.as_dict() for h in hits])
        return
    if not hits:
        echo("no matches")
        return
    for h in hits:
        if h.kind == "entity":
            echo(
                f"entity   {h.score:5.1f}  {plain(h.text or '', one_line=True)} ({plain(h.label or '', one_line=True)})"
                + (f" → {plain(h.canonical, one_line=True)}" if h.canonical else "")
                + f"  {h.mentions} mention(s) in {h.articles} article(s);"
                f" e.g. article {h.article_id} at {h.start}-{h.end}"
            )
        else:
            echo(f"article  {h.score:5.1f}  {h.article_id}: {plain(h.title, one_line=True)}")
            if h.snippet:
                echo(f"                 {plain(h.snippet, one_line=True)}")


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(search_cmd)
