"""The CLI end to end: help on every command, builds, and one-sentence errors for user mistakes.

The builds here check what the CLI says, not what extraction found, so they use a blank pipeline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pipeline import config
from pipeline.cli import app
from pipeline.vocab import REVIEW_VERDICTS

runner = CliRunner()


def all_commands() -> list[str]:
    return sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", [[], *[[c] for c in all_commands()]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output
    assert len(result.output.strip().splitlines()) > 3


@pytest.mark.usefixtures("blank_model")
def test_build_reports_what_it_did(raw_copy: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    (raw_copy / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["build", "--raw", str(raw_copy), "--kb", str(kb)])
    assert result.exit_code == 0, result.output
    assert kb.is_file()
    assert "from 5 of 6 files" in result.output
    assert "skipped empty.txt: empty" in result.output


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "does not exist"),
        ("empty", "No usable article"),
    ],
)
@pytest.mark.usefixtures("blank_model")
def test_build_errors_are_one_sentence(tmp_path: Path, setup: str, message: str) -> None:
    raw = tmp_path / "raw"
    if setup == "empty":
        raw.mkdir()
    result = runner.invoke(app, ["build", "--raw", str(raw), "--kb", str(tmp_path / "kb.duckdb")])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_review_help_lists_every_verdict() -> None:
    result = runner.invoke(app, ["review", "--help"])
    assert all(v in result.output for v in REVIEW_VERDICTS)


# ---------------------------------------------------------------- path mistakes: one sentence, before any work


def _one_sentence(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert message in lines[0]
    assert "ingest:" not in result.output and "waiting" not in result.output and "Traceback" not in result.output


def _paths(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "folder").mkdir()
    (tmp_path / "a-file").write_text("notes")
    (tmp_path / "article.md").write_text("# Bridge\n\nLie on your back.\n")
    return {"folder": tmp_path / "folder", "file": tmp_path / "a-file", "article": tmp_path / "article.md"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kb", "{folder}"], "is a folder; give the KB file's path"),
        (["--kb", "{file}/kb.duckdb"], "is a file, not a folder"),
        (["--kb", "{file}"], "is not a DuckDB file"),
        (["--raw", "{article}"], "is a file; give the folder that holds the articles"),
        (["--raw", "{folder}/missing"], "does not exist"),
        (["--reviews", "{folder}"], "is a folder"),
        (["--cache-dir", "{file}"], "is a file; give a folder"),
        (["--cache-dir", "{file}/cache"], "is a file, not a folder"),
    ],
)
def test_build_path_mistakes_are_one_sentence_before_any_work(raw_copy: Path, tmp_path: Path, args: list[str],
                                                              message: str) -> None:
    paths = _paths(tmp_path)
    given = {"--raw": str(raw_copy), "--kb": str(tmp_path / "kb.duckdb")}
    for option, value in zip(args[::2], args[1::2], strict=True):
        given[option] = value.format(**paths)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["build", *(x for kv in given.items() for x in kv)])
    _one_sentence(result, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no KB, lock or cache was made


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
def test_a_lock_that_cannot_be_made_is_an_error_not_a_wait(raw_copy: Path) -> None:
    started = time.monotonic()
    result = runner.invoke(app, ["build", "--raw", str(raw_copy), "--kb", "/proc/backkb-test.duckdb", "--wait", "30"])
    _one_sentence(result, "cannot create /proc/backkb-test.duckdb.lock")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["report", "--kb", "{file}.duckdb", "--out", "{folder}"], "is a folder; give a file's path"),
        (["export", "--format", "csv", "--kb", "{file}.duckdb", "--out", "{file}"], "is a file; give a folder"),
        (["export", "--format", "csv", "--kb", "{folder}"], "is a folder; give the KB file's path"),
        (["query", "SELECT 1", "--kb", "{file}.duckdb", "-o", "{folder}"], "is a folder; give a file's path"),
        (["query", "--file", "{folder}/none.sql", "--kb", "{file}.duckdb"], "does not exist"),
        (["conflicts", "--kb", "{folder}/none.duckdb"], "No knowledge base at"),
    ],
)
def test_other_path_mistakes_are_one_sentence(tmp_path: Path, command: list[str], message: str) -> None:
    paths = _paths(tmp_path)
    duckdb.connect(str(paths["file"]) + ".duckdb").close()
    _one_sentence(runner.invoke(app, [c.format(**paths) for c in command]), message)


# ---------------------------------------------------------------- help and the command's name


@pytest.mark.parametrize("command", ["build", "query", "report", "export", "review"])
def test_help_shows_whole_defaults(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"})
    assert "…" not in result.output.replace("COPY (…)", "")
    if command in ("build", "review"):
        assert config.shown(config.REVIEWS_PATH) in result.output
    assert config.shown(config.KB_PATH) in result.output


def test_the_program_is_named_as_the_user_runs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(config.ROOT)
    monkeypatch.setattr(sys, "executable", str(config.ROOT / ".venv" / "bin" / "python"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert config.program() == ".venv/bin/python -m pipeline"
    monkeypatch.setattr(shutil, "which", lambda name: str(config.ROOT / ".venv" / "bin" / name))
    assert config.program() == "python -m pipeline"


def test_messages_name_the_command_as_typed(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # this interpreter is not the `python` on PATH
    missing = tmp_path / "none.duckdb"
    result = subprocess.run([sys.executable, "-m", "pipeline", "query", "SELECT 1", "--kb", str(missing)],
                            cwd=config.ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    typed = f"{os.path.relpath(sys.executable, config.ROOT)} -m pipeline"
    assert f"`{typed} build --raw RAW_FOLDER --kb {missing}`" in result.stderr
    usage = subprocess.run([sys.executable, "-m", "pipeline", "query", "--help"], cwd=config.ROOT, env=env,
                           capture_output=True, text=True, timeout=60).stdout
    assert f"Usage: {typed} query" in usage


# ---------------------------------------------------------------- review


def test_a_second_verdict_says_it_replaces_the_first(tmp_path: Path) -> None:
    kb, reviews = tmp_path / "kb.duckdb", tmp_path / "reviews.csv"
    con = duckdb.connect(str(kb))
    con.execute("CREATE VIEW conflicts AS SELECT 'c-1' AS conflict_id")
    con.close()
    first = runner.invoke(app, ["review", "c-1", "--verdict", "prefer-a", "--note", "a trial", "--kb", str(kb),
                                "--reviews", str(reviews)])
    assert first.exit_code == 0 and "replaces" not in first.output
    second = runner.invoke(app, ["review", "c-1", "--verdict", "both-valid", "--kb", str(kb),
                                 "--reviews", str(reviews)])
    assert second.exit_code == 0, second.output
    assert "replaces the earlier verdict 'prefer-a'" in second.output and "a trial" in second.output
    assert f"-m pipeline build --raw RAW_FOLDER --kb {kb}" in second.output


# ---------------------------------------------------------------- nothing new; the cache's place


@pytest.mark.usefixtures("blank_model")
def test_a_build_with_nothing_new_says_so_and_leaves_the_kb(raw_copy: Path, tmp_path: Path) -> None:
    kb, reviews = tmp_path / "kb.duckdb", tmp_path / "reviews.csv"
    args = ["build", "--raw", str(raw_copy), "--kb", str(kb), "--reviews", str(reviews)]
    assert runner.invoke(app, args).exit_code == 0
    stamp = kb.stat().st_mtime_ns
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "nothing new" in again.output and kb.stat().st_mtime_ns == stamp
    reviews.write_text("conflict_id,verdict,note,reviewed_at\nc-0,prefer-a,,\n")
    assert "nothing new" not in runner.invoke(app, args).output  # a new verdict is something new
    assert "nothing new" not in runner.invoke(app, [*args, "--no-cache"]).output
    (raw_copy / "001_138faa212ac3308a.txt").unlink()
    removed = runner.invoke(app, args)
    assert "nothing new" not in removed.output and "from 4 of 4 files" in removed.output


@pytest.mark.usefixtures("blank_model")
def test_cache_dir_moves_the_cache(raw_copy: Path, tmp_path: Path) -> None:
    kb, cache = tmp_path / "out" / "kb.duckdb", tmp_path / "elsewhere" / "cache"
    result = runner.invoke(app, ["build", "--raw", str(raw_copy), "--kb", str(kb), "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in kb.parent.iterdir()) == ["kb.duckdb", "kb.duckdb.lock"]
    assert any(cache.rglob("*.pkl"))
