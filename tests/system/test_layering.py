"""Layering, checked in fresh interpreters: store never imports the UI; spaCy loads only to extract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

UI = ("textual", "rich", "tui")


def loaded_after(code: str, tmp_path: Path) -> set[str]:
    """Run code in a new interpreter and return the top-level modules it left loaded."""
    script = (
        "import sys, json\n"
        + code
        + "\nprint('\\n' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MARGIN_CONFIG": str(tmp_path / "c")},
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_store_never_imports_the_ui(tmp_path: Path) -> None:
    code = (
        "import pkgutil, importlib, store\n"
        "for m in pkgutil.walk_packages(store.__path__, 'store.'):\n"
        "    importlib.import_module(m.name)\n"
        f"s = store.open_store({str(tmp_path / 'a.db')!r})\n"
        "s.add_article(store.ArticleDraft('Aleppo text'))\n"
        "s.articles(); s.stats()\n"
    )
    loaded = loaded_after(code, tmp_path)
    assert "store" in loaded
    assert not loaded & set(UI), loaded & set(UI)
    assert "spacy" not in loaded


@pytest.mark.slow
def test_opening_the_store_and_listing_do_not_load_spacy(tmp_path: Path) -> None:
    db = str(tmp_path / "b.db")
    src = tmp_path / "a.txt"
    src.write_text("An article about Aleppo.", encoding="utf-8")
    code = (
        "from tui.cli import main\n"
        f"for argv in (['--db', {db!r}, 'import', '--no-extract', {str(src)!r}],\n"
        f"             ['--db', {db!r}, 'list'], ['--db', {db!r}, 'list', '--json'],\n"
        f"             ['--db', {db!r}, 'show', '1'], ['--db', {db!r}, 'stats']):\n"
        "    sys.argv = ['margin', *argv]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
    )
    loaded = loaded_after(code, tmp_path)
    assert "tui" in loaded and "store" in loaded
    assert "spacy" not in loaded and "thinc" not in loaded


@pytest.mark.slow
def test_unknown_model_is_refused_without_loading_spacy(tmp_path: Path) -> None:
    code = (
        "from store.extract import SpacyExtractor, ExtractionError\n"
        "try:\n"
        "    SpacyExtractor('xx_missing').check()\n"
        "except ExtractionError:\n"
        "    pass\n"
    )
    assert "spacy" not in loaded_after(code, tmp_path)
