"""Stage 4: positions per source and question, and conflicts between sources, on small hand-made records."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import conflicts as conflicts_module
from pipeline import positions as positions_module
from pipeline.conflicts import NO_SIDE, describe, find_conflicts
from pipeline.models import Advice, Dosage, Exercise, Extraction, Link, Mention, Relation, Resolution
from pipeline.positions import conditional, positions, positions_on, questions
from pipeline.vocab import ADVICE_STANCES, ADVICE_TOPICS, CONFLICT_KINDS, DOSE_ATTRIBUTES, OPEN
from tests.conftest import RAW
from tests.kb_read import kb_rows


def mention(source: str, exercise: str, polarity: str = "recommend", **quote: object) -> tuple[Mention, Link]:
    mid = f"{source}:{exercise}:{polarity}"
    return (Mention(mid, source, exercise, exercise, 0, len(exercise), polarity, True, "lexicon", 1.0, **quote),
            Link(mid, exercise, "alias", 1.0))


def dose(source: str, exercise: str, attribute: str, lo: float | None, hi: float | None,
         per_side: bool = False) -> Dosage:
    return Dosage(f"{source}:{exercise}:recommend", source, attribute, lo, hi, per_side, False, f"{lo}-{hi}", 0, 3)


def kb(doses: list[Dosage] = (), polarities: list[tuple[str, str, str]] = (), advice: list[Advice] = (),
       relations: list[Relation] = (), mentions: list[tuple[Mention, Link]] = ()) -> tuple[Extraction, Resolution]:
    pairs = {mention(d.source_id, d.mention_id.split(":")[1]) for d in doses}
    pairs |= {mention(s, e, p) for s, e, p in polarities} | set(mentions)
    found, links = zip(*sorted(pairs, key=lambda p: p[0].mention_id), strict=True) if pairs else ((), ())
    exercises = tuple(Exercise(e, e.title(), (), 1) for e in sorted({link.exercise_id for link in links}))
    return (Extraction(tuple(found), (), tuple(doses), tuple(advice)),
            Resolution(exercises, tuple(links), tuple(relations)))


# ---------------------------------------------------------------- doses


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((5, 10, False), (2, 4, True), ("5–10 reps" + NO_SIDE, "2–4 reps per side")),
        ((5, 10, True), (2, 4, True), ("5–10 reps per side", "2–4 reps per side")),
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
        assert [(s.side, s.source_id, s.value) for s in c.sources] == [("a", "s1", expected[0]),
                                                                       ("b", "s2", expected[1])]


def test_attributes_are_compared_separately() -> None:
    extraction, resolution = kb([dose("s1", "x", "reps", 5, 5), dose("s2", "x", "hold_s", 30, 30)])
    assert find_conflicts(extraction, resolution) == ()


def test_many_sources_with_one_value_give_one_conflict_listing_every_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conflicts_module, "PAIRWISE_LIMIT", 4)
    doses = [dose(f"a{i}", "x", "reps", 5, 10) for i in range(6)] + [dose(f"b{i}", "x", "reps", 2, 4) for i in range(3)]
    (c,) = find_conflicts(*kb(doses))
    assert (c.source_a, c.source_b) == ("a0", "b0")
    assert c.also_a == ("a1", "a2", "a3", "a4", "a5") and c.also_b == ("b1", "b2")
    assert [s.source_id for s in c.sources if s.side == "a"] == [f"a{i}" for i in range(6)]
    assert [s.source_id for s in c.sources if s.side == "b"] == ["b0", "b1", "b2"]


def test_conflict_ids_are_stable_and_unique() -> None:
    doses = [dose("s1", "x", "reps", 5, 10), dose("s2", "x", "reps", 2, 4), dose("s3", "x", "reps", 20, 30)]
    first = find_conflicts(*kb(doses))
    again = find_conflicts(*kb(list(reversed(doses))))
    assert [c.conflict_id for c in first] == [c.conflict_id for c in again]
    assert len({c.conflict_id for c in first}) == len(first) == 3


@pytest.mark.parametrize("attribute", DOSE_ATTRIBUTES)
def test_every_attribute_can_be_described(attribute: str) -> None:
    assert describe(attribute, 2, 3, True) == f"2–3 {DOSE_ATTRIBUTES[attribute].conflict_unit} per side"


def test_describe() -> None:
    assert describe("hold_s", 60, 60, False) == "60 s hold"
    assert describe("per_day", None, 3, False) == "up to 3 times a day"


# ---------------------------------------------------------------- polarity


def test_avoid_against_recommend_of_the_same_or_a_related_exercise() -> None:
    extraction, resolution = kb(polarities=[("s1", "toe-touch", "avoid"), ("s2", "toe-touch", "recommend"),
                                            ("s3", "forward-bend", "recommend")],
                                relations=[Relation("forward-bend", "toe-touch", "related")])
    found = {(c.source_a, c.source_b, c.value_a, c.value_b) for c in find_conflicts(extraction, resolution)}
    assert found == {("s1", "s2", "avoid Toe-Touch", "recommend Toe-Touch"),
                     ("s1", "s3", "avoid Toe-Touch", "recommend Forward-Bend")}


def test_a_polarity_conflict_quotes_the_sentence_that_makes_a_mention_avoid_with_its_trigger() -> None:
    sentence = "Skip the plank while your back is sore."
    avoided = mention("s1", "plank", "avoid", polarity_evidence=sentence, polarity_char_start=100,
                      polarity_char_end=100 + len(sentence), cue_char_start=100, cue_char_end=104)
    praised = mention("s2", "plank", "recommend", polarity_evidence="The plank builds a strong core.",
                      polarity_char_start=7, polarity_char_end=38)
    (c,) = find_conflicts(*kb(mentions=[avoided, praised]))
    side = {s.side: s for s in c.sources}
    assert (c.evidence_a, c.char_start_a, c.char_end_a) == (sentence, 100, 100 + len(sentence))
    assert (side["a"].cue_start, side["a"].cue_end) == (100, 104)
    assert c.evidence_b == "The plank builds a strong core." and side["b"].cue_start is None


def test_a_mention_without_a_recorded_sentence_is_quoted_by_its_name() -> None:
    (c,) = find_conflicts(*kb(polarities=[("s1", "plank", "avoid"), ("s2", "plank", "recommend")]))
    assert (c.evidence_a, c.evidence_b) == ("plank", "plank")


# ---------------------------------------------------------------- positions


def advice(source: str, topic: str, stance: str, quote: str | None = None, at: int = 0) -> Advice:
    quote = quote or f"{topic} {stance}"
    return Advice(source, topic, stance, quote, at, at + len(quote))


def position_of(question: str, *rows: Advice) -> str:
    (q,) = [q for q in questions() if q.name == question]
    (p,) = positions_on(q, rows)
    return p.position


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("rest", "recommend", "Stay off your feet today.")], "for"),
        ([("activity", "recommend", "Keep up your daily routine.")], "against"),
        ([("rest", "avoid", "Do not stay in bed.")], "against"),
        ([("rest", "limit", "Rest two days at most."), ("activity", "recommend", "Then keep up your routine.")],
         "bounded"),
        ([("rest", "recommend", "Stay off your feet today."), ("activity", "recommend", "Keep up your routine.")],
         "mixed"),
        ([("rest", "recommend", "Stay off your feet today."), ("activity", "recommend", "Walk gently later.")],
         "for"),
        ([("rest", "recommend", "But if it flares up, take a day off."),
          ("activity", "recommend", "Keep up your routine.")], "against"),
        ([("rest", "recommend", "If it flares up, take a day off.")], "conditional"),
        ([("activity", "avoid", "Skip strenuous sport.")], "unstated"),
        ([("activity", "recommend", "Walk gently.")], "unstated"),
    ],
)
def test_a_sources_rows_sum_up_to_one_position(rows: list[tuple[str, str, str]], expected: str) -> None:
    assert position_of("rest_or_move", *(advice("s1", t, s, q, at=10 * i) for i, (t, s, q) in enumerate(rows))) \
        == expected


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("If the ache grows, pause for a day.", True),
        ("But if the ache grows, pause for a day.", True),
        ("Unless your doctor says otherwise, keep walking.", True),
        ("Should the ache grow, pause.", True),
        ("Pause for a day if you strained it.", False),
        ("Whenever possible, keep walking.", False),
        ("Keep walking.", False),
    ],
)
def test_a_row_is_conditional_when_it_opens_with_a_condition(quote: str, expected: bool) -> None:
    assert conditional(quote) is expected


def test_every_position_keeps_the_rows_it_came_from_and_quotes_the_deciding_one() -> None:
    rows = [advice("s1", "activity", "recommend", "Walk gently.", 0), advice("s1", "rest", "limit", "Rest a day.", 20),
            advice("s1", "activity", "recommend", "Keep busy.", 40)]
    (p,) = [p for p in positions(rows) if p.question == "rest_or_move"]
    assert (p.position, p.value) == ("bounded", "rest for a while, then move")
    assert (p.evidence, p.char_start) == ("Rest a day.", 20)
    assert [(r.answer, r.reading) for r in p.rows] == [("against", "compatible"), ("for", "bounded"),
                                                      ("against", "plain")]


def test_bed_rest_reads_only_rows_that_name_a_bed() -> None:
    rows = [advice("s1", "rest", "recommend", "Take it easy today."), advice("s2", "rest", "avoid", "Stay out of bed.")]
    held = {(p.source_id, p.position) for p in positions(rows) if p.question == "bed_rest"}
    assert held == {("s2", "against")}


def test_every_advice_topic_and_stance_is_read_by_a_question() -> None:
    read = {pair for q in questions() for pair in q.answers}
    assert read == {(t, s) for t in ADVICE_TOPICS for s in ADVICE_STANCES}


def test_a_question_with_a_typo_fails_loudly() -> None:
    with pytest.raises(ValueError, match="bad topic/stance 'rest/maybe'"):
        positions_module._question("q", {"label": "q", "ask": "q?", "for": {"label": "x", "rows": ["rest/maybe"]},
                                         "against": {"label": "y", "rows": []}})
    with pytest.raises(ValueError, match="needs a 'for' and an 'against'"):
        positions_module._question("q", {"label": "q", "ask": "q?", "for": {"label": "x", "rows": []}})


# ---------------------------------------------------------------- typed advice conflicts


def advice_conflicts(*rows: Advice) -> dict[str, conflicts_module.Conflict]:
    return {c.question: c for c in find_conflicts(*kb(advice=list(rows))) if c.kind == "advice"}


def sides(c: conflicts_module.Conflict) -> tuple[list[str], list[str]]:
    return ([s.source_id for s in c.sources if s.side == "a"], [s.source_id for s in c.sources if s.side == "b"])


def test_one_conflict_per_question_lists_every_source_on_each_side() -> None:
    found = advice_conflicts(
        advice("s1", "rest", "recommend", "Stay off your feet today."),
        advice("s2", "rest", "limit", "Rest two days at most."),
        advice("s3", "activity", "recommend", "Keep up your routine."),
        advice("s4", "activity", "recommend", "Stay as busy as you can."),
        advice("s5", "rest", "recommend", "If it flares up, take a day off."),
        advice("s5", "activity", "recommend", "Keep busy."),
        advice("s6", "rest", "recommend", "Take a day off."), advice("s6", "activity", "recommend", "Keep busy."),
    )
    c = found["rest_or_move"]
    assert (c.topic, c.exercise_id, c.value_a, c.value_b) == ("rest vs keep moving", None, "rest", "keep moving")
    assert sides(c) == (["s1", "s2"], ["s3", "s4", "s5"])  # s6 says both: on neither side
    assert [s.value for s in c.sources if s.side == "a"] == ["rest", "rest for a while, then move"]
    assert (c.source_a, c.source_b, c.evidence_a) == ("s1", "s3", "Stay off your feet today.")


def test_a_conditional_remark_alone_makes_no_conflict() -> None:
    assert advice_conflicts(advice("s1", "rest", "recommend", "If it flares up, take a day off."),
                            advice("s2", "activity", "recommend", "Keep up your routine.")) == {}


def test_heat_with_no_time_given_is_not_against_cold_first() -> None:
    cold_first = [advice("s1", "cold", "recommend", "Ice it for two days.", 0),
                  advice("s1", "heat", "limit", "Then switch to a heat pad.", 30)]
    found = advice_conflicts(*cold_first, advice("s2", "heat", "recommend", "A hot bath helps."))
    assert "heat_or_cold_first" not in found and "heat" not in found
    held = {p.source_id: p.value for p in positions([*cold_first, advice("s2", "heat", "recommend", "A hot bath.")])
            if p.question == "heat_or_cold_first"}
    assert held == {"s1": "cold first, then heat", "s2": "no order given"}


def test_heat_first_against_cold_first_is_a_conflict() -> None:
    found = advice_conflicts(advice("s1", "heat", "limit", "Switch to heat after two days."),
                             advice("s2", "cold", "limit", "Use heat first, then ice."))
    assert sides(found["heat_or_cold_first"]) == (["s1"], ["s2"])


def test_stretching_during_a_spasm_against_waiting_is_a_conflict() -> None:
    found = advice_conflicts(advice("s1", "stretching", "recommend", "Stretch gently during a spasm."),
                             advice("s2", "stretching", "avoid", "Never stretch during a spasm."))
    assert found["stretch_during_spasm"].topic == "stretch during a spasm vs wait"


def test_bed_rest_is_its_own_question() -> None:
    found = advice_conflicts(advice("s1", "rest", "limit", "Stay in bed a day or two."),
                             advice("s2", "rest", "avoid", "Bed rest slows recovery."))
    assert sides(found["bed_rest"]) == (["s1"], ["s2"])


def test_advice_conflict_ids_are_stable_and_change_with_the_sides() -> None:
    rows = [advice("s1", "rest", "recommend", "Take a day off."), advice("s2", "activity", "recommend", "Keep busy.")]
    first = advice_conflicts(*rows)["rest_or_move"].conflict_id
    assert advice_conflicts(*reversed(rows))["rest_or_move"].conflict_id == first
    more = advice_conflicts(*rows, advice("s3", "activity", "recommend", "Keep busy."))["rest_or_move"]
    assert more.conflict_id != first


def test_conflict_kinds_are_the_vocabularys() -> None:
    extraction, resolution = kb([dose("s1", "x", "reps", 5, 10), dose("s2", "x", "reps", 1, 2)],
                                [("s1", "y", "avoid"), ("s2", "y", "recommend")],
                                [advice("s1", "rest", "limit"), advice("s2", "activity", "recommend")])
    assert {c.kind for c in find_conflicts(extraction, resolution)} == set(CONFLICT_KINDS)


# ---------------------------------------------------------------- the seeds (issue 12's list)


def test_the_seeds_conflicts_are_the_ones_a_reviewer_would_call_real(seeds_kb: Path) -> None:
    found = kb_rows(seeds_kb, "SELECT conflict_id, kind, exercise_id, topic, source_a, source_b FROM conflicts "
                           "WHERE status = ?", [OPEN])
    assert len(found) <= 5
    by_topic = {(kind, topic): (a[:3], b[:3]) for _id, kind, _ex, topic, a, b in found}
    assert by_topic[("numeric_disjoint", "reps")] == ("001", "003")  # the hamstring stretch
    rest = [cid for cid, kind, _ex, topic, _a, _b in found if topic == "rest vs keep moving"]
    assert len(rest) == 1 and [t for _k, t in by_topic].count("rest vs keep moving") == 1
    members = kb_rows(seeds_kb, "SELECT side, source_id[:3], value, evidence FROM conflict_sources "
                                "WHERE conflict_id = ?", rest)
    side = {s: (sd, value, quote) for sd, s, value, quote in members}
    assert side["000"][0] == "a" and "take it easy" in side["000"][2]
    assert side["001"][0] == side["002"][0] == "b"
    assert side["004"][:2] == ("a", "rest for a while, then move")  # bounded, on the rest side
    # 003's only rest remark is conditional: not a rest position, and no conflict rests on it
    assert side.get("003", ("b",))[0] == "b"
    assert kb_rows(seeds_kb, "SELECT position FROM positions WHERE question = 'rest_or_move' "
                             "AND source_id LIKE '003%'") == [("against",)]
    # heat (no time given) against cold for the first days: read as taking no side on the order
    assert not [t for _k, t in by_topic if t in ("heat vs cold first", "heat", "cold")]
    order = dict(kb_rows(seeds_kb, "SELECT source_id[:3], position FROM positions "
                                   "WHERE question = 'heat_or_cold_first'"))
    assert order == {"000": "unstated", "004": "for"}


def test_every_quote_of_a_conflict_is_the_raw_text_at_its_offsets(seeds_kb: Path) -> None:
    paths = dict(kb_rows(seeds_kb, "SELECT source_id, path FROM sources"))
    raw = {sid: (RAW / p).read_text(encoding="utf-8") for sid, p in paths.items()}
    quoted = kb_rows(seeds_kb, "SELECT source_id, evidence, char_start, char_end, cue_start, cue_end "
                            "FROM conflict_sources")
    assert quoted
    for sid, evidence, start, end, cue_start, cue_end in quoted:
        assert raw[sid][start:end] == evidence
        if cue_start is not None:
            assert start <= cue_start < cue_end <= end


def test_a_seed_polarity_conflict_quotes_the_heading_that_avoids_with_its_trigger(seeds_kb: Path) -> None:
    (evidence, cue), = kb_rows(seeds_kb, """
        SELECT s.evidence, s.evidence[s.cue_start - s.char_start + 1 : s.cue_end - s.char_start]
        FROM conflicts c JOIN conflict_sources s USING (conflict_id)
        WHERE c.kind = 'polarity' AND s.value LIKE 'avoid %'""")
    assert cue.lower() == "avoid" and len(evidence.split()) > 2


def test_context_records_the_trigger_and_the_sentence_of_an_avoided_exercise(trained_nlp) -> None:
    text = "Keep your knees soft. Never do sit-ups when your back hurts. The bridge is a good start."
    doc = trained_nlp(text)
    spans = {s.text.lower(): s for s in doc.spans["exercise"]}
    sit_ups, bridge = spans["sit-ups"], spans["bridge"]
    assert sit_ups._.polarity == "avoid"
    assert text[slice(*sit_ups._.polarity_cue_at)].lower().startswith("never")
    assert text[slice(*sit_ups._.polarity_quote_at)] == "Never do sit-ups when your back hurts."
    assert bridge._.polarity_cue_at is None
    assert text[slice(*bridge._.polarity_quote_at)] == "The bridge is a good start."


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Do not stretch during a spasm.", "avoid"),
        ("Never stretch while your back is in spasm.", "avoid"),
        ("Gentle stretching during an acute spasm is helpful.", "recommend"),
        ("Stretch your hamstrings daily.", None),
    ],
)
def test_stretching_during_a_spasm_is_read_as_advice(blank_nlp, text: str, stance: str | None) -> None:
    from pipeline.extract.advice import find_advice

    found = [h.stance for h in find_advice(blank_nlp(text)) if h.topic == "stretching"]
    assert found == ([stance] if stance else [])


def _advice_of(blank_nlp, source: str, text: str) -> list[Advice]:
    from pipeline.extract.advice import find_advice

    hits = find_advice(blank_nlp(text))
    return [Advice(source, h.topic, h.stance, text[h.start:h.end], h.start, h.end) for h in hits]


@pytest.mark.parametrize(
    ("one", "other", "question"),
    [
        ("Rest for up to 2 days when the strain is fresh. Short walks are fine.",
         "Try to keep up your normal daily activities.", "rest_or_move"),
        ("Apply ice for the first two days. Heat follows the ice.", "Use heat first, then ice.", "heat_or_cold_first"),
        ("Bed rest is not recommended.", "Stay in bed for a day or two.", "bed_rest"),
    ],
)
def test_typed_conflicts_end_to_end(blank_nlp, one: str, other: str, question: str) -> None:
    found = find_conflicts(*kb(advice=_advice_of(blank_nlp, "s1", one) + _advice_of(blank_nlp, "s2", other)))
    assert question in {c.question for c in found}


@pytest.mark.parametrize(
    ("daily", "weekly", "expected"),
    [((1, 1), (2, 3), ("1 time a day (= 7 times a week)", "2–3 times a week")),
     ((1, 1), (6, 8), None),
     ((None, 1), (8, 10), ("up to 1 time a day (= up to 7 times a week)", "8–10 times a week"))],
)
def test_a_frequency_per_day_is_compared_with_one_per_week(daily, weekly, expected) -> None:
    found = find_conflicts(*kb([dose("s1", "x", "per_day", *daily), dose("s2", "x", "per_week", *weekly)]))
    if expected is None:
        assert found == ()
    else:
        (c,) = found
        assert (c.topic, c.value_a, c.value_b) == ("per_week", *expected)


def test_two_frequencies_per_day_are_compared_once() -> None:
    found = find_conflicts(*kb([dose("s1", "x", "per_day", 1, 1), dose("s2", "x", "per_day", 3, 3),
                                dose("s3", "x", "per_week", 1, 1)]))
    assert sorted((c.topic, c.source_a, c.source_b) for c in found) == [
        ("per_day", "s1", "s2"), ("per_week", "s1", "s3"), ("per_week", "s2", "s3")]
