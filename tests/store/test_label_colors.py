"""Label colours: always #rrggbb, for new labels and for colours an old database holds."""

from __future__ import annotations

import re

import pytest

from store import ArticleDraft
from store.labels import DEFAULT_COLOR, color_for, normal_color

HEX6 = re.compile(r"#[0-9a-f]{6}")


@pytest.mark.parametrize("name", ["MILITIA", "GPE", "location", "x", "Ω", "", "A" * 300])
def test_color_for_is_always_six_hex_digits(name):
    assert HEX6.fullmatch(color_for(name))


def test_every_new_label_gets_six_hex_digits():
    names = [f"L{i}" for i in range(40)]
    assert all(HEX6.fullmatch(color_for(n)) for n in names)
    assert len({color_for(n) for n in names}) > 1  # still a palette, not one grey


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("#faa", "#ffaaaa"),
        ("#FEca74", "#feca74"),
        ("  #8ef ", "#88eeff"),
        ("red", DEFAULT_COLOR),
        ("#12345", DEFAULT_COLOR),
        ("#gggggg", DEFAULT_COLOR),
        ("", DEFAULT_COLOR),
        (None, DEFAULT_COLOR),
    ],
)
def test_normal_color(stored, shown):
    assert normal_color(stored) == shown


def test_labels_of_an_old_database_come_back_six_digits(store):
    aid = store.add_article(ArticleDraft("The militia held the road.")).article_id
    store.add_span(aid, 4, 11, "MILITIA")
    with store.unit() as tx:  # what an older margin wrote
        tx.execute("UPDATE labels SET color = '#faa' WHERE name = 'MILITIA'")
        tx.execute("UPDATE labels SET color = 'not a colour' WHERE name = 'GPE'")
    colors = {lab.name: lab.color for lab in store.labels()}
    assert colors["MILITIA"] == "#ffaaaa"
    assert colors["GPE"] == DEFAULT_COLOR
    assert all(HEX6.fullmatch(c) for c in colors.values())
