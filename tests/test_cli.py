"""The CLI end to end: help on every command, builds, and one-sentence errors for user mistakes.

The builds here check what the CLI says, not what extraction found, so they use a blank pipeline.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

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
