"""The front door: ``python -m pipeline COMMAND``. Every command has ``--help``.

Mistakes a user can make (a missing folder, no usable article, a bad SQL query) end with one
sentence on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline import config
from pipeline.errors import UserError
from pipeline.vocab import REVIEW_VERDICTS

app = typer.Typer(
    help="Build and query a knowledge base of exercises for lower-back spasms mined from web articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

RawOpt = Annotated[Path, typer.Option("--raw", help="Folder of raw articles (never modified).")]


@app.callback()
def _group() -> None:
    """Build and query a knowledge base of exercises for lower-back spasms mined from web articles."""


KbOpt = Annotated[Path, typer.Option("--kb", help="The DuckDB knowledge-base file.")]
JOBS_HELP = "Extraction processes (0: chosen by the number of cores and articles)."
CACHE_HELP = "Reuse the extraction of unchanged articles (kept in .cache beside the KB)."
WAIT_HELP = "Seconds to wait for another build of the same KB before giving up."
VERDICT_HELP = f"{', '.join(REVIEW_VERDICTS[:-1])} or {REVIEW_VERDICTS[-1]}."
ReviewsOpt = Annotated[Path, typer.Option("--reviews", help="Reviewers' verdicts (CSV, kept in git).")]


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a ``UserError`` (or a missing file) into one line on stderr and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (UserError, FileNotFoundError) as err:
            raise fail(str(err)) from None

    return wrapper


@app.command()
@user_errors
def build(
    raw: RawOpt = config.RAW_DIR,
    kb: KbOpt = config.KB_PATH,
    reviews: ReviewsOpt = config.REVIEWS_PATH,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help=JOBS_HELP)] = 0,
    use_cache: Annotated[bool, typer.Option("--cache/--no-cache", help=CACHE_HELP)] = True,
    wait: Annotated[float, typer.Option("--wait", min=0, help=WAIT_HELP)] = 600,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Build the knowledge base from every article in the raw folder."""
    from pipeline.build import build as run_build

    say = (lambda _m: None) if quiet else (lambda m: typer.echo(m, err=True))
    report = run_build(raw, kb, reviews, progress=say, cache_dir=kb.parent / ".cache" if use_cache else None,
                       jobs=jobs or None, wait_seconds=wait)
    for s in report.rejected:
        say(f"skipped {s.path}: {s.status}: {s.status_detail}")
    for r in report.stale_reviews:
        typer.echo(f"warning: the verdict {r.verdict!r} on {r.conflict_id} in {reviews} matches no conflict any more "
                   "(the sources changed); it is kept and listed in the stale_reviews view.", err=True)
    if not quiet:
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
        rows = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        typer.echo(f"built {kb} from {report.n_ok} of {report.n_files} files ({rows}; {timing})")


@app.command()
@user_errors
def query(
    sql: Annotated[str, typer.Argument(help="One SQL query, e.g. \"SELECT * FROM exercises\".")],
    kb: KbOpt = config.KB_PATH,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run a read-only SQL query on the knowledge base and print the result."""
    from pipeline.queries import run_query

    typer.echo(run_query(kb, sql, fmt))


@app.command()
@user_errors
def conflicts(
    kb: KbOpt = config.KB_PATH,
    show_all: Annotated[bool, typer.Option("--all", help="Include conflicts that already have a verdict.")] = False,
) -> None:
    """List open conflicts grouped by exercise, each value with its source and quote side by side."""
    from pipeline.queries import conflicts_text

    typer.echo(conflicts_text(kb, show_all))


@app.command()
@user_errors
def review(
    conflict_id: Annotated[str, typer.Argument(help="The conflict's id, as `conflicts` shows it.")],
    verdict: Annotated[str, typer.Option("--verdict", help=VERDICT_HELP)],
    note: Annotated[str, typer.Option("--note", help="Why; shown beside the verdict.")] = "",
    kb: KbOpt = config.KB_PATH,
    reviews: ReviewsOpt = config.REVIEWS_PATH,
) -> None:
    """Record a reviewer's verdict on a conflict; every rebuild applies it."""
    from pipeline.queries import known_conflict
    from pipeline.review import record_review

    known_conflict(kb, conflict_id)
    record_review(reviews, conflict_id, verdict, note or None)
    typer.echo(f"recorded {verdict} for {conflict_id} in {reviews}; `make build-kb` applies it to the KB.")


@app.command()
@user_errors
def report(
    kb: KbOpt = config.KB_PATH,
    raw: RawOpt = config.RAW_DIR,
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = config.CURATED_DIR / "report.html",
) -> None:
    """Write one self-contained HTML page: sources side by side, dose ranges, conflicts, quotes in context."""
    from pipeline.report import write_report

    typer.echo(f"wrote {write_report(kb, out, raw)}; open it in any browser (no server needed).")


@app.command()
@user_errors
def export(
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or jsonld (schema.org ExercisePlan).")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")] = config.CURATED_DIR / "export",
    kb: KbOpt = config.KB_PATH,
) -> None:
    """Export every contract view as Parquet or CSV, or each exercise as schema.org JSON-LD."""
    from pipeline.export import export as run_export

    files = run_export(kb, fmt, out)
    typer.echo(f"wrote {len(files)} {fmt} files to {out}")


def main() -> None:
    app(prog_name="python -m pipeline")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
