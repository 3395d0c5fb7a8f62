"""The hand annotation in ../shared/eval scores the KB built from the seeds; its numbers are floors.

Floors only go up. Two are below the extraction/merge issue's targets for a reason of the scorer's,
not of the KB: the scorer matches a gold name to every mention whose surface contains it or is
contained in it, so "Leg Lifts" (avoid) and "Lying Lateral Leg Lifts" claim each other's mentions
and always look merged (merge_precision 0.8, pairwise_precision 0.917). The KB keeps them apart;
``test_leg_lifts_are_not_merged`` checks that directly.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import RAW, SCORER

pytestmark = [pytest.mark.model, pytest.mark.skipif(not SCORER.is_file(), reason="../shared/eval not present")]

FLOORS = {
    "provenance_exact": 1.0,
    "mention_recall": 1.0,
    "mention_precision": 0.974,
    "polarity_accuracy": 1.0,
    "avoid_recall": 1.0,
    "per_side_accuracy": 1.0,
    "dosage_recall": 1.0,
    "dosage_precision": 0.964,
    "steps_within_1": 1.0,
    "merge_recall": 1.0,
    "merge_precision": 0.8,
    "pairwise_precision": 0.917,
    "pairwise_recall": 1.0,
    "conflict_recall": 1.0,
}


@pytest.fixture(scope="module")
def scores(seeds_kb: Path) -> dict:
    spec = importlib.util.spec_from_file_location("score", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    gold = json.loads((SCORER.parent / "seeds_gold.json").read_text())
    return module.score(seeds_kb, RAW, gold)


@pytest.mark.parametrize(("metric", "floor"), sorted(FLOORS.items()))
def test_metric_holds_its_floor(scores: dict, metric: str, floor: float) -> None:
    assert scores[metric] is not None and scores[metric] >= floor, (metric, scores[metric], scores)


@pytest.mark.parametrize("listing", ["noise_left", "false_conflicts", "missed_mentions"])
def test_nothing_listed(scores: dict, listing: str) -> None:
    assert scores[listing] == []


def test_leg_lifts_are_not_merged(seeds_kb: Path) -> None:
    con = duckdb.connect(str(seeds_kb), read_only=True)
    rows = con.execute("""SELECT DISTINCT surface, exercise_id, polarity FROM mentions
                          WHERE lower(surface) LIKE '%leg lifts%'""").fetchall()
    by_surface = {s: (e, p) for s, e, p in rows}
    assert by_surface["Lying Lateral Leg Lifts"][1] == "recommend"
    assert by_surface["Leg Lifts"][1] == "avoid"
    assert by_surface["Lying Lateral Leg Lifts"][0] != by_surface["Leg Lifts"][0]
