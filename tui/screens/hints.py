"""The hint jump (reader f and F): a label over each visible entity or word; typing one goes there."""

from __future__ import annotations

from itertools import product
from typing import Generic, TypeVar

from textual import events
from textual.screen import ModalScreen

T = TypeVar("T")

LETTERS = "asdfghjklqwertyuiopzxcvbnm"  # home row first, as Vimium and vim-easymotion


def hint_labels(n: int, letters: str = LETTERS) -> list[str]:
    """n distinct labels, none the start of another, as many of one letter as can be.

    Up to one per letter, single letters; beyond that the last letters become prefixes of
    two-letter labels (Vimium's way): 36 entities get 25 single letters and 11 "m?" labels.
    """
    k = len(letters)
    if n <= k:
        return list(letters[:n])
    if n > k * k:
        size = 3
        while k**size < n:
            size += 1
        return ["".join(p) for p in product(letters, repeat=size)][:n]
    single = (k * k - n) // (k - 1)
    doubles = [a + b for a in letters[single:] for b in letters]
    return [*letters[:single], *doubles][:n]


def assign(targets: list[T]) -> dict[str, T]:
    """Hint label -> target (an entity, a word's offset), in text order."""
    return dict(zip(hint_labels(len(targets)), targets, strict=True))


class HintScreen(ModalScreen[T | None], Generic[T]):
    """Invisible over the reader (which draws the labels): takes the typed letters, then closes."""

    def __init__(self, hints: dict[str, T]) -> None:
        super().__init__()
        self.hints = hints
        self.typed = ""

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key == "escape":
            self.dismiss(None)
            return
        char = event.character or ""
        if event.key == "backspace":
            self.typed = self.typed[:-1]
            return
        if len(char) != 1 or not char.isprintable():
            return
        self.typed += char.lower()
        if self.typed in self.hints:
            self.dismiss(self.hints[self.typed])
        elif not any(h.startswith(self.typed) for h in self.hints):
            self.notify(f"no entity has the hint {self.typed!r}", severity="warning", timeout=2)
            self.dismiss(None)
