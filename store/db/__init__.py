"""The database layer: opening (pragmas, migrations), per-thread connections, the unit of work."""

from .connection import BUSY_TIMEOUT_MS, connect, open_database, open_existing
from .guard import check_pages, refuse_foreign
from .migrate import LATEST, migrate, pending, version
from .pool import Connections
from .unit import Unit, unit_of_work

__all__ = [
    "BUSY_TIMEOUT_MS",
    "LATEST",
    "Connections",
    "Unit",
    "check_pages",
    "connect",
    "migrate",
    "open_database",
    "open_existing",
    "pending",
    "refuse_foreign",
    "unit_of_work",
    "version",
]
