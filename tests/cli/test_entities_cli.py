"""The entity commands: entity NAME [--json], alias / unalias, check; dates in list and show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import open_store
from tests.store.test_entities import draft

from .test_cli import margin


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "e.db"
    with open_store(path) as store:
        store.add_articles(
            [
                draft(
                    "Hayat Tahrir al-Sham took Idlib.",
                    [("Hayat Tahrir al-Sham", "ORG")],
                    "2024-12-01",
                ),
                draft("HTS entered Aleppo.", [("HTS", "ORG"), ("Aleppo", "GPE")], "2024-12-08"),
                draft("Aleppo was quiet.", [("Aleppo", "ORG")]),
            ]
        )
    return path


def test_entity_json_has_name_aliases_labels_and_the_first_mentions(db: Path) -> None:
    done = margin("--db", db, "entity", "Aleppo", "--json", "--limit", "1")
    assert done.code == 0, done.err
    page = json.loads(done.out)
    assert page["name"] == "Aleppo" and page["aliases"] == []
    assert page["labels"] == {"GPE": 1, "ORG": 1}
    assert len(page["mentions"]) == 1 and page["total"] == 2
    m = page["mentions"][0]
    assert m["sentence"] == "Aleppo was quiet." and m["date_source"] == "import"
    assert isinstance(page["id"], int)


def test_entity_text_shows_the_distribution_and_a_missing_name_is_one_line(db: Path) -> None:
    done = margin("--db", db, "entity", "Aleppo")
    assert "Aleppo: GPE 1 · ORG 1" in done.out and "[Aleppo] was quiet." in done.out
    done = margin("--db", db, "entity", "Nowhere")
    assert done.code == 1 and done.err.count("\n") == 1 and "no entity is named" in done.err


def test_alias_unalias_and_undo_from_the_command_line(db: Path) -> None:
    done = margin("--db", db, "alias", "HTS", "Hayat Tahrir al-Sham")
    assert done.code == 0, done.err
    page = json.loads(margin("--db", db, "entity", "HTS", "--json").out)
    assert page["name"] == "Hayat Tahrir al-Sham" and page["aliases"] == ["HTS"]
    assert page["total"] == 2
    listed = json.loads(margin("--db", db, "alias", "--json").out)
    assert listed == [{"id": page["id"], "name": "Hayat Tahrir al-Sham", "aliases": ["HTS"]}]
    assert margin("--db", db, "unalias", "HTS").code == 0
    assert json.loads(margin("--db", db, "entity", "HTS", "--json").out)["name"] == "HTS"
    margin("--db", db, "undo")  # the unalias undone: HTS names the entity again
    assert json.loads(margin("--db", db, "entity", "HTS", "--json").out)["aliases"] == ["HTS"]
    assert json.loads(margin("--db", db, "alias", "--json").out)[0]["aliases"] == ["HTS"]
    done = margin("--db", db, "alias", "--not", "HTS", "Hayat Tahrir al-Sham")
    assert done.code == 0
    assert json.loads(margin("--db", db, "alias", "--json").out) == []
    done = margin("--db", db, "alias", "HTS")
    assert done.code != 0 and "two names" in done.err


def test_alias_suggest_lists_the_acronym(db: Path) -> None:
    done = margin("--db", db, "alias", "--suggest", "Hayat Tahrir al-Sham", "--json")
    assert [s["alias"] for s in json.loads(done.out)] == ["HTS"]


def test_check_json_lists_items_and_resolve_empties_the_queue(db: Path) -> None:
    items = json.loads(margin("--db", db, "check", "--json").out)
    assert items == [
        {
            "kind": "labels",
            "surface": "Aleppo",
            "conflict": "GPE 1 · ORG 1",
            "label": "GPE",
            "resolution": "every mention GPE",
            "other": None,
            "mentions": 1,
        }
    ]
    done = margin("--db", db, "check", "--resolve", "labels", "Aleppo", "--label", "LOC")
    assert done.code == 0, done.err
    assert json.loads(margin("--db", db, "check", "--json").out) == []
    assert json.loads(margin("--db", db, "entity", "Aleppo", "--json").out)["labels"] == {"LOC": 2}


def test_list_and_show_json_carry_the_date(db: Path) -> None:
    rows = json.loads(margin("--db", db, "list", "--json", "--sort", "date").out)
    assert [r["date_source"] for r in rows] == ["import", "file", "file"]
    assert rows[1]["date"] == "2024-12-08"
    rows = json.loads(margin("--db", db, "list", "--json", "--until", "2024-12-05").out)
    assert [r["id"] for r in rows] == [1]
    assert json.loads(margin("--db", db, "show", "1", "--json").out)["date"] == "2024-12-01"
    done = margin("--db", db, "list", "--since", "soon")
    assert done.code != 0 and "YYYY-MM-DD" in done.err


def test_import_date_field(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text('{"text": "One.", "when": "2022-02-02"}\n', encoding="utf-8")
    db = tmp_path / "d.db"
    done = margin("--db", db, "import", f, "--no-extract", "--date-field", "when")
    assert done.code == 0, done.err
    assert json.loads(margin("--db", db, "show", "1", "--json").out)["date"] == "2022-02-02"


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    path = tmp_path / "n.db"
    with open_store(path) as store:
        store.add_articles(
            [
                draft("The Aleppo Council met.", [("Aleppo Council", "ORG")]),
                draft("The Aleppo Council and the Homs Front.", [("Aleppo Council", "ORG")]),
                draft("Aleppo alone.", [("Aleppo", "GPE")]),
            ]
        )
        store.set_allow_overlaps(True)
        for article in (1, 2):
            at = store.article(article).text.find("Aleppo")
            store.add_span(article, at, at + 6, "GPE")
    return path


def test_check_lists_an_overlap_with_both_names_labels_and_articles(nested: Path) -> None:
    items = json.loads(margin("--db", nested, "check", "--json", "--kind", "overlap").out)
    assert items == [
        {
            "kind": "overlap",
            "surface": "Aleppo Council",
            "conflict": "'Aleppo Council' (ORG) overlaps 'Aleppo' (GPE) in 2 article(s)",
            "label": "ORG",
            "resolution": "keep 'Aleppo Council', reject the 2 overlapping 'Aleppo'",
            "other": "Aleppo",
            "mentions": 2,
            "articles": 2,
            "labels": ["ORG", "GPE"],
        }
    ]
    text = margin("--db", nested, "check").out
    assert "overlap" in text and "'Aleppo Council' (ORG) overlaps 'Aleppo' (GPE)" in text


def test_check_resolves_an_overlap_by_both_names_and_undo_brings_it_back(nested: Path) -> None:
    wrong = margin(
        "--db", nested, "check", "--resolve", "overlap", "Aleppo Council", "--other", "Homs"
    )
    assert wrong.code != 0 and "Traceback" not in wrong.err
    assert wrong.err.strip().count("\n") == 0 and "'Homs'" in wrong.err
    done = margin(
        "--db", nested, "check", "--resolve", "overlap", "Aleppo Council", "--other", "Aleppo"
    )
    assert done.code == 0, done.err
    assert "2 mention(s) changed" in done.out
    assert json.loads(margin("--db", nested, "check", "--json", "--kind", "overlap").out) == []
    page = json.loads(margin("--db", nested, "entity", "Aleppo", "--json").out)
    assert page["labels"] == {"GPE": 1}  # article 3's own Aleppo stays
    assert margin("--db", nested, "undo").code == 0
    back = json.loads(margin("--db", nested, "check", "--json", "--kind", "overlap").out)
    assert [i["surface"] for i in back] == ["Aleppo Council"]
    kept = margin("--db", nested, "check", "--intended", "overlap", "Aleppo Council")
    assert kept.code == 0, kept.err
    assert json.loads(margin("--db", nested, "check", "--json", "--kind", "overlap").out) == []
