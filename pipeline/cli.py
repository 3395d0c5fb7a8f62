"""The front door: ``python -m pipeline COMMAND``. Every command has ``--help``.

Mistakes a user can make (a path that is not what the option wants, no usable article, a bad SQL
query, a KB another process holds) end with one sentence on stderr and exit code 1, before any work
is done where that can be known in advance, and never with a traceback. Messages name commands as
the user runs them (``.venv/bin/python -m pipeline …``).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from pipeline import config, console, paths
from pipeline.errors import UserError
from pipeline.vocab import OPEN, REVIEW_VERDICTS

app = typer.Typer(
    help="Build and query a knowledge base of exercises for lower-back spasms mined from web articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # help paragraphs wrap to the terminal; examples stay as written
)


@app.callback()
def _group() -> None:
    """Build and query a knowledge base of exercises for lower-back spasms mined from web articles."""


def _option(*names: str, help: str, default_shown: str | None = None, **kwargs: Any) -> Any:
    """An option whose default is shown whole and as the user would type it (``curated/kb.duckdb``)."""
    return typer.Option(*names, help=help, show_default=default_shown if default_shown else True, **kwargs)


RawOpt = Annotated[Path, _option("--raw", help="Folder of raw articles (never modified).",
                                 default_shown=config.shown(config.RAW_DIR))]
KbOpt = Annotated[Path, _option("--kb", help="The DuckDB knowledge-base file.",
                                default_shown=config.shown(config.KB_PATH))]
REVIEWS_DEFAULT = f"NAME.reviews.csv beside the KB NAME.duckdb; {config.shown(config.REVIEWS_PATH)} for the default KB"
ReviewsOpt = Annotated[Path | None, _option("--reviews", help="Reviewers' verdicts (CSV, kept in git).",
                                            default_shown=REVIEWS_DEFAULT)]
JOBS_HELP = "Extraction processes (0: chosen by the number of cores and articles)."
CACHE_HELP = ("Reuse the cleaning and extraction of unchanged articles, and leave the KB as it is when nothing "
              "changed; --no-cache rebuilds everything.")
CACHE_DIR_HELP = "Where the cache is kept."
WAIT_HELP = "Seconds to wait for another build of the same KB before giving up."
ENGINE_HELP = ("Where extraction runs: local (this machine's processes) or ray (Ray Data, needs the scale extra; "
               "a local Ray instance of --jobs CPUs unless --address names a cluster).")
ADDRESS_HELP = "With --engine ray: the address (host:port) of a running Ray cluster to join."
VERDICT_HELP = f"{', '.join(REVIEW_VERDICTS[:-1])} or {REVIEW_VERDICTS[-1]}."
FORMAT_HELP = ("table (NULL shown as NULL), csv or tsv (lists as JSON arrays), json or jsonl (ISO dates), "
               "markdown.")
SQL_HELP = ("One SQL statement (comments allowed), or - to read it from stdin. Queries only read the KB; "
            "COPY (…) TO 'file' and EXPORT DATABASE 'folder' write elsewhere and are allowed.")


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a ``UserError`` (or a missing file) into one line on stderr and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (UserError, FileNotFoundError) as err:
            console.error(str(err))
            raise typer.Exit(1) from None

    return wrapper


def _is_sql(arg: str) -> bool:
    """``-- a comment\\nSELECT …`` starts like an option but is SQL: an option's name has no whitespace."""
    return arg.startswith("-") and arg != "-" and bool(re.search(r"\s", arg.split("=", 1)[0]))


class SqlCommand(TyperCommand):
    """A command whose SQL argument may start with a ``--`` comment (click would take it for an option)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--" not in args and any(_is_sql(a) for a in args):
            args = [a for a in args if not _is_sql(a)] + ["--"] + [a for a in args if _is_sql(a)]
        return super().parse_args(ctx, args)


@app.command()
@user_errors
def build(
    raw: RawOpt = config.RAW_DIR,
    kb: KbOpt = config.KB_PATH,
    reviews: ReviewsOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help=JOBS_HELP)] = 0,
    use_cache: Annotated[bool, typer.Option("--cache/--no-cache", help=CACHE_HELP)] = True,
    cache_dir: Annotated[Path | None, _option("--cache-dir", help=CACHE_DIR_HELP,
                                              default_shown=f"{config.CACHE_DIR_NAME} beside the KB")] = None,
    wait: Annotated[float, typer.Option("--wait", min=0, help=WAIT_HELP)] = 600,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and warnings.")] = False,
    engine: Annotated[str, typer.Option("--engine", help=ENGINE_HELP)] = "local",
    address: Annotated[str | None, typer.Option("--address", help=ADDRESS_HELP, show_default=False)] = None,
) -> None:
    """Build the knowledge base from every article in the raw folder.

    Beside the KB the build keeps a lock (`KB.lock`, so that two builds of one KB never run at once)
    and, unless `--cache-dir` says otherwise, the cache (`.cache/`). With the cache, a build with
    nothing new (no file added, changed or removed, the same verdicts and pipeline) says so and leaves
    the KB as it is.
    """
    from pipeline.build import build as run_build
    from pipeline.review import reviews_for

    reviews = reviews or reviews_for(kb)
    say = (lambda _m: None) if quiet else console.say
    cache = (cache_dir or kb.parent / config.CACHE_DIR_NAME) if use_cache else None
    with console.extraction_progress(quiet) as tick:
        report = run_build(raw, kb, reviews, progress=say, cache_dir=cache, jobs=jobs or None, wait_seconds=wait,
                           tick=tick, engine=engine, address=address)
    for s in report.rejected:
        say(f"skipped {s.path}: {s.status}: {s.status_detail}")
    for r in report.stale_reviews:
        console.warning(f"the verdict {r.verdict!r} on {r.conflict_id} in {config.shown(reviews)} matches no "
                        "conflict any more (the sources changed); it is kept and listed in the stale_reviews view.")
    if report.up_to_date:
        say(f"nothing new: {config.shown(kb)} is up to date with {config.shown(raw)} ({report.n_ok} of "
            f"{report.n_files} files usable) and the verdicts; --no-cache rebuilds it anyway")
    elif not quiet:
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
        rows = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        say(f"built {config.shown(kb)} from {report.n_ok} of {report.n_files} files ({rows}; {timing})")


def _read_sql(sql: str | None, file: Path | None) -> str:
    """The SQL from exactly one of: the argument, ``-`` (stdin), ``--file``."""
    if (sql is None) == (file is None):
        raise UserError("Give the SQL as an argument, as - to read it from stdin, or with --file FILE "
                        "(exactly one of them).")
    if file is not None:
        return paths.input_file(file, "--file").read_text(encoding="utf-8")
    return sys.stdin.read() if sql == "-" else str(sql)


QUERY_HELP = """Run a read-only SQL query on the knowledge base and print the result.

The SQL is the argument, or stdin with `-`, or a file with `--file`; it may hold comments. The KB
is opened read-only: statements that would write to it are refused, while `COPY (…) TO 'file'`
and `EXPORT DATABASE 'folder'` write elsewhere and are allowed. DuckDB's own error text, with
its hints, is shown as it is.

Examples:

    {prog} query "SELECT name, n_sources FROM exercises LIMIT 5"
    {prog} query --format csv -o doses.csv "FROM dosages"
    {prog} query --file my-report.sql --format markdown
    echo "SELECT count(*) FROM mentions" | {prog} query -
"""


@app.command(cls=SqlCommand, help=QUERY_HELP.format(prog=config.program()))
@user_errors
def query(
    sql: Annotated[str | None, typer.Argument(help=SQL_HELP, show_default=False)] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the SQL from this file.")] = None,
    kb: KbOpt = config.KB_PATH,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the result to this file.")] = None,
) -> None:
    """Run a read-only SQL query on the knowledge base and print the result (help: ``QUERY_HELP``)."""
    from pipeline.formats import check_format, rows_text, write
    from pipeline.queries import run

    check_format(fmt)
    text = _read_sql(sql, file)
    if output is not None:
        paths.output_file(output, "--output")
    result = run(kb, text)
    if output is None:
        write(result, fmt, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as f:
        write(result, fmt, f)
    console.say(f"wrote {rows_text(len(result.rows))} to {config.shown(output)}")


STATUS_HELP = "open (the default), a verdict, or all."
CONFLICTS_FORMAT_HELP = ("table (each conflict with every source, value and whole quote, wrapped to the terminal), "
                         "or one row per source on a side: csv, tsv, json, jsonl, markdown.")


@app.command()
@user_errors
def conflicts(
    kb: KbOpt = config.KB_PATH,
    exercise: Annotated[str | None, typer.Option("--exercise", help="An exercise's id, or a word of its name.")]
    = None,
    topic: Annotated[str | None, typer.Option("--topic", help="reps, hold_s, …, polarity, or an advice question "
                                                             "(\"rest vs keep moving\" or rest_or_move).")] = None,
    status: Annotated[str, typer.Option("--status", help=STATUS_HELP)] = OPEN,
    show_all: Annotated[bool, typer.Option("--all", help="Every status: the same as --status all.")] = False,
    fmt: Annotated[str, typer.Option("--format", help=CONFLICTS_FORMAT_HELP)] = "table",
) -> None:
    """List conflicts grouped by exercise (advice last): every source on each side with its value and quote.

    A dose conflict is between two sources' figures, a polarity conflict between a source that avoids
    an exercise and one that recommends it (its quote is the sentence or heading that says so, the
    trigger in bold), and an advice conflict between the sources on each side of a typed question.
    """
    from pipeline.conflict_list import ALL, Filters, listing, write_listing
    from pipeline.formats import check_format

    check_format(fmt)
    filters = Filters(exercise, topic, ALL if show_all else status)
    write_listing(listing(kb, filters), fmt, sys.stdout)


@app.command()
@user_errors
def review(
    conflict_ids: Annotated[list[str], typer.Argument(help="Conflict ids, as `conflicts` shows them.",
                                                      show_default=False)],
    verdict: Annotated[str | None, typer.Option("--verdict", help=VERDICT_HELP)] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the verdicts on these conflicts.")] = False,
    note: Annotated[str, typer.Option("--note", help="Why; shown beside the verdict.")] = "",
    kb: KbOpt = config.KB_PATH,
    reviews: ReviewsOpt = None,
) -> None:
    """Record a reviewer's verdict on one or more conflicts, or clear it; every rebuild applies the file.

    The verdicts go to the reviews file beside the KB (the one its builds read), unless `--reviews`
    names another. A second verdict on the same conflict replaces the first, and says so.
    """
    from pipeline.queries import build_hint, known_conflict
    from pipeline.review import clear_reviews, load_reviews, record_reviews, reviews_for

    if (verdict is None) == (not clear):
        raise UserError("Give either --verdict VERDICT or --clear (exactly one of them).")
    reviews = reviews or reviews_for(kb)
    for cid in conflict_ids:
        known_conflict(kb, cid)
    paths.optional_input_file(reviews, "--reviews")
    apply = f"`{build_hint(kb)}` applies it to the KB."
    if clear:
        removed = {r.conflict_id for r in clear_reviews(reviews, conflict_ids)}
        for cid in conflict_ids:
            console.say(f"cleared the verdict on {cid} in {config.shown(reviews)}; {apply}" if cid in removed
                        else f"{cid} had no verdict in {config.shown(reviews)}.")
        return
    earlier = {r.conflict_id: r for r in load_reviews(reviews)}
    for r in record_reviews(reviews, conflict_ids, str(verdict), note or None):
        if r.conflict_id in earlier:
            old = earlier[r.conflict_id]
            when = f" of {old.reviewed_at}" if old.reviewed_at else ""
            console.warning(f"this replaces the earlier verdict {old.verdict!r}{when} on {r.conflict_id}"
                            + (f" (note: {old.note})" if old.note else "") + ".")
        console.say(f"recorded {verdict} for {r.conflict_id} in {config.shown(reviews)}; {apply}")


RAW_FROM_KB = "the raw folder the KB was built from"


@app.command()
@user_errors
def report(
    kb: KbOpt = config.KB_PATH,
    raw: Annotated[Path | None, _option("--raw", help="Folder of raw articles the quotes link into.",
                                        default_shown=RAW_FROM_KB)] = None,
    out: Annotated[Path, _option("--out", help="The HTML file to write.",
                                 default_shown=config.shown(config.CURATED_DIR / "report.html"))]
    = config.CURATED_DIR / "report.html",
) -> None:
    """Write one self-contained HTML page: advice positions, sources side by side, dose ranges, conflicts,
    quotes in context.

    When quotes cannot be found in the articles (a raw folder that is not the KB's), the page says so
    and the command exits with code 1.
    """
    from pipeline.queries import open_kb
    from pipeline.report import write_report

    open_kb(kb).close()  # a missing KB, or one held open for writing elsewhere, is one sentence
    paths.output_file(out, "--out")
    written = write_report(kb, out, raw)
    typer.echo(f"wrote {written.path}; open it in any browser (no server needed).")
    if written.unplaced:
        raise UserError(f"{written.unplaced} of {written.quotes} quotes were not found in the raw articles "
                        f"({written.raw_note}); the page marks them. Give --raw the folder the KB was built from.")


@app.command()
@user_errors
def export(
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or jsonld (schema.org ExercisePlans).")],
    out: Annotated[Path, _option("--out", help="Folder to write into.",
                                 default_shown=config.shown(config.CURATED_DIR / "export"))]
    = config.CURATED_DIR / "export",
    kb: KbOpt = config.KB_PATH,
) -> None:
    """Export every view as Parquet or CSV, or the exercises as schema.org JSON-LD.

    Tables: every view of the KB (the contract's, `relations` and `stale_reviews`), one file each; in
    CSV, lists are JSON arrays. JSON-LD: per exercise an ItemList of ExercisePlans, one per source
    that recommends it, with that source's own numbers and steps; `index.jsonld` lists them and
    `avoid.jsonld` the exercises sources advise against.
    """
    from pipeline.export import export as run_export

    files = run_export(kb, fmt, out)
    typer.echo(f"wrote {len(files)} {fmt} files to {config.shown(out)}")


def main() -> None:
    app(prog_name=config.program())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
