"""The ``margin`` command (click): opens the reader, or runs one of the commands of DESIGN §4."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from store.config import default_db_path
from store.errors import MarginError

from . import (
    annotate,
    articles,
    datasette,
    doctor,
    entities,
    export,
    labels,
    read,
    review,
    search,
    serve,
    train,
)
from .context import Context
from .output import error

USER_ERRORS = (MarginError,)
# the commands that only read: they open the database read-only (doctor opens its own)
READS = frozenset(
    {"list", "show", "search", "export", "stats", "entity", "datasette", "log", "agreement"}
)  # every refusal of the store carries a sentence for the user


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    type=click.Path(path_type=Path),  # a folder gets the store's sentence, as $MARGIN_DB does
    help="Database file (default: $MARGIN_DB, else margin.db in the user data folder).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: $MARGIN_CONFIG, else config.toml in the user config folder).",
)
@click.option(
    "--sample", is_flag=True, help="Import the bundled sample article if the database is empty."
)
@click.option(
    "--annotator",
    metavar="NAME",
    help="Who makes the changes (default: $MARGIN_ANNOTATOR, config [review] annotator, login).",
)
@click.version_option(package_name="margin")
@click.pass_context
def cli(
    ctx: click.Context,
    db: Path | None,
    config_file: Path | None,
    sample: bool,
    annotator: str | None,
) -> None:
    """margin: read news articles with their named entities, correct them, export them.

    With no command, opens the reader.
    """
    obj = Context(
        db_path=db or default_db_path(),
        config_file=config_file,
        read_only=ctx.invoked_subcommand in READS and not sample,
        annotator_option=annotator,
    )
    ctx.obj = obj
    ctx.call_on_close(obj.close)
    if sample:
        articles.import_sample(obj)
    if ctx.invoked_subcommand is None:
        read.open_reader(obj, None)


for _module in (
    articles,
    read,
    search,
    export,
    annotate,
    doctor,
    entities,
    train,
    labels,
    serve,
    datasette,
    review,
):
    _module.register(cli)


def main() -> None:
    """Entry point: run the command line, turning a user's mistake into one clear line."""
    try:
        # without standalone mode click hands back the code of a click.exceptions.Exit
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        error("interrupted")
        sys.exit(130)
    except click.UsageError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        error(exc.format_message())  # one line like every other error, not click's "Error:"
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        error("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        # the reader of our output went away (`margin list | head`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not complain either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except USER_ERRORS as exc:
        error(str(exc))  # StoreBusy says "the database stayed busy ..." in its own words
        sys.exit(1)


__all__ = ["cli", "main"]
