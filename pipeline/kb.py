"""Stage 5: load the stages' records into DuckDB — the only place DataFrames appear.

The KB is built into a temporary file beside the target and moved over it only when complete, so a
failed or killed build leaves the last good KB in place, and readers of the old file keep a
consistent view. Schema and views live in ``sql/*.sql``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.config import SQL_DIR

CONTRACT_VIEWS = (
    "sources", "documents", "dropped", "exercises", "mentions", "steps", "dosages", "advice", "conflicts",
)


def sql_file(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def frame(records: Sequence[object], cls: type) -> pd.DataFrame:
    """A DataFrame of frozen dataclass records, with the class's columns even when empty."""
    columns = [f.name for f in dataclasses.fields(cls)]
    rows = [{k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(r).items()} for r in records]
    return pd.DataFrame(rows, columns=columns)


def write_kb(kb_path: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    """Create a fresh KB at ``kb_path`` from base-table frames, atomically replacing any old one.

    The caller holds the build lock, so temporary files of other builds are stale and removed.
    """
    kb_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in kb_path.parent.glob(f".{kb_path.name}.*.tmp"):  # left by a killed build; we hold the lock
        _remove(stale)
    tmp = kb_path.with_name(f".{kb_path.name}.{os.getpid()}.tmp")
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(sql_file("schema.sql"))
            con.execute("BEGIN")
            for table, df in tables.items():
                if len(df):
                    con.register("frame_in", df)
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame_in")
                    con.unregister("frame_in")
            con.execute("COMMIT")
            con.execute(sql_file("views.sql"))
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, kb_path)
    finally:
        _remove(tmp)


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def connect_read_only(kb_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the KB for reading; a clear error when it has not been built."""
    if not kb_path.is_file():
        raise FileNotFoundError(f"No knowledge base at {kb_path}; build it first with `make build-kb`.")
    return duckdb.connect(str(kb_path), read_only=True)
