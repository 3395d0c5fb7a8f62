"""``query``: every output format round-trips, SQL comes from an argument, a file or stdin, the KB is
never written, and every mistake (a typo, a write, a KB held by another process) is a clear sentence.

Most tests run on a small DuckDB file made here, with one column of each kind that used to come out
wrong (lists, NULLs of every type, dates), so they need no model.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import KB_PATH
from pipeline.formats import FORMATS, write
from pipeline.queries import build_hint, run

runner = CliRunner()

ROWS_SQL = "SELECT * FROM things ORDER BY id"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A KB-shaped file: a table with lists, NULLs of each type, a date, a timestamp and a newline."""
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""
        CREATE TABLE things AS SELECT * FROM (VALUES
            (1, 'Cat-cow', ['cat stretch', 'cat, cow'], 2.5, true, DATE '2024-03-01',
             TIMESTAMP '2024-03-01 08:30:00', 'two\nlines'),
            (2, 'Bridge | hip lift', [], NULL, NULL, NULL, NULL, NULL),
            (3, NULL, NULL, 10.0, false, DATE '1999-12-31', NULL, 'plain')
        ) AS v(id, name, aliases, hold_s, per_side, published, seen_at, note)""")
    con.execute("CREATE VIEW exercises AS SELECT id, name FROM things")
    con.close()
    return path


def query(*args: str, input: str | None = None):
    return runner.invoke(app, ["query", *args], input=input)


def rendered(kb: Path, fmt: str, sql: str = ROWS_SQL) -> str:
    out = io.StringIO()
    write(run(kb, sql), fmt, out)
    return out.getvalue()


# ---------------------------------------------------------------- formats


def test_table_shows_null_as_null_and_lists_readably(kb: Path) -> None:
    text = rendered(kb, "table")
    assert "NULL" in text
    for wrong in ("None", "NaN", "<NA>", "nan", "array(", "['cat"):
        assert wrong not in text, wrong
    assert "[cat stretch, cat, cow]" in text and "[]" in text
    assert "2024-03-01 08:30:00" in text and "3 rows" in text
    # per row, the NULLs of an integer-less row: double, boolean, date, timestamp and text columns alike
    row_2 = next(line for line in text.splitlines() if "Bridge" in line)
    assert row_2.count("NULL") == 5


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_lists_are_json_arrays(kb: Path, fmt: str, delimiter: str) -> None:
    text = rendered(kb, fmt)
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    assert [json.loads(r["aliases"]) if r["aliases"] else None for r in rows] == [
        ["cat stretch", "cat, cow"], [], None]
    assert [r["published"] for r in rows] == ["2024-03-01", "", "1999-12-31"]
    assert [r["per_side"] for r in rows] == ["true", "", "false"]
    assert rows[0]["note"] == "two\nlines"  # quoted, not split into two records
    assert rows[1]["name"] == "Bridge | hip lift"


def test_json_dates_are_iso_and_nulls_are_null(kb: Path) -> None:
    rows = json.loads(rendered(kb, "json"))
    assert rows[0]["published"] == "2024-03-01"
    assert rows[0]["seen_at"] == "2024-03-01T08:30:00"
    assert rows[0]["aliases"] == ["cat stretch", "cat, cow"]
    assert rows[1] == {"id": 2, "name": "Bridge | hip lift", "aliases": [], "hold_s": None, "per_side": None,
                       "published": None, "seen_at": None, "note": None}


def test_jsonl_is_one_object_per_line(kb: Path) -> None:
    lines = rendered(kb, "jsonl").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, 3]
    assert json.loads(lines[2])["published"] == "1999-12-31"


def test_markdown_is_a_table_with_escaped_cells(kb: Path) -> None:
    lines = rendered(kb, "markdown").splitlines()
    assert lines[0] == "| id | name | aliases | hold_s | per_side | published | seen_at | note |"
    assert lines[1] == "| ---: | --- | --- | ---: | --- | --- | --- | --- |"
    assert "Bridge \\| hip lift" in lines[3] and "two<br>lines" in lines[2]
    assert len(lines) == 5 and all(line.count(" | ") >= 7 for line in lines)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_from_the_cli(kb: Path, fmt: str) -> None:
    result = query(ROWS_SQL, "--kb", str(kb), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "Cat-cow" in result.stdout


def test_an_unknown_format_lists_the_formats(kb: Path) -> None:
    result = query("SELECT 1", "--kb", str(kb), "--format", "xml")
    assert result.exit_code == 1
    assert "Unknown format 'xml'" in result.output and all(f in result.output for f in FORMATS)


# ---------------------------------------------------------------- where the SQL comes from


@pytest.mark.parametrize("sql", ["-- the ids\nSELECT id FROM things", "--the ids\nSELECT id FROM things",
                                 "/* the ids */ SELECT id FROM things"])
def test_sql_may_start_with_a_comment(kb: Path, sql: str) -> None:
    result = query(sql, "--kb", str(kb), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["id", "1", "2", "3"]
    after = query("--kb", str(kb), sql, "--format", "jsonl")  # options after the SQL as well
    assert after.exit_code == 0 and len(after.stdout.splitlines()) == 3


def test_sql_from_stdin_and_from_a_file(kb: Path, tmp_path: Path) -> None:
    piped = query("-", "--kb", str(kb), "--format", "csv", input="SELECT count(*) AS n FROM things\n")
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.splitlines() == ["n", "3"]
    script = tmp_path / "q.sql"
    script.write_text("-- how many\nSELECT count(*) AS n\nFROM things;\n", encoding="utf-8")
    from_file = query("--file", str(script), "--kb", str(kb), "--format", "csv")
    assert from_file.exit_code == 0, from_file.output
    assert from_file.stdout.splitlines() == ["n", "3"]


@pytest.mark.parametrize("args", [[], ["SELECT 1", "--file", "q.sql"]])
def test_exactly_one_sql_source(kb: Path, args: list[str]) -> None:
    result = query(*args, "--kb", str(kb))
    assert result.exit_code == 1 and "exactly one" in result.output


def test_output_file(kb: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "things.csv"
    result = query(ROWS_SQL, "--kb", str(kb), "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "wrote 3 rows to" in result.output and result.stdout == ""
    assert next(csv.DictReader(target.open(encoding="utf-8")))["name"] == "Cat-cow"


# ---------------------------------------------------------------- read-only, and DuckDB's own words


def test_duckdb_hints_are_shown(kb: Path) -> None:
    result = query("SELECT * FROM exercise", "--kb", str(kb))
    assert result.exit_code == 1
    assert 'Did you mean "exercises"' in result.output and "LINE 1" in result.output
    assert "Traceback" not in result.output


def test_copy_to_and_export_are_allowed(kb: Path, tmp_path: Path) -> None:
    target = tmp_path / "copied.csv"
    result = query(f"COPY (SELECT id, aliases FROM things) TO '{target}' (HEADER)", "--kb", str(kb))
    assert result.exit_code == 0, result.output
    assert target.read_text().splitlines()[0] == "id,aliases"
    folder = tmp_path / "dump"
    result = query(f"EXPORT DATABASE '{folder}'", "--kb", str(kb))
    assert result.exit_code == 0, result.output
    assert (folder / "schema.sql").is_file()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM things", "Refused: a DELETE statement"),
        ("INSERT INTO things (id) VALUES (9)", "Refused: an INSERT statement"),
        ("CREATE TABLE t (x INT)", "Refused: a CREATE statement"),
        ("ATTACH ':memory:' AS other", "Refused: an ATTACH statement"),
        ("DROP VIEW exercises", "Refused: a DROP statement"),
        ("COPY things FROM 'elsewhere.csv'", "Refused: a COPY … FROM statement"),
        ("COPY things TO 'small.duckdb'", "names the KB's own file"),
        ("SELECT 1; SELECT 2", "exactly one SQL statement"),
    ],
)
def test_writes_are_refused_and_the_kb_is_unchanged(kb: Path, sql: str, message: str) -> None:
    before = kb.read_bytes()
    result = query(sql, "--kb", str(kb))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert kb.read_bytes() == before


def test_a_kb_held_open_for_writing_is_a_clear_sentence(kb: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
                               "sys.stdin.read()", str(kb)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = query("SELECT 1", "--kb", str(kb))
    finally:
        holder.communicate("", timeout=30)
    assert result.exit_code == 1
    assert "is open for writing in another process" in result.output
    assert f"PID {holder.pid}" in result.output and "read_only=True" in result.output
    assert "IOException" not in result.output and "Traceback" not in result.output


def test_a_missing_kb_names_the_command_that_builds_it(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    result = query("SELECT 1", "--kb", str(missing))
    assert result.exit_code == 1
    assert "No knowledge base at" in result.output
    assert f"-m pipeline build --raw RAW_FOLDER --kb {missing}" in result.output
    assert build_hint(KB_PATH) == "make build-kb"


def test_a_folder_as_kb(tmp_path: Path) -> None:
    result = query("SELECT 1", "--kb", str(tmp_path))
    assert result.exit_code == 1 and "is a folder" in result.output


def test_query_help_names_every_format_and_source() -> None:
    result = runner.invoke(app, ["query", "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    for word in (*FORMATS, "--file", "--output", "-o", "stdin", "COPY"):
        assert word in result.output, word


# ---------------------------------------------------------------- on the seed KB


@pytest.mark.model
def test_query_prints_table_csv_and_json(seeds_kb: Path) -> None:
    sql = "SELECT exercise_id, n_sources FROM exercises WHERE exercise_id = 'hamstring-stretch'"
    table = query(sql, "--kb", str(seeds_kb))
    assert table.exit_code == 0 and "hamstring-stretch" in table.output and "n_sources" in table.output
    csv_out = query(sql, "--kb", str(seeds_kb), "--format", "csv")
    assert csv_out.stdout.splitlines() == ["exercise_id,n_sources", "hamstring-stretch,3"]
    rows = json.loads(query(sql, "--kb", str(seeds_kb), "--format", "json").stdout)
    assert rows == [{"exercise_id": "hamstring-stretch", "n_sources": 3}]


@pytest.mark.model
def test_seed_csv_round_trips(seeds_kb: Path) -> None:
    result = query("SELECT exercise_id, aliases FROM exercises ORDER BY exercise_id", "--kb", str(seeds_kb),
                   "--format", "csv")
    con = duckdb.connect(str(seeds_kb), read_only=True)
    expected = dict(con.execute("SELECT exercise_id, aliases FROM exercises").fetchall())
    con.close()
    got = {r["exercise_id"]: json.loads(r["aliases"]) for r in csv.DictReader(io.StringIO(result.stdout))}
    assert got == expected
