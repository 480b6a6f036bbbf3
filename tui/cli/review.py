"""The review commands: log (the journal in words), merge (another annotator's file), agreement."""

from __future__ import annotations

from pathlib import Path

import click

from store import Store

from ..plain import plain
from .context import Context, pass_context
from .output import echo, echo_json

STATE_MARK = {"done": " ", "undone": "↶", "discarded": "x"}


def who(origin: str | None, annotator: str | None) -> str:
    """ "ana via tui:123": the annotator and the process or window ("?" when not recorded)."""
    name = plain(annotator, one_line=True) if annotator else "?"
    return f"{name} via {plain(origin, one_line=True)}" if origin else name


@click.command("log")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@pass_context
def log_cmd(obj: Context, as_json: bool, limit: int) -> None:
    """The journal, newest first: what each change did, when, who and from where.

    A `↶` marks a change that was undone (`margin redo` brings it back), `x` one a later
    change replaced after its undo.
    """
    entries = obj.store().history_entries(limit)
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    if not entries:
        echo("no changes yet")
        return
    for e in entries:
        when = e.change.at[:19].replace("T", " ")
        echo(
            f"{e.change.group:>6} {STATE_MARK.get(e.state, '?')} {when}  "
            f"{plain(e.line, one_line=True)}  ({who(e.change.origin, e.annotator)})"
        )


@click.command("merge")
@click.argument("other", type=click.Path(path_type=Path))
@click.option(
    "--annotator",
    "name",
    metavar="NAME",
    help="Whose decisions they are (default: the name its journal gives, else the file name).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@pass_context
def merge_cmd(obj: Context, other: Path, name: str | None, as_json: bool) -> None:
    """Bring another margin file's decisions on the same texts in as another annotator's.

    Articles are matched by their text's hash; this file's own decisions are not touched.
    Merging the same annotator again replaces what the last merge brought.
    """
    store = obj.store()
    if other.resolve() == Path(store.path).resolve():
        raise click.UsageError("OTHER is this database itself; give another annotator's file")
    result = store.merge_file(other, name)
    if as_json:
        echo_json(result.as_dict())
        return
    echo(
        f"merged {plain(result.annotator, one_line=True)!r}: {result.articles} article(s)"
        f" ({result.reviewed} reviewed there), {result.spans} entities;"
        f" {result.unmatched} article(s) of {plain(str(other), one_line=True)} are not in this file"
    )


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


@click.command("agreement")
@click.option("--annotator", "name", metavar="NAME", help="The merged annotator to compare with.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@pass_context
def agreement_cmd(obj: Context, name: str | None, as_json: bool) -> None:
    """Agreement with a merged annotator over the articles both reviewed.

    Per label: span precision, recall and F1 (exact offsets and label; this file is the
    reference), and Cohen's kappa over tokens (each token labelled by the entity covering it).
    """
    report = obj.store().agreement(name)
    if as_json:
        echo_json(report.as_dict())
        return
    data = report.as_dict()
    echo(
        f"this file against {plain(report.annotator, one_line=True)!r}:"
        f" {len(report.articles)} article(s) both reviewed, {report.tokens} tokens,"
        f" Cohen's kappa {'-' if report.kappa is None else f'{report.kappa:.3f}'}"
    )
    if not report.articles:
        echo("no article is reviewed in both files yet")
        return
    echo(
        f"{'label':<14}{'precision':>10}{'recall':>9}{'f1':>9}{'matched':>9}{'own':>6}{'other':>7}"
    )
    rows = [*data["labels"].items(), ("all", data["total"])]
    for label, sc in rows:
        echo(
            f"{plain(label, one_line=True):<14}{_pct(sc['precision']):>10}{_pct(sc['recall']):>9}"
            f"{_pct(sc['f1']):>9}{sc['matched']:>9}{sc['own']:>6}{sc['other']:>7}"
        )


def register(group: click.Group) -> None:
    """Add the review commands to the group."""
    for cmd in (log_cmd, merge_cmd, agreement_cmd):
        group.add_command(cmd)


def print_by_annotator(store: Store, as_json: bool) -> None:
    """`margin stats --by-annotator`: per annotator, the changes made here and what was merged."""
    rows = store.by_annotator()
    if as_json:
        echo_json({"annotators": {a.name: a.as_dict() for a in rows}})
        return
    if not rows:
        echo("no changes and no merged annotators yet")
        return
    acts = ("accept", "reject", "relabel", "resize", "add", "review")
    echo(
        f"{'annotator':<20}{'changes':>8}"
        + "".join(f"{a:>9}" for a in acts)
        + f"{'articles':>9}{'merged':>8}{'reviewed':>9}{'spans':>7}"
    )
    for a in rows:
        echo(
            f"{plain(a.name, one_line=True)[:19]:<20}{a.changes:>8}"
            + "".join(f"{a.actions.get(k, 0):>9}" for k in acts)
            + f"{a.articles:>9}{a.merged_articles:>8}{a.merged_reviewed:>9}{a.merged_spans:>7}"
        )
