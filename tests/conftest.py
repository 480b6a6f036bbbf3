"""Shared fixtures: a fresh database per test, an isolated environment, the tiny model.

Helpers (sample texts, the fake model, process runners, probes) live in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import Store, open_store
from tests.helpers import tiny_model_path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a database file that does not exist yet."""
    return tmp_path / "margin.db"


@pytest.fixture
def store(db_path: Path):
    """A fresh, migrated store, closed after the test."""
    s: Store = open_store(db_path)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's real database and config."""
    monkeypatch.setenv("MARGIN_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("MARGIN_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("MARGIN_MODEL", raising=False)
    monkeypatch.delenv("MARGIN_SCHEDULER", raising=False)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a spaCy pipeline with only an entity ruler (fast), shared by the process tests."""
    return tiny_model_path(tmp_path_factory)
