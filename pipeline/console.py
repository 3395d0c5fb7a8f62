"""What the CLI prints on stderr: messages wrapped to the terminal, errors, and a progress bar.

On a terminal, rich wraps long sentences at word boundaries and draws the extraction's progress
bar; into a pipe or a file every message is one line (so ``grep`` and logs see whole sentences)
and progress is a line every tenth of the articles, which is what the build prints by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


def stderr() -> Console:
    """A console on the current ``sys.stderr`` (which a test runner may have swapped)."""
    return Console(stderr=True, markup=False, highlight=False, emoji=False)


def say(message: str, style: str | None = None) -> None:
    """One message on stderr: wrapped on a terminal, one line otherwise."""
    console = stderr()
    console.print(message, style=style, soft_wrap=not console.is_terminal)


def error(message: str) -> None:
    say(f"error: {message}", style="bold red")


def warning(message: str) -> None:
    say(f"warning: {message}", style="yellow")


@contextmanager
def extraction_progress(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A ``tick(done, total)`` that draws a progress bar on a terminal; ``None`` elsewhere (the
    build then says every tenth) or when ``quiet``."""
    console = stderr()
    if quiet or not console.is_terminal:
        yield None
        return
    columns = (TextColumn("extract"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("extract", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick
