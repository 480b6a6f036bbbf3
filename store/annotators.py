"""Who makes a change: the annotator's name (option, $MARGIN_ANNOTATOR, config, login) and counts per annotator."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from .errors import ConfigError

ENV = "MARGIN_ANNOTATOR"
UNKNOWN = "(unknown)"  # journal rows written before annotators were recorded
_COUNTED = ("accept", "reject", "relabel", "resize", "add", "review", "propagate")


def check_name(name: str, where: str = "--annotator") -> str:
    """The name stripped; ConfigError for an empty name or one with control characters."""
    clean = name.strip()
    if not clean or any(not ch.isprintable() for ch in clean):
        raise ConfigError(f"{where}: an annotator name must be printable text, not {name!r}")
    return clean


def annotator_name(option: str | None, config: dict[str, Any]) -> str:
    """--annotator, else $MARGIN_ANNOTATOR, else config [review] annotator, else the login name."""
    if option is not None:
        return check_name(option)
    env = os.environ.get(ENV)
    if env:
        return check_name(env, f"${ENV}")
    section = config.get("review", {})
    value = section.get("annotator") if isinstance(section, dict) else None
    if value is not None:
        if not isinstance(value, str):
            raise ConfigError(f"[review] annotator must be a name in quotes, not {value!r}")
        return check_name(value, "[review] annotator")
    try:
        return check_name(getpass.getuser(), "the login name")
    except (OSError, KeyError, ConfigError):  # no login name in a container: still a name
        return "user"


@dataclass
class AnnotatorCount:
    """What one annotator did: in this file's journal, and as merged from another file."""

    name: str
    changes: int = 0  # undoable journal groups still done
    actions: dict[str, int] = field(default_factory=dict)  # journal rows by action
    articles: int = 0  # articles their changes touched
    merged_articles: int = 0  # articles merged in from their file (margin merge)
    merged_reviewed: int = 0
    merged_spans: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin stats --by-annotator --json``."""
        return {
            "changes": self.changes,
            "actions": dict(sorted(self.actions.items())),
            "articles": self.articles,
            "merged": {
                "articles": self.merged_articles,
                "reviewed": self.merged_reviewed,
                "spans": self.merged_spans,
            },
        }


def by_annotator(db: sqlite_utils.Database) -> list[AnnotatorCount]:
    """Per annotator: the changes they made here (done, undoable) and what was merged as theirs."""
    out: dict[str, AnnotatorCount] = {}

    def slot(name: str | None) -> AnnotatorCount:
        key = name if name is not None else UNKNOWN
        return out.setdefault(key, AnnotatorCount(key))

    done = "undoable = 1 AND state = 'done'"
    for name, groups, arts in db.execute(
        "SELECT annotator, COUNT(DISTINCT group_id), COUNT(DISTINCT article_id) FROM journal"
        f" WHERE {done} GROUP BY annotator"
    ):
        a = slot(name)
        a.changes, a.articles = int(groups), int(arts)
    marks = ", ".join("?" * len(_COUNTED))
    for name, action, n in db.execute(
        f"SELECT annotator, action, COUNT(*) FROM journal WHERE {done} AND action IN ({marks})"
        " GROUP BY annotator, action",
        _COUNTED,
    ):
        slot(name).actions[str(action)] = int(n)
    for name, arts, reviewed in db.execute(
        "SELECT annotator, COUNT(*), SUM(reviewed) FROM annotator_articles GROUP BY annotator"
    ):
        a = slot(name)
        a.merged_articles, a.merged_reviewed = int(arts), int(reviewed or 0)
    for name, n in db.execute("SELECT annotator, COUNT(*) FROM annotator_spans GROUP BY annotator"):
        slot(name).merged_spans = int(n)
    return sorted(out.values(), key=lambda a: (a.name == UNKNOWN, a.name))
