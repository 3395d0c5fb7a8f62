"""Review: verdicts beside their KB survive rebuilds, stale ones are reported, bad files are named; the listing."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import config
from pipeline.cli import app
from pipeline.errors import UserError
from pipeline.review import clear_reviews, load_reviews, record_reviews, reviews_for
from pipeline.vocab import REVIEW_VERDICTS
from tests.conftest import RAW

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_record_and_load(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    record_reviews(path, ["c-1"], "prefer-a", "source A cites a trial")
    record_reviews(path, ["c-2"], "both-valid", None)
    record_reviews(path, ["c-1"], "not-a-conflict", "changed my mind")
    got = {r.conflict_id: (r.verdict, r.note) for r in load_reviews(path)}
    assert got == {"c-1": ("not-a-conflict", "changed my mind"), "c-2": ("both-valid", None)}
    assert path.read_text().splitlines()[0] == "conflict_id,verdict,note,reviewed_at"


@pytest.mark.parametrize("verdict", REVIEW_VERDICTS)
def test_every_verdict_is_recorded_and_read_back(tmp_path: Path, verdict: str) -> None:
    path = tmp_path / "reviews.csv"
    record_reviews(path, ["c-1"], verdict, None)
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
    record_reviews(reviews, ["c-0000000000"], "prefer-a", "an old conflict")
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
    out = runner.invoke(app, ["conflicts", "--kb", str(seeds_kb)], env={"COLUMNS": "200"}).output
    assert "== Hamstring stretch" in out
    assert '5–10 reps' in out and '“Repeat for 5 to 10 reps”' in out
    assert '2–4 reps per side' in out and '“Do 2 to 4 times for each leg”' in out


def test_build_refuses_a_malformed_reviews_file(raw_copy: Path, tmp_path: Path) -> None:
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("conflict_id,verdict,note,reviewed_at\nc-1,prefer-z,,\n")
    kb = tmp_path / "kb.duckdb"
    result = cli("build", "--raw", str(raw_copy), "--kb", str(kb), "--reviews", str(reviews))
    assert result.exit_code == 1 and "line 2" in result.output
    assert not kb.exists()
    assert RAW.is_dir()


# ---------------------------------------------------------------- several ids, clearing


def test_several_verdicts_at_once_and_clearing(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    recorded = record_reviews(path, ["c-1", "c-2", "c-1"], "both-valid", "same trial")
    assert [r.conflict_id for r in recorded] == ["c-1", "c-2"]
    assert [r.conflict_id for r in clear_reviews(path, ["c-1", "c-9"])] == ["c-1"]
    assert [(r.conflict_id, r.verdict) for r in load_reviews(path)] == [("c-2", "both-valid")]
    assert clear_reviews(tmp_path / "none.csv", ["c-1"]) == []


def _kb_with_conflicts(path: Path, *ids: str) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE conflicts (conflict_id VARCHAR)")
    con.executemany("INSERT INTO conflicts VALUES (?)", [[i] for i in ids])
    con.close()
    return path


def test_review_takes_several_ids_and_clear_removes_a_verdict(tmp_path: Path) -> None:
    kb, reviews = _kb_with_conflicts(tmp_path / "kb.duckdb", "c-1", "c-2"), tmp_path / "r.csv"
    both = cli("review", "c-1", "c-2", "--verdict", "prefer-b", "--kb", str(kb), "--reviews", str(reviews))
    assert both.exit_code == 0, both.output
    assert {r.conflict_id: r.verdict for r in load_reviews(reviews)} == {"c-1": "prefer-b", "c-2": "prefer-b"}
    cleared = cli("review", "c-2", "--clear", "--kb", str(kb), "--reviews", str(reviews))
    assert cleared.exit_code == 0 and "cleared the verdict on c-2" in cleared.output
    assert [r.conflict_id for r in load_reviews(reviews)] == ["c-1"]
    again = cli("review", "c-2", "--clear", "--kb", str(kb), "--reviews", str(reviews))
    assert again.exit_code == 0 and "c-2 had no verdict" in again.output


@pytest.mark.parametrize("flags", [[], ["--verdict", "prefer-a", "--clear"]])
def test_review_wants_a_verdict_or_clear(tmp_path: Path, flags: list[str]) -> None:
    kb = _kb_with_conflicts(tmp_path / "kb.duckdb", "c-1")
    result = cli("review", "c-1", *flags, "--kb", str(kb), "--reviews", str(tmp_path / "r.csv"))
    assert result.exit_code == 1 and "either --verdict VERDICT or --clear" in result.output


def test_an_unknown_id_among_several_records_nothing(tmp_path: Path) -> None:
    kb, reviews = _kb_with_conflicts(tmp_path / "kb.duckdb", "c-1"), tmp_path / "r.csv"
    result = cli("review", "c-1", "c-nope", "--verdict", "prefer-a", "--kb", str(kb), "--reviews", str(reviews))
    assert result.exit_code == 1 and "c-nope" in result.output and not reviews.exists()


# ---------------------------------------------------------------- reviews follow the KB


@pytest.mark.parametrize(
    ("kb", "expected"),
    [(config.KB_PATH, config.REVIEWS_PATH), (Path("/data/dev.duckdb"), Path("/data/dev.reviews.csv")),
     (Path("/data/kb.duckdb"), Path("/data/kb.reviews.csv"))],
)
def test_the_reviews_file_is_the_one_beside_its_kb(kb: Path, expected: Path) -> None:
    assert reviews_for(kb) == expected


def test_a_verdict_for_a_kb_outside_curated_lands_beside_it(tmp_path: Path) -> None:
    kb = _kb_with_conflicts(tmp_path / "scratch.duckdb", "c-1")
    before = config.REVIEWS_PATH.read_bytes() if config.REVIEWS_PATH.exists() else None
    result = cli("review", "c-1", "--verdict", "prefer-a", "--kb", str(kb))
    assert result.exit_code == 0, result.output
    assert [r.conflict_id for r in load_reviews(tmp_path / "scratch.reviews.csv")] == ["c-1"]
    assert (config.REVIEWS_PATH.read_bytes() if config.REVIEWS_PATH.exists() else None) == before


@pytest.mark.usefixtures("blank_model")
def test_building_another_kb_imports_no_verdicts(raw_copy: Path, tmp_path: Path) -> None:
    one, other = tmp_path / "one.duckdb", tmp_path / "other.duckdb"
    record_reviews(reviews_for(one), ["c-0000000001"], "prefer-a", "on one only")
    built = cli("build", "--raw", str(raw_copy), "--kb", str(other))
    assert built.exit_code == 0 and "c-0000000001" not in built.output
    con = duckdb.connect(str(other), read_only=True)
    assert con.execute("SELECT count(*) FROM src_reviews").fetchone() == (0,)
    con.close()
    own = cli("build", "--raw", str(raw_copy), "--kb", str(one))  # its own file is read
    assert own.exit_code == 0 and "c-0000000001" in own.output


# ---------------------------------------------------------------- the conflicts listing


@pytest.mark.model
def test_conflicts_prints_whole_quotes_wrapped_to_the_width(seeds_kb: Path) -> None:
    con = duckdb.connect(str(seeds_kb), read_only=True)
    longest = con.execute("SELECT evidence FROM conflict_sources ORDER BY length(evidence) DESC LIMIT 1").fetchone()[0]
    con.close()
    assert len(longest) > 120
    wide = runner.invoke(app, ["conflicts", "--kb", str(seeds_kb)], env={"COLUMNS": "2000"}).output
    assert f"“{' '.join(longest.split())}”" in wide
    narrow = runner.invoke(app, ["conflicts", "--kb", str(seeds_kb)], env={"COLUMNS": "80"}).output
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert " ".join(longest.split()[-3:]) in " ".join(narrow.split())


@pytest.mark.model
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--topic", "reps"], {"reps"}),
        (["--topic", "rest_or_move"], {"rest vs keep moving"}),
        (["--topic", "Rest vs keep moving"], {"rest vs keep moving"}),
        (["--exercise", "hamstring"], {"reps"}),
        (["--exercise", "forward bend"], {"polarity"}),
        (["--status", "prefer-a"], set()),
        (["--status", "all"], {"reps", "polarity", "rest vs keep moving"}),
    ],
)
def test_conflicts_filters(seeds_kb: Path, args: list[str], expected: set[str]) -> None:
    result = cli("conflicts", "--kb", str(seeds_kb), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    assert {r["topic"] for r in json.loads(result.output)} == expected


@pytest.mark.model
@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "table"])
def test_conflicts_formats_list_every_source_on_each_side(seeds_kb: Path, fmt: str) -> None:
    result = cli("conflicts", "--kb", str(seeds_kb), "--topic", "rest vs keep moving", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert all(s in result.output for s in ("000_", "001_", "002_", "004_"))


def test_conflicts_refuses_an_unknown_status_or_format(tmp_path: Path) -> None:
    kb = _kb_with_conflicts(tmp_path / "kb.duckdb", "c-1")
    assert "is not one of" in cli("conflicts", "--kb", str(kb), "--status", "maybe").output
    assert "Unknown format" in cli("conflicts", "--kb", str(kb), "--format", "xml").output
