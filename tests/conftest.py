"""Shared fixtures: the seed articles, a scratch copy of them, and paths to ../shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import ROOT

RAW = ROOT / "raw"
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval" / "score.py"


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target
