"""The ``conflicts`` command's listing: every conflict with each source on each side, its value and its
whole quote.

A reviewer decides from the quotes, so they are never cut: in the ``table`` format each conflict is a
small rich table whose quote column wraps to the terminal's width (into a pipe or a file, to
``$COLUMNS`` or 80), grouped by exercise with advice last, and the ConText trigger that made an
exercise avoid is in bold. The other formats of ``pipeline.formats`` get one row per source on a
side, with the conflict's columns repeated, so a tool reads it without nesting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from pipeline.errors import UserError
from pipeline.formats import write
from pipeline.queries import Result, run
from pipeline.vocab import CONFLICT_STATUSES, OPEN

ALL = "all"
STATUS_CHOICES = (*CONFLICT_STATUSES, ALL)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Filters:
    """Which conflicts to list: an exercise (its id, or a word of its name or aliases), a topic (the
    attribute, ``polarity``, the advice question or its name) and a status (``all`` for every one)."""

    exercise: str | None = None
    topic: str | None = None
    status: str = OPEN

    def __post_init__(self) -> None:
        if self.status not in STATUS_CHOICES:
            raise UserError(f"Status {self.status!r} is not one of {', '.join(STATUS_CHOICES)}.")


def listing(kb: Path, filters: Filters) -> Result:
    """The conflicts that pass ``filters``, one row per source on a side (side a first), read-only."""
    where, params = [], []
    if filters.status != ALL:
        where.append("c.status = ?")
        params.append(filters.status)
    if filters.exercise:
        # a polarity conflict is also about the related exercise its other side recommends
        where.append("(c.exercise_id = ? OR contains(lower(e.name || '|' || array_to_string(e.aliases, '|')), "
                     "lower(?)) OR (c.kind = 'polarity' AND c.conflict_id IN (SELECT conflict_id FROM "
                     "conflict_sources WHERE contains(lower(value), lower(?)))))")
        params += [filters.exercise] * 3
    if filters.topic:
        where.append("(lower(c.topic) = lower(?) OR lower(coalesce(c.question, '')) = lower(?))")
        params += [filters.topic] * 2
    return run(kb, f"""
        SELECT c.conflict_id, c.status, c.note, c.kind, c.exercise_id, coalesce(e.name, 'Advice') AS exercise,
               c.topic, c.question, s.side, s.source_id, s.value, s.evidence, s.char_start, s.char_end,
               s.cue_start, s.cue_end
        FROM conflicts c JOIN conflict_sources s USING (conflict_id) LEFT JOIN exercises e USING (exercise_id)
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY c.exercise_id IS NULL, exercise, c.topic, c.conflict_id, s.side, s.source_id""", params)


def _quote(row: dict[str, Any]) -> Text:
    """The whole quote in typographic quotes (runs of white space as one space), its ConText trigger in bold."""
    evidence, cue = row["evidence"], (row["cue_start"], row["cue_end"])
    if cue[0] is None:
        return Text("“" + _SPACE.sub(" ", evidence.strip()) + "”")
    a, b = cue[0] - row["char_start"], cue[1] - row["char_start"]
    return Text.assemble("“", _SPACE.sub(" ", evidence[:a].lstrip()), (_SPACE.sub(" ", evidence[a:b]), "bold"),
                         _SPACE.sub(" ", evidence[b:].rstrip()), "”")


def _card(rows: list[dict[str, Any]]) -> Group:
    first = rows[0]
    status = first["status"] + (f": {first['note']}" if first["note"] else "")
    head = Text.assemble((first["conflict_id"], "bold"), f"  {first['topic']} ({first['kind']})  ",
                         (f"[{status}]", "green" if first["status"] != OPEN else "red"))
    table = Table(box=None, show_header=False, pad_edge=True, expand=True, padding=(0, 1))
    table.add_column("side", no_wrap=True, width=1)
    table.add_column("source", no_wrap=True)
    table.add_column("value", ratio=2, min_width=12)
    table.add_column("quote", ratio=5)
    for r in rows:
        table.add_row(r["side"].upper(), r["source_id"], r["value"], _quote(r))
    return Group(head, table)


def write_listing(result: Result, fmt: str, out: TextIO) -> None:
    """Write the listing in ``fmt``: ``table`` as cards grouped by exercise, the others as flat rows."""
    if fmt != "table":
        write(result, fmt, out)
        return
    console = Console(file=out, markup=False, highlight=False, emoji=False)
    rows = [dict(zip(result.columns, r, strict=True)) for r in result.rows]
    if not rows:
        console.print("No conflicts match.")
        return
    for name, group in groupby(rows, key=lambda r: r["exercise"]):
        console.print(f"== {name}")
        for _cid, members in groupby(group, key=lambda r: r["conflict_id"]):
            console.print(_card(list(members)))

