"""The `labels` command: every label with its counts, corpus-wide label operations, the label set."""

from __future__ import annotations

from pathlib import Path

import click

from store import LabelOpResult, Store

from ..plain import plain
from .context import Context, pass_context
from .output import echo, echo_json

KEEP_HELP = "Also keep the mapping as a rule: extraction maps later suggestions the same way."


def _p(text: str) -> str:
    return plain(text, one_line=True)


def _done(store: Store, verb: str, r: LabelOpResult, as_json: bool) -> None:
    if as_json:
        echo_json(
            {
                "mapping": r.mapping,
                "relabelled": r.relabelled,
                "rejected": r.rejected,
                "articles": r.articles,
                "rules": list(r.kept),
            }
        )
        return
    if r.group is None:
        echo(f"{verb}: nothing to change")
        return
    tail = f"; {len(r.kept)} rule(s) kept for extraction" if r.kept else ""
    echo(
        f"{verb}: {r.relabelled} span(s) relabelled, {r.rejected} rejected in {r.articles}"
        f" article(s){tail}; `margin undo` reverts it"
    )


def print_labels(store: Store, as_json: bool) -> None:
    """Every label with counts per status, colour, number key, hidden; the overlaps setting."""
    rows = store.label_summary()
    overlaps = store.allow_overlaps
    if as_json:
        echo_json({"allow_overlaps": overlaps, "labels": [i.as_dict() for i in rows]})
        return
    echo(f"{'key':>3}  {'label':<14} {'suggested':>9} {'accepted':>8} {'rejected':>8}  colour   ")
    for info in rows:
        lab = info.label
        key = str(info.number) if info.number is not None else ("-" if lab.hidden else "")
        c = info.counts
        tail = "hidden" if lab.hidden else _p(lab.description)
        echo(
            f"{key:>3}  {_p(lab.name):<14} {c.get('suggested', 0):>9} {c.get('accepted', 0):>8}"
            f" {c.get('rejected', 0):>8}  {lab.color}  {tail}"
        )
    echo(f"allow_overlaps: {'true' if overlaps else 'false'} (nested entities)")


@click.group("labels", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@pass_context
@click.pass_context
def labels_group(ctx: click.Context, obj: Context, as_json: bool) -> None:
    """Every label with counts per status, colour, number key; or change labels corpus-wide.

    Each change (rename, merge, drop, map) is one step for `margin undo`.
    """
    if ctx.invoked_subcommand is None:
        print_labels(obj.store(), as_json)


def _keep(fn: click.decorators.FC) -> click.decorators.FC:
    fn = click.option("--json", "as_json", is_flag=True, help="JSON output.")(fn)
    return click.option("--keep", is_flag=True, help=KEEP_HELP)(fn)


@labels_group.command("rename")
@click.argument("old")
@click.argument("new")
@_keep
@pass_context
def rename_cmd(obj: Context, old: str, new: str, keep: bool, as_json: bool) -> None:
    """Give every span of OLD the label NEW (statuses kept)."""
    store = obj.store()
    _done(store, f"{_p(old)} -> {_p(new)}", store.rename_label(old, new, keep=keep), as_json)


@labels_group.command("merge")
@click.argument("sources", nargs=-1, required=True)
@click.option("--into", required=True, metavar="LABEL", help="The label they all get.")
@_keep
@pass_context
def merge_cmd(obj: Context, sources: tuple[str, ...], into: str, keep: bool, as_json: bool) -> None:
    """Give every span of the SOURCES labels the label --into."""
    store = obj.store()
    r = store.merge_labels(list(sources), into, keep=keep)
    _done(store, f"{'+'.join(_p(s) for s in sources)} -> {_p(into)}", r, as_json)


@labels_group.command("drop")
@click.argument("label")
@_keep
@pass_context
def drop_cmd(obj: Context, label: str, keep: bool, as_json: bool) -> None:
    """Reject every current span of LABEL (kept as rejected evidence)."""
    store = obj.store()
    _done(store, f"{_p(label)} dropped", store.drop_label(label, keep=keep), as_json)


@labels_group.command("map")
@click.argument("file", type=click.Path(path_type=Path))
@_keep
@pass_context
def map_cmd(obj: Context, file: Path, keep: bool, as_json: bool) -> None:
    """Apply a mapping: a two-column TSV (OLD<tab>NEW, NEW `drop` or empty drops) or a JSON
    object {"OLD": "NEW"}."""
    store = obj.store()
    mapping = store.read_label_mapping(file)
    _done(store, f"{_p(str(file))}", store.map_labels(mapping, keep=keep), as_json)


def _show_legend(store: Store) -> None:
    echo("legend: " + "  ".join(f"{i} {_p(lab.name)}" for i, lab in enumerate(store.legend(), 1)))


@labels_group.command("order")
@click.argument("names", nargs=-1, required=True)
@pass_context
def order_cmd(obj: Context, names: tuple[str, ...]) -> None:
    """Put these labels first in the legend, in this order (the number keys follow it)."""
    store = obj.store()
    store.order_labels(list(names))
    _show_legend(store)


@labels_group.command("hide")
@click.argument("names", nargs=-1, required=True)
@pass_context
def hide_cmd(obj: Context, names: tuple[str, ...]) -> None:
    """Leave these labels out of the legend and the number keys."""
    store = obj.store()
    store.hide_labels(list(names))
    _show_legend(store)


@labels_group.command("show")
@click.argument("names", nargs=-1, required=True)
@pass_context
def show_cmd(obj: Context, names: tuple[str, ...]) -> None:
    """Show hidden labels in the legend again."""
    store = obj.store()
    store.hide_labels(list(names), False)
    _show_legend(store)


@labels_group.command("overlaps")
@click.argument("value", type=click.Choice(["on", "off"]))
@pass_context
def overlaps_cmd(obj: Context, value: str) -> None:
    """Allow overlapping (nested) entities in this project, or not (kept in the database)."""
    store = obj.store()
    store.set_allow_overlaps(value == "on")
    note = ""
    if "allow_overlaps" in obj.config().get("annotate", {}):
        note = " (the config file's [annotate] allow_overlaps still overrides it for you)"
    echo(f"allow_overlaps: {'true' if value == 'on' else 'false'}{note}")


def register(group: click.Group) -> None:
    """Add the labels command to the group."""
    group.add_command(labels_group)
