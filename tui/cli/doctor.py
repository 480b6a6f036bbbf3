"""The ``doctor`` command: check the database, rebuild what can be rebuilt with --fix."""

from __future__ import annotations

import sys

import click

from store.doctor import STEPS, Report, diagnose, repair

from ..plain import plain
from .context import Context, pass_context
from .output import echo, echo_json, progress


def _print(report: Report) -> None:
    echo(f"margin doctor: {plain(report.path, one_line=True)}")
    for line in report.fixed:
        echo(f"  fixed    {plain(line, one_line=True)}")
    echo(f"  checked  {', '.join(report.checks)}")
    for line in report.skipped:
        echo(f"  skipped  {plain(line, one_line=True)}")
    for p in report.problems:
        what = "fixable with --fix" if p.fixable else "cannot be fixed automatically"
        echo(f"  PROBLEM  {p.check}: {plain(p.message, one_line=True)} ({what})")
        for example in p.examples:
            echo(f"           e.g. {plain(str(example), one_line=True)}")
        if p.hint:
            echo(f"           {plain(p.hint, one_line=True)}")
    if report.ok:
        echo("no problems found")
    else:
        n = len(report.problems)
        echo(f"{n} problem{'s remain' if n != 1 else ' remains'}")


@click.command("doctor")
@click.option("--fix", is_flag=True, help="Rebuild what can be rebuilt (counts, indexes).")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@pass_context
def doctor_cmd(obj: Context, fix: bool, as_json: bool) -> None:
    """Check the database: integrity, spans against texts, orphans, counts, search indexes.

    Exits non-zero when problems remain.
    """
    obj.close()  # the doctor opens its own connection and never creates a database
    with progress(STEPS * (2 if fix else 1), "checking") as bar:
        check = (diagnose, repair)[fix]
        report = check(obj.db_path, lambda name: bar.update(1, f"checking {name}"))
    if as_json:
        echo_json(report.as_dict())
    else:
        _print(report)
    if not report.ok:
        sys.exit(1)


def register(group: click.Group) -> None:
    """Add the doctor command to the group."""
    group.add_command(doctor_cmd)
