"""`margin serve` in a real browser: headless Chromium (Debian's) driven by Playwright opens the
library, an article, accepts an entity with the keyboard; the database shows the decision.

The screenshot is saved as tests/artifacts/browser-reader.png (ignored by git), or in
$MARGIN_TEST_ARTIFACTS when that is set.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft, open_store
from tests.helpers import ROOT, query, scalar, start

pytestmark = pytest.mark.slow

TITLE = "Browser test: Aleppo falls"
TEXT = "Today the rebels took Aleppo. Bashar al-Assad fled to Moscow."
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def chromium() -> str:
    """Debian's Chromium, or skip saying why the test cannot run."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.skip("no Chromium on this machine: apt-get install chromium (.ci/run does it as root)")


def artifacts() -> Path:
    """Where the screenshot goes."""
    folder = Path(os.environ.get("MARGIN_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def served_url(proc: subprocess.Popen[str]) -> str:
    """The URL `margin serve --port 0` prints on its first line."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    assert match, (
        f"margin serve printed {line!r}; stderr: {proc.stderr.read() if proc.stderr else ''}"
    )
    return match.group(1)


def pump_until(page, probe, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    """Poll probe while Playwright delivers the page's events (its sync API only does so inside
    its own calls, so a plain sleep would starve the websocket frame handler)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        page.wait_for_timeout(20)
    page.screenshot(path=str(artifacts() / "browser-reader-failed.png"))
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_the_reader_in_a_browser_accepts_an_entity(tmp_path: Path) -> None:
    executable = chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    db = tmp_path / "web.db"
    with open_store(db) as store:
        (result,) = store.add_articles(
            [
                ArticleDraft(
                    TEXT,
                    title=TITLE,
                    spans=(
                        SpanDraft(22, 28, "GPE", "model:test@1"),
                        SpanDraft(30, 45, "PERSON", "model:test@1"),
                    ),
                )
            ]
        )
    article_id = result.article_id
    assert TEXT[22:28] == "Aleppo" and TEXT[30:45] == "Bashar al-Assad"
    status = "SELECT status FROM spans WHERE article_id = ? ORDER BY start"
    proc = start(db, "serve", "--port", "0")
    try:
        url = served_url(proc)
        screen: list[str] = []  # what the server sent to the terminal, escapes stripped

        def received(payload: str | bytes) -> None:
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            screen.append(ANSI.sub("", text))

        def shows(text: str) -> bool:
            return text in "".join(screen)

        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            # nothing leaves this machine: the page's web font link is answered with an error
            page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|ws://127\.0\.0\.1[:/])"), abort)
            page.on("websocket", lambda ws: ws.on("framereceived", received))
            page.goto(url)
            pump_until(
                page, lambda: shows(TITLE[:20]), timeout=20, what="the library in the browser"
            )
            page.focus(".xterm-helper-textarea")
            page.keyboard.press("Enter")  # open the article under the cursor
            pump_until(
                page,
                lambda: scalar(db, "SELECT read FROM articles WHERE id = ?", (article_id,)) == 1,
                timeout=15,
                what="the article to open (marked read)",
            )
            pump_until(
                page, lambda: shows("Bashar"), timeout=15, what="the article's text on screen"
            )
            page.keyboard.press("]")  # the caret to the first entity
            page.keyboard.press("a")  # accept it
            pump_until(
                page,
                lambda: scalar(db, "SELECT COUNT(*) FROM spans WHERE status = 'accepted'") == 1,
                timeout=15,
                what="the accepted entity in the database",
            )
            drawn = len(screen)  # the accepted highlight reaches the browser before the picture
            pump_until(page, lambda: len(screen) > drawn, timeout=10, what="the screen redrawn")
            page.screenshot(path=str(artifacts() / "browser-reader.png"))
            browser.close()
        assert [s for (s,) in query(db, status, (article_id,))] == ["accepted", "suggested"]
        origin = scalar(db, "SELECT origin FROM journal WHERE action = 'accept'")
        assert str(origin).startswith("tui:"), origin  # the tab's own reader process wrote it
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def abort(route) -> None:  # type: ignore[no-untyped-def]
    """Refuse a request for anything but the served reader."""
    route.abort()
