"""`margin serve` and `margin datasette` before they serve (a port in use, a bad host: one line),
and the served reader's door: the token, the Host check against DNS rebinding, the websocket's
Origin, the page's URLs on the host the browser used."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.helpers import run_cli
from tui import webserve
from tui.cli.serve import reader_command
from tui.listen import bind, is_loopback


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port of 127.0.0.1 that something else listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.mark.parametrize("command", ["serve", "datasette"])
def test_a_port_in_use_is_one_line(tmp_path: Path, busy_port: int, command: str) -> None:
    code, out, err = run_cli("--db", str(tmp_path / "m.db"), command, "--port", str(busy_port))
    assert code == 1 and out == ""
    assert err == (
        f"margin: cannot serve on 127.0.0.1:{busy_port}: port {busy_port} is in use"
        " (try another --port, or --port 0 for any free one)\n"
    )


def test_a_bad_host_is_one_line(tmp_path: Path) -> None:
    code, _out, err = run_cli("--db", str(tmp_path / "m.db"), "serve", "--host", "no such host")
    assert code == 1
    assert err.startswith("margin: cannot serve on 'no such host': no such host or address")
    assert err.count("\n") == 1
    code, _out, err = run_cli("--db", str(tmp_path / "m.db"), "serve", "--host", "192.0.2.1")
    assert (code, err) == (
        1,
        "margin: cannot serve on 192.0.2.1:8000: this machine has no such address\n",
    )


def test_another_host_warns_that_there_is_no_authentication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[webserve.ReaderServer] = []
    monkeypatch.setattr(webserve.ReaderServer, "serve", lambda self: served.append(self))
    db = tmp_path / "m.db"
    code, out, err = run_cli("--db", str(db), "serve", "--host", "0.0.0.0", "--port", "0")
    assert code == 0, err
    assert re.fullmatch(
        r"margin: warning: 0\.0\.0\.0 is reachable from other machines and margin serve has no"
        r" authentication: anyone who reaches it can read and change the database"
        r" \(use --token SECRET\)\n",
        err,
    )
    port = served[0].sock.getsockname()[1]
    assert out == f"margin: serving {db} at http://{socket.gethostname()}:{port}/ (Ctrl+C stops)\n"
    served[0].sock.close()
    code, out, err = run_cli(
        "--db", str(db), "serve", "--host", "0.0.0.0", "--port", "0", "--token", "s3cret"
    )
    assert (code, err) == (0, "")
    assert out.rstrip().endswith("/?token=s3cret (Ctrl+C stops)")
    served[1].sock.close()
    code, _out, err = run_cli("--db", str(db), "serve", "--token", " ")
    assert (code, err) == (1, "margin: --token needs a non-empty secret\n")
    code, _out, err = run_cli("--db", str(db), "serve", "--public-url", "example.org/margin")
    assert (code, err) == (
        1,
        "margin: --public-url 'example.org/margin' is not an http:// or https:// URL with a host\n",
    )


def test_the_token_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[webserve.ReaderServer] = []
    monkeypatch.setattr(webserve.ReaderServer, "serve", lambda self: served.append(self))
    monkeypatch.setenv("MARGIN_SERVE_TOKEN", "from-env")
    code, out, err = run_cli(
        "--db", str(tmp_path / "m.db"), "serve", "--host", "0.0.0.0", "--port", "0"
    )
    served[0].sock.close()
    assert (code, err) == (0, "")
    assert served[0].token == "from-env" and "?token=from-env" in out


def test_each_tab_runs_the_reader_on_the_served_database(tmp_path: Path) -> None:
    from tui.cli.context import Context

    command = reader_command(Context(db_path=tmp_path / "a b.db"))
    assert command.startswith("exec ")
    assert command.endswith(f"--db '{tmp_path / 'a b.db'}' read")


def test_loopback_names() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.2", "example.org", "::"]))


def request(
    server: webserve.ReaderServer, path: str, headers: dict[str, str] | None = None, **kw: Any
) -> tuple[int, str, dict[str, str]]:
    """GET path from the server's aiohttp app: status, body, cookies set."""

    async def go() -> tuple[int, str, dict[str, str]]:
        client = TestClient(TestServer(await server._make_app()))
        await client.start_server()
        try:
            response = await client.get(path, headers=headers, **kw)
            cookies = {k: v.value for k, v in response.cookies.items()}
            return response.status, await response.text(), cookies
        finally:
            await client.close()

    return asyncio.run(go())


_SOCKETS: list[socket.socket] = []


@pytest.fixture(autouse=True)
def _close_sockets() -> Iterator[None]:
    yield
    while _SOCKETS:
        _SOCKETS.pop().close()


def server(**kw: Any) -> webserve.ReaderServer:
    """A reader server bound to a free port (its address only: the test client listens itself)."""
    sock = bind("127.0.0.1", 0)
    _SOCKETS.append(sock)
    return webserve.ReaderServer("true", sock, **kw)


def test_the_page_points_at_the_host_the_browser_used() -> None:
    status, body, _ = request(server(), "/", headers={"Host": "localhost:9999"})
    assert status == 200
    assert 'data-session-websocket-url="ws://localhost:9999/ws"' in body
    assert 'src="http://localhost:9999/static/js/textual.js"' in body
    status, body, _ = request(
        server(public_url="https://example.org/margin/"),
        "/",
        headers={"Host": "example.org"},
    )
    assert status == 200
    assert 'data-session-websocket-url="wss://example.org/margin/ws"' in body


def test_a_page_from_another_name_is_refused_on_loopback() -> None:
    """A DNS-rebinding page (evil.example resolving to 127.0.0.1) cannot reach the reader."""
    status, body, _ = request(server(), "/", headers={"Host": "evil.example:8000"})
    assert status == 403 and "loopback" in body
    status, _body, _ = request(
        server(public_url="https://example.org"), "/", headers={"Host": "evil.example"}
    )
    assert status == 403


def test_a_websocket_from_another_site_is_refused() -> None:
    headers = {"Origin": "http://evil.example", "Host": "127.0.0.1:8000"}
    status, body, _ = request(server(), "/ws", headers=headers)
    assert (status, body) == (403, "margin: a websocket from another site is refused\n")


def test_the_token_is_needed_and_kept_in_a_cookie() -> None:
    guarded = server(token="s3cret")
    assert request(guarded, "/")[0] == 403
    assert request(guarded, "/?token=wrong")[0] == 403
    assert request(guarded, "/static/js/textual.js")[0] == 403
    status, _body, cookies = request(guarded, "/?token=s3cret")
    assert status == 200 and cookies == {webserve.COOKIE: "s3cret"}
    status, _body, _ = request(
        guarded, "/static/js/textual.js", cookies={webserve.COOKIE: "s3cret"}
    )
    assert status == 200


def test_print_metadata_names_the_database_by_its_stem(tmp_path: Path) -> None:
    code, out, err = run_cli("--db", str(tmp_path / "news.db"), "datasette", "--print-metadata")
    assert (code, err) == (0, "")
    meta = json.loads(out)
    assert list(meta["databases"]) == ["news"]
    assert meta["databases"]["news"]["tables"]["spans"]["facets"] == ["label", "status", "source"]


def test_datasette_runs_read_only_with_the_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Datasette gets the file as a mutable database (opened mode=ro: margin may be writing it,
    so not --immutable) and margin's metadata; another host warns that anyone can read it."""
    from tui.cli import datasette as command

    ran: list[tuple[list[str], dict[str, Any]]] = []

    class FakeDatasette:
        def __init__(self, argv: list[str]) -> None:
            metadata = Path(argv[argv.index("--metadata") + 1])
            ran.append((argv, json.loads(metadata.read_text(encoding="utf-8"))))

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(command.subprocess, "Popen", FakeDatasette)
    db = tmp_path / "news.db"
    code, _out, err = run_cli("--db", str(db), "datasette", "--host", "0.0.0.0", "--port", "0")
    assert (code, err) == (
        0,
        "margin: warning: 0.0.0.0 is reachable from other machines: anyone who reaches it can"
        " read the whole database (Datasette has no accounts)\n",
    )
    ((argv, metadata),) = ran
    assert argv[argv.index("serve") + 1] == str(db)
    assert not {"-i", "--immutable", "--plugins-dir"} & set(argv)
    assert list(metadata["databases"]) == ["news"]
    code, _out, err = run_cli("--db", str(db), "datasette", "--port", "0")
    assert (code, err) == (0, "")


def test_datasette_missing_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.cli import datasette as command

    monkeypatch.setattr(command.importlib.util, "find_spec", lambda name: None)
    code, out, err = run_cli("--db", str(tmp_path / "m.db"), "datasette")
    assert (code, out) == (1, "")
    assert err == "margin: margin datasette needs Datasette: pip install 'margin[datasette]'\n"
