"""SQL data tests: every query in pipeline/sql/tests must return no rows on the KB built from the seeds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.build import build
from pipeline.config import SQL_DIR
from tests.conftest import RAW

DATA_TESTS = sorted((SQL_DIR / "tests").glob("*.sql"))
pytestmark = pytest.mark.model


def test_there_are_data_tests() -> None:
    assert len(DATA_TESTS) >= 5


@pytest.mark.parametrize("sql_file", DATA_TESTS, ids=lambda p: p.stem)
def test_data_test_returns_no_rows(seeds_kb: Path, sql_file: Path) -> None:
    con = duckdb.connect(str(seeds_kb), read_only=True)
    rows = con.execute(sql_file.read_text()).fetchall()
    assert rows == [], f"{sql_file.name}: {rows[:5]}"


def test_a_data_test_can_fail(tmp_path: Path, seeds_kb: Path) -> None:
    """The data tests do catch a broken KB (a link to no exercise and a dose without bounds)."""
    kb = tmp_path / "broken.duckdb"
    kb.write_bytes(seeds_kb.read_bytes())
    con = duckdb.connect(str(kb))
    con.execute("UPDATE src_links SET exercise_id = 'no-such-exercise' WHERE rowid = 0")
    con.execute("UPDATE src_dosages SET min_value = NULL, max_value = NULL WHERE rowid = 0")
    failing = {p.stem for p in DATA_TESTS if con.execute(p.read_text()).fetchall()}
    assert {"foreign_keys_resolve", "spans_and_ranges_are_sane"} <= failing


def test_builds_are_deterministic(tmp_path: Path, seeds_kb: Path) -> None:
    again = tmp_path / "again.duckdb"
    build(RAW, again)
    queries = {
        "exercises": "SELECT exercise_id, name, aliases, n_sources FROM exercises ORDER BY ALL",
        "mentions": "SELECT * FROM mentions ORDER BY ALL",
        "dosages": "SELECT * FROM dosages ORDER BY ALL",
        "steps": "SELECT * FROM steps ORDER BY ALL",
        "conflicts": "SELECT * FROM conflicts ORDER BY ALL",
        "advice": "SELECT * FROM advice ORDER BY ALL",
    }
    a, b = duckdb.connect(str(seeds_kb), read_only=True), duckdb.connect(str(again), read_only=True)
    for name, sql in queries.items():
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall(), name
