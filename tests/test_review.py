"""Review: verdicts in curated/reviews.csv survive rebuilds, stale ones are reported, bad files are named."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import UserError
from pipeline.review import load_reviews, record_review
from pipeline.vocab import REVIEW_VERDICTS
from tests.conftest import RAW

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_record_and_load(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    record_review(path, "c-1", "prefer-a", "source A cites a trial")
    record_review(path, "c-2", "both-valid", None)
    record_review(path, "c-1", "not-a-conflict", "changed my mind")
    got = {r.conflict_id: (r.verdict, r.note) for r in load_reviews(path)}
    assert got == {"c-1": ("not-a-conflict", "changed my mind"), "c-2": ("both-valid", None)}
    assert path.read_text().splitlines()[0] == "conflict_id,verdict,note,reviewed_at"


@pytest.mark.parametrize("verdict", REVIEW_VERDICTS)
def test_every_verdict_is_recorded_and_read_back(tmp_path: Path, verdict: str) -> None:
    path = tmp_path / "reviews.csv"
    record_review(path, "c-1", verdict, None)
    assert [r.verdict for r in load_reviews(path)] == [verdict]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,verdict\nc-1,prefer-a\n", "line 1: the header"),
        ("conflict_id,verdict,note,reviewed_at\nc-1,prefer-c,,\n", "line 2: verdict 'prefer-c'"),
        ("conflict_id,verdict,note,reviewed_at\nc-1,prefer-a,,\n,prefer-b,,\n", "line 3: the conflict_id is empty"),
        ("conflict_id,verdict,note,reviewed_at\nc-1,prefer-a\n", "line 2: expected 4 fields"),
    ],
)
def test_malformed_reviews_file_names_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        load_reviews(path)


@pytest.mark.model
def test_review_rebuild_and_find_the_verdict_applied(raw_copy: Path, tmp_path: Path) -> None:
    kb, reviews = tmp_path / "kb.duckdb", tmp_path / "reviews.csv"
    assert cli("build", "--raw", str(raw_copy), "--kb", str(kb), "--reviews", str(reviews), "-q").exit_code == 0
    con = duckdb.connect(str(kb), read_only=True)
    cid = con.execute("SELECT conflict_id FROM conflicts WHERE topic = 'reps' AND kind = 'numeric_disjoint'"
                      " ORDER BY conflict_id LIMIT 1").fetchone()[0]
    con.close()
    result = cli("review", cid, "--verdict", "both-valid", "--note", "per leg vs total", "--kb", str(kb),
                 "--reviews", str(reviews))
    assert result.exit_code == 0, result.output
    assert cli("build", "--raw", str(raw_copy), "--kb", str(kb), "--reviews", str(reviews), "-q").exit_code == 0
    con = duckdb.connect(str(kb), read_only=True)
    assert con.execute("SELECT status, note FROM conflicts WHERE conflict_id = ?", [cid]).fetchone() == (
        "both-valid", "per leg vs total")
    listing = cli("conflicts", "--kb", str(kb))
    assert cid not in listing.output
    assert cid in cli("conflicts", "--all", "--kb", str(kb)).output


@pytest.mark.model
def test_a_verdict_whose_conflict_is_gone_is_reported_and_kept(raw_copy: Path, tmp_path: Path) -> None:
    kb, reviews = tmp_path / "kb.duckdb", tmp_path / "reviews.csv"
    record_review(reviews, "c-0000000000", "prefer-a", "an old conflict")
    result = cli("build", "--raw", str(raw_copy), "--kb", str(kb), "--reviews", str(reviews))
    assert result.exit_code == 0
    assert "c-0000000000" in result.output and "stale_reviews" in result.output
    con = duckdb.connect(str(kb), read_only=True)
    assert con.execute("SELECT conflict_id, verdict FROM stale_reviews").fetchall() == [("c-0000000000", "prefer-a")]
    assert "c-0000000000" in reviews.read_text()


@pytest.mark.model
def test_review_refusals(seeds_kb: Path, tmp_path: Path) -> None:
    reviews = tmp_path / "reviews.csv"
    unknown = cli("review", "c-nope", "--verdict", "prefer-a", "--kb", str(seeds_kb), "--reviews", str(reviews))
    assert unknown.exit_code == 1 and "No conflict 'c-nope'" in unknown.output
    cid = duckdb.connect(str(seeds_kb), read_only=True).execute(
        "SELECT min(conflict_id) FROM conflicts").fetchone()[0]
    bad = cli("review", cid, "--verdict", "maybe", "--kb", str(seeds_kb), "--reviews", str(reviews))
    assert bad.exit_code == 1 and "not one of" in bad.output
    assert not reviews.exists()


@pytest.mark.model
def test_conflicts_lists_values_and_quotes_side_by_side(seeds_kb: Path) -> None:
    out = cli("conflicts", "--kb", str(seeds_kb)).output
    assert "== Hamstring stretch" in out
    assert '5–10 reps' in out and '"Repeat for 5 to 10 reps"' in out
    assert '2–4 reps per side' in out and '"Do 2 to 4 times for each leg"' in out


def test_build_refuses_a_malformed_reviews_file(raw_copy: Path, tmp_path: Path) -> None:
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("conflict_id,verdict,note,reviewed_at\nc-1,prefer-z,,\n")
    kb = tmp_path / "kb.duckdb"
    result = cli("build", "--raw", str(raw_copy), "--kb", str(kb), "--reviews", str(reviews))
    assert result.exit_code == 1 and "line 2" in result.output
    assert not kb.exists()
    assert RAW.is_dir()
