"""Aliases: one entity, several names; each entity has a stable id (that of its canonical name)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from .. import journal
from ..db import Unit
from ..errors import CorrectionError
from ..models import now


@dataclass(frozen=True)
class Entity:
    """An entity: its stable id, its canonical name, and its other names (aliases)."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it goes by, the canonical one first."""
        return (self.name, *self.aliases)


def _id_of(db: sqlite_utils.Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM entity_ids WHERE name = ?", (name,)).fetchone()
    return None if row is None else int(row[0])


def _ensure_id(tx: Unit, name: str) -> int:
    tx.execute("INSERT OR IGNORE INTO entity_ids (name) VALUES (?)", (name,))
    return int(tx.one("SELECT id FROM entity_ids WHERE name = ?", (name,)))


def resolve(db: sqlite_utils.Database, name: str) -> Entity | None:
    """The entity a name stands for (through its alias, if it is one), or None if unknown."""
    row = db.execute(
        "SELECT e.id, e.name FROM aliases a JOIN entity_ids e ON e.id = a.entity_id"
        " WHERE a.alias = ?",
        (name,),
    ).fetchone()
    if row is None:
        found = _id_of(db, name)
        if found is None:
            return None
        row = (found, name)
    aliases = tuple(
        r[0]
        for r in db.execute(
            "SELECT alias FROM aliases WHERE entity_id = ? ORDER BY alias", (int(row[0]),)
        )
    )
    return Entity(int(row[0]), str(row[1]), aliases)


def entity_id_map(db: sqlite_utils.Database, names: set[str]) -> dict[str, int]:
    """{name: stable entity id} for the names known (an alias maps to its entity's id)."""
    out: dict[str, int] = {}
    unique = sorted(names)
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        for name, eid in db.execute(
            f"SELECT e.name, COALESCE(a.entity_id, e.id) FROM entity_ids e"
            f" LEFT JOIN aliases a ON a.alias = e.name WHERE e.name IN ({marks})",
            chunk,
        ):
            out[str(name)] = int(eid)
    return out


def canonical_names(db: sqlite_utils.Database, ids: set[int]) -> dict[int, str]:
    """{entity id: its canonical name}."""
    out: dict[int, str] = {}
    unique = sorted(ids)
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        rows = db.execute(
            f"SELECT id, name FROM entity_ids WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        )
        out.update((int(r[0]), str(r[1])) for r in rows)
    return out


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def are_distinct(db: sqlite_utils.Database, a: str, b: str) -> bool:
    """True when a person said the two names are not the same entity."""
    x, y = _pair(a, b)
    return (
        db.execute("SELECT 1 FROM distinct_names WHERE a = ? AND b = ?", (x, y)).fetchone()
        is not None
    )


def alias(tx: Unit, name: str, canonical: str) -> Entity:
    """Make name an alias of the entity canonical names (one undo step); return that entity.

    The aliases of name, if it had some, move with it; a pair said to differ is refused.
    """
    name, canonical = name.strip(), canonical.strip()
    if not name or not canonical:
        raise CorrectionError("an alias and its canonical name must not be empty")
    target = resolve(tx.db, canonical)
    target_id = target.id if target else _ensure_id(tx, canonical)
    target_name = target.name if target else canonical
    if name == target_name:
        raise CorrectionError(f"{name!r} is already the canonical name of its entity")
    for other in (canonical, target_name):
        if are_distinct(tx.db, name, other):
            raise CorrectionError(
                f"{name!r} and {other!r} were marked as different entities"
                f" (margin unalias --not {name!r} {other!r} takes that back)"
            )
    _ensure_id(tx, name)
    own = resolve(tx.db, name)
    if own is not None and own.id == target_id:
        raise CorrectionError(f"{name!r} is already a name of {target_name!r}")
    moving = [name, *(own.aliases if own and own.name == name else ())]
    for alias_name in moving:
        _set(tx, alias_name, target_id, target_name)
    entity = resolve(tx.db, target_name)
    assert entity is not None
    return entity


def _set(tx: Unit, name: str, entity_id: int, canonical: str) -> None:
    row = tx.db.execute(
        "SELECT alias, entity_id, created_at FROM aliases WHERE alias = ?", (name,)
    ).fetchone()
    before = (
        None if row is None else dict(zip(("alias", "entity_id", "created_at"), row, strict=True))
    )
    if before is not None and before["entity_id"] == entity_id:
        return
    after = {"alias": name, "entity_id": entity_id, "created_at": now(), "canonical": canonical}
    tx.execute(
        "INSERT OR REPLACE INTO aliases (alias, entity_id, created_at) VALUES (?, ?, ?)",
        (name, entity_id, after["created_at"]),
    )
    journal.record(tx, "alias", before=before, after=after)


def unalias(tx: Unit, name: str) -> Entity:
    """Make name an entity of its own again (one undo step); return the entity it left."""
    row = tx.db.execute(
        "SELECT alias, entity_id, created_at FROM aliases WHERE alias = ?", (name,)
    ).fetchone()
    if row is None:
        raise CorrectionError(f"{name!r} is not an alias of any entity")
    left = resolve(tx.db, name)
    assert left is not None
    tx.execute("DELETE FROM aliases WHERE alias = ?", (name,))
    before = dict(zip(("alias", "entity_id", "created_at"), row, strict=True))
    journal.record(tx, "alias", before={**before, "canonical": left.name}, after=None)
    return left


def mark_distinct(tx: Unit, a: str, b: str) -> None:
    """Record that two names are different entities (an alias between them is undone too)."""
    if a == b:
        raise CorrectionError("a name cannot differ from itself")
    for one, other in ((a, b), (b, a)):
        entity = resolve(tx.db, other)
        if entity is not None and one in entity.names and one != entity.name:
            unalias(tx, one)
    x, y = _pair(a, b)
    if are_distinct(tx.db, x, y):
        raise CorrectionError(f"{a!r} and {b!r} are already marked as different entities")
    state = {"a": x, "b": y, "created_at": now()}
    tx.execute(
        "INSERT INTO distinct_names (a, b, created_at) VALUES (?, ?, ?)",
        (x, y, state["created_at"]),
    )
    journal.record(tx, "distinct", after=state)


def aliases(db: sqlite_utils.Database) -> list[Entity]:
    """Every entity that has aliases, by canonical name."""
    rows = db.execute(
        "SELECT DISTINCT e.name FROM aliases a JOIN entity_ids e ON e.id = a.entity_id"
        " ORDER BY e.name"
    ).fetchall()
    out = [resolve(db, str(r[0])) for r in rows]
    return [e for e in out if e is not None]
