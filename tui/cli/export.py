"""The `export` command: the corrected annotations in the formats NLP tools read."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from store.errors import ExportError
from store.export import ExportOptions, parse_split, run_export, select_ids, summary_lines
from store.export_report import json_pieces, write_report
from store.formats import OUTPUTS

from ..plain import plain
from .context import Context, pass_context
from .output import echo_json_pieces, progress


@click.command("export")
@click.argument("ids", nargs=-1, type=int)
@click.option(
    "--format", "fmt", type=click.Choice(list(OUTPUTS)), required=True, help="Export format."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="File (or folder for brat). Text formats go to standard output without it.",
)
@click.option("--reviewed-only", is_flag=True, help="Only articles marked reviewed.")
@click.option(
    "--include-suggestions",
    is_flag=True,
    help="Also the model's open suggestions in articles not reviewed.",
)
@click.option("--label", "labels", multiple=True, help="Only spans with this label (repeatable).")
@click.option(
    "--split",
    "splits",
    multiple=True,
    help="Hold out a share of articles, e.g. dev=0.2 (repeatable); the rest is train.",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write every span left out to this file (TSV, or JSONL if it ends in .jsonl).",
)
@click.option(
    "--json",
    "as_json_out",
    is_flag=True,
    help="Print the summary, with every span left out, as JSON (needs --out).",
)
@pass_context
def export_cmd(
    obj: Context,
    ids: tuple[int, ...],
    fmt: str,
    out: Path | None,
    reviewed_only: bool,
    include_suggestions: bool,
    labels: tuple[str, ...],
    splits: tuple[str, ...],
    report: Path | None,
    as_json_out: bool,
) -> None:
    """Export articles and their corrected entities (default: every article).

    Exported: accepted spans (yours and accepted suggestions) and, in reviewed articles,
    the remaining suggestions. Spans a format cannot express are listed on stderr (the
    first 50; --report FILE or --json lists every one).
    """
    if out is not None and str(out) == "-":
        out = None  # --out - is standard output
    if as_json_out and out is None:
        raise click.ClickException(
            "--json prints the summary on standard output, where the data would go: give --out PATH"
        )
    store = obj.store()
    try:
        opts = ExportOptions(
            fmt=fmt,
            out=out,
            reviewed_only=reviewed_only,
            include_suggestions=include_suggestions,
            labels=labels,
            article_ids=ids,
            split=parse_split(splits),
        )
        # no bar over the data itself when it goes to a terminal
        total = len(select_ids(store, opts)) if out is not None or not sys.stdout.isatty() else 0
        with progress(total, "exporting") as bar:
            result = run_export(
                store, opts, stream=sys.stdout if out is None else None, on_article=bar.update
            )
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    except BrokenPipeError:
        raise  # the reader of standard output stopped (`| head`): main() ends quietly
    except OSError as exc:
        # name what the user asked for, not the temporary file written beside it
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    if report is not None:
        try:
            write_report(result, report)
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"cannot write {report}: {exc.strerror or exc}") from None
    if as_json_out:
        echo_json_pieces(json_pieces(result))
        return
    hint = f" (all of them in {report})" if report else " (--report FILE lists every one)"
    lines = summary_lines(result, more_hint=hint)
    if report is not None:
        lines.append(f"{len(result.total.skipped)} span(s) left out listed in {report}")
    for line in lines:
        click.echo(plain(line, one_line=True), err=True)


def register(group: click.Group) -> None:
    """Add the export command to the group."""
    group.add_command(export_cmd)
