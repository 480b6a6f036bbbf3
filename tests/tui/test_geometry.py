"""The offset <-> screen helper: wrapping covers the text exactly and positions round-trip."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.geometry import Layout, display, glyph, tokens, width

# letters, spaces, newlines, tabs, controls, a wide character, an escape: no zero-width marks
ALPHABET = st.sampled_from(list("ab cd\n\t\x1b\x00[]/") + ["界", "é", "\u202e", "\x85"])
TEXTS = st.lists(ALPHABET, max_size=300).map("".join)


def test_plain_paragraph_wraps_at_spaces():
    lay = Layout("one two three four", 9)
    assert [lay.line_text(y) for y in range(len(lay))] == ["one two ", "three ", "four"]


def test_newlines_end_lines_and_empty_lines_exist():
    lay = Layout("ab\n\ncd", 10)
    assert [(s, e) for s, e in zip(lay.starts, lay.ends, strict=True)] == [(0, 2), (3, 3), (4, 6)]
    assert lay.offset_to_pos(2) == (0, 2)  # the newline sits after the line's last cell
    assert lay.offset_to_pos(3) == (1, 0)
    assert lay.offset_to_pos(6) == (2, 2)


def test_long_word_is_cut():
    lay = Layout("x" * 25, 10)
    assert [lay.ends[y] - lay.starts[y] for y in range(len(lay))] == [10, 10, 5]


def test_controls_and_markup_are_shown_literally():
    assert display("[bold red]x[/]") == "[bold red]x[/]"
    assert display("\x1b[31m") == "\\x1b[31m"
    assert glyph("\t") == "    "
    assert width("a\x1bb") == 6
    assert width("界") == 2


def test_tokens():
    text = "Bashar al-Assad, 2016."
    s, e = tokens(text)
    assert [text[a:b] for a, b in zip(s, e, strict=True)] == [
        "Bashar",
        "al",
        "-",
        "Assad",
        ",",
        "2016",
        ".",
    ]


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=30))
def test_lines_cover_the_text(text, cols):
    lay = Layout(text, cols)
    pieces = []
    for y in range(len(lay)):
        assert lay.starts[y] <= lay.ends[y]
        if y:
            gap = text[lay.ends[y - 1] : lay.starts[y]]
            assert gap in ("", "\n")
            pieces.append(gap)
        line = lay.line_text(y)
        pieces.append(line)
        core = line.rstrip(" ")
        assert width(core) <= cols or len(core) == 1 or cols < 6
    assert "".join(pieces) == text
    assert lay.starts == sorted(set(lay.starts))


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=30))
def test_offsets_round_trip(text, cols):
    lay = Layout(text, cols)
    for offset in range(len(text) + 1):
        y, x = lay.offset_to_pos(offset)
        assert 0 <= y < len(lay)
        back = lay.pos_to_offset(y, x)
        if offset < len(text) and text[offset] == "\n":
            assert back == offset  # the newline is the line's end
        else:
            assert back == offset, (offset, y, x)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=30), st.integers(0, 40), st.integers(0, 40))
def test_any_cell_maps_to_an_offset_on_that_line(text, cols, y, x):
    lay = Layout(text, cols)
    offset = lay.pos_to_offset(y, x)
    yy = min(y, len(lay) - 1)
    assert lay.starts[yy] <= offset <= lay.ends[yy]
