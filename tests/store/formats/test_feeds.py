"""RSS/Atom feeds and saved HTML pages as article sources."""

from __future__ import annotations

import pytest

from store.importer import import_paths
from tests.helpers import import_error, import_file

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Rebels take Aleppo</title><link>https://example.org/a</link>
<description>&lt;p&gt;Rebel forces took &lt;b&gt;Aleppo&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Second paragraph.&lt;/p&gt;</description>
<pubDate>Mon, 02 Dec 2024 10:00:00 GMT</pubDate></item>
<item><title>Zürich votes</title><link>https://example.org/b</link><description>Voters in Zürich said yes.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom wire</title>
<entry><title>Talks in Geneva</title><link href="https://example.org/g"/><id>g</id>
<updated>2024-12-02T10:00:00Z</updated>
<content type="html">&lt;p&gt;Delegates met in Geneva.&lt;/p&gt;</content></entry></feed>"""

PAGE = """<!DOCTYPE html><html><head><title>Aleppo falls</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Aleppo falls to rebels</h1>
<p>Rebel forces have taken control of the majority of Aleppo, the country's second-largest city,
marking a significant blow to the regime of President Bashar al-Assad.</p>
<p>Russia and Iran, allies of the Syrian government, responded with air raids on Aleppo on Sunday
while residents fled towards the countryside in long columns of cars.</p></article>
<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"""


def test_rss_and_atom(tmp_path, store):
    (tmp_path / "wire.rss").write_text(RSS, "utf-8")
    (tmp_path / "atom.xml").write_text(ATOM, "utf-8")
    import_file(store, tmp_path / "wire.rss")
    import_file(store, tmp_path / "atom.xml")
    arts = list(store.iter_articles())
    assert [a.title for a in arts] == ["Rebels take Aleppo", "Zürich votes", "Talks in Geneva"]
    assert arts[0].text == "Rebels take Aleppo\n\nRebel forces took Aleppo.\n\nSecond paragraph."
    assert arts[0].source == "https://example.org/a" and arts[0].meta["feed"] == "Wire"
    assert "Delegates met in Geneva." in arts[2].text


def test_html_page_main_text(tmp_path, store):
    (tmp_path / "page.html").write_text(PAGE, "utf-8")
    import_file(store, tmp_path / "page.html")
    (art,) = store.iter_articles()
    assert "Rebel forces have taken control" in art.text and "air raids on Aleppo" in art.text
    assert "Copyright" not in art.text and "Home" not in art.text
    assert art.title.startswith("Aleppo falls")


def test_broken_feed(tmp_path, store):
    p = tmp_path / "bad.rss"
    p.write_text("<rss><channel><item>", "utf-8")
    assert import_error(store, p).startswith(f"{p}")


def test_feed_and_page_from_urls(tmp_path, store):
    import http.server
    import threading
    from functools import partial

    (tmp_path / "feed").write_text(RSS, "utf-8")  # no ending: the content tells
    (tmp_path / "page").write_text(PAGE, "utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

    handler = partial(Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        import_file(store, f"{base}/feed")
        import_file(store, f"{base}/page")
        assert store.article_count() == 3
        msg = import_error(store.__class__(tmp_path / "e.db"), f"{base}/missing")
        assert msg.startswith(f"{base}/missing: cannot be fetched")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("charset", "codec"),
    [("windows-1252", "cp1252"), ("iso-8859-1", "cp1252"), ("koi8-r", "koi8_r"), (None, "cp1252")],
)
def test_saved_page_in_a_legacy_charset(tmp_path, store, charset, codec):
    """Pages saved by a browser keep their charset: windows-1252 dashes and quotes, KOI8-R."""
    words = "Москва: встреча" if codec == "koi8_r" else "Brüssel – „Gipfel“ für 5 €"
    head = f'<meta charset="{charset}">' if charset else ""
    page = (
        f"<!DOCTYPE html><html><head>{head}<title>T</title></head><body><article><h1>T</h1><p>"
        + f"Die Regierungschefs trafen sich am Donnerstag in {words} heute. " * 4
        + "</p></article></body></html>"
    )
    src = tmp_path / "page.html"
    src.write_bytes(page.encode(codec))
    summary = import_paths(store, [str(src)])
    assert not summary.errors, summary.errors
    assert words in store.article(summary.created[0]).text


@pytest.mark.parametrize("ref", ["&#27;", "&#x1B;", "&#0027;", "\x1b", "\x9b", "&#127;"])
def test_a_page_with_an_escaped_or_raw_control_character_is_imported_without_it(
    tmp_path, store, ref
):
    page = PAGE.replace("second-largest city,", f"second-largest city,{ref}[2J")
    (tmp_path / "esc.html").write_text(page, "utf-8")
    import_file(store, tmp_path / "esc.html")
    (art,) = store.iter_articles()
    assert "second-largest city,[2J" in art.text
    assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in art.text)


def test_a_feed_entry_with_a_raw_control_character_is_imported_without_it(tmp_path, store):
    (tmp_path / "wire.rss").write_text(RSS.replace("Voters in", "Voters\x1b[2J in"), "utf-8")
    import_file(store, tmp_path / "wire.rss")
    texts = [a.text for a in store.iter_articles()]
    assert any("Voters[2J in" in t for t in texts) and not any("\x1b" in t for t in texts)


def test_a_page_reference_in_the_c1_range_is_read_as_windows_1252(tmp_path, store):
    page = PAGE.replace("second-largest city,", "second-largest city &#150; &#x9b;")
    (tmp_path / "dash.html").write_text(page, "utf-8")
    import_file(store, tmp_path / "dash.html")
    (art,) = store.iter_articles()
    assert "second-largest city \u2013 \u203a" in art.text
