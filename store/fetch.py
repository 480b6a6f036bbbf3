"""Fetching a URL to import: http and https only, a cap on the size and on the whole time."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import IO, Any

from .errors import FormatError

SCHEMES = ("http", "https")
DEFAULT_MAX_MB = 50
DEFAULT_DEADLINE = 120.0  # seconds for the whole fetch: connecting, redirects and the body
READ_TIMEOUT = 30.0  # seconds one read may wait
CHUNK = 64 * 1024
# a scheme as RFC 3986 spells it; one letter is a Windows drive (C:\...), not a scheme
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
_NO_SLASHES = {"data", "mailto", "javascript", "about", "blob", "file", "ftp"}
_BAD_CHAR = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000]")


@dataclass(frozen=True)
class FetchLimits:
    """How much a URL import may download (bytes) and how long the whole fetch may take (s)."""

    max_bytes: int = DEFAULT_MAX_MB * 1_000_000
    deadline: float = DEFAULT_DEADLINE


def url_scheme(path: str) -> str | None:
    """Return the lower-case scheme of a path that is written as a URL, else None."""
    m = _SCHEME.match(path)
    return m.group(1).lower() if m else None


def scheme_label(path: str) -> str:
    """How a URL's scheme is named in messages: ``ftp://``, or ``data:`` for one without //."""
    scheme = url_scheme(path) or ""
    return f"{scheme}://" if path[len(scheme) + 1 :].startswith("//") else f"{scheme}:"


def is_url(path: str) -> bool:
    """True for an http:// or https:// URL (the ones margin fetches)."""
    return url_scheme(path) in SCHEMES


def looks_like_url(path: str) -> bool:
    """True for a path written as a URL of any scheme (``x://``, or a scheme such as ``data:``
    that has no ``//``), which margin then treats as a URL rather than a file name."""
    scheme = url_scheme(path)
    if scheme is None:
        return False
    return scheme in SCHEMES or scheme in _NO_SLASHES or path[len(scheme) + 1 :].startswith("//")


def check_url(url: str) -> None:
    """Raise FormatError for a URL margin will not fetch: another scheme, a space or control
    character, no host."""
    scheme = url_scheme(url)
    if scheme not in SCHEMES:
        raise FormatError(
            url, None, f"is a {scheme_label(url)} URL; margin fetches only http:// and https://"
        )
    bad = _BAD_CHAR.search(url)
    if bad:
        raise FormatError(
            url,
            None,
            f"is not a valid URL: it holds {_char_name(bad.group(0))} at character"
            f" {bad.start() + 1} (write a space as %20)",
        )
    try:
        host = urllib.parse.urlsplit(url).hostname
    except ValueError as exc:
        raise FormatError(url, None, f"is not a valid URL ({exc})") from None
    if not host:
        raise FormatError(url, None, "is not a valid URL: it names no host")


def _char_name(ch: str) -> str:
    return "a space" if ch == " " else f"the control or space character U+{ord(ch):04X}"


class _Watchdog:
    """Shuts down every socket a fetch opened once its deadline passes, so a read that
    trickles (or headers that never end) cannot hold the fetch past it."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)
            if self.fired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._socks:
                _shutdown(sock)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _connection(base: type[http.client.HTTPConnection], dog: _Watchdog) -> Any:
    class Watched(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            dog.watch(self.sock)

    return Watched


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, dog: _Watchdog) -> None:
        super().__init__()
        self._conn = _connection(http.client.HTTPConnection, dog)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._conn, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, dog: _Watchdog) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(context=self._tls)
        self._conn = _connection(http.client.HTTPSConnection, dog)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._conn, req, context=self._tls)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to http:// or https://."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if url_scheme(newurl) not in SCHEMES:
            raise FormatError(
                req.full_url,
                None,
                f"redirects to {newurl[:200]}; margin follows redirects only to http:// and"
                " https://",
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, limits: FetchLimits | None = None) -> bytes:
    """Return the body of an http(s) URL; raise FormatError naming the URL and what went wrong."""
    limits = limits or FetchLimits()
    check_url(url)
    mb = _mb(limits.max_bytes)
    too_big = f"is larger than {mb} MB, the limit for a download (--max-download-mb)"
    deadline = time.monotonic() + limits.deadline
    with _Watchdog(limits.deadline) as dog:
        opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),
            _HTTP(dog),
            _HTTPS(dog),
            _Redirects(),
            urllib.request.HTTPDefaultErrorHandler(),
            urllib.request.HTTPErrorProcessor(),
        ):
            opener.add_handler(handler)
        try:
            with opener.open(url, timeout=min(READ_TIMEOUT, limits.deadline)) as resp:
                declared = resp.headers.get("Content-Length", "")
                if declared.strip().isdigit() and int(declared) > limits.max_bytes:
                    raise FormatError(url, None, too_big)
                parts: list[bytes] = []
                size = 0
                while True:
                    # read1: what has arrived (one socket read), so the deadline is checked often
                    chunk = resp.read1(CHUNK) if hasattr(resp, "read1") else resp.read(CHUNK)
                    if time.monotonic() > deadline or dog.fired:
                        raise _late(url, limits)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise FormatError(url, None, too_big)
                    parts.append(chunk)
                return b"".join(parts)
        except FormatError:
            raise
        except urllib.error.HTTPError as exc:
            raise FormatError(
                url, None, f"cannot be fetched (HTTP {exc.code} {exc.reason})"
            ) from None
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            if dog.fired or time.monotonic() > deadline:
                raise _late(url, limits) from None
            reason = getattr(exc, "reason", None) or exc
            raise FormatError(url, None, f"cannot be fetched ({reason})") from None


def _late(url: str, limits: FetchLimits) -> FormatError:
    return FormatError(url, None, f"took longer than {limits.deadline:g} s to fetch; gave up")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g}"
