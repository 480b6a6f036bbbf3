"""The database layer: opening (pragmas, migrations), per-thread connections, the unit of work."""

from .connection import BUSY_TIMEOUT_MS, connect, open_database
from .migrate import LATEST, migrate, pending, version
from .pool import Connections
from .unit import Unit, unit_of_work

__all__ = [
    "BUSY_TIMEOUT_MS",
    "LATEST",
    "Connections",
    "Unit",
    "connect",
    "migrate",
    "open_database",
    "pending",
    "unit_of_work",
    "version",
]
