"""SQL data tests: every query in pipeline/sql/tests, and the accepted-values query rendered from
pipeline/vocab.py, must return no rows on the KB built from the seeds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.build import build
from pipeline.config import SQL_DIR
from pipeline.vocab import accepted_values_sql
from tests.conftest import RAW

DATA_TESTS = {p.stem: p.read_text() for p in sorted((SQL_DIR / "tests").glob("*.sql"))} | {
    "accepted_values": accepted_values_sql()}


def test_there_are_data_tests() -> None:
    assert len(DATA_TESTS) >= 6


@pytest.mark.model
@pytest.mark.parametrize("name", DATA_TESTS)
def test_data_test_returns_no_rows(seeds_kb: Path, name: str) -> None:
    con = duckdb.connect(str(seeds_kb), read_only=True)
    rows = con.execute(DATA_TESTS[name]).fetchall()
    assert rows == [], f"{name}: {rows[:5]}"


@pytest.mark.model
def test_a_data_test_can_fail(tmp_path: Path, seeds_kb: Path) -> None:
    """The data tests do catch a broken KB (a link to no exercise, a dose without bounds, a polarity
    and a dose attribute no one documents)."""
    kb = tmp_path / "broken.duckdb"
    kb.write_bytes(seeds_kb.read_bytes())
    con = duckdb.connect(str(kb))
    con.execute("UPDATE src_links SET exercise_id = 'no-such-exercise' WHERE rowid = 0")
    con.execute("UPDATE src_dosages SET min_value = NULL, max_value = NULL WHERE rowid = 0")
    con.execute("UPDATE src_mentions SET polarity = 'maybe' WHERE rowid = 0")
    con.execute("UPDATE src_dosages SET attribute = 'hold_min' WHERE rowid = 1")
    failing = {name for name, sql in DATA_TESTS.items() if con.execute(sql).fetchall()}
    assert {"foreign_keys_resolve", "spans_and_ranges_are_sane", "accepted_values"} <= failing
    found = dict(con.execute(accepted_values_sql()).fetchall())
    assert found == {"mentions.polarity": "maybe", "dosages.attribute": "hold_min"}


@pytest.mark.model
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
