"""Reading a built KB in tests: the rows of one query, read-only."""

from __future__ import annotations

from pathlib import Path

import duckdb


def kb_rows(kb: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(kb), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
