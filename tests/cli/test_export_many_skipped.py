"""An export leaving out 40,000 spans: summary, --report and --json are what an in-memory list
gave, while the export holds only the first few spans and one batch in memory."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from store import ArticleDraft
from store.export_report import json_pieces, skipped_records, summary_json
from store.formats import skiplog
from store.models import SpanDraft
from tests.helpers import export
from tui.cli import cli

WORDS = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta")
TOKENS, WIDTHS, ARTICLES = 1_005, 5, 10  # 5,000 overlapping spans an article: 50,000 in all


def _draft(i: int) -> ArticleDraft:
    words = [WORDS[(i + k) % len(WORDS)] for k in range(TOKENS)]
    starts = [0]
    for w in words[:-1]:
        starts.append(starts[-1] + len(w) + 1)
    spans = tuple(
        SpanDraft(starts[k], starts[k + w - 1] + len(words[k + w - 1]), "ORG", "user", "accepted")
        for k in range(TOKENS - WIDTHS)
        for w in range(1, WIDTHS + 1)
    )
    return ArticleDraft(" ".join(words) + f" {i}.", title=f"a{i}", spans=spans)


@pytest.fixture
def crowded(store):
    store.set_allow_overlaps(True)
    store.add_articles([_draft(i) for i in range(ARTICLES)])
    return store


def _outputs(db_path, tmp_path, monkeypatch, keep: int, batch: int) -> list[str]:
    """stderr of a plain export and of two with --report, the TSV and JSONL reports, and
    --json's stdout."""
    monkeypatch.setattr(skiplog, "KEEP", keep)
    monkeypatch.setattr(skiplog, "BATCH", batch)
    out, got = tmp_path / "x.conll", []
    base = ["--db", str(db_path), "export", "--format", "conll", "--out", str(out)]
    for extra in (
        [],
        ["--report", str(tmp_path / "r.tsv")],
        ["--report", str(tmp_path / "r.jsonl")],
    ):
        res = CliRunner().invoke(cli, [*base, *extra])
        assert res.exit_code == 0, res.output
        got.append(res.stderr)
    got += [(tmp_path / name).read_text("utf-8") for name in ("r.tsv", "r.jsonl")]
    res = CliRunner().invoke(cli, [*base, "--json"])
    assert res.exit_code == 0, res.output
    got.append(res.stdout)
    return got


@pytest.mark.slow
def test_outputs_are_those_of_an_in_memory_list(crowded, db_path, tmp_path, monkeypatch):
    # keep larger than every span: the log is one list, as WriteReport.skipped used to be
    listed = _outputs(db_path, tmp_path, monkeypatch, keep=10**9, batch=10**9)
    spilled = _outputs(db_path, tmp_path, monkeypatch, keep=7, batch=500)
    assert spilled == listed
    summary, data = listed[0], json.loads(listed[-1])
    left_out = len(data["skipped"])
    assert left_out > 35_000 and data["skipped_reasons"] == {"overlaps another span": left_out}
    assert f"{left_out} span(s) could not be expressed" in summary
    assert f"... and {left_out - 50} more" in summary
    assert listed[3].count("\n") == left_out + 1 and listed[4].count("\n") == left_out


@pytest.mark.slow
def test_memory_holds_the_first_spans_and_one_batch(crowded, tmp_path, monkeypatch):
    monkeypatch.setattr(skiplog, "KEEP", 20)
    monkeypatch.setattr(skiplog, "BATCH", 300)
    res = export(crowded, "conll", tmp_path / "x.conll", split=(("dev", 0.3),))
    total = res.total.skipped
    assert len(total) > 35_000
    assert all(rep.skipped.held() <= 20 + 300 for rep in res.parts.values())
    assert total.held() <= 2 * (20 + 300)
    # the JSON text in pieces is json.dumps of the whole summary
    whole = {**summary_json(res), "skipped": list(skipped_records(res))}
    assert "".join(json_pieces(res)) == json.dumps(whole, ensure_ascii=False, indent=2)
    assert [r["part"] for r in whole["skipped"][:1]] == ["train"]
