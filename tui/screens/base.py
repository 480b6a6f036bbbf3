"""Screens that work on the App's store: a typed ``store`` property instead of ``self.app.store``."""

from __future__ import annotations

from typing import TypeVar

from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from store import Store

ResultT = TypeVar("ResultT")


def store_of(node: DOMNode) -> Store:
    """The store of the App this node runs in (MarginApp, or a test's host App with ``store``)."""
    store = getattr(node.app, "store", None)
    if not isinstance(store, Store):
        raise TypeError(f"{type(node.app).__name__} has no store for {type(node).__name__}")
    return store


class StoreScreen(Screen[ResultT]):
    """A full screen that reads and writes the App's store (in its workers)."""

    @property
    def store(self) -> Store:
        """The App's store."""
        return store_of(self)


class StoreModal(ModalScreen[ResultT]):
    """A modal screen that reads the App's store (in its workers)."""

    @property
    def store(self) -> Store:
        """The App's store."""
        return store_of(self)
