"""What every command shares: the database path, the config, and the store opened on demand."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from store import Store, open_store
from store.annotators import annotator_name
from store.config import load_config, model_name


@dataclass
class Context:
    """The command line's shared state (click's ``ctx.obj``)."""

    db_path: Path
    config_file: Path | None = None
    front: str = "cli"  # who writes, for the journal's origin: "cli", or "tui" for the reader
    read_only: bool = False  # the command only reads: open the database with mode=ro
    annotator_option: str | None = None  # --annotator (see store.annotators.annotator_name)
    _store: Store | None = None
    _config: dict[str, Any] | None = field(default=None, repr=False)

    def store(self) -> Store:
        """Open the store once per command."""
        if self._store is None:
            self._store = open_store(self.db_path, origin=self.origin(), read_only=self.read_only)
            overlaps = self.config().get("annotate", {}).get("allow_overlaps")
            if overlaps is not None:  # the config file overrides the project's setting
                self._store.allow_overlaps = bool(overlaps)
            self._store.annotator = annotator_name(self.annotator_option, self.config())
        return self._store

    def origin(self) -> str:
        """This process in the journal: "cli:PID@SHELL" (one shell's commands are one person's)."""
        if self.front == "tui":
            return f"tui:{os.getpid()}"
        return f"cli:{os.getpid()}@{os.getppid()}"

    def config(self) -> dict[str, Any]:
        """Read the config file once."""
        if self._config is None:
            self._config = load_config(self.config_file)
        return self._config

    def model(self, override: str | None = None) -> str:
        """The spaCy model to use: --model, else $MARGIN_MODEL, else the database's
        (`margin models use`), else the config's, else the default."""
        return (
            override
            or os.environ.get("MARGIN_MODEL")
            or self.store().model_in_use()
            or model_name(self.config())
        )

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


pass_context = click.make_pass_decorator(Context)
