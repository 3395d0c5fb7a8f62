"""Reading the KB for people: read-only queries, printable tables and the conflicts listing."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import UserError
from pipeline.kb import connect_read_only
from pipeline.vocab import OPEN

READ_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA"}
FORMATS = ("table", "csv", "json")


def read_frame(kb: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    """The result of one read-only query; a statement that would write is refused."""
    con = connect_read_only(kb)
    try:
        statements = con.extract_statements(sql)
        if len(statements) != 1:
            raise UserError(f"Give exactly one SQL statement (found {len(statements)}).")
        kind = statements[0].type.name
        if kind not in READ_STATEMENTS:
            raise UserError(f"Refused: a {kind} statement would change the KB; queries are read-only "
                            "(rebuild with `make build-kb` instead).")
        return con.execute(sql, params or []).df()
    except duckdb.Error as err:
        raise UserError(f"The query failed: {str(err).splitlines()[0]}") from None
    finally:
        con.close()


def format_frame(df: pd.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        return df.to_csv(index=False).rstrip("\n")
    if fmt == "json":
        return json.dumps(json.loads(df.to_json(orient="records")), indent=1, ensure_ascii=False)
    if fmt == "table":
        if df.empty:
            return "(no rows)\n" + "  ".join(df.columns)
        with pd.option_context("display.max_colwidth", 60, "display.width", 200, "display.max_rows", 500):
            return df.to_string(index=False)
    raise UserError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")


def run_query(kb: Path, sql: str, fmt: str = "table") -> str:
    if fmt not in FORMATS:
        raise UserError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return format_frame(read_frame(kb, sql), fmt)


def known_conflict(kb: Path, conflict_id: str) -> None:
    """Raise a ``UserError`` unless the KB has this conflict."""
    df = read_frame(kb, "SELECT conflict_id FROM conflicts WHERE conflict_id = ?", [conflict_id])
    if df.empty:
        raise UserError(f"No conflict {conflict_id!r} in {kb}; `python -m pipeline conflicts` lists them.")


def _quote(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= width else f'"{text[: width - 1]}…"'


def conflicts_text(kb: Path, show_all: bool = False) -> str:
    """Open conflicts grouped by exercise (advice conflicts last), values and quotes side by side."""
    where, params = ("", []) if show_all else ("WHERE c.status = ?", [OPEN])
    df = read_frame(kb, f"""
        SELECT c.*, coalesce(e.name, 'Advice') AS exercise_name
        FROM conflicts c LEFT JOIN exercises e USING (exercise_id) {where}
        ORDER BY c.exercise_id IS NULL, exercise_name, c.topic, c.source_a, c.source_b""", params)
    if df.empty:
        return "No open conflicts." if not show_all else "No conflicts."
    lines = []
    for name, group in df.groupby("exercise_name", sort=False):
        lines.append(f"== {name}")
        for r in group.itertuples():
            status = "" if r.status == OPEN else f"  [{r.status}{': ' + r.note if r.note else ''}]"
            lines.append(f"  {r.conflict_id}  {r.topic} ({r.kind}){status}")
            lines.append(f"    A {r.source_a}: {r.value_a:<24} {_quote(r.evidence_a)}")
            lines.append(f"    B {r.source_b}: {r.value_b:<24} {_quote(r.evidence_b)}")
        lines.append("")
    return "\n".join(lines).rstrip()
