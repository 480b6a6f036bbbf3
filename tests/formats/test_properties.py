"""Property tests: any document survives export and re-import in each format with a reader."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import ArticleDraft, SpanDraft, Store

from .helpers import annotations, export, import_file

LETTERS = st.characters(categories=("Lu", "Ll", "Lo"), max_codepoint=0x2FFFF)
EMOJI = st.sampled_from(["🎉", "🛫", "👩‍🚀", "𝔘", "😀", "🇸🇾"])
PUNCT = st.characters(categories=("Pd", "Po", "Ps", "Pe", "Sm", "Sc", "Nd"), max_codepoint=0xFFFF)
WORD = st.one_of(
    st.text(LETTERS, min_size=1, max_size=8), EMOJI, st.text(PUNCT, min_size=1, max_size=3)
)
LABEL = st.sampled_from(["PERSON", "GPE", "ORG", "creative-work", "Ünï"])


@st.composite
def documents(draw):
    docs = []
    for _ in range(draw(st.integers(1, 3))):
        words = draw(st.lists(WORD, min_size=1, max_size=12))
        seps = draw(
            st.lists(
                st.sampled_from(
                    [" ", "\n", "  ", " \n", "\t", "\u2028", "\x85", "\u00a0", "\u3000", "\x0c"]
                ),
                min_size=len(words) - 1,
                max_size=len(words) - 1,
            )
        )
        starts, pos, parts = [], 0, []
        for i, w in enumerate(words):
            if i:
                parts.append(seps[i - 1])
                pos += len(seps[i - 1])
            starts.append(pos)
            parts.append(w)
            pos += len(w)
        text = "".join(parts)
        spans, i = [], 0
        while i < len(words):  # non-overlapping spans of whole words, start and end included
            if draw(st.booleans()):
                j = draw(st.integers(i, min(i + 2, len(words) - 1)))
                spans.append(
                    SpanDraft(starts[i], starts[j] + len(words[j]), draw(LABEL), "user", "accepted")
                )
                i = j + 1
            else:
                i += 1
        docs.append((text, tuple(spans), draw(st.booleans())))
    return docs


def _check(fmt: str, docs, out_name: str, with_review: bool = True) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
        try:
            for text, spans, reviewed in docs:
                res = a.add_article(ArticleDraft(text, spans=spans))
                if reviewed and res.created:
                    a.set_reviewed(res.article_id)
            result = export(a, fmt, tmp_path / out_name)
            skipped = {
                (a.article(s.article_id).text, s.start, s.end, s.label)
                for s in result.total.skipped
            }
            import_file(b, tmp_path / out_name, None if fmt == "brat" else fmt)
            want = [
                (t, r if with_review else None, [s for s in sp if (t, *s) not in skipped])
                for t, r, sp in annotations(a)
            ]
            got = [(t, r if with_review else None, sp) for t, r, sp in annotations(b)]
            assert got == want
        finally:
            a.close()
            b.close()


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(documents())
def test_prodigy(docs):
    _check("prodigy", docs, "o.jsonl")


@SETTINGS
@given(documents())
def test_doccano(docs):
    _check("doccano", docs, "o.jsonl")


@SETTINGS
@given(documents())
def test_brat(docs):
    _check("brat", docs, "o", with_review=False)


@SETTINGS
@given(documents())
def test_spacy(docs):
    _check("spacy", docs, "o.spacy")


@SETTINGS
@given(documents())
def test_labelstudio(docs):
    _check("labelstudio", docs, "o.json")


@st.composite
def conll_files(draw):
    tokens = st.text(
        st.characters(categories=("Lu", "Ll", "Lo", "Nd", "Po", "So"), max_codepoint=0x2FFFF),
        min_size=1,
        max_size=6,
    )
    out = []
    for n in range(draw(st.integers(1, 3))):
        out.append(f"-DOCSTART- -X- O O\n\ndoc{n} O\n\n")  # equal texts would be one article
        for _ in range(draw(st.integers(1, 3))):
            prev = None
            for tok in draw(st.lists(tokens, min_size=1, max_size=8)):
                if tok == "-DOCSTART-":
                    tok = "x"
                choice = draw(st.sampled_from(["O", "B", "I"]))
                label = draw(LABEL)
                if choice == "I" and prev is not None:
                    tag, label = f"I-{prev}", prev
                elif choice == "O":
                    tag, label = "O", None
                else:
                    tag = f"B-{label}"
                prev = label
                out.append(f"{tok} {tag}\n")
            out.append("\n")
    return "".join(out)


@SETTINGS
@given(conll_files())
def test_conll_file_comes_back_equal(content):
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "in.conll").write_text(content, "utf-8")
        a = Store(tmp_path / "a.db")
        try:
            import_file(a, tmp_path / "in.conll")
            result = export(a, "conll", tmp_path / "out.conll")
            assert not result.total.skipped
            assert (tmp_path / "out.conll").read_text("utf-8") == content
        finally:
            a.close()
