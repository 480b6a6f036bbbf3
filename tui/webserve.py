"""The reader served to browsers: textual-serve's Server, with a token, an origin check, one socket."""

from __future__ import annotations

import asyncio
import hmac
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, log, to_int

from .listen import host_name, is_loopback

COOKIE = "margin_token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ReaderService(AppService):
    """One tab's reader process; stopping it waits for the process to end (else asyncio warns,
    once the server's loop is closed, that nobody is left to reap it)."""

    async def stop(self) -> None:
        await super().stop()
        process = self._process
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


class ReaderServer(Server):
    """One margin reader process per browser tab, behind an optional token.

    textual-serve builds the page's URLs from a fixed public URL (``http://HOST:PORT``), which is
    wrong for ``0.0.0.0`` or behind a proxy; here they follow the request's own host unless a
    public URL is given. Without a public URL the Host header must be a loopback name when bound
    to loopback (a DNS-rebinding page cannot reach the reader), and a websocket whose Origin is
    another site is refused (any web page may open a websocket to 127.0.0.1).
    """

    def __init__(
        self,
        command: str,
        sock: socket.socket,
        *,
        token: str | None = None,
        public_url: str | None = None,
        title: str = "margin",
    ) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.sock = sock
        self.token = token
        self.fixed_url = public_url.rstrip("/") if public_url else None
        self.loopback = is_loopback(host)

    def base_url(self, request: web.Request) -> str:
        """The URL the browser reaches the server at: the public URL, else the request's host."""
        if self.fixed_url:
            return self.fixed_url
        return f"{request.scheme}://{request.host}"

    def refusal(self, request: web.Request) -> str | None:
        """Why this request is refused (one sentence), or None."""
        host = host_name(request.host)
        if self.fixed_url:
            allowed = urlsplit(self.fixed_url).hostname or ""
            if host != allowed.lower() and not is_loopback(host):
                return f"this server answers to {allowed} only"
        elif self.loopback and not is_loopback(host):
            return "this server answers to loopback addresses only (see margin serve --help)"
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None:
            expected = urlsplit(self.base_url(request)).netloc
            if urlsplit(origin).netloc != expected:
                return "a websocket from another site is refused"
        if self.token is not None:
            given = request.query.get("token") or request.cookies.get(COOKIE) or ""
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return "this server needs the token its URL was given with (?token=...)"
        return None

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse what refusal() refuses; remember a good token in a cookie for the websocket."""
        reason = self.refusal(request)
        if reason is not None:
            return web.Response(status=403, text=f"margin: {reason}\n")
        response = await handler(request)
        if self.token is not None and request.query.get("token") and request.path == "/":
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        """The page, its static and websocket URLs on the host the browser used."""
        base = self.base_url(request)
        ws = ("wss:" if base.startswith("https:") else "ws:") + base.split(":", 1)[1]
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws}/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve 1.1's handler, with a ReaderService that waits for its process."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        service: ReaderService | None = None
        try:
            await websocket.prepare(request)
            service = ReaderService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,  # type: ignore[arg-type]  # returns a bool, unused
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as exc:  # one tab's failure is logged; the server serves the others
            log.exception(exc)
        finally:
            if service is not None:
                await service.stop()
        return websocket

    async def on_startup(self, app: web.Application) -> None:
        """Say nothing here: the command prints where it serves."""

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C or SIGTERM on the socket bound already."""
        self.debug = debug
        logging.basicConfig(level=logging.WARNING, format="margin serve: %(message)s")
        web.run_app(self._make_app(), sock=self.sock, print=None, access_log=None)
