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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Build the knowledge base from every article in the raw folder."""
    from pipeline.build import build as run_build

    say = (lambda _m: None) if quiet else (lambda m: typer.echo(m, err=True))
    report = run_build(raw, kb, progress=say)
    for s in report.rejected:
        say(f"skipped {s.path}: {s.status}: {s.status_detail}")
    if not quiet:
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
        rows = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        typer.echo(f"built {kb} from {report.n_ok} of {report.n_files} files ({rows}; {timing})")


def main() -> None:
    app(prog_name="python -m pipeline")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
