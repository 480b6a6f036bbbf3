"""A few fixed-size snapshots of the library and the reader (update: pytest --snapshot-update)."""

from __future__ import annotations

from tui.app import MarginApp

from .helpers import press, settle


async def _ready(pilot) -> None:
    await settle(pilot)


async def _entity(pilot) -> None:
    await settle(pilot)
    await press(pilot, "right_square_bracket", "right_square_bracket")


def test_library_snapshot(seeded, snap_compare):
    """The library at 100x16: the title "margin · margin.db" with the review progress bar
    "░░░░░░░░░░░░░░░░░░░░ 0/3 reviewed (0%)"; the three seed articles newest
    first ("Quiet day", "Geneva talks", "Aleppo falls"), each marked unread (●) with its source
    file, its date (fixed here: 2024-12-01..03, so the picture does not change with the day)
    and entity count; the status line "3 articles · 3 unread · 0 reviewed · sorted newest
    first · ? keys"; the footer with ? Help and / Search first (no width cuts them off), then
    Open, q Quit, s Sort, n Next unread, f Filter."""
    with seeded.unit() as tx:
        tx.execute("UPDATE articles SET date = '2024-12-0' || id")
    assert snap_compare(MarginApp(seeded), terminal_size=(100, 16), run_before=_ready)


def test_reader_snapshot(seeded, snap_compare):
    """The reader at 120x30 on "Aleppo falls" with the second entity selected (] twice): the
    title with its source, the text with each entity in its label's colour and "Bashar
    al-Assad" selected; the entity panel grouped by label with counts (PERSON 1, NORP 4 with
    "Aleppo ×3", GPE 2 with the accepted "Russia ✓", DATE 1); the legend 1 PERSON .. 9
    WORK_OF_ART; the status line "PERSON 'Bashar al-Assad' suggested · model:t…" and "8 entities
    · 7 to check · 0 rejected · not reviewed · token mode · 3/3 · ░░░░░░ 0/3 rev"; the footer of
    reader keys after ? Help and / Search."""
    seeded.accept(seeded.spans(1)[2].id)  # Russia accepted: drawn unlike the suggestions
    assert snap_compare(MarginApp(seeded, 1), terminal_size=(120, 30), run_before=_entity)


def test_reader_small_snapshot(seeded, snap_compare):
    """The reader at 80x24: no entity panel (folded below 100 columns), the text over the
    whole width; the short status line "? keys · ] next entity · v select" and "8 ent · 8 to
    check · 0 rej · 3/3 · 0/3 rev"; the one-line legend bar "1 PERSON 2 NORP .. 9 WORK_OF_ART" (the
    number keys stay learnable); the compact footer from ? Help and / Search (always first) to
    l Label, the last key that fits whole beside ^p Commands (the others are left out, not cut),
    and no letter of a covered key in the last column."""
    assert snap_compare(MarginApp(seeded, 1), terminal_size=(80, 24), run_before=_ready)
