"""Fuzzing ``margin import`` with hypothesis (fixed seed, bounded): never a traceback, a rejected
file is named on stderr and leaves the database as it was."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import UNSAFE, dump, run_cli

SETTINGS = settings(
    derandomize=True,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# pieces that tend to break readers: escapes, lone surrogates, BOMs, quotes, separators
TRICKY = [
    '"',
    "\\",
    "\\u0000",
    "\\ud800",
    "\\udfff",
    "\\ufeff",
    "\ufeff",
    "\r",
    "\r\n",
    "\n",
    ",",
    "\t",
    "\x00",
    "\x1b[31m",
    "[bold]",
    "{",
    "}",
    "[",
    "]",
    ":",
    "null",
    "1e999",
    "-0",
    '"text"',
    '"title"',
    '"meta"',
    '"spans"',
    "é",
    "😀",
    "\u202e",
    " ",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(st.text(max_size=80), json_values),
        "title": st.one_of(st.text(max_size=20), json_values),
        "source": st.one_of(st.text(max_size=20), json_values),
        "meta": json_values,
        "spans": json_values,
    },
)
raw_lines = st.lists(st.sampled_from(TRICKY) | st.text(max_size=6), max_size=12).map("".join)
escaped = st.lists(
    st.sampled_from(["\\ud800", "\\udc00", "\\u0000", "\\ufeff", "\\r", "\\u001b", "a", " "]),
    min_size=1,
    max_size=6,
).map("".join)
text_fields = st.sampled_from(["text", "title", "source"])


def _escaped_line(kv: tuple[str, str]) -> str:
    field, value = kv
    if field == "text":
        return '{"text": "' + value + '"}'
    return '{"text": "Aleppo", "' + field + '": "' + value + '"}'


escaped_lines = st.tuples(text_fields, escaped).map(_escaped_line)
jsonl_lines = st.one_of(
    records.map(lambda r: json.dumps(r, ensure_ascii=False)), raw_lines, escaped_lines
)
jsonl_files = st.lists(jsonl_lines, min_size=1, max_size=5).map(
    lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
)
csv_files = st.lists(
    st.lists(st.sampled_from(TRICKY) | st.text(max_size=8), min_size=1, max_size=4).map(",".join),
    min_size=1,
    max_size=5,
).map(lambda rows: ("text,title\n" + "\n".join(rows)).encode("utf-8", "surrogatepass"))
any_bytes = st.binary(max_size=300)
offsets = st.integers(min_value=-3, max_value=40)
labels = st.sampled_from(["GPE", "PERSON", "", " ", "B-X", "creative-work", "\x1b[1m", "é"])
doccano_files = st.lists(
    st.fixed_dictionaries(
        {
            "text": st.text(max_size=30),
            "label": st.lists(st.tuples(offsets, offsets, labels).map(list), max_size=3),
        }
    ).map(lambda r: json.dumps(r, ensure_ascii=False)),
    min_size=1,
    max_size=3,
).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))
prodigy_files = st.lists(
    st.fixed_dictionaries(
        {
            "text": st.text(max_size=30),
            "spans": st.lists(
                st.fixed_dictionaries(
                    {"start": offsets, "end": offsets, "label": labels},
                    optional={"token_start": offsets, "token_end": offsets},
                ),
                max_size=3,
            ),
        },
        optional={"tokens": st.just([]), "answer": st.sampled_from(["accept", "reject", "x"])},
    ).map(lambda r: json.dumps(r, ensure_ascii=False)),
    min_size=1,
    max_size=3,
).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))
conll_tags = st.sampled_from(["O", "B-GPE", "I-GPE", "E-GPE", "S-ORG", "B-", "X-GPE", "B-a-b"])
conll_lines = st.one_of(
    st.just(""),
    st.just("-DOCSTART- -X- O O"),
    st.tuples(st.text(min_size=1, max_size=6), conll_tags).map(" ".join),
    st.lists(st.sampled_from(["tok", "NN", "O", "B-GPE", "\t", "-X-"]), max_size=6).map(" ".join),
)
conll_files = st.lists(conll_lines, min_size=1, max_size=10).map(
    lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
)
files = st.one_of(
    st.tuples(st.just(".jsonl"), jsonl_files),
    st.tuples(st.just(".csv"), csv_files),
    st.tuples(st.sampled_from([".txt", ".md", ".jsonl", ".csv", ".conll"]), any_bytes),
    st.tuples(st.just(".txt"), raw_lines.map(lambda s: s.encode("utf-8", "surrogatepass"))),
    st.tuples(st.just(".doccano"), doccano_files),
    st.tuples(st.just(".prodigy"), prodigy_files),
    st.tuples(st.just(".conll"), conll_files),
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding one article, copied for each example."""
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "base.db"
    good = folder / "good.txt"
    good.write_text("Aleppo is a city in Syria.\n", encoding="utf-8")
    assert run_cli("--db", str(db), "import", "--no-extract", str(good))[0] == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


@pytest.mark.slow
@SETTINGS
@given(file=files)
def test_import_never_crashes(base: Path, file: tuple[str, bytes]) -> None:
    ending, data = file
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "m.db"
        db.write_bytes(base.read_bytes())
        fmt: list[str] = []
        if ending in (".doccano", ".prodigy"):
            fmt, ending = [f"--format={ending[1:]}"], ".jsonl"
        path = Path(tmp) / f"input{ending}"
        path.write_bytes(data)
        before = dump(db)
        code, out, err = run_cli("--db", str(db), "import", "--no-extract", *fmt, str(path))
        assert "Traceback" not in err
        assert not UNSAFE.search(err), err
        if code != 0:
            assert str(path) in err, err  # the rejected file is named
            assert dump(db) == before  # and nothing of it was stored
        else:
            assert "1 imported" in err or "already present" in err, err
            code, out, err = run_cli("--db", str(db), "list")
            assert code == 0 and not UNSAFE.search(out)
