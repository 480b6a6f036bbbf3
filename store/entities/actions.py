"""Decisions on an entity page: bulk accept/reject/relabel, and one label for every mention."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from .. import corrections, propagation
from ..db import Unit
from ..errors import CorrectionError
from ..models import PropagationPreview
from .page import entity

ACTIONS = ("accept", "reject", "relabel")


def bulk(tx: Unit, span_ids: Sequence[int], action: str, label: str | None = None) -> int:
    """Accept, reject or relabel the given spans in one unit (one undo); return how many."""
    if action not in ACTIONS:
        raise CorrectionError(f"unknown action {action!r}; choose accept, reject or relabel")
    if action == "relabel" and not label:
        raise CorrectionError("relabel needs a label")
    if not span_ids:
        raise CorrectionError("no mentions are selected")
    for span_id in dict.fromkeys(span_ids):
        with tx.nested():
            if action == "accept":
                corrections.accept(tx, span_id)
            elif action == "reject":
                corrections.reject(tx, span_id)
            else:
                corrections.relabel(tx, span_id, str(label))
    return len(set(span_ids))


@dataclass(frozen=True)
class OneLabel:
    """What giving every mention of an entity one label would do, name by name."""

    label: str | None
    previews: tuple[PropagationPreview, ...]

    @property
    def mentions(self) -> int:
        """Mentions that would change."""
        return sum(len(p.mentions) for p in self.previews)

    @property
    def articles(self) -> int:
        """Articles that would change."""
        return len({m.article_id for p in self.previews for m in p.mentions})


def plan_one_label(db: sqlite_utils.Database, name: str, label: str | None) -> OneLabel:
    """Preview: every mention of every name of the entity gets label (None: rejected)."""
    found = entity(db, name)
    return OneLabel(label, tuple(propagation.plan(db, n, label) for n in found.names))


def one_label(tx: Unit, name: str, label: str | None) -> int:
    """Give every mention of every name of the entity the label, in one journal group."""
    found = entity(tx.db, name)
    return sum(propagation.apply(tx, n, label).mentions for n in found.names)
