"""Pattern rules in the format of spaCy's EntityRuler and Prodigy: read, checked, matched.

One JSON object per line: ``{"label": "ORG", "pattern": [{"lower": "hezbollah"}]}`` (token
patterns, matched with spaCy's Matcher) or ``{"label": "GPE", "pattern": "New York"}``
(a phrase, matched with spaCy's PhraseMatcher on exact text). Extraction runs only the
tokenizer and NER, so only attributes the tokenizer gives are allowed (ORTH, LOWER, SHAPE,
IS_*, LIKE_* ...); POS, LEMMA, DEP and the like are refused with a sentence saying why.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FormatError
from .spans import check_unicode

if TYPE_CHECKING:
    from .models import Rule

# token attributes the tokenizer (and the vocabulary) give, without tagger or parser
TOKEN_ATTRS = frozenset(
    "ORTH TEXT LOWER NORM LENGTH SHAPE PREFIX SUFFIX OP IS_ALPHA IS_ASCII IS_DIGIT IS_LOWER"
    " IS_UPPER IS_TITLE IS_PUNCT IS_SPACE IS_STOP IS_BRACKET IS_QUOTE IS_LEFT_PUNCT"
    " IS_RIGHT_PUNCT IS_CURRENCY LIKE_NUM LIKE_URL LIKE_EMAIL".split()
)
PIPELINE_ATTRS = frozenset(
    "POS TAG MORPH LEMMA DEP HEAD ENT_TYPE ENT_IOB ENT_ID ENT_KB_ID SENT_START IS_SENT_START _".split()
)
MAX_LINE = 100_000  # characters: a pattern line longer than this is not a pattern
MAX_TOKENS = 64


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """spaCy's English tokenizer alone (what the patterns run on), loaded once."""
    import spacy

    nlp = spacy.blank("en")
    nlp.max_length = 10**9  # the tokenizer alone: no model memory to guard
    return nlp


def _regexes(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if str(k).upper() == "REGEX" and isinstance(v, str):
                yield v
            else:
                yield from _regexes(v)


def check_pattern(data: Any, path: str, where: str) -> tuple[str, str]:
    """(label, canonical pattern JSON) of one line's object; FormatError naming the line."""
    if not isinstance(data, dict):
        raise FormatError(path, where, 'must be a JSON object {"label": ..., "pattern": ...}')
    label, pattern = data.get("label"), data.get("pattern")
    if not isinstance(label, str) or not label.strip():
        raise FormatError(path, where, 'needs a "label" (a non-empty string)')
    try:
        check_unicode(label, "label")
    except ValueError as exc:
        raise FormatError(path, where, str(exc)) from None
    if isinstance(pattern, str):
        if not pattern.strip():
            raise FormatError(path, where, "has an empty phrase pattern")
    elif isinstance(pattern, list) and pattern:
        if len(pattern) > MAX_TOKENS:
            raise FormatError(path, where, f"has {len(pattern)} tokens; at most {MAX_TOKENS}")
        for i, token in enumerate(pattern, 1):
            if not isinstance(token, dict):
                raise FormatError(path, where, f"token {i} of the pattern is not an object")
            for key in token:
                name = str(key).upper()
                if name in PIPELINE_ATTRS:
                    raise FormatError(
                        path,
                        where,
                        f"token {i} uses {key}, which needs spaCy's tagger or parser;"
                        " extraction runs only the tokenizer and NER (use ORTH, LOWER, SHAPE ...)",
                    )
                if name not in TOKEN_ATTRS:
                    raise FormatError(path, where, f"token {i} has an unknown attribute {key!r}")
            for regex in _regexes(token):
                try:
                    re.compile(regex)
                except re.error as exc:
                    raise FormatError(path, where, f"token {i} has a bad REGEX ({exc})") from None
        from spacy.matcher import Matcher

        try:
            Matcher(_tokenizer().vocab, validate=True).add("check", [pattern])
        except Exception as exc:  # spaCy's MatchPatternError, or a ValueError of a value
            detail = next((ln.strip("- ") for ln in str(exc).splitlines() if "->" in ln), "")
            raise FormatError(
                path, where, f"is not a spaCy token pattern ({detail or str(exc).strip()})"
            ) from None
    else:
        raise FormatError(path, where, 'needs a "pattern": a string or a list of token objects')
    return label.strip(), json.dumps(pattern, ensure_ascii=False, sort_keys=True)


def read_patterns(path: str | Path) -> list[tuple[str, str]]:
    """Every (label, pattern JSON) of a JSONL pattern file, all checked before any is used."""
    p = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(p, None, f"cannot be read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise FormatError(p, None, "is a binary file, not JSON lines of patterns")
    out: list[tuple[str, str]] = []
    for n, line in enumerate(raw.split(b"\n"), 1):
        where = f"line {n}"
        try:
            text = line.decode("utf-8-sig" if n == 1 else "utf-8").strip()
        except UnicodeDecodeError as exc:
            raise FormatError(p, where, f"is not valid UTF-8 (byte {exc.start + 1})") from None
        if not text:
            continue
        if len(text) > MAX_LINE:
            raise FormatError(p, where, f"is longer than {MAX_LINE} characters")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(p, where, f"is not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise FormatError(p, where, "is nested too deeply to be a pattern") from None
        out.append(check_pattern(data, p, where))
    if not out:
        raise FormatError(p, None, "holds no pattern")
    return out


class PatternSet:
    """Pattern rules compiled into spaCy's Matcher and PhraseMatcher."""

    def __init__(self, rules: list[Rule]) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        nlp = _tokenizer()
        self._nlp = nlp
        self._tokens = Matcher(nlp.vocab)
        self._phrases = PhraseMatcher(nlp.vocab)
        self._rules: dict[int, Rule] = {}
        for rule in rules:
            data = json.loads(rule.pattern or "null")
            key = f"margin-pattern-{rule.id}"
            if isinstance(data, str):
                self._phrases.add(key, [nlp.make_doc(data)])
            elif isinstance(data, list):
                self._tokens.add(key, [data])
            self._rules[nlp.vocab.strings[key]] = rule

    def find(self, text: str) -> list[tuple[int, int, Rule]]:
        """The matches in text as (start, end, rule), character offsets, none overlapping:
        the longest first, then the earliest (spaCy's filter_spans)."""
        from spacy.tokens import Span
        from spacy.util import filter_spans

        doc = self._nlp.make_doc(text)
        found = list(self._tokens(doc)) + list(self._phrases(doc))
        if not found:
            return []
        spans = filter_spans([Span(doc, s, e, label=key) for key, s, e in found])
        return sorted(
            (sp.start_char, sp.end_char, self._rules[sp.label]) for sp in spans if len(sp.text)
        )


def as_lines(rules: list[Rule]) -> list[dict[str, Any]]:
    """Rules as EntityRuler pattern objects: token patterns, and surface rules as phrases
    (an any-case surface rule as a LOWER token pattern)."""
    out: list[dict[str, Any]] = []
    for rule in rules:
        if rule.label is None:
            continue
        if rule.kind == "pattern" and rule.pattern is not None:
            out.append({"label": rule.label, "pattern": json.loads(rule.pattern)})
        elif rule.kind == "surface" and rule.case_sensitive:
            out.append({"label": rule.label, "pattern": rule.surface})
        elif rule.kind == "surface":
            tokens = [{"LOWER": t.lower_} for t in _tokenizer().make_doc(rule.surface)]
            out.append({"label": rule.label, "pattern": tokens})
    return out
