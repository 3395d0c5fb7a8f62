"""The hand annotations in ../shared/eval score the KBs built from the seeds and the dev articles.

Their numbers are floors, pinned at what the build measures, and they only go up. The seeds are the
five articles the project started from; the dev set is 20 real articles from 20 other sites, which
is what users' articles look like (see ../shared/eval/README.md).

Polarity accuracy and avoid recall are measured over the exercises that were found, so finding more
of them (mention recall 0.74 -> 1.0, with the gym lifts articles name to warn against) lowered both
(0.917 -> 0.846, 0.5 -> 0.286) without any reading getting worse, until the ConText rules learnt
lists of exercises to avoid under lead-in headings (both 1.0 now).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from tests.conftest import DEV, RAW, SCORER

pytestmark = [pytest.mark.model, pytest.mark.skipif(not SCORER.is_file(), reason="../shared/eval not present")]

SEED_FLOORS = {
    "provenance_exact": 1.0,
    "mention_recall": 1.0,
    "mention_precision": 1.0,
    "polarity_accuracy": 1.0,
    "avoid_recall": 1.0,
    "per_side_accuracy": 1.0,
    "dosage_recall": 1.0,
    "dosage_precision": 1.0,
    "dosage_f1_e2e": 1.0,
    "steps_within_1": 1.0,
    "merge_recall": 1.0,
    "merge_precision": 1.0,
    "pairwise_precision": 1.0,
    "pairwise_recall": 1.0,
    "conflict_recall": 1.0,
}

DEV_FLOORS = {
    "provenance_exact": 1.0,
    "mention_recall": 1.0,
    "mention_precision": 1.0,
    "polarity_accuracy": 1.0,
    "avoid_recall": 1.0,
    "per_side_accuracy": 0.981,
    "dosage_f1_e2e": 0.974,
    "dosage_precision": 0.991,
    "steps_within_1": 0.922,
    "pairwise_precision": 1.0,
    "pairwise_recall": 0.854,
    "conflict_recall": 0.909,
}


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seed_scores(scorer: ModuleType, seeds_kb: Path) -> dict:
    return scorer.score(seeds_kb, RAW, json.loads((SCORER.parent / "seeds_gold.json").read_text()))


@pytest.fixture(scope="module")
def dev_scores(scorer: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from pipeline.build import build

    kb = tmp_path_factory.mktemp("dev") / "dev.duckdb"
    build(DEV / "texts", kb, reviews_path=None)
    return scorer.score(kb, DEV / "texts", json.loads((DEV / "gold.json").read_text()))


@pytest.mark.parametrize(("metric", "floor"), sorted(SEED_FLOORS.items()))
def test_seed_metric_holds_its_floor(seed_scores: dict, metric: str, floor: float) -> None:
    assert seed_scores[metric] is not None and seed_scores[metric] >= floor, (metric, seed_scores[metric])


@pytest.mark.parametrize(("metric", "floor"), sorted(DEV_FLOORS.items()))
def test_dev_metric_holds_its_floor(dev_scores: dict, metric: str, floor: float) -> None:
    assert dev_scores[metric] is not None and dev_scores[metric] >= floor, (metric, dev_scores[metric])


@pytest.mark.parametrize("listing", ["noise_left", "false_conflicts", "missed_mentions"])
def test_seeds_list_nothing(seed_scores: dict, listing: str) -> None:
    assert seed_scores[listing] == []


@pytest.mark.parametrize("listing", ["noise_left", "false_conflicts", "missed_mentions", "false_mentions"])
def test_dev_lists_nothing(dev_scores: dict, listing: str) -> None:
    assert dev_scores[listing] == []


def test_leg_lifts_are_not_merged(seeds_kb: Path) -> None:
    con = duckdb.connect(str(seeds_kb), read_only=True)
    rows = con.execute("""SELECT DISTINCT surface, exercise_id, polarity FROM mentions
                          WHERE lower(surface) LIKE '%leg lifts%'""").fetchall()
    by_surface = {s: (e, p) for s, e, p in rows}
    assert by_surface["Lying Lateral Leg Lifts"][1] == "recommend"
    assert by_surface["Leg Lifts"][1] == "avoid"
    assert by_surface["Lying Lateral Leg Lifts"][0] != by_surface["Leg Lifts"][0]
