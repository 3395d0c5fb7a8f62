"""Shared fixtures: the seed articles, a scratch copy of them, paths to ../shared, and the two pipelines.

``trained_nlp`` is the trained model as the build loads it (``pipeline.nlp.load_nlp``); ``blank_nlp``
is ``spacy.blank("en")`` with a sentencizer, for rules that need no tagger. A test that uses
``trained_nlp`` or ``seeds_kb`` is marked ``model`` here, so ``pytest -m "not model"`` deselects it
even when its author forgot the mark; a ``model`` test that runs where the model is not installed
fails with one line saying so, instead of an import error deep in spaCy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from pipeline import cache, nlp
from pipeline.config import ROOT
from pipeline.errors import UserError

RAW = ROOT / "raw"
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval" / "score.py"
DEV = SHARED / "eval" / "dev"

MODEL_FIXTURES = {"trained_nlp", "seeds_kb"}


def _model_missing() -> str | None:
    """Why the trained model cannot be loaded, or ``None`` when it is installed."""
    try:
        nlp.model_name()
    except UserError as err:
        return str(err)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("model") and (why := _model_missing()):
        pytest.fail(f"this test needs the trained spaCy model: {why} "
                    '(or run only the others: pytest -m "not model")', pytrace=False)


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture(scope="session")
def seeds_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The KB built from the five seed articles once per test session (with the trained model)."""
    from pipeline.build import build

    kb = tmp_path_factory.mktemp("kb") / "kb.duckdb"
    build(RAW, kb, reviews_path=None)
    return kb


@pytest.fixture(scope="session")
def trained_nlp() -> Language:
    """The trained pipeline as the build loads it."""
    return nlp.load_nlp()


@pytest.fixture(scope="session")
def blank_nlp() -> Language:
    """``spacy.blank("en")`` with a sentencizer: no tagger, no lemmas, no parser."""
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    return blank


@pytest.fixture
def blank_model(monkeypatch: pytest.MonkeyPatch):
    """Builds in this test load ``spacy.blank("en")`` where they would load the trained model.

    For tests of loading, the CLI and the KB's guarantees, which read no detail of the extraction
    and so must pass where the model is not installed. Both places that name the model (the loader
    and the cache's fingerprint) are pointed at the blank pipeline, and the loaded pipeline is
    forgotten before and after, so no other test gets the blank one.
    """
    monkeypatch.setattr(nlp, "model_name", lambda: "blank:en")
    monkeypatch.setattr(cache, "model_name", lambda: "blank:en")
    nlp.load_nlp.cache_clear()
    cache.pipeline_fingerprint.cache_clear()
    yield
    nlp.load_nlp.cache_clear()
    cache.pipeline_fingerprint.cache_clear()
