"""The ``datasette`` command: browse the database read-only in Datasette, with margin's metadata."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from store.datasette_meta import datasette_metadata

from ..listen import is_loopback
from .context import Context, pass_context
from .output import echo, error
from .serve import bind_or_explain

NEEDS = "margin datasette needs Datasette: pip install 'margin[datasette]'"


def datasette_argv(db: Path, metadata: Path, host: str, port: int) -> list[str]:
    """`datasette serve` on the database: opened read-only (mode=ro), not immutable, because
    margin may write while Datasette reads; no writable canned query, no write plugin."""
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db),
        "--metadata",
        str(metadata),
        "--host",
        host,
        "--port",
        str(port),
    ]


@click.command("datasette")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--print-metadata",
    is_flag=True,
    help="Print the metadata as JSON instead (for datasette DB --metadata FILE).",
)
@pass_context
def datasette_cmd(obj: Context, host: str, port: int, print_metadata: bool) -> None:
    """Browse the database in Datasette (read-only): described tables, facets, search, queries."""
    obj.store()  # not a margin database, or unreadable: one line, before Datasette starts
    obj.close()
    metadata = datasette_metadata(obj.db_path.stem)  # Datasette names a database by its stem
    if print_metadata:
        echo(json.dumps(metadata, indent=2, ensure_ascii=False))
        return
    if importlib.util.find_spec("datasette") is None:
        raise click.ClickException(NEEDS)
    bind_or_explain(host, port).close()  # port in use or bad host: one line, not a traceback
    if not is_loopback(host):
        error(
            f"warning: {host} is reachable from other machines: anyone who reaches it can read"
            " the whole database (Datasette has no accounts)"
        )
    with tempfile.TemporaryDirectory(prefix="margin-datasette-") as folder:
        path = Path(folder) / "metadata.json"
        path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.Popen(datasette_argv(obj.db_path, path, host, port))
        try:
            code = proc.wait()
        except KeyboardInterrupt:  # Ctrl+C reached Datasette too: let it finish
            code = proc.wait()
            code = 0 if code in (0, -2, 130) else code
    if code:
        raise click.exceptions.Exit(code)


def register(group: click.Group) -> None:
    """Add the datasette command to the group."""
    group.add_command(datasette_cmd)
