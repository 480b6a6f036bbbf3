"""The correcting commands: annotate, propagate, undo, redo, review, rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from store import Change, PropagationPreview, Rule, Span, Store
from store.errors import CorrectionError

from ..plain import plain
from .context import Context, pass_context
from .output import echo, echo_json, error, json_text

SHOWN = 5  # mentions a propagation preview shows in context


def _label(store: Store, label: str, new_label: bool) -> str:
    """Return label if the legend has it (or new labels are allowed); else one clear error."""
    name = label.strip()
    known = [lab.name for lab in store.labels()]
    if name in known or (new_label and name):
        return name
    raise CorrectionError(
        f"unknown label {label!r} (known: {', '.join(known)}); --new-label adds it"
    )


def _quoted(text: str) -> str:
    """text quoted, each control character escaped once (repr, then plain for the rest)."""
    return plain(repr(text), one_line=True)


def _span_line(span: Span) -> str:
    return (
        f"span {span.id}: {_quoted(span.text)} {span.start}..{span.end}"
        f" {plain(span.label, one_line=True)} ({span.status}, {plain(span.source, one_line=True)})"
    )


def _own_span(store: Store, article_id: int, span_id: int) -> Span:
    span = store.span(span_id)
    if span.article_id != article_id:
        raise CorrectionError(
            f"span {span_id} belongs to article {span.article_id}, not article {article_id}"
        )
    return span


@click.command("annotate")
@click.argument("article_id", type=int, required=False)
@click.argument("resize_label", metavar="[LABEL]", required=False)
@click.option(
    "--add",
    nargs=3,
    type=(int, int, str),
    metavar="START END LABEL",
    default=None,
    help="Tag text[START:END] (code points, end exclusive) with LABEL.",
)
@click.option(
    "--relabel",
    nargs=2,
    type=(int, str),
    metavar="SPAN_ID LABEL",
    default=None,
    help="Give a span another label (the old span is kept as rejected).",
)
@click.option(
    "--resize",
    nargs=3,
    type=(int, int, int),
    metavar="SPAN_ID START END",
    default=None,
    help="Move a span's boundaries, and give it LABEL if one follows (the old span is kept as"
    " rejected).",
)
@click.option("--reject", type=int, metavar="SPAN_ID", help="Reject a span.")
@click.option("--accept", type=int, metavar="SPAN_ID", help="Accept a span.")
@click.option(
    "--reject-remaining", is_flag=True, help="Reject every suggestion still open in the article."
)
@click.option(
    "--batch",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="JSON lines of operations, all made as one step (or none if one is refused).",
)
@click.option("--new-label", is_flag=True, help="Allow a label the legend does not have yet.")
@click.option("--json", "as_json", is_flag=True, help="Print the resulting span as JSON.")
@pass_context
def annotate_cmd(
    obj: Context,
    article_id: int | None,
    resize_label: str | None,
    add: tuple[int, int, str] | None,
    relabel: tuple[int, str] | None,
    resize: tuple[int, int, int] | None,
    reject: int | None,
    accept: int | None,
    reject_remaining: bool,
    batch: Path | None,
    new_label: bool,
    as_json: bool,
) -> None:
    """Make one correction in an article (or a --batch of them); `margin undo` reverts it.

    --resize SPAN_ID START END [LABEL] moves a span and relabels it in the same step.
    --batch FILE takes JSON lines such as {"op": "resize", "span": 3, "start": 0, "end": 5,
    "label": "ORG"} (ops: accept, reject, relabel, resize, add, reject_remaining; "article"
    defaults to ARTICLE_ID).
    """
    flags = (add, relabel, resize, reject, accept, batch)
    given = [x for x in flags if x is not None] + ([True] if reject_remaining else [])
    if len(given) != 1:
        raise CorrectionError(
            "give exactly one of --add, --relabel, --resize, --reject, --accept,"
            " --reject-remaining, --batch"
        )
    if resize_label is not None and resize is None:
        raise CorrectionError(f"unexpected {resize_label!r}: only --resize takes a LABEL after it")
    store = obj.store()
    if batch is not None:
        _run_batch(store, batch, article_id, new_label, as_json)
        return
    if article_id is None:
        raise CorrectionError("give the ARTICLE_ID")
    store.article(article_id)  # NotFound names a missing article
    if reject_remaining:
        n = store.reject_remaining(article_id)
        if as_json:
            echo_json({"rejected": n, "article": article_id})
        else:
            echo(f"article {article_id}: {n} suggestion(s) rejected")
        return
    if add is not None:
        start, end, label = add
        span_id = store.add_span(article_id, start, end, _label(store, label, new_label))
    elif relabel is not None:
        sid, label = relabel
        _own_span(store, article_id, sid)
        span_id = store.relabel(sid, _label(store, label, new_label))
    elif resize is not None:
        sid, start, end = resize
        _own_span(store, article_id, sid)
        new = None if resize_label is None else _label(store, resize_label, new_label)
        span_id = store.resize(sid, start, end, new)
    elif reject is not None:
        _own_span(store, article_id, reject)
        span_id = store.reject(reject)
    else:
        assert accept is not None
        _own_span(store, article_id, accept)
        span_id = store.accept(accept)
    span = store.span(span_id)
    if as_json:
        echo_json(span.as_dict())
    else:
        echo(_span_line(span))


def _run_batch(
    store: Store, path: Path, article_id: int | None, new_label: bool, as_json: bool
) -> None:
    """Every operation of the file in one step; a refused one names its line, nothing stays."""
    ops = store.read_batch(path, article_id)
    if not new_label:
        known = {lab.name for lab in store.labels()}
        for op in ops:
            label = op.get("label")
            if isinstance(label, str) and label.strip() not in known:
                raise CorrectionError(
                    f"{path}, line {op['line']}: unknown label {label!r}; --new-label adds it"
                )
    ids = store.run_batch(ops, str(path))
    if as_json:
        echo_json({"operations": len(ops), "spans": ids})
    else:
        echo(f"{len(ops)} operation(s) made as one step; `margin undo` reverts them all")


def _preview_json(p: PropagationPreview) -> dict[str, Any]:
    return {
        "surface": p.surface,
        "label": p.label,
        "case_sensitive": p.case_sensitive,
        "article_id": p.article_id,
        "changes": len(p.mentions),
        "articles": p.articles,
        "counts": p.counts(),
        "skipped": len(p.skipped),
        "reviewed": len(p.reviewed),
        "breakdown": p.breakdown(),
        "replace": p.replace,
        "include_reviewed": p.include_reviewed,
        "mentions": [
            {
                "article_id": m.article_id,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "action": m.action,
                "span_id": m.span_id,
                "label": m.current_label,
                "status": m.current_status,
                "replaces": list(m.replaces),
            }
            for m in p.mentions
        ],
    }


def _breakdown(counts: dict[str, int]) -> str:
    """'2 relabel, 1 newly tagged, 3 skipped (overlap an entity), ...': every count, in order."""
    names = {
        "relabel": "relabel",
        "accept": "accept",
        "add": "newly tagged",
        "replace": "replaced",
        "reject": "reject",
        "skipped": "skipped (overlap an entity)",
        "reviewed": "in reviewed articles, left alone",
    }
    return ", ".join(f"{counts.get(k, 0)} {v}" for k, v in names.items() if counts.get(k, 0))


def _decision(surface: str, label: str | None) -> str:
    target = "rejected" if label is None else f"-> {plain(label, one_line=True)}"
    return f"{_quoted(surface)} {target}"


@click.command("propagate")
@click.argument("surface")
@click.argument("label", required=False)
@click.option("--reject", is_flag=True, help="Reject every mention instead of labelling it.")
@click.option("--article", "article_id", type=int, help="Only this article (default: all).")
@click.option("--ignore-case", is_flag=True, help="Match the surface in any case.")
@click.option("--dry-run", is_flag=True, help="Show what would change, change nothing.")
@click.option(
    "--learn/--no-learn",
    default=None,
    help="Keep the decision as a rule for later extraction (default: unless --article).",
)
@click.option("--new-label", is_flag=True, help="Allow a label the legend does not have yet.")
@click.option(
    "--replace",
    is_flag=True,
    help="Tag mentions that overlap an entity too, rejecting the entities they overlap.",
)
@click.option("--include-reviewed", is_flag=True, help="Change mentions in reviewed articles too.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@pass_context
def propagate_cmd(
    obj: Context,
    surface: str,
    label: str | None,
    reject: bool,
    article_id: int | None,
    ignore_case: bool,
    dry_run: bool,
    learn: bool | None,
    new_label: bool,
    replace: bool,
    include_reviewed: bool,
    as_json: bool,
) -> None:
    """Give every mention of SURFACE the LABEL (or --reject them all) as one undoable change.

    Mentions are whole words (case-sensitive unless --ignore-case) and tagged spans with that
    exact text. Untagged mentions that overlap another entity are skipped (--replace: the
    entities they overlap are rejected and the mention tagged). Mentions in reviewed articles
    are counted and left alone unless --include-reviewed. A corpus-wide decision also becomes
    a rule that later extraction applies (see `margin rules`); --no-learn / --learn change that.
    """
    if reject == (label is not None):
        raise CorrectionError("give a LABEL or --reject, not both or neither")
    store = obj.store()
    if label is not None:
        label = _label(store, label, new_label)
    if dry_run:
        p = store.preview_propagation(
            surface,
            label,
            article_id=article_id,
            case_sensitive=not ignore_case,
            replace=replace,
            include_reviewed=include_reviewed,
        )
        if as_json:
            echo_json(_preview_json(p))
            return
        echo(
            f"{_decision(surface, label)}: {len(p.mentions)} mention(s) in {p.articles}"
            f" article(s) would change ({_breakdown(p.breakdown()) or 'nothing'})"
        )
        for m in p.mentions[:SHOWN]:
            ctx = plain(f"{m.before[-25:]}[{m.text}]{m.after[:25]}", one_line=True)
            was = plain(m.current_label or "untagged", one_line=True)
            echo(f"  {m.article_id:>6} {m.start:>6}  {m.action:<7} {was:<10} …{ctx}…")
        if len(p.mentions) > SHOWN:
            echo(f"  ... and {len(p.mentions) - SHOWN} more")
        return
    done = store.apply_propagation(
        surface,
        label,
        article_id=article_id,
        case_sensitive=not ignore_case,
        learn=learn,
        replace=replace,
        include_reviewed=include_reviewed,
    )
    n, arts = done.mentions, list(done.articles)
    counts = dict(done.counts, skipped=done.skipped, reviewed=done.reviewed)
    if as_json:
        echo_json({"changed": n, "articles": arts, "rule": done.rule, "breakdown": counts})
        return
    tail = f"; rule {done.rule} learned" if done.rule is not None else ""
    detail = _breakdown(counts)
    echo(
        f"{_decision(surface, label)}: {n} mention(s) changed in {len(arts)} article(s)"
        + (f" ({detail})" if detail else "")
        + tail
        + ("; `margin undo` reverts it" if done.group is not None else "")
    )


def _change_line(verb: str, change: Change) -> str:
    return f"{verb}: {plain(change.describe(), one_line=True)}"


@click.command("undo")
@pass_context
def undo_cmd(obj: Context) -> None:
    """Undo the newest change (a propagation undoes as one)."""
    store = obj.store()
    change = store.undo_change()
    warning = store.made_elsewhere(change)
    if warning is not None:
        error(f"note: {warning}; `margin redo` puts it back")
    echo(_change_line("undone", change))


@click.command("redo")
@pass_context
def redo_cmd(obj: Context) -> None:
    """Redo the change undone last."""
    echo(_change_line("redone", obj.store().redo_change()))


@click.command("review")
@click.argument("article_id", type=int)
@click.option("--undo", "unreview", is_flag=True, help="Mark the article not reviewed again.")
@pass_context
def review_cmd(obj: Context, article_id: int, unreview: bool) -> None:
    """Mark an article reviewed: its remaining suggestions count as accepted for export."""
    store = obj.store()
    art = store.article(article_id)
    if art.reviewed != unreview:
        echo(f"article {article_id} is already {'not ' if unreview else ''}reviewed")
        return
    store.set_reviewed(article_id, not unreview)
    if unreview:
        echo(f"article {article_id} marked not reviewed")
        return
    pending = sum(1 for s in store.spans(article_id) if s.status == "suggested")
    echo(f"article {article_id} marked reviewed: {pending} suggestion(s) count as accepted")


def rule_line(r: Rule) -> str:
    """One rule as `margin rules` lists it."""
    case = "" if r.case_sensitive else "  (any case)"
    if r.kind == "surface":
        what = _decision(r.surface, r.label)
    elif r.kind == "map":
        target = "dropped" if r.label is None else _p(r.label)
        what = f"label {_p(r.surface)} -> {target}"
    elif r.kind == "pattern":
        what = f"pattern {_p(r.surface)} -> {_p(str(r.label))}"
    else:
        what = f"strip {r.kind} {_quoted(r.surface)}"
    return f"{r.id:>5}  {what}{case}  {r.created_at[:19]}"


def _p(text: str) -> str:
    return plain(text, one_line=True)


@click.command("rules")
@click.option("--remove", "remove", type=int, metavar="ID", help="Forget a rule (undoable).")
@click.option(
    "--import",
    "import_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Keep the patterns of a JSONL file (spaCy EntityRuler / Prodigy format) as rules.",
)
@click.option(
    "--export",
    "export_file",
    metavar="FILE",
    help="Write the pattern and surface rules as EntityRuler JSONL (- for standard output).",
)
@click.option("--strip-prefix", metavar="TEXT", help="Cut TEXT (such as 'the') off suggestions.")
@click.option("--strip-suffix", metavar="TEXT", help='Cut TEXT (such as "\'s") off suggestions.')
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@pass_context
def rules_cmd(
    obj: Context,
    remove: int | None,
    import_file: Path | None,
    export_file: str | None,
    strip_prefix: str | None,
    strip_suffix: str | None,
    as_json: bool,
) -> None:
    """List the rules that extraction applies after the model, or add, export or remove them."""
    store = obj.store()
    if remove is not None:
        rule = store.remove_rule(remove)
        if as_json:
            echo_json(rule.as_dict())
        else:
            echo(f"rule {rule.id} removed: {rule_line(rule).strip()}")
        return
    if import_file is not None:
        ids = store.import_patterns(str(import_file))
        echo(f"{len(ids)} pattern rule(s) kept from {_p(str(import_file))}; `margin undo` reverts")
        return
    if export_file is not None:
        if export_file == "-":
            for line in store.export_patterns():
                echo(json_text(line, indent=None))
        else:
            n = store.write_patterns(export_file)
            echo(f"{n} pattern(s) written to {_p(export_file)}")
        return
    if strip_prefix is not None or strip_suffix is not None:
        for kind, affix in (("prefix", strip_prefix), ("suffix", strip_suffix)):
            if affix is not None:
                rid = store.add_strip_rule(kind, affix)
                echo(f"rule {rid}: strip {kind} {_quoted(affix.strip())} from suggestions")
        return
    rules = store.rules()
    if as_json:
        echo_json([r.as_dict() for r in rules])
        return
    if not rules:
        echo("no rules yet (`margin propagate` learns them)")
        return
    for r in rules:
        echo(rule_line(r))


def register(group: click.Group) -> None:
    """Add the correcting commands to the group."""
    for cmd in (annotate_cmd, propagate_cmd, undo_cmd, redo_cmd, review_cmd, rules_cmd):
        group.add_command(cmd)
