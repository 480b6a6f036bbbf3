"""URL import against a local HTTP server on 127.0.0.1: redirects stay on http(s), responses and
whole fetches are bounded, unsupported schemes and malformed URLs are one line each."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import Store
from store.fetch import FetchLimits
from store.importer import import_paths
from tests.helpers import SEED


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        if self.path == "/article.txt":
            body = SEED.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1:9/secret.txt")
            self.end_headers()
        elif self.path == "/to-article":
            self.send_response(301)
            self.send_header("Location", "/article.txt")
            self.end_headers()
        elif self.path == "/huge":  # no Content-Length: the cap must hold while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            chunk = b"word " * 20_000
            try:
                for _ in range(100):  # 10 MB at most, then the handler gives up
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif self.path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
        elif self.path == "/trickle":  # a byte at a time: each read is quick, the whole is not
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            end = time.monotonic() + 10
            try:
                while time.monotonic() < end:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        else:
            self.send_error(404)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def test_a_url_is_fetched_and_a_same_site_redirect_followed(store: Store, server: str) -> None:
    summary = import_paths(store, [f"{server}/to-article"])
    assert summary.ok, summary.errors
    assert store.article(summary.created[0]).text == SEED


def test_a_redirect_to_ftp_is_refused(store: Store, server: str) -> None:
    summary = import_paths(store, [f"{server}/to-ftp"])
    assert len(summary.errors) == 1 and not summary.created
    assert "redirects to ftp://" in summary.errors[0]
    assert "follows redirects only to http:// and https://" in summary.errors[0]


def test_a_response_over_the_cap_is_refused_while_reading(store: Store, server: str) -> None:
    limits = FetchLimits(max_bytes=1_000_000)
    summary = import_paths(store, [f"{server}/huge", f"{server}/article.txt"], limits=limits)
    assert len(summary.errors) == 1 and "larger than 1 MB" in summary.errors[0]
    assert "--max-download-mb" in summary.errors[0]
    assert len(summary.created) == 1  # the other URL of the same command is imported


def test_a_declared_length_over_the_cap_is_refused_before_reading(
    store: Store, server: str
) -> None:
    summary = import_paths(store, [f"{server}/huge-declared"])  # default cap: 50 MB
    assert len(summary.errors) == 1 and "larger than 50 MB" in summary.errors[0]


def test_a_trickling_response_stops_at_the_total_deadline(store: Store, server: str) -> None:
    started = time.monotonic()
    summary = import_paths(store, [f"{server}/trickle"], limits=FetchLimits(deadline=1.0))
    assert time.monotonic() - started < 5
    assert len(summary.errors) == 1 and "took longer than 1 s" in summary.errors[0]


@pytest.mark.parametrize(
    "url, scheme",
    [("file:///etc/passwd", "file://"), ("ftp://127.0.0.1/x.txt", "ftp://"), ("data:,hi", "data:")],
)
def test_an_unsupported_scheme_is_named(store: Store, url: str, scheme: str) -> None:
    summary = import_paths(store, [url])
    assert len(summary.errors) == 1
    assert "does not exist" not in summary.errors[0]
    assert f"is a {scheme} URL" in summary.errors[0] and "http:// and https://" in summary.errors[0]


def test_a_url_with_a_space_or_control_character_is_one_line(
    store: Store, server: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(SEED, encoding="utf-8")
    summary = import_paths(
        store, [f"{server}/a b.txt", f"{server}/a\x1b[2J.txt", str(good), f"{server}/x\n.txt"]
    )
    assert len(summary.errors) == 3 and len(summary.created) == 1
    assert all("not a valid URL" in e for e in summary.errors)
