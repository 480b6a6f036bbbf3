"""What a fresh interpreter loads: spaCy only to extract, the command line not for the reader.

Which package may import which is import-linter's job (the contracts in pyproject.toml, run by
`make test`); these tests check what static imports cannot show: modules imported inside
functions, loaded only when a path through the code runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

SPACY = {"spacy", "thinc"}


def loaded_after(code: str, tmp_path: Path, full: bool = False) -> set[str]:
    """Run code in a new interpreter and return the top-level modules it left loaded (with
    full, every module's dotted name)."""
    names = "sys.modules" if full else "{m.split('.')[0] for m in sys.modules}"
    script = "import sys, json\n" + code + f"\nprint('\\n' + json.dumps(sorted({names})))\n"
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
def test_importing_and_using_every_store_module_does_not_load_spacy(tmp_path: Path) -> None:
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
    assert not loaded & SPACY, loaded & SPACY


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
    assert not loaded & SPACY, loaded & SPACY


@pytest.mark.slow
def test_unknown_model_is_refused_without_loading_spacy(tmp_path: Path) -> None:
    code = (
        "from store.extract import SpacyExtractor, ExtractionError\n"
        "try:\n"
        "    SpacyExtractor('xx_missing').check()\n"
        "except ExtractionError:\n"
        "    pass\n"
    )
    assert not loaded_after(code, tmp_path) & SPACY


READER = """
import asyncio
import store
from tui.app import MarginApp

s = store.open_store(DB)
text = "Troops left Aleppo on Monday."
s.add_article(store.ArticleDraft(text, spans=(store.SpanDraft(12, 18, "GPE", "model:x@1"),)))


async def read() -> None:
    app = MarginApp(s, article_id=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "ReaderScreen", app.screen
        await pilot.press("escape")  # back to the library
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


asyncio.run(read())
s.close()
"""


def _read(tmp_path: Path) -> set[str]:
    """Open the reader on an article and go back to the library; every module left loaded."""
    return loaded_after(READER.replace("DB", repr(str(tmp_path / "r.db"))), tmp_path, full=True)


@pytest.mark.slow
def test_opening_the_reader_does_not_load_spacy(tmp_path: Path) -> None:
    loaded = _read(tmp_path)
    assert "tui.screens.reader" in loaded
    assert not {m.split(".")[0] for m in loaded} & SPACY


@pytest.mark.slow
def test_opening_the_reader_does_not_load_the_command_line(tmp_path: Path) -> None:
    loaded = _read(tmp_path)
    assert "tui.screens.reader" in loaded
    cli = {m for m in loaded if m == "tui.cli" or m.startswith("tui.cli.")}
    assert not cli, sorted(cli)


def test_no_import_circle_inside_the_store() -> None:
    """No module of store/ imports, directly or through others, a module that imports it
    (a package and its own modules aside), and none but the package imports the facade."""
    import grimp

    graph = grimp.build_graph("store")
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            related = imported.startswith(module + ".") or module.startswith(imported + ".")
            if related or not imported.startswith("store"):
                continue
            if graph.find_shortest_chain(importer=imported, imported=module):
                circles.append(f"{module} <-> {imported}")
    assert circles == []
    facade = graph.find_modules_that_directly_import("store.store")
    assert facade == {"store"}
