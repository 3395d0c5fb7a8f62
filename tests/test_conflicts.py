"""Stage 4: conflicts between sources, on small hand-made records."""

from __future__ import annotations

import pytest

from pipeline import conflicts as conflicts_module
from pipeline.conflicts import describe, find_conflicts
from pipeline.models import Advice, Dosage, Exercise, Extraction, Link, Mention, Relation, Resolution
from pipeline.vocab import CONFLICT_KINDS, DOSE_ATTRIBUTES


def mention(source: str, exercise: str, polarity: str = "recommend") -> tuple[Mention, Link]:
    mid = f"{source}:{exercise}:{polarity}"
    return (Mention(mid, source, exercise, exercise, 0, len(exercise), polarity, True, "lexicon", 1.0),
            Link(mid, exercise, "alias", 1.0))


def dose(source: str, exercise: str, attribute: str, lo: float | None, hi: float | None,
         per_side: bool = False) -> Dosage:
    return Dosage(f"{source}:{exercise}:recommend", source, attribute, lo, hi, per_side, False, f"{lo}-{hi}", 0, 3)


def kb(doses: list[Dosage] = (), polarities: list[tuple[str, str, str]] = (), advice: list[Advice] = (),
       relations: list[Relation] = ()) -> tuple[Extraction, Resolution]:
    pairs = {mention(d.source_id, d.mention_id.split(":")[1]) for d in doses}
    pairs |= {mention(s, e, p) for s, e, p in polarities}
    mentions, links = zip(*sorted(pairs, key=lambda p: p[0].mention_id), strict=True) if pairs else ((), ())
    exercises = tuple(Exercise(e, e.title(), (), 1) for e in sorted({link.exercise_id for link in links}))
    return (Extraction(tuple(mentions), (), tuple(doses), tuple(advice)),
            Resolution(exercises, tuple(links), tuple(relations)))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((5, 10, False), (2, 4, True), ("5–10 reps", "2–4 reps per side")),
        ((20, 20, False), (15, 30, False), None),
        ((None, 10, False), (12, 15, False), ("up to 10 reps", "12–15 reps")),
        ((3, None, False), (1, 2, False), ("at least 3 reps", "1–2 reps")),
        ((8, 10, False), (10, 12, False), None),
    ],
)
def test_numeric_conflicts_only_for_disjoint_ranges(a, b, expected) -> None:
    extraction, resolution = kb([dose("s1", "x", "reps", *a), dose("s2", "x", "reps", *b)])
    found = find_conflicts(extraction, resolution)
    if expected is None:
        assert found == ()
    else:
        (c,) = found
        assert (c.kind, c.topic, c.exercise_id, c.source_a, c.source_b) == ("numeric_disjoint", "reps", "x", "s1",
                                                                           "s2")
        assert (c.value_a, c.value_b) == expected


def test_attributes_are_compared_separately() -> None:
    extraction, resolution = kb([dose("s1", "x", "reps", 5, 5), dose("s2", "x", "hold_s", 30, 30)])
    assert find_conflicts(extraction, resolution) == ()


def test_avoid_against_recommend_of_the_same_or_a_related_exercise() -> None:
    extraction, resolution = kb(polarities=[("s1", "toe-touch", "avoid"), ("s2", "toe-touch", "recommend"),
                                            ("s3", "forward-bend", "recommend")],
                                relations=[Relation("forward-bend", "toe-touch", "related")])
    found = {(c.source_a, c.source_b, c.value_a, c.value_b) for c in find_conflicts(extraction, resolution)}
    assert found == {("s1", "s2", "avoid Toe-Touch", "recommend Toe-Touch"),
                     ("s1", "s3", "avoid Toe-Touch", "recommend Forward-Bend")}


def advice(source: str, topic: str, stance: str) -> Advice:
    return Advice(source, topic, stance, f"{topic} {stance}", 0, 5)


def test_rest_against_keep_moving_is_an_advice_conflict() -> None:
    extraction, resolution = kb(advice=[advice("s4", "rest", "limit"), advice("s2", "activity", "recommend")])
    (c,) = find_conflicts(extraction, resolution)
    assert (c.kind, c.exercise_id, c.topic, c.source_a, c.source_b) == ("advice", None, "rest vs activity", "s2",
                                                                        "s4")


def test_a_source_holding_both_stances_is_not_against_either() -> None:
    extraction, resolution = kb(advice=[advice("s1", "activity", "avoid"), advice("s1", "activity", "recommend"),
                                        advice("s2", "activity", "recommend")])
    assert [c for c in find_conflicts(extraction, resolution) if c.topic == "activity"] == []


def test_many_sources_with_one_value_give_one_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conflicts_module, "PAIRWISE_LIMIT", 4)
    doses = [dose(f"a{i}", "x", "reps", 5, 10) for i in range(6)] + [dose(f"b{i}", "x", "reps", 2, 4) for i in range(3)]
    extraction, resolution = kb(doses)
    (c,) = find_conflicts(extraction, resolution)
    assert (c.source_a, c.source_b) == ("a0", "b0")
    assert c.also_a == ("a1", "a2", "a3", "a4", "a5") and c.also_b == ("b1", "b2")


def test_conflict_ids_are_stable_and_unique() -> None:
    doses = [dose("s1", "x", "reps", 5, 10), dose("s2", "x", "reps", 2, 4), dose("s3", "x", "reps", 20, 30)]
    first = find_conflicts(*kb(doses))
    again = find_conflicts(*kb(list(reversed(doses))))
    assert [c.conflict_id for c in first] == [c.conflict_id for c in again]
    assert len({c.conflict_id for c in first}) == len(first) == 3


@pytest.mark.parametrize("attribute", DOSE_ATTRIBUTES)
def test_every_attribute_can_be_described(attribute: str) -> None:
    assert describe(attribute, 2, 3, True) == f"2–3 {DOSE_ATTRIBUTES[attribute].conflict_unit} per side"


def test_conflict_kinds_are_the_vocabularys() -> None:
    extraction, resolution = kb([dose("s1", "x", "reps", 5, 10), dose("s2", "x", "reps", 1, 2)],
                                [("s1", "y", "avoid"), ("s2", "y", "recommend")],
                                [advice("s1", "rest", "limit"), advice("s2", "activity", "recommend")])
    assert {c.kind for c in find_conflicts(extraction, resolution)} == set(CONFLICT_KINDS)


def test_describe() -> None:
    assert describe("hold_s", 60, 60, False) == "60 s hold"
    assert describe("per_day", None, 3, False) == "up to 3 times a day"


def test_many_sources_compare_neighbouring_clusters_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conflicts_module, "MANY_SOURCES", 3)
    doses = [dose("a1", "x", "reps", 2, 4), dose("a2", "x", "reps", 3, 5), dose("b1", "x", "reps", 8, 10),
             dose("c1", "x", "reps", 20, 30), dose("c2", "x", "reps", 25, 25)]
    found = find_conflicts(*kb(doses))
    assert [(c.source_a, c.source_b, c.also_a, c.also_b) for c in found] == [
        ("a1", "b1", ("a2",), ()), ("b1", "c1", (), ("c2",))]
