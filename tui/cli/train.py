"""The model commands: train, models (list, use), disagreements (after a re-extraction)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from store.disagreements import CHOICES, Disagreement
from store.training.loop import TrainOptions, train
from store.training.registry import TrainedModel, TrainingError

from ..plain import plain
from .context import Context, pass_context
from .output import echo, echo_json


def _f(scores: dict[str, Any] | None, key: str = "f") -> str:
    value = (scores or {}).get(key)
    return "  -  " if value is None else f"{value:.3f}"


def _labels(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    out = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    if not out:
        raise click.UsageError("--labels takes LABEL,LABEL,...")
    return out


def _default_name(obj: Context) -> str:
    names = {m.name for m in obj.store().trained_models()}
    n = len(names) + 1
    while f"ner-{n}" in names:
        n += 1
    return f"ner-{n}"


def _epoch_line(data: dict[str, Any], total: int) -> str:
    sc = data.get("scores")
    dev = f", dev P {_f(sc, 'p')} R {_f(sc, 'r')} F1 {_f(sc)}" if sc else ""
    best = " (best so far)" if data.get("best") and sc else ""
    return f"epoch {data['epoch']}/{total}: loss {data['loss']:.1f}{dev}{best}, {data['seconds']:.1f} s"


@click.command("train")
@click.option("--base", help="Pipeline to fine-tune (default: the model in use).")
@click.option("--name", help="Name of the trained model (default: ner-N).")
@click.option("--epochs", type=click.IntRange(1, 1000), default=12, show_default=True)
@click.option("--labels", "labels_", help="Only these labels, comma-separated (default: all).")
@click.option(
    "--dev", type=click.FloatRange(0, 0.9), default=0.2, show_default=True, help="Dev share."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--patience",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Epochs without a better dev F1 before stopping.",
)
@click.option(
    "--rehearsal",
    type=click.FloatRange(0, 10),
    default=0.5,
    show_default=True,
    help="Unreviewed articles (tagged by the base) per reviewed one.",
)
@click.option("--progress-json", is_flag=True, hidden=True, help="Events as JSON lines (reader).")
@pass_context
def train_cmd(
    obj: Context,
    base: str | None,
    name: str | None,
    epochs: int,
    labels_: str | None,
    dev: float,
    seed: int,
    patience: int,
    rehearsal: float,
    progress_json: bool,
) -> None:
    """Fine-tune the NER of a spaCy pipeline on the reviewed articles' corrections (CPU)."""
    store = obj.store()
    opts = TrainOptions(
        base=obj.model(base),
        name=name or _default_name(obj),
        epochs=epochs,
        labels=_labels(labels_),
        dev=dev,
        seed=seed,
        patience=patience,
        rehearsal=rehearsal,
    )

    def event(kind: str, data: dict[str, Any]) -> None:
        if progress_json:
            click.echo(json.dumps({"event": kind, **data}))
            sys.stdout.flush()
            return
        if kind == "start":
            click.echo(
                f"training {opts.name} from {plain(opts.base, one_line=True)}:"
                f" {data['train_articles']} article(s), {data['dev_articles']} for dev,"
                f" {data['rehearsal']} unreviewed for rehearsal;"
                f" labels {', '.join(plain(x, one_line=True) for x in data['labels'])}"
                + (f" (new: {', '.join(data['added_labels'])})" if data["added_labels"] else ""),
                err=True,
            )
            if data["base_scores"]:
                click.echo(
                    f"base model on the dev articles: F1 {_f(data['base_scores'])}", err=True
                )
        elif kind == "epoch":
            click.echo(_epoch_line(data, opts.epochs), err=True)

    out = train(store, opts, event)
    m = out.model
    if progress_json:
        click.echo(json.dumps({"event": "done", "interrupted": out.interrupted, **m.as_dict()}))
        return
    if out.interrupted:
        click.echo(f"interrupted: kept the best epoch so far ({out.best_epoch})", err=True)
    click.echo(
        f"saved {m.name} ({m.source}) in {m.path}: dev F1 {_f(m.scores)}"
        f" (base {_f(m.base_scores)}), {m.seconds:.0f} s",
        err=True,
    )
    click.echo(
        f"re-extract with it: margin extract --all --model {m.name}; then margin disagreements",
        err=True,
    )


def _model_rows(models: list[TrainedModel], in_use: str | None) -> None:
    if not models:
        echo("no trained model yet (margin train)")
        return
    for m in models:
        mark = "*" if in_use in (m.name, m.source) else " "
        echo(
            f"{mark} {m.name:<16} {m.tag}  from {plain(m.base, one_line=True)}:"
            f" {m.articles} article(s), {m.spans} span(s), {m.epochs} epoch(s);"
            f" dev F1 {_f(m.scores)} (base {_f(m.base_scores)}) on {m.dev_articles} article(s)"
        )
        for label, sc in sorted(m.scores.get("labels", {}).items()):
            b = m.base_scores.get("labels", {}).get(label)
            echo(
                f"    {plain(label, one_line=True):<14} P {_f(sc, 'p')} R {_f(sc, 'r')}"
                f" F1 {_f(sc)}   base P {_f(b, 'p')} R {_f(b, 'r')} F1 {_f(b)}"
            )


@click.group("models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def models_cmd(ctx: click.Context, as_json: bool) -> None:
    """The trained models, with dev scores beside the base model's on the same articles."""
    if ctx.invoked_subcommand is not None:
        return
    obj: Context = ctx.obj
    store = obj.store()
    models = store.trained_models()
    in_use = store.model_in_use()
    if as_json:
        echo_json(
            {
                "in_use": obj.model(None),
                "models": [{**m.as_dict(), "in_use": in_use in (m.name, m.source)} for m in models],
            }
        )
        return
    _model_rows(models, in_use)


@models_cmd.command("use")
@click.argument("name", required=False)
@click.option("--clear", is_flag=True, help="Back to the config's model (or the default).")
@pass_context
def use_cmd(obj: Context, name: str | None, clear: bool) -> None:
    """Make a model this database's default for extraction and training."""
    if bool(name) == clear:
        raise click.UsageError("give a model NAME or --clear")
    obj.store().use_model(None if clear else name)
    echo(f"extraction now uses {plain(obj.model(None), one_line=True)}")


def _row(i: int, d: Disagreement) -> str:
    return (
        f"{i:>4}  {len(d.mentions):>4}x in {d.articles} article(s)  "
        f"{plain(d.describe(), one_line=True)}"
    )


@click.command("disagreements")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(1), help="At most N groups.")
@click.option(
    "--take",
    nargs=2,
    type=(click.Choice(CHOICES), click.IntRange(1)),
    help="Decide group N: new (the new suggestion), old (the one replaced), neither.",
)
@pass_context
def disagreements_cmd(
    obj: Context, as_json: bool, limit: int | None, take: tuple[str, int] | None
) -> None:
    """Where the last re-extraction disagrees with what it replaced, most mentions first."""
    store = obj.store()
    queue = store.disagreements()
    if take:
        choice, n = take
        if n > len(queue):
            raise TrainingError(f"there is no disagreement {n}: the queue holds {len(queue)}")
        done = store.resolve_disagreement(queue[n - 1], choice)
        echo(f"{choice}: {done} mention(s) of {plain(queue[n - 1].describe(), one_line=True)}")
        return
    shown = queue[:limit] if limit else queue
    if as_json:
        echo_json([d.as_dict() for d in shown])
        return
    if not queue:
        echo("no disagreement (re-extract with margin extract --all --model NAME first)")
    for i, d in enumerate(shown, 1):
        echo(_row(i, d))


def register(cli: click.Group) -> None:
    """Add the model commands to the margin command."""
    for cmd in (train_cmd, models_cmd, disagreements_cmd):
        cli.add_command(cmd)
