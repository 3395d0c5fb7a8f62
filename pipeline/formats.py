"""A query's answer in the formats people and tools read: a table, CSV, TSV, JSON, JSON Lines, Markdown.

One rule per kind of reader. For people (``table``, ``markdown``) NULL is ``NULL`` and a list is
``[a, b]``, whatever the column's type. For tools, values keep their type: in CSV and TSV a list or
struct is a JSON array or object (``["a","b"]``, so any CSV reader gets it back with one
``json.loads``), NULL is an empty field and booleans are ``true``/``false`` as DuckDB writes them; in
JSON, dates and times are ISO 8601 strings and NULL is ``null``. Works from DuckDB's Python values,
never through pandas, whose dtypes would make NULL ``None``, ``NaN`` or ``<NA>`` by column.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.errors import UserError
from pipeline.queries import Result

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")
NUMERIC = re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DOUBLE|FLOAT|REAL|DECIMAL.*)$")
# Into a pipe or a file a table is drawn at its natural width, one line per row, never wrapped.
UNWRAPPED_WIDTH = 100_000


def plain(value: Any) -> Any:
    """A value as JSON has it: ISO dates, numbers for decimals, ``null`` for NaN, lists and objects."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return str(value)  # UUID, interval


def shown(value: Any) -> str:
    """A value as a person reads it in a table: ``NULL``, ``true``, ``3.0``, ``[a, b]``, ``{k: v}``."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return str(plain(value))


def field(value: Any) -> str:
    """A CSV or TSV field: empty for NULL, JSON for a list or struct, DuckDB's spelling otherwise."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(plain(value), ensure_ascii=False)
    return shown(value)


def rows_text(n: int) -> str:
    return f"{n} row{'' if n == 1 else 's'}"


def write_table(result: Result, out: TextIO) -> None:
    """A rich table: wrapped to the terminal's width, or at its natural width into a file or pipe."""
    console = Console(file=out, markup=False, highlight=False, emoji=False)
    if not console.is_terminal:
        console = Console(file=out, markup=False, highlight=False, emoji=False, width=UNWRAPPED_WIDTH)
    n = len(result.rows)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, caption=rows_text(n), caption_justify="left")
    for name, kind in zip(result.columns, result.types, strict=True):
        table.add_column(name, justify="right" if NUMERIC.match(kind) else "left", overflow="fold")
    for row in result.rows:
        table.add_row(*(Text("NULL", style="dim") if v is None else Text(shown(v)) for v in row))
    console.print(table)


def write_delimited(result: Result, out: TextIO, delimiter: str) -> None:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([field(v) for v in row] for row in result.rows)


def _objects(result: Result) -> list[dict[str, Any]]:
    return [{c: plain(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows]


def write_json(result: Result, out: TextIO) -> None:
    json.dump(_objects(result), out, indent=1, ensure_ascii=False, allow_nan=False)
    out.write("\n")


def write_jsonl(result: Result, out: TextIO) -> None:
    for obj in _objects(result):
        out.write(json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n")


def _markdown_cell(value: Any) -> str:
    return shown(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def write_markdown(result: Result, out: TextIO) -> None:
    """A GitHub-flavoured Markdown table (numbers right-aligned)."""
    rule = ["---:" if NUMERIC.match(kind) else "---" for kind in result.types]
    lines = [[_markdown_cell(c) for c in result.columns], rule,
             *([_markdown_cell(v) for v in row] for row in result.rows)]
    for cells in lines:
        out.write("| " + " | ".join(cells) + " |\n")


WRITERS: dict[str, Callable[[Result, TextIO], None]] = {
    "table": write_table,
    "csv": lambda result, out: write_delimited(result, out, ","),
    "tsv": lambda result, out: write_delimited(result, out, "\t"),
    "json": write_json,
    "jsonl": write_jsonl,
    "markdown": write_markdown,
}


def check_format(fmt: str) -> str:
    if fmt not in WRITERS:
        raise UserError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return fmt


def write(result: Result, fmt: str, out: TextIO) -> None:
    """Write ``result`` to ``out`` in ``fmt`` (one of ``FORMATS``)."""
    WRITERS[check_format(fmt)](result, out)
