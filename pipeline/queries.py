"""Reading the KB for people: read-only queries (the conflicts listing is ``conflict_list``).

The KB is opened read-only, so DuckDB itself refuses any write to it; the check here only turns
that into a sentence up front, and lets through what reads the KB and writes elsewhere (``COPY
(SELECT …) TO 'file'``, ``EXPORT DATABASE 'folder'``). DuckDB's own error text, with its hints
("Did you mean …?") and the caret under the fault, is shown whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline import paths
from pipeline.config import KB_PATH, program, shown
from pipeline.errors import UserError

# Statement types that read: COPY and EXPORT write files, not the KB (COPY … FROM into the KB is
# refused by the read-only connection, and reported as a refusal below).
READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL", "COPY", "EXPORT"})
_READ_ONLY_ERROR = re.compile(r"read-only mode", re.IGNORECASE)
# ``COPY table FROM 'file'`` loads into the KB; ``COPY table TO`` and ``COPY (SELECT …) TO`` only read it.
_COPY_FROM = re.compile(r'^\s*COPY\s+(?:"[^"]+"|[\w.]+)\s*(?:\([^)]*\))?\s*FROM\b', re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_LOCK_ERROR = re.compile(r"Could not set lock on file .*?Conflicting lock is held in (?P<program>.+?) "
                         r"\(PID (?P<pid>\d+)\)", re.DOTALL)


@dataclass(frozen=True)
class Result:
    """A query's answer: column names, DuckDB type names (``VARCHAR[]``, ``DATE``) and rows."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def build_hint(kb: Path) -> str:
    """The command that builds ``kb``, as the user would type it."""
    if kb.absolute() == KB_PATH:
        return "make build-kb"
    return f"{program()} build --raw RAW_FOLDER --kb {shown(kb)}"


def open_kb(kb: Path) -> duckdb.DuckDBPyConnection:
    """Open the KB read-only, or say in one sentence why it cannot be."""
    paths.existing_kb(kb, build_hint(kb))
    try:
        return duckdb.connect(str(kb), read_only=True)
    except duckdb.IOException as err:
        held = _LOCK_ERROR.search(str(err))
        if held is None:
            raise UserError(f"{shown(kb)} cannot be opened: {err}") from None
        raise UserError(
            f"{shown(kb)} is open for writing in another process ({held['program']}, PID {held['pid']}: a "
            "notebook, the duckdb CLI or a script); close that connection or open the KB read-only there "
            "(duckdb.connect(path, read_only=True), duckdb -readonly), then try again."
        ) from None
    except duckdb.Error as err:
        raise UserError(f"{shown(kb)} is not a readable DuckDB file: {str(err).splitlines()[0]}") from None


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str, kb: Path) -> None:
    """Refuse, before running it, SQL that is not one statement that only reads the KB."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as err:
        raise UserError(f"The query failed: {str(err).strip()}") from None
    if len(statements) != 1:
        raise UserError(f"Give exactly one SQL statement (found {len(statements)}).")
    statement = statements[0]
    kind = statement.type.name
    if kind == "COPY" and _COPY_FROM.match(_COMMENT.sub(" ", statement.query)):
        kind = "COPY … FROM"
    if kind not in READ_STATEMENTS:
        kind = kind.replace("_", " ")
        article = "an" if kind[0] in "AEIOU" else "a"
        raise UserError(f"Refused: {article} {kind} statement can write to the KB, and queries only read it "
                        f"(the KB is rebuilt with `{build_hint(kb)}`).")
    if kind in {"COPY", "EXPORT"} and kb.name in statement.query:
        raise UserError(f"Refused: the {kind} statement names the KB's own file {kb.name}, which it would overwrite.")


def run(kb: Path, sql: str, params: list | None = None) -> Result:
    """The answer to one read-only statement."""
    con = open_kb(kb)
    try:
        check_read_only(con, sql, kb)
        cur = con.execute(sql, params or [])
        description = cur.description or []
        rows = cur.fetchall() if description else []
        return Result(tuple(d[0] for d in description), tuple(str(d[1]) for d in description), rows)
    except duckdb.Error as err:
        if _READ_ONLY_ERROR.search(str(err)):
            raise UserError("Refused: the statement would write to the KB, and queries only read it "
                            f"(the KB is rebuilt with `{build_hint(kb)}`).") from None
        raise UserError(f"The query failed: {str(err).strip()}") from None
    finally:
        con.close()


def records(kb: Path, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    """The rows of a read-only query as dicts."""
    result = run(kb, sql, params)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def known_conflict(kb: Path, conflict_id: str) -> dict[str, Any]:
    """The KB's conflict ``conflict_id``; a ``UserError`` when there is none."""
    found = records(kb, "SELECT * FROM conflicts WHERE conflict_id = ?", [conflict_id])
    if not found:
        raise UserError(f"No conflict {conflict_id!r} in {shown(kb)}; `{program()} conflicts` lists them.")
    return found[0]
