"""The command line's commands, one module per group of commands."""

from __future__ import annotations

import click

from . import annotate, articles, doctor, export, read, search


def register(group: click.Group) -> None:
    """Add every command to the ``margin`` group."""
    for module in (articles, read, search, export, annotate, doctor):
        module.register(group)
