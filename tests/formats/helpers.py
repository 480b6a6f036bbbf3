"""Helpers for format tests: import a file, export it, compare what two stores hold."""

from __future__ import annotations

from pathlib import Path

from store import Store
from store.export import ExportOptions, ExportResult, run_export
from store.importer import ImportSummary, import_paths


def import_file(store: Store, path: Path | str, fmt: str | None = None) -> ImportSummary:
    """Import one file or folder and insist it was accepted."""
    summary = import_paths(store, [str(path)], fmt)
    assert summary.ok, summary.errors
    return summary


def import_error(store: Store, path: Path | str, fmt: str | None = None) -> str:
    """Import a file that must be rejected; return the one error line."""
    summary = import_paths(store, [str(path)], fmt)
    assert len(summary.errors) == 1, summary.errors
    assert "\n" not in summary.errors[0]
    assert store.article_count() == 0
    return summary.errors[0]


def export(store: Store, fmt: str, out: Path, **kw) -> ExportResult:
    """Export the whole store to a path."""
    return run_export(store, ExportOptions(fmt=fmt, out=out, **kw))


def annotations(store: Store) -> list[tuple[str, bool, list[tuple[int, int, str]]]]:
    """Every article's text, review state and decided spans, in text order."""
    out = []
    for art in store.iter_articles():
        spans = sorted(
            (s.start, s.end, s.label) for s in store.spans(art.id) if s.status == "accepted"
        )
        out.append((art.text, art.reviewed, spans))
    return sorted(out)


def roundtrip(tmp_path: Path, source: Path, fmt: str, out_name: str, in_fmt: str | None = None):
    """Import source, export it in fmt, import the export into a fresh store; return both views."""
    a = Store(tmp_path / "a.db")
    b = Store(tmp_path / "b.db")
    try:
        import_file(a, source, in_fmt)
        result = export(a, fmt, tmp_path / out_name)
        assert not result.total.skipped, result.total.skipped
        target = tmp_path / out_name
        if fmt == "brat":
            import_file(b, target)
        else:
            import_file(b, target, in_fmt or fmt)
        return annotations(a), annotations(b), result
    finally:
        a.close()
        b.close()
