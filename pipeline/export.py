"""Stage 6b: the KB in formats other tools read — Parquet or CSV tables, and schema.org JSON-LD.

Tables are written by DuckDB's own ``COPY … TO``, one file per view of the KB (the contract's, and
``relations`` and ``stale_reviews`` beside them), so the columns and types are the views'. In CSV a
list or struct column is written as JSON (``["a","b"]``), which any CSV reader gets back with one
``json.loads``; DuckDB's own ``[a, b]`` cannot be told apart from a text that looks like it. Parquet
keeps lists as lists (pandas reads it with pyarrow, a dependency). JSON-LD: ``pipeline/jsonld.py``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline import paths
from pipeline.errors import UserError
from pipeline.jsonld import export_jsonld
from pipeline.queries import open_kb

FORMATS = ("parquet", "csv", "jsonld")
# DuckDB type names of nested values, which CSV has no way to write but as text.
NESTED = ("[", "STRUCT", "MAP", "UNION")


def export(kb: Path, fmt: str, out: Path) -> list[Path]:
    """Write the KB in ``fmt`` into the folder ``out``; return the files written."""
    if fmt not in FORMATS:
        raise UserError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    con = open_kb(kb)
    try:
        paths.output_folder(out, "--out")
        return export_jsonld(con, out) if fmt == "jsonld" else export_tables(con, fmt, out)
    finally:
        con.close()


def views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every view of the KB, by name."""
    return [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                                      "AND schema_name = 'main' ORDER BY view_name").fetchall()]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def csv_select(con: duckdb.DuckDBPyConnection, view: str) -> str:
    """``SELECT`` of a view with its list and struct columns as JSON text."""
    columns = con.execute(f"DESCRIBE {_ident(view)}").fetchall()
    parts = [f"to_json({_ident(name)})::VARCHAR AS {_ident(name)}" if any(n in kind for n in NESTED)
             else _ident(name) for name, kind, *_ in columns]
    return f"SELECT {', '.join(parts)} FROM {_ident(view)}"


def export_tables(con: duckdb.DuckDBPyConnection, fmt: str, out: Path) -> list[Path]:
    """Every view as ``out/<view>.<fmt>``, written by DuckDB."""
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
    written = []
    for view in views(con):
        path = out / f"{view}.{fmt}"
        select = csv_select(con, view) if fmt == "csv" else f"SELECT * FROM {_ident(view)}"
        target = str(path).replace("'", "''")
        con.execute(f"COPY ({select}) TO '{target}' ({options})")
        written.append(path)
    return written
