"""The ``serve`` command: the reader in a browser, one reader process per tab (textual-serve)."""

from __future__ import annotations

import errno
import re
import shlex
import socket
import sys
from pathlib import Path

import click

from ..listen import bind, is_loopback
from .context import Context, pass_context
from .output import echo, error

# what each tab runs: this Python's margin, so a served reader is the same install as `margin`
_MAIN = "from tui.cli import main; main()"


def reader_command(obj: Context) -> str:
    """The shell command textual-serve starts for each browser tab: the reader on this database."""
    argv = [sys.executable, "-c", _MAIN, "--db", str(obj.db_path.resolve())]
    if obj.config_file is not None:
        argv += ["--config", str(obj.config_file.resolve())]
    return "exec " + shlex.join([*argv, "read"])  # exec: the shell becomes the reader


def bind_or_explain(host: str, port: int) -> socket.socket:
    """The listening socket, or one sentence saying why host:port cannot be served on."""
    try:
        return bind(host, port)
    except socket.gaierror as exc:
        raise click.ClickException(
            f"cannot serve on {host!r}: no such host or address ({exc.strerror})"
        ) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            why = f"port {port} is in use (try another --port, or --port 0 for any free one)"
        elif exc.errno == errno.EACCES:
            why = f"no permission to use port {port} (ports below 1024 need root)"
        elif exc.errno == errno.EADDRNOTAVAIL:
            why = "this machine has no such address"
        else:
            why = exc.strerror or str(exc)
        raise click.ClickException(f"cannot serve on {host}:{port}: {why}") from None


def shown_url(sock: socket.socket, token: str | None, public_url: str | None) -> str:
    """The URL to open: the public URL, else the bound address (this machine's name for 0.0.0.0)."""
    if public_url:
        url = public_url.rstrip("/") + "/"
    else:
        host, port = sock.getsockname()[:2]
        if host in ("0.0.0.0", "::"):
            host = socket.gethostname()
        elif ":" in host:
            host = f"[{host}]"
        url = f"http://{host}:{port}/"
    return f"{url}?token={token}" if token else url


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port, printed).",
)
@click.option(
    "--db",
    "db",
    type=click.Path(path_type=Path),
    help="Database file (default: margin's --db, $MARGIN_DB, else the user data folder's).",
)
@click.option(
    "--token",
    metavar="SECRET",
    envvar="MARGIN_SERVE_TOKEN",  # out of `ps`: other users of the machine see command lines
    help="A secret the URL must carry (?token=SECRET; default $MARGIN_SERVE_TOKEN).",
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The URL browsers use, behind a reverse proxy (https://example.org/margin).",
)
@pass_context
def serve_cmd(
    obj: Context,
    host: str,
    port: int,
    db: Path | None,
    token: str | None,
    public_url: str | None,
) -> None:
    """Serve the reader to web browsers; each tab gets its own reader on the same database.

    Listens on 127.0.0.1 unless --host says otherwise. There are no accounts: on another
    address anyone who reaches the port can read and correct the database, unless --token.
    """
    if db is not None:
        obj.db_path = db
    if token is not None and not token.strip():
        raise click.ClickException("--token needs a non-empty secret")
    if public_url is not None and not re.match(r"https?://[^/?#\s]+", public_url):
        raise click.ClickException(
            f"--public-url {public_url!r} is not an http:// or https:// URL with a host"
        )
    obj.store()  # a database margin cannot open is one line here, not an error in every tab
    obj.close()
    sock = bind_or_explain(host, port)
    if not is_loopback(host) and token is None:
        error(
            f"warning: {host} is reachable from other machines and margin serve has no"
            " authentication: anyone who reaches it can read and change the database"
            " (use --token SECRET)"
        )
    from ..webserve import ReaderServer  # aiohttp and textual-serve load for this command only

    server = ReaderServer(reader_command(obj), sock, token=token, public_url=public_url)
    echo(f"margin: serving {obj.db_path} at {shown_url(sock, token, public_url)} (Ctrl+C stops)")
    server.serve()


def register(group: click.Group) -> None:
    """Add the serve command to the group."""
    group.add_command(serve_cmd)
