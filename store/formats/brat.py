"""brat standoff: ``.txt`` + ``.ann`` pairs (``T`` lines), ``annotation.conf``, ``visual.conf``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..models import Label, Span
from .common import AnnotatedDraft, ExportDoc, OffsetMap, WriteReport, span_draft
from .errors import FormatError

NAME = "brat"
EXTENSIONS = (".ann",)

_T = re.compile(r"^T(\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_BAD_LABEL = re.compile(r"[\s|:,;=]")


def _raw_text(path: str, txt: Path) -> str:
    try:
        data = txt.read_bytes()
    except OSError as exc:
        raise FormatError(
            str(txt), None, f"cannot be read ({exc.strerror}); {path} needs it"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(str(txt), f"byte {exc.start}", "is not valid UTF-8 text") from None


def _flat(s: str) -> str:
    return re.sub(r"\s", " ", s)


def read(path: str, data: bytes) -> Iterator[AnnotatedDraft]:
    """Yield the article of one ``.ann`` file and its ``.txt`` sibling.

    Offsets count code points of the ``.txt`` as it is (``\\r\\n`` and a BOM are mapped onto
    the stored text). Discontinuous spans, relations, events, attributes and AnnotatorNotes
    (``#`` lines; margin has nowhere to keep them) are reported and left out.
    """
    if path in ("-", "<stdin>"):
        raise FormatError(path, None, "brat needs a .ann file beside its .txt, not standard input")
    txt = Path(path).with_suffix(".txt")
    if not txt.exists():
        raise FormatError(path, None, f"has no text file {txt.name} beside it")
    raw_text = _raw_text(path, txt)
    fix = OffsetMap(raw_text)
    if not fix.text.strip():
        raise FormatError(str(txt), None, "is empty")
    try:
        ann = data.decode("utf-8").removeprefix("\ufeff")  # Windows editors add a BOM
    except UnicodeDecodeError as exc:
        raise FormatError(path, f"byte {exc.start}", "is not valid UTF-8 text") from None
    spans = []
    other: dict[str, int] = {}
    warnings: list[str] = []
    for n, line in enumerate(ann.split("\n"), 1):  # not splitlines: \x85, \u2028 are text
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"line {n}"
        kind = line[0]
        if kind != "T":
            if kind not in "REAMN#*":
                raise FormatError(
                    path, where, "is not a brat annotation line (T, R, E, A, M, N, #, *)"
                )
            other[kind] = other.get(kind, 0) + 1  # "#" lines are notes (AnnotatorNotes)
            continue
        m = _T.match(line)
        if m is None:
            raise FormatError(
                path, where, "is not a text-bound annotation (T1<TAB>LABEL start end<TAB>text)"
            )
        tid, label, frags, surface = m.groups()
        pairs = [tuple(int(x) for x in f.split()) for f in frags.split(";")]
        if len(pairs) > 1:
            warnings.append(
                f"{path}, {where}: T{tid} is a discontinuous span ({frags}); not imported"
            )
            continue
        start, end = pairs[0]
        if end > len(raw_text) or start >= end:
            raise FormatError(
                path, where, f"has a span {start}..{end} outside the text (length {len(raw_text)})"
            )
        if surface and _flat(raw_text[start:end]) != _flat(surface):
            raise FormatError(
                path,
                where,
                f"has a span {start}..{end} whose text {surface!r} is not {raw_text[start:end]!r}",
            )
        spans.append(span_draft(path, where, fix.text, fix(start), fix(end), label, NAME))
    names = {
        "R": "relation",
        "E": "event",
        "A": "attribute",
        "M": "attribute",
        "N": "normalisation",
        "*": "equivalence",
        "#": "annotator note",
    }
    for kind, count in other.items():
        what = "annotator note(s)" if kind == "#" else f"{names[kind]} line(s)"
        warnings.append(f"{path}: {count} {what} not imported")
    yield AnnotatedDraft(
        text=fix.text, title=None, source=str(txt), spans=tuple(spans), warnings=tuple(warnings)
    )


def _note(span: Span, rejected: Iterable[Span]) -> str | None:
    replaced = [r for r in rejected if r.start < span.end and span.start < r.end]
    if span.source == "user" and replaced:
        olds = "; ".join(
            f"was {r.label} {_flat(r.text)!r} {r.start}-{r.end} from {r.source}" for r in replaced
        )
        return f"corrected by a person: {olds}"
    if span.source == "user":
        return "added by a person"
    if span.status == "accepted" and (
        span.source.startswith("model:") or span.source.startswith("rule:")
    ):
        return f"accepted suggestion of {span.source}"
    return None


def write_folder(
    docs: Iterable[ExportDoc], out: Path, report: WriteReport, labels: list[Label]
) -> None:
    """Write ``<article id>.txt`` and ``.ann`` per article, plus annotation.conf and visual.conf."""
    out.mkdir(parents=True, exist_ok=True)
    used: dict[str, None] = {}
    for doc in docs:
        art = doc.article
        lines: list[str] = []
        notes: list[str] = []
        refs: list[str] = []
        t = 0
        for span in doc.spans:
            if _BAD_LABEL.search(span.label):
                report.skip(doc, span, "label has spaces or characters brat type names cannot hold")
                continue
            t += 1
            used[span.label] = None
            lines.append(f"T{t}\t{span.label} {span.start} {span.end}\t{_flat(span.text)}")
            if span.text in doc.entity_ids:  # a normalization to margin's stable entity id
                ref = f"N{len(refs) + 1}\tReference T{t} margin:{doc.entity_ids[span.text]}"
                refs.append(f"{ref}\t{_flat(span.text)}")
            note = _note(span, doc.rejected)
            if note:
                notes.append(f"#{len(notes) + 1}\tAnnotatorNotes T{t}\t{_flat(note)}")
        stem = out / str(art.id)
        stem.with_suffix(".txt").write_text(art.text, encoding="utf-8", newline="")
        stem.with_suffix(".ann").write_text(
            "".join(x + "\n" for x in lines + notes + refs), encoding="utf-8", newline=""
        )
        report.articles += 1
        report.spans += t
    colors = {lab.name: lab.color for lab in labels}
    names = list(used) or [lab.name for lab in labels if not _BAD_LABEL.search(lab.name)]
    (out / "annotation.conf").write_text(
        "[entities]\n"
        + "".join(f"{n}\n" for n in names)
        + "\n[relations]\n\n[events]\n\n[attributes]\n",
        encoding="utf-8",
    )
    visual = "[labels]\n" + "".join(f"{n} | {n}\n" for n in names) + "\n[drawing]\n"
    visual += "".join(f"{n}\tbgColor:{_hex6(colors.get(n, '#dddddd'))}\n" for n in names)
    (out / "visual.conf").write_text(visual, encoding="utf-8")
    report.files.append(str(out))


def _hex6(color: str) -> str:
    if re.fullmatch(r"#[0-9a-fA-F]{3}", color):
        return "#" + "".join(c * 2 for c in color[1:])
    return color
