"""Pattern rules (spaCy EntityRuler / Prodigy JSONL) and affix strips, applied at extraction."""

from __future__ import annotations

import json

import pytest

from store import ArticleDraft, FormatError, SpanDraft

TEXT = "The Hezbollah leader met the World Cup team in New York's old harbour."


def _write(tmp_path, lines):
    f = tmp_path / "patterns.jsonl"
    f.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return f


def _extract(store, text, drafts):
    aid = store.add_article(ArticleDraft(text, title="t", source="test")).article_id
    store.store_extraction([(aid, store.apply_rules(text, drafts))], "model:test@1")
    return [(s.text, s.label, s.source) for s in store.spans(aid)]


def test_token_and_phrase_patterns_apply_after_the_model_and_win_over_it(store, tmp_path):
    f = _write(
        tmp_path,
        [
            json.dumps({"label": "ORG", "pattern": [{"lower": "hezbollah"}]}),
            json.dumps({"label": "GPE", "pattern": "New York"}),
            "",
        ],
    )
    ids = store.import_patterns(str(f))
    assert len(ids) == 2 and store.next_undo().action == "learn rule"
    hez = TEXT.index("Hezbollah")
    model = [SpanDraft(hez, hez + 9, "PERSON", "model:test@1")]
    got = _extract(store, TEXT, model)
    assert ("Hezbollah", "ORG", f"rule:pattern {ids[0]}") in got
    assert ("New York", "GPE", f"rule:pattern {ids[1]}") in got
    assert not any(label == "PERSON" for _, label, _ in got)
    # shown and removable like learned rules; undo brings it back
    assert [r.kind for r in store.rules()] == ["pattern", "pattern"]
    store.remove_rule(ids[0])
    assert len(store.rules()) == 1
    store.undo()
    assert len(store.rules()) == 2
    exported = store.export_patterns()
    assert {"label": "ORG", "pattern": [{"lower": "hezbollah"}]} in exported


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (b'{"label": "ORG", "pattern": [{"lower": "x"}', "not valid JSON"),
        (b'{"label": "ORG", "pattern": [{"POS": "PROPN"}]}', "needs spaCy's tagger"),
        (b'{"label": "ORG", "pattern": [{"colour": "red"}]}', "unknown attribute 'colour'"),
        (b'{"label": "ORG", "pattern": [{"lower": "x", "OP": "z"}]}', "not a spaCy token pattern"),
        (b'{"label": "ORG", "pattern": [{"TEXT": {"REGEX": "("}}]}', "bad REGEX"),
        (b'{"pattern": "x"}', 'needs a "label"'),
        (b'{"label": "ORG", "pattern": 3}', 'needs a "pattern"'),
        (b'{"label": "ORG", "pattern": "caf\xe9"}', "not valid UTF-8"),
        (b"[" * 100000 + b"]" * 100000, "longer than"),
        (b'{"label": "\\ud800", "pattern": "x"}', "lone surrogate"),
    ],
)
def test_a_hostile_pattern_file_is_one_error_naming_file_and_line(store, tmp_path, line, says):
    good = json.dumps({"label": "ORG", "pattern": "Hezbollah"}).encode()
    f = _write(tmp_path, [good, line])
    with pytest.raises(FormatError) as info:
        store.import_patterns(str(f))
    assert info.value.where == "line 2" and str(f) in str(info.value)
    assert says in str(info.value)
    assert store.rules() == []  # nothing kept from a file with a bad line


def test_strip_rules_cut_a_leading_the_and_a_trailing_possessive(store):
    store.add_strip_rule("prefix", "the")
    store.add_strip_rule("suffix", "'s")
    cup = TEXT.index("the World Cup")
    ny = TEXT.index("New York's")
    the = TEXT.index("The Hezbollah")
    model = [
        SpanDraft(the, the + 13, "ORG", "model:test@1"),
        SpanDraft(cup, cup + 13, "EVENT", "model:test@1"),
        SpanDraft(ny, ny + 10, "GPE", "model:test@1"),
    ]
    got = _extract(store, TEXT, model)
    assert [(t, lab) for t, lab, _ in got] == [
        ("Hezbollah", "ORG"),
        ("World Cup", "EVENT"),
        ("New York", "GPE"),
    ]
    assert got[0][2] == "rule:prefix the"


def test_the_strip_needs_a_word_boundary(store):
    store.add_strip_rule("prefix", "the")
    text = "Theresa May spoke."
    got = _extract(store, text, [SpanDraft(0, 11, "PERSON", "model:test@1")])
    assert got == [("Theresa May", "PERSON", "model:test@1")]
