"""RSS and Atom feeds (feedparser) and saved HTML pages (trafilatura) as article sources."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from ..dates import parse_date
from ..models import ArticleDraft, normalise_text
from .errors import FormatError

FEED = "feed"
FEED_EXTENSIONS = (".rss", ".atom", ".xml")
HTML = "html"
HTML_EXTENSIONS = (".html", ".htm")

_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre"}


def sniff_feed(head: bytes) -> bool:
    """True for an RSS, RDF or Atom document."""
    start = head[:1024].lower()
    return b"<rss" in start or b"<feed" in start or b"<rdf:rdf" in start


def sniff_html(head: bytes) -> bool:
    """True for an HTML page."""
    start = head.lstrip()[:1024].lower()
    return start.startswith(b"<!doctype html") or start.startswith(b"<html")


class _Text(HTMLParser):
    """HTML fragment -> text with paragraph breaks (feed entries hold small HTML snippets)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, paragraphs on their own lines."""
    p = _Text()
    p.feed(fragment)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def read_feed(path: str, data: bytes) -> Iterator[ArticleDraft]:
    """Yield one article per feed entry: its title, and its content or summary as text."""
    import feedparser

    parsed = feedparser.parse(data)
    if parsed.get("bozo") and not parsed.entries:
        exc = parsed.get("bozo_exception")
        raise FormatError(path, None, f"is not a readable RSS or Atom feed ({exc})")
    feed_title = parsed.feed.get("title", "") if parsed.get("feed") else ""
    for n, entry in enumerate(parsed.entries, 1):
        body = ""
        if entry.get("content"):
            body = "\n\n".join(c.get("value", "") for c in entry.content)
        body = body or entry.get("summary", "") or entry.get("description", "")
        text = normalise_text(html_to_text(drop_controls(body)))
        title = html_to_text(drop_controls(entry.get("title", ""))) or None
        if title and not text.startswith(title):
            text = f"{title}\n\n{text}" if text else title
        if not text.strip():
            continue  # an entry without any text: nothing to read
        meta = {
            k: v
            for k, v in {
                "feed": feed_title,
                "link": entry.get("link"),
                "published": entry.get("published") or entry.get("updated"),
                "entry": n,
            }.items()
            if v
        }
        yield ArticleDraft(
            text=text,
            title=title,
            source=entry.get("link") or f"{path}#entry {n}",
            meta=meta,
            date=parse_date(meta.get("published")),
        )


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w:.]+)""", re.IGNORECASE)


def _decode_page(data: bytes) -> str:
    """Decode a saved page: UTF-8, else the charset its <meta> declares, else windows-1252
    (what browsers read for latin-1 and for an undeclared page)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _CHARSET.search(data[:4096])
    names = [m.group(1).decode("ascii", "replace")] if m else []
    for name in [*names, "cp1252"]:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec in ("latin-1", "iso8859-1", "ascii"):  # the HTML standard reads these as 1252
            codec = "cp1252"
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# a numeric character reference, decimal or hex, its ; optional as browsers read it
_CHARREF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
# control characters a page may hold raw: C0 but tab, newline and return; DEL; C1
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")


def _charref(m: re.Match[str]) -> str:
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    if 0x80 <= code <= 0x9F:  # the HTML standard reads these as windows-1252 (&#150; is a dash)
        return bytes([code]).decode("cp1252", "ignore")
    if code > 0x10FFFF or _CONTROL.match(chr(code)) or 0xD800 <= code <= 0xDFFF:
        return ""  # a control character (&#27; is ESC): shown as nothing by browsers, dropped
    return m.group(0)


def drop_controls(html: str) -> str:
    """Return HTML without control characters, raw or as references (``&#27;``): the parser
    gives up on a page holding them, and a browser shows none of them."""
    return _CONTROL.sub("", _CHARREF.sub(_charref, html))


def read_html(path: str, data: bytes) -> Iterator[ArticleDraft]:
    """Yield the main text of a saved web page (trafilatura), without menus and footers."""
    import trafilatura

    html = drop_controls(_decode_page(data))
    doc = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    if doc is None:
        raise FormatError(path, None, "has no main text that could be extracted")
    get = doc.get if isinstance(doc, dict) else lambda k, d=None: getattr(doc, k, d)
    text = normalise_text(get("text") or "").strip()
    if not text:
        raise FormatError(path, None, "has no main text that could be extracted")
    title = get("title") or None
    meta = {k: get(k) for k in ("url", "date", "author", "sitename") if get(k)}
    yield ArticleDraft(
        text=text,
        title=title,
        source=get("url") or path,
        meta=meta or None,
        date=parse_date(get("date")),
    )
