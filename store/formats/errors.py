"""FormatError: one clear sentence naming the file and the place of bad input."""

from __future__ import annotations

from ..errors import FormatError

__all__ = ["FormatError"]
