"""The entity commands: entity pages, aliases and the consistency queue (issue 16)."""

from __future__ import annotations

import click

from store.entities.consistency import KIND_NAMES, KINDS
from store.entities.timeline import bars
from store.errors import StoreBusy

from ..plain import plain
from .context import Context, pass_context
from .output import echo, echo_json

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(counts: list[int]) -> str:
    """Counts as a line of block characters (the tallest bar is the largest count)."""
    top = max(counts, default=0)
    if not top:
        return ""
    return "".join(SPARK[min(7, (n * 7 + top - 1) // top)] if n else " " for n in counts)


@click.command("entity")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option(
    "--limit", type=click.IntRange(0), default=20, show_default=True, help="Mentions shown."
)
@click.option("--label", help="Only the mentions with this label.")
@click.option(
    "--status", type=click.Choice(["suggested", "accepted", "rejected"]), help="Only this status."
)
@pass_context
def entity_cmd(
    obj: Context, name: str, as_json: bool, limit: int, label: str | None, status: str | None
) -> None:
    """The entity page of NAME (or any of its aliases): labels, mentions, neighbours, timeline."""
    page = obj.store().entity_page(name, limit=limit, label=label, status=status)
    if as_json:
        echo_json(page.as_dict())
        return
    e = page.entity
    echo(f"{plain(e.name, one_line=True)}  (entity {e.id})")
    if e.aliases:
        echo("aliases: " + ", ".join(plain(a, one_line=True) for a in e.aliases))
    echo(plain(page.distribution(), one_line=True))
    weeks = bars(page.timeline, "week")
    if weeks:
        echo(
            f"per week {weeks[0].start} … {weeks[-1].start}: {sparkline([b.count for b in weeks])}"
        )
    if page.neighbours:
        echo(
            "appears with (articles): "
            + ", ".join(f"{plain(n.name, one_line=True)} {n.articles:,}" for n in page.neighbours)
        )
    echo(f"mentions ({page.total:,}):")
    for m in page.mentions:
        sentence = plain(f"{m.before}[{m.text}]{m.after}", one_line=True)
        echo(
            f"  {m.article_id:>6} {m.date[:10]}{' ' if m.dated else '~'} {m.label:<8} {m.status:<9}"
            f" {sentence}"
        )


@click.command("alias")
@click.argument("names", nargs=-1)
@click.option("--not", "not_same", is_flag=True, help="A and B are different entities.")
@click.option("--suggest", is_flag=True, help="List likely aliases (of NAME, or of the corpus).")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@pass_context
def alias_cmd(
    obj: Context, names: tuple[str, ...], not_same: bool, suggest: bool, as_json: bool
) -> None:
    """ALIAS CANONICAL: ALIAS names the entity CANONICAL names; --not A B: they differ;
    --suggest [NAME]: likely aliases; no arguments: every entity with aliases."""
    store = obj.store()
    if suggest:
        if len(names) > 1:
            raise click.UsageError("alias --suggest takes at most one NAME")
        found = store.alias_suggestions(names[0], 20) if names else store.corpus_alias_suggestions()
        if as_json:
            echo_json([s.__dict__ for s in found])
            return
        for s in found:
            echo(
                f"{plain(s.alias, one_line=True)!s:<30} → {plain(s.canonical, one_line=True)}"
                f"  ({s.reason}, {s.mentions:,} mentions)"
            )
        if not found:
            echo("no likely aliases")
        return
    if not names:
        entities = store.aliased_entities()
        if as_json:
            echo_json([{"id": e.id, "name": e.name, "aliases": list(e.aliases)} for e in entities])
            return
        for e in entities:
            echo(
                f"{e.id:>6} {plain(e.name, one_line=True)}: "
                + ", ".join(plain(a, one_line=True) for a in e.aliases)
            )
        return
    if len(names) != 2:
        raise click.UsageError("alias takes two names: ALIAS CANONICAL (or --not A B)")
    if not_same:
        store.mark_distinct(names[0], names[1])
        echo(
            f"{plain(names[0], one_line=True)!r} and {plain(names[1], one_line=True)!r} are different entities"
        )
        return
    entity = store.alias(names[0], names[1])
    if as_json:
        echo_json({"id": entity.id, "name": entity.name, "aliases": list(entity.aliases)})
        return
    echo(
        f"{plain(names[0], one_line=True)!r} is now a name of {plain(entity.name, one_line=True)!r}"
        f" (entity {entity.id}; margin undo takes it back)"
    )


@click.command("unalias")
@click.argument("alias")
@pass_context
def unalias_cmd(obj: Context, alias: str) -> None:
    """Make ALIAS an entity of its own again."""
    left = obj.store().unalias(alias)
    echo(
        f"{plain(alias, one_line=True)!r} is no longer a name of {plain(left.name, one_line=True)!r}"
    )


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="JSON output: a list of items.")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N items.")
@click.option("--kind", "kinds", type=click.Choice(KINDS), multiple=True, help="Only these kinds.")
@click.option("--resolve", "resolve", nargs=2, metavar="KIND SURFACE", help="Resolve one item.")
@click.option("--label", help="With --resolve: the label to give (default: the one proposed).")
@click.option("--intended", nargs=2, metavar="KIND SURFACE", help="Mark one item as intended.")
@click.option(
    "--other",
    metavar="TEXT",
    help="With --resolve or --intended of an overlap: the shorter span's text (default: the"
    " biggest item of SURFACE).",
)
@pass_context
def check_cmd(
    obj: Context,
    as_json: bool,
    limit: int | None,
    kinds: tuple[str, ...],
    resolve: tuple[str, str] | None,
    label: str | None,
    intended: tuple[str, str] | None,
    other: str | None,
) -> None:
    """The consistency queue: where the corpus contradicts itself."""
    store = obj.store()
    if not store.read_only:
        try:
            store.refresh_overlaps()  # what changed since the last look only
        except StoreBusy:  # another process writes: the queue reads past the cache anyway
            pass
    if resolve:
        n = store.resolve_check(resolve[0], resolve[1], label, other)
        echo(f"resolved: {n:,} mention(s) changed (margin undo takes it back)")
        return
    if intended:
        store.mark_intended(intended[0], intended[1], other)
        echo("marked as intended: the queue stops showing it")
        return
    items = store.check(limit, kinds or KINDS)
    if as_json:
        echo_json([i.as_dict() for i in items])
        return
    if not items:
        echo("the corpus agrees with itself")
        return
    for i in items:
        echo(
            f"{i.kind:<10} {plain(i.surface, one_line=True)!s:<28} {plain(i.detail, one_line=True)}"
            f"  → {plain(i.resolution, one_line=True)}"
        )
    echo(f"{len(items)} item(s): " + ", ".join(f"{k} = {v}" for k, v in KIND_NAMES.items()))


@click.group("watch")
def watch_group() -> None:
    """Watch-lists: saved searches, with unread and new article counts."""


@watch_group.command("add")
@click.argument("query")
@pass_context
def watch_add(obj: Context, query: str) -> None:
    """Save QUERY (a search, e.g. "label:ORG hezbollah") as a watch-list."""
    wid = obj.store().add_watch(query)
    echo(f"watch-list {wid}: {plain(query, one_line=True)}")


@watch_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@pass_context
def watch_list(obj: Context, as_json: bool) -> None:
    """Every watch-list: matching articles, unread, new since it was last opened."""
    found = obj.store().watches()
    if as_json:
        echo_json([w.as_dict() for w in found])
        return
    for w in found:
        echo(
            f"{w.id:>4}  {w.articles:>6,} articles  {w.unread:>6,} unread  {w.new:>5,} new"
            f"  {plain(w.query, one_line=True)}"
        )
    if not found:
        echo('no watch-lists yet: margin watch add "label:ORG hezbollah"')


@watch_group.command("show")
@click.argument("watch")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@pass_context
def watch_show(obj: Context, watch: str, limit: int) -> None:
    """The articles of WATCH (its id or query), newest by date first; marks them seen."""
    store = obj.store()
    for a in store.watch_articles(watch, limit):
        state = ("R" if a.reviewed else " ") + (" " if a.read else "N")
        echo(
            f"{a.id:>6} {state} {a.when[:10]}{' ' if a.date else '~'} {plain(a.title, one_line=True)}"
        )
    store.mark_watch_seen(watch)


@watch_group.command("remove")
@click.argument("watch")
@pass_context
def watch_remove(obj: Context, watch: str) -> None:
    """Drop WATCH (its id or query)."""
    query = obj.store().remove_watch(watch)
    echo(f"removed the watch-list {plain(query, one_line=True)!r} (margin undo brings it back)")


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    for command in (entity_cmd, alias_cmd, unalias_cmd, check_cmd, watch_group):
        group.add_command(command)
