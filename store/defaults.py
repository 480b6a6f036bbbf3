"""The default label set: the OntoNotes labels of spaCy's English models, in displaCy's colours."""

from __future__ import annotations

from .models import Label

# (name, description, displaCy colour)
_DEFAULTS: tuple[tuple[str, str, str], ...] = (
    ("PERSON", "People, including fictional", "#aa9cfc"),
    ("NORP", "Nationalities or religious or political groups", "#c887fb"),
    ("FAC", "Buildings, airports, highways, bridges", "#9cc9cc"),
    ("ORG", "Companies, agencies, institutions", "#7aecec"),
    ("GPE", "Countries, cities, states", "#feca74"),
    ("LOC", "Non-GPE locations, mountain ranges, bodies of water", "#ff9561"),
    ("PRODUCT", "Objects, vehicles, foods (not services)", "#bfeeb7"),
    ("EVENT", "Named hurricanes, battles, wars, sports events", "#ffeb80"),
    ("WORK_OF_ART", "Titles of books, songs", "#f0d0ff"),
    ("LAW", "Named documents made into laws", "#ff8197"),
    ("LANGUAGE", "Any named language", "#ff8197"),
    ("DATE", "Absolute or relative dates or periods", "#bfe1d9"),
    ("TIME", "Times smaller than a day", "#bfe1d9"),
    ("PERCENT", "Percentage", "#e4e7d2"),
    ("MONEY", "Monetary values", "#e4e7d2"),
    ("QUANTITY", "Measurements of weight or distance", "#e4e7d2"),
    ("ORDINAL", "first, second", "#e4e7d2"),
    ("CARDINAL", "Numerals that do not fall under another type", "#e4e7d2"),
)


def default_labels() -> list[Label]:
    """Return the default labels; the first nine get the number keys 1..9."""
    return [
        Label(name, desc, color, str(i + 1) if i < 9 else "", i)
        for i, (name, desc, color) in enumerate(_DEFAULTS)
    ]


__all__ = ["_DEFAULTS", "default_labels"]
