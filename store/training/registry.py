"""The trained models a database knows: their folders, their records, the one in use."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import sqlite_utils

from ..config import APP
from ..db import Unit
from ..errors import MarginError, NotFound
from ..extract import SpacyExtractor

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
META_KEY = "margin"  # the key of the trained pipeline's meta.json that margin writes


class TrainingError(MarginError, ValueError):
    """A training that cannot run as asked (no reviewed article, a bad name, no NER ...)."""


@dataclass(frozen=True)
class TrainedModel:
    """One training, as the database recorded it."""

    id: int
    name: str
    tag: str
    source: str
    path: str
    base: str
    base_source: str
    labels: tuple[str, ...]
    articles: int
    spans: int
    dev_articles: int
    rehearsal: int
    epochs: int
    seconds: float
    scores: dict[str, Any]
    base_scores: dict[str, Any]
    journal_position: int
    trained_at: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin models --json``."""
        out = dict(self.__dict__)
        out["labels"] = list(self.labels)
        return out


def models_dir() -> Path:
    """Where trained pipelines live: $MARGIN_MODELS, else models/ in the user data folder."""
    env = os.environ.get("MARGIN_MODELS")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP)) / "models"


def check_name(name: str) -> str:
    """A model name is a folder name: letters, digits, ``_ . -``, at most 64 characters."""
    if not NAME.fullmatch(name):
        raise TrainingError(
            f"--name {name!r} is not a model name: use letters, digits, '_', '.' and '-'"
            " (64 at most, starting with a letter or digit)"
        )
    return name


def _row(r: dict[str, Any]) -> TrainedModel:
    return TrainedModel(
        id=r["id"],
        name=r["name"],
        tag=r["tag"],
        source=r["source"],
        path=r["path"],
        base=r["base"],
        base_source=r["base_source"] or "",
        labels=tuple(json.loads(r["labels"] or "[]")),
        articles=r["articles"] or 0,
        spans=r["spans"] or 0,
        dev_articles=r["dev_articles"] or 0,
        rehearsal=r["rehearsal"] or 0,
        epochs=r["epochs"] or 0,
        seconds=r["seconds"] or 0.0,
        scores=json.loads(r["scores"] or "{}"),
        base_scores=json.loads(r["base_scores"] or "{}"),
        journal_position=r["journal_position"] or 0,
        trained_at=r["trained_at"],
    )


def trained(db: sqlite_utils.Database) -> list[TrainedModel]:
    """Every training this database recorded, oldest first."""
    if not db["models"].exists():  # read-only, older than migration 7
        return []
    return [_row(r) for r in db["models"].rows_where(order_by="id")]


def find(db: sqlite_utils.Database, name: str) -> TrainedModel | None:
    """The newest training recorded under name (or with that exact source), if any."""
    if not db["models"].exists():
        return None
    for r in db["models"].rows_where(
        "name = ? OR source = ?", [name, name], order_by="id DESC", limit=1
    ):
        return _row(r)
    return None


def record(tx: Unit, values: dict[str, Any]) -> int:
    """Record a finished training; returns its id."""
    row = dict(values)
    for key in ("labels", "scores", "base_scores"):
        row[key] = json.dumps(row[key], ensure_ascii=False)
    tx.db.table("models").insert(row)
    return int(tx.one("SELECT last_insert_rowid()"))


def in_use(db: sqlite_utils.Database) -> str | None:
    """The model ``margin models use`` made this database's default, if any."""
    if not db["settings"].exists():
        return None
    row = db.execute("SELECT value FROM settings WHERE key = 'model'").fetchone()
    return None if row is None else str(row[0])


def use(tx: Unit, name: str | None) -> None:
    """Make a trained model (or an installed pipeline) the database's default; None clears it."""
    if name is None:
        tx.execute("DELETE FROM settings WHERE key = 'model'")
        return
    if find(tx.db, name) is None and folder_meta(models_dir() / name) is None:
        SpacyExtractor(name).check()  # an installed package or a folder: else one sentence
    tx.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('model', ?)", (name,))


def folder_meta(path: Path) -> dict[str, Any] | None:
    """What margin wrote into a trained pipeline's meta.json, None for another folder."""
    try:
        meta = json.loads((path / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    found = meta.get(META_KEY) if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else None


def trained_path(db: sqlite_utils.Database, name: str) -> tuple[str, str] | None:
    """(folder, source) of a trained model by name (the newest training) or by exact source;
    None when name is not a trained model (a spaCy package or folder, then).

    A trained model's suggestions carry the source its folder records (``model:NAME@TAG``),
    so two trainings of one name are told apart.
    """
    model = find(db, name)
    if model is None and not NAME.fullmatch(name):
        return None
    path = Path(model.path) if model else models_dir() / name
    meta = folder_meta(path)
    if meta is None:
        if model is not None:
            raise NotFound(
                f"the trained model {name!r} is recorded but its folder {path} is gone;"
                " train it again or choose another with --model"
            )
        return None
    return str(path), str(meta["source"])


def extractor_for(db: sqlite_utils.Database, name: str) -> SpacyExtractor:
    """The extractor for a model name: a trained model (see trained_path), else spaCy's."""
    found = trained_path(db, name)
    return SpacyExtractor(found[0], source=found[1]) if found else SpacyExtractor(name)
