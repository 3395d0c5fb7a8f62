"""Shared fixtures: the seed articles, a scratch copy of them, and paths to ../shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import ROOT

RAW = ROOT / "raw"
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval" / "score.py"
DEV = SHARED / "eval" / "dev"


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture(scope="session")
def seeds_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The KB built from the five seed articles once per test session (needs the spaCy model)."""
    from pipeline.build import build

    kb = tmp_path_factory.mktemp("kb") / "kb.duckdb"
    build(RAW, kb, reviews_path=None)
    return kb


@pytest.fixture(scope="session")
def trained_nlp():
    """The trained pipeline as the build loads it."""
    from pipeline.nlp import load_nlp

    return load_nlp()
