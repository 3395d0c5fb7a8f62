"""Doses (``pipeline.extract.doses``): what must be found, and what must not.

Rule tests run on ``spacy.blank("en")`` with a sentencizer (fixture ``blank_nlp``), so they are fast
and need no model; model tests get the trained pipeline only through ``load_nlp()`` (fixture
``trained_nlp``) and check that it gives the same answers. Each row is a short English phrase of the
kind the articles use, and the expected quantities as (attribute, min, max, approx, per_side), in
the order ``find_quantities`` returns them (by evidence start). The ``backkb_doses`` component is
tested by name, as a user adds it to a pipeline of their own.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from pipeline import vocab
from pipeline.extract.doses import field_quantities, find_quantities, has_side_cue
from pipeline.extract.doses import patterns as p
from pipeline.extract.doses.component import span_quantity
from pipeline.extract.doses.lexicon import Lexicon, forms, lexicon

Row = tuple[str, float | None, float | None, bool, bool]


@cache
def _blank() -> Language:
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    return blank


def found(nlp: Language, text: str) -> list[Row]:
    return [(x.attribute, x.min_value, x.max_value, x.approx, x.per_side) for x in find_quantities(nlp(text))]


def case(text: str, *rows: Row) -> Any:
    return pytest.param(text, list(rows), id=text[:60])


SHOULD_MATCH = [
    # ranges and number words
    case("Hold for 15 to 30 seconds.", ("hold_s", 15, 30, False, False)),
    case("Hold for 30 - 45 seconds.", ("hold_s", 30, 45, False, False)),
    case("Hold for 30 – 45 seconds.", ("hold_s", 30, 45, False, False)),
    case("Hold for 15–30 seconds.", ("hold_s", 15, 30, False, False)),
    case("Repeat 8-12 times.", ("reps", 8, 12, False, False)),
    case("Repeat 3 to 5 times.", ("reps", 3, 5, False, False)),
    case("Repeat 2 or 3 times.", ("reps", 2, 3, False, False)),
    case("Hold for three seconds.", ("hold_s", 3, 3, False, False)),
    case("Do five repetitions.", ("reps", 5, 5, False, False)),
    case("Stay there for three to five seconds.", ("hold_s", 3, 5, False, False)),
    case("Stay in this position for twenty-five seconds.", ("hold_s", 25, 25, False, False)),
    case("Hold between 20 and 30 seconds.", ("hold_s", 20, 30, False, False)),
    # minutes, halves, spinner spellings
    case("Hold for a minute.", ("hold_s", 60, 60, False, False)),
    case("Hold for 1 minute.", ("hold_s", 60, 60, False, False)),
    case("Hold for one and a half minutes.", ("hold_s", 90, 90, False, False)),
    case("Hold for a minute and a half.", ("hold_s", 90, 90, False, False)),
    case("Hold for half a minute.", ("hold_s", 30, 30, False, False)),
    case("Hold for 1.5 minutes.", ("hold_s", 90, 90, False, False)),
    case("Hold for 30 seconds to 1 minute.", ("hold_s", 30, 60, False, False)),
    case("Hold for 20 secs.", ("hold_s", 20, 20, False, False)),
    case("Hold for 2 mins.", ("hold_s", 120, 120, False, False)),
    case("Hold for 20-30secs.", ("hold_s", 20, 30, False, False)),
    case("Hold a 30-second stretch.", ("hold_s", 30, 30, False, False)),
    # hold_s: a duration with a hold cue in the sentence
    case("Hold for 20 seconds.", ("hold_s", 20, 20, False, False)),
    case("This position should be held for approximately 10 seconds.", ("hold_s", 10, 10, True, False)),
    case("Hold for about 30 seconds.", ("hold_s", 30, 30, True, False)),
    case("Hold this pose for 20 to 30 seconds or perhaps longer.", ("hold_s", 20, 30, True, False)),
    case("Hold the position and count to 10.", ("hold_s", 10, 10, True, False)),
    case("Hold this position for a count of 10.", ("hold_s", 10, 10, True, False)),
    case("Hold this position for approximately 1 minute.", ("hold_s", 60, 60, True, False)),
    case("Hold the arms up to 10 seconds.", ("hold_s", None, 10, False, False)),
    case("Remain in this position for 15 seconds.", ("hold_s", 15, 15, False, False)),
    case("Maintain the stretch for 20 seconds.", ("hold_s", 20, 20, False, False)),
    case("Keep this position for 10 seconds.", ("hold_s", 10, 10, False, False)),
    case("For 20 seconds, hold the pose.", ("hold_s", 20, 20, False, False)),
    case("Hold for a 5-count.", ("hold_s", 5, 5, True, False)),
    case("Hold for 5 seconds, then relax and hold again for another five seconds.",
         ("hold_s", 5, 5, False, False), ("hold_s", 5, 5, False, False)),
    # reps
    case("Repeat 8 to 12 times.", ("reps", 8, 12, False, False)),
    case("Repeat for 5 to 10 reps.", ("reps", 5, 10, False, False)),
    case("Do 10 reps.", ("reps", 10, 10, False, False)),
    case("Repeat this step 8 to 10 times.", ("reps", 8, 10, False, False)),
    case("Do up to 10 reps.", ("reps", None, 10, False, False)),
    case("Start with five repetitions a day.", ("reps", 5, 5, False, False)),
    case("Repeat twice.", ("reps", 2, 2, False, False)),
    case("Do 10x.", ("reps", 10, 10, False, False)),
    case("Do 10 reps while holding your arms up to 10 seconds.",
         ("reps", 10, 10, False, False), ("hold_s", None, 10, False, False)),
    # sets
    case("Do 3 sets of 10.", ("sets", 3, 3, False, False), ("reps", 10, 10, False, False)),
    case("Do 2 sets.", ("sets", 2, 2, False, False)),
    case("Do 2-3 sets of 8 to 12 reps.", ("sets", 2, 3, False, False), ("reps", 8, 12, False, False)),
    case("Hold each stretch for 10 seconds and do three rounds.",
         ("hold_s", 10, 10, False, False), ("sets", 3, 3, False, False)),
    # per_day / per_week
    case("Do this twice a day.", ("per_day", 2, 2, False, False)),
    case("Do it two times a day.", ("per_day", 2, 2, False, False)),
    case("Repeat 3 times daily.", ("per_day", 3, 3, False, False)),
    case("Do it up to 3 times daily.", ("per_day", None, 3, False, False)),
    case("Stretch up to 4 times daily.", ("per_day", None, 4, False, False)),
    case("Do it once in the morning and once in the evening.", ("per_day", 2, 2, False, False)),
    case("Do this once or twice a day.", ("per_day", 1, 2, False, False)),
    case("Stretch twice-daily.", ("per_day", 2, 2, False, False)),
    case("Do it 3x per day.", ("per_day", 3, 3, False, False)),
    case("Exercise 2 days a week.", ("per_week", 2, 2, False, False)),
    case("Exercise at least 2 days a week.", ("per_week", 2, None, False, False)),
    case("Exercise a minimum of 2 days a week.", ("per_week", 2, None, False, False)),
    case("Do this three times a week.", ("per_week", 3, 3, False, False)),
    case("Repeat the stretch 3 to 5 times, and aim to do it twice a day.",
         ("reps", 3, 5, False, False), ("per_day", 2, 2, False, False)),
    # up to / at least
    case("Hold for at least 15 to 30 seconds.", ("hold_s", 15, 30, False, False)),
    case("Stay there for a minimum of 15 to 30 secs.", ("hold_s", 15, 30, False, False)),
    case("Hold for at least 20 seconds.", ("hold_s", 20, None, False, False)),
    case("Hold for more than 10 seconds.", ("hold_s", 10, None, False, False)),
    # approx
    case("Hold it for around 20 seconds.", ("hold_s", 20, 20, True, False)),
    case("Hold roughly 20 seconds.", ("hold_s", 20, 20, True, False)),
    case("Hold for nearly a minute.", ("hold_s", 60, 60, True, False)),
    case("Do 10 reps or more.", ("reps", 10, 10, True, False)),
    case("Hold for 30 seconds or longer.", ("hold_s", 30, 30, True, False)),
    # per_side
    case("Do 2 to 4 times for each leg.", ("reps", 2, 4, False, True)),
    case("Repeat 10 times, then switch legs.", ("reps", 10, 10, False, True)),
    case("Hold for 30 seconds on each side.", ("hold_s", 30, 30, False, True)),
    case("Do 10 reps on each leg.", ("reps", 10, 10, False, True)),
    case("Do 5 reps per side.", ("reps", 5, 5, False, True)),
    case("Hold for 20 seconds, then repeat with the opposite knee.", ("hold_s", 20, 20, False, True)),
    case("Hold for 20 seconds and repeat on the other side.", ("hold_s", 20, 20, False, True)),
    case("Do up to 10 reps on each leg, up to 3 times daily.",
         ("reps", None, 10, False, True), ("per_day", None, 3, False, False)),
    # progressions and targets
    case("Start with five repetitions a day, then slowly add more over time and aim to work up to 30.",
         ("reps", 5, 5, False, False), ("reps_target", 30, 30, False, False)),
    case("Begin with five repetitions per day, working up to 30 over time.",
         ("reps", 5, 5, False, False), ("reps_target", 30, 30, False, False)),
    case("Build up to 20 reps over time.", ("reps_target", 20, 20, False, False)),
    case("Do 5 reps and increase to 15 reps as you get stronger.",
         ("reps", 5, 5, False, False), ("reps_target", 15, 15, False, False)),
    case("Hold for 10 seconds and gradually increase to 30.",
         ("hold_s", 10, 10, False, False), ("hold_target_s", 30, 30, False, False)),
    case("Hold for 1 minute and build up to 2.",
         ("hold_s", 60, 60, False, False), ("hold_target_s", 120, 120, False, False)),
    case("Eventually you should be able to hold the pose for about 20 seconds.",
         ("hold_target_s", 20, 20, True, False)),
    case("Over time, build up to holding for 60 seconds.", ("hold_target_s", 60, 60, False, False)),
    case("Work your way up to 60 seconds of holding.", ("hold_target_s", 60, 60, False, False)),
    case("Start with five repetitions. Work up to 30 over time.",
         ("reps", 5, 5, False, False), ("reps_target", 30, 30, False, False)),
    case("Hold for 10 seconds. Over time, build up to 30.",
         ("hold_s", 10, 10, False, False), ("hold_target_s", 30, 30, False, False)),
    case("Repeat 10 times. Build up to 3 sessions.", ("reps", 10, 10, False, False)),
    case("Do 10 reps. Lie down. Work up to 30.", ("reps", 10, 10, False, False)),
    # total_s: a moving exercise timed as a whole
    case("Repeat these motions for 30 seconds or longer.", ("total_s", 30, 30, True, False)),
    case("Keep going for 2 minutes.", ("total_s", 120, 120, False, False)),
    case("Hold the stretch for 30 seconds, then rest for 10 seconds.", ("hold_s", 30, 30, False, False)),
    # several sentences: cues do not cross a full stop or a new line
    case("Lie on your back. Hold for 20 seconds. Repeat for 5 to 10 reps.",
         ("hold_s", 20, 20, False, False), ("reps", 5, 10, False, False)),
    # ranges in words, with the article, and open-ended
    case("Hold for 45 seconds to a minute.", ("hold_s", 45, 60, False, False)),
    case("Stay there for a minute or two.", ("hold_s", 60, 120, False, False)),
    case("Repeat it seven to 10 times.", ("reps", 7, 10, False, False)),
    case("Hold 45s and let go.", ("hold_s", 45, 45, False, False)),
    case("Grasp your ankle for 20 seconds.", ("hold_s", 20, 20, False, False)),
    # a hold counted aloud, as a transcript writes it
    case("Hold it, one, two, three, four, and release.", ("hold_s", 4, 4, True, False)),
    case("Keep it there... 1... 2... 3... 4... 5.", ("hold_s", 5, 5, True, False)),
    # "x" for times, sets by reps, and a chain of reps per set
    case("Do the routine 3 x per week.", ("per_week", 3, 3, False, False)),
    case("Train 2 - 4 x a week.", ("per_week", 2, 4, False, False)),
    case("Do 3 x 12 reps.", ("sets", 3, 3, False, False), ("reps", 12, 12, False, False)),
    case("Do 4x8.", ("reps", 8, 8, False, False), ("sets", 4, 4, False, False)),
    case("Do 2 x 45 seconds.", ("reps", 2, 2, False, False), ("hold_s", 45, 45, False, False)),
    case("Do 3 sets of 20 seconds.", ("sets", 3, 3, False, False), ("hold_s", 20, 20, False, False)),
    case("Begin with 8-6-4 reps.", ("sets", 3, 3, False, False), ("reps", 4, 8, False, False)),
    case("Eventually progress to a 12-10-8 pyramid.", ("reps_target", 8, 12, False, False)),
    case("Progress slowly to holding for 15 seconds.", ("hold_target_s", 15, 15, False, False)),
    # time spent on a moving exercise, said with a do-verb
    case("Do this for 3 to 4 minutes.", ("total_s", 180, 240, False, False)),
    case("Perform the rocking for a minute.", ("total_s", 60, 60, False, False)),
    # a rep count with a daily schedule after it is also once a day; "a day" after it is a rate
    case("Do 6 repetitions of the stretch every day.", ("reps", 6, 6, False, False), ("per_day", 1, 1, False, False)),
    case("Complete 12 reps daily.", ("reps", 12, 12, False, False), ("per_day", 1, 1, False, False)),
    case("Do 6 repetitions a day.", ("reps", 6, 6, False, False)),
]

SHOULD_NOT_MATCH = [
    # distances
    "Lift your leg about 6 inches and hold.",
    "Stand 10 to 12 inches from the wall.",
    "Keep your feet 2 feet apart and hold.",
    "Move your hips 5 cm to the side.",
    "Work up to 6 inches.",
    # how long an illness or a pain lasts
    "Chronic pain lasts more than 3 months.",
    "If pain that lasts more than 15 minutes during the workout appears, stop.",
    "Spasms last from a few days to a couple of weeks.",
    "Apply cold for 2 days after trauma.",
    "Rest for up to 3 days if needed.",
    # general activity advice, timers, therapy
    "Get at least 150 minutes a week of moderate aerobic activity.",
    "Walk for 30 minutes a day.",
    "Set a timer for every 50 minutes to an hour.",
    "Hold the cold pack on it up to 15 minutes every 2 hours.",
    "Hold an ice pack on the spot for 20 minutes.",
    "Take 2 tablets 3 times a day.",
    # pain scores, ages, list and step numbers, percentages, titles
    "Rate your pain 3/10.",
    "My pain was a 7 out of 10.",
    "It is common in people over 40.",
    "3. Wall Sits",
    "Step 2: hold the position.",
    "About 80% of adults have back pain.",
    "Here are the 8 best exercises for back spasms.",
    # no quantity at all
    "Lift one leg.",
    "Let both knees fall to one side.",
    "Hug both knees to your chest and hold.",
    "Begin with a few repetitions of each move.",
    "Repeat as many times as you like.",
    # numbers that are not doses
    "You are two times more likely to get hurt.",
    "I had surgery twice.",
    "Once the pain lessens, stretching can help.",
    "Do a second set of stretches.",
    "Rest for 30 seconds between sets.",
    "Aim for 2 minutes per exercise.",
    "Breathe deeply for 30 seconds.",
    "Hold the pose\n30 seconds of walking",
    "Hold for one slow breath.",
    "Breathe in, one, two, three.",
    "Hold on: count them, three, four, five.",
    "In the 1980s, people held other views.",
    "Do this for 30 seconds.",
    "The mat is 2 x 6 feet.",
    "Call 1-800-555 for details.",
]


@pytest.mark.parametrize(("text", "expected"), SHOULD_MATCH)
def test_should_match(blank_nlp: Language, text: str, expected: list[Row]) -> None:
    assert found(blank_nlp, text) == expected


@pytest.mark.parametrize("text", SHOULD_NOT_MATCH)
def test_should_not_match(blank_nlp: Language, text: str) -> None:
    assert found(blank_nlp, text) == []


EVIDENCE = [
    ("Hold for 15 to 30 seconds.", ["Hold for 15 to 30 seconds"]),
    ("Repeat 8 to 12 times.", ["Repeat 8 to 12 times"]),
    ("Hold the position and count to 10.", ["Hold the position and count to 10"]),
    ("Aim to do it twice a day.", ["Aim to do it twice a day"]),
    ("Stretch the muscles, and then do it twice a day.", ["do it twice a day"]),
    ("Do it once in the morning and once in the evening.",
     ["Do it once in the morning and once in the evening"]),
    ("Start with five repetitions and work up to 30.", ["Start with five repetitions", "work up to 30"]),
    ("Do 2 to 4 times for each leg.", ["Do 2 to 4 times for each leg"]),
    ("Hold this pose for 20 to 30 secs or perhaps longer.", ["Hold this pose for 20 to 30 secs or perhaps longer"]),
    ("Hold each stretch for 10 seconds and do 3 sets.", ["Hold each stretch for 10 seconds", "do 3 sets"]),
    ("Do 2 sets of 15.", ["Do 2 sets", "Do 2 sets of 15"]),
]


@pytest.mark.parametrize(("text", "evidence"), EVIDENCE)
def test_evidence_is_the_phrase_with_its_cue(blank_nlp: Language, text: str, evidence: list[str]) -> None:
    doc = blank_nlp(text)
    assert [doc.text[x.start : x.end] for x in find_quantities(doc)] == evidence


_NUMBER = re.compile(r"\d|\b(?:one|two|three|five|twenty|thirty|half|once|twice|a minute|a count)\b", re.I)


@pytest.mark.parametrize(("text", "expected"), SHOULD_MATCH)
def test_evidence_offsets_slice_a_phrase_with_the_number(blank_nlp: Language, text: str,
                                                          expected: list[Row]) -> None:
    doc = blank_nlp(text)
    quantities = find_quantities(doc)
    assert [x.start for x in quantities] == sorted(x.start for x in quantities)
    for x in quantities:
        evidence = doc.text[x.start : x.end]
        assert 0 <= x.start < x.end <= len(doc.text)
        assert evidence == evidence.strip() and _NUMBER.search(evidence), evidence


@pytest.mark.parametrize("text", [
    "Do 10 reps on each side.", "Hold for each leg.", "Then switch legs.", "Swap, and repeat.",
    "Repeat on the other side.", "Repeat with the opposite knee.", "Stretch both sides.",
    "Do 5 per side.", "Switch sides and repeat.", "Bring the knee up and repeat sides.",
    "Work one leg at a time.", "Turn to the other side.", "Then change the leg.", "Switch leg and hold.",
])
def test_side_cues(text: str) -> None:
    assert has_side_cue(text)


@pytest.mark.parametrize("text", [
    "Lift one leg.", "Lean to one side.", "Hug both knees to your chest.", "Hold with both hands.",
    "Keep one leg straight and the other leg bent at the knee.", "Place your hand on the opposite knee.",
    "Lie on your side.", "the sideways bend", "A swapped order.", "Repeat the leg raise.",
])
def test_not_side_cues(text: str) -> None:
    assert not has_side_cue(text)


def test_blank_doc_without_sentences_is_one_sentence() -> None:
    doc = spacy.blank("en")("Hold for 20 seconds. Repeat 8 to 12 times.")
    assert [(x.attribute, x.min_value) for x in find_quantities(doc)] == [("hold_s", 20), ("reps", 8)]


def test_empty_and_number_free_docs(blank_nlp: Language) -> None:
    assert find_quantities(blank_nlp("")) == []
    assert find_quantities(blank_nlp("Lie on your back and breathe.")) == []


def test_matchers_are_built_once_per_vocab(blank_nlp: Language) -> None:
    find_quantities(blank_nlp("Hold for 10 seconds."))
    assert p.rules(blank_nlp.vocab) is p.rules(blank_nlp.vocab)


PATTERN_BUILDERS = sorted(
    {b for builders in p.QUANTITY_PATTERNS.values() for b in builders} | {p.pattern_progression_targets},
    key=lambda b: b.__name__,
)


@pytest.mark.parametrize("build", PATTERN_BUILDERS, ids=lambda b: b.__name__)
def test_pattern_docstring_examples_match(blank_nlp: Language, build: Callable[[Lexicon], list[p.Pattern]]) -> None:
    """The example phrases of each pattern function are matched by its patterns."""
    examples = re.findall(r'"([^"]+)"', build.__doc__ or "")
    assert examples, f"{build.__name__} has no examples"
    matcher = Matcher(blank_nlp.vocab, validate=True)
    matcher.add("P", build(lexicon()))
    for example in examples:
        assert matcher(blank_nlp(example)), f"{build.__name__}: {example!r}"


_WORDS = ["Hold", "hold", "for", "to", "up", "at", "least", "about", "15", "30", "-", "–", "8-12", "three",
          "seconds", "secs", "minute", "a", "times", "reps", "sets", "of", "twice", "once", "day", "week",
          "daily", "each", "side", "repeat", "work", "count", "or", "longer", ",", ".", "\n", "and", "half"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=25))
def test_any_word_salad_gives_well_formed_quantities(words: list[str]) -> None:
    doc = _blank()(" ".join(words))
    quantities = find_quantities(doc)
    assert len({(x.start, x.end) for x in quantities}) == len(quantities)  # span extensions are keyed by offsets
    for x in quantities:
        assert x.attribute in vocab.DOSE_ATTRIBUTES
        assert 0 <= x.start < x.end <= len(doc.text)
        assert x.min_value is not None or x.max_value is not None
        if x.min_value is not None and x.max_value is not None:
            assert x.min_value <= x.max_value


MODEL_TEXT = (
    "Hold the position for three seconds, then relax. Repeat 8 to 12 times, then switch legs. "
    "Start with five repetitions a day and work up to 30 over time. Do it twice a day. "
    "Chronic pain lasts more than 3 months. Stand 10 to 12 inches from the wall and hold for about 10 seconds."
)


@pytest.mark.model
def test_trained_model_gives_the_same_results(trained_nlp: Language, blank_nlp: Language) -> None:
    model = trained_nlp
    assert model(MODEL_TEXT).has_annotation("SENT_START")
    assert find_quantities(model(MODEL_TEXT)) == find_quantities(blank_nlp(MODEL_TEXT))
    assert [x.attribute for x in find_quantities(model(MODEL_TEXT))] == [
        "hold_s", "reps", "reps", "reps_target", "per_day", "hold_s"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reps: 10 per side", [("reps", 10.0, 10.0, True)]),
        ("Repetitions: 8-12", [("reps", 8.0, 12.0, False)]),
        ("Sets: two", [("sets", 2.0, 2.0, False)]),
        ("Duration: 30 seconds", [("hold_s", 30.0, 30.0, False)]),
        ("Hold: 1 minute", [("hold_s", 60.0, 60.0, False)]),
        ("Hold: 10", []),
        ("Reps: as many as you can", []),
        ("Sets and reps vary by level.", []),
        ("- Sets: 3 sets", [("sets", 3.0, 3.0, False)]),
        ("• Repeats: 12 for each leg", [("reps", 12.0, 12.0, True)]),
        ("Hold: 8 sec | Repeat: 6 | Frequency: daily",
         [("hold_s", 8.0, 8.0, False), ("reps", 6.0, 6.0, False), ("per_day", 1.0, 1.0, False)]),
        ("How often: every day", [("per_day", 1.0, 1.0, False)]),
        ("Frequency: as needed", []),
        ("Move | Hold (sec) | Reps\nCat-cow | 5 | 10\nPlank | 30 | 2\n\nPlank | 40",
         [("hold_s", 5.0, 5.0, False), ("reps", 10.0, 10.0, False), ("hold_s", 30.0, 30.0, False),
          ("reps", 2.0, 2.0, False)]),
        ("Lumbar Rotation Stretch | Top Down", []),
    ],
)
def test_labelled_fields(text: str, expected: list[tuple]) -> None:
    assert [(q.attribute, q.min_value, q.max_value, q.per_side) for q in field_quantities(text)] == expected


# ------------------------------------------------------------------------------------ word forms


@pytest.mark.parametrize(("entry", "expected"), [
    ("second+", {"second", "seconds"}),
    ("min+", {"min", "mins"}),
    ("hold+", {"hold", "holds", "holding"}),
    ("work+ up to", {"work up to", "working up to", "works up to"}),
    ("sec", {"sec"}),
])
def test_a_plus_stands_for_the_word_forms(entry: str, expected: set[str]) -> None:
    assert expected <= set(forms(entry))
    assert len(forms(entry)) == 1 or entry.split()[0].endswith("+")


@pytest.mark.parametrize("text", ["Hold for 45 secs.", "Stay there for 2 mins.", "Keep holding for 12 seconds.",
                                  "Hold for 15seconds."])
def test_generated_forms_are_read(blank_nlp: Language, text: str) -> None:
    assert [r[0] for r in found(blank_nlp, text)] == ["hold_s"]


def _word_lists(data: Any) -> Iterator[list[str]]:
    """Every list of words in the lexicon file (a mapping's keys count as a list)."""
    if isinstance(data, dict):
        keys = [k for k in data if not k.startswith("_")]
        if keys and all(isinstance(data[k], int | float | str) for k in keys):
            yield keys
        for value in data.values():
            yield from _word_lists(value)
    elif isinstance(data, list) and all(isinstance(w, str) for w in data):
        yield data


def test_the_lexicon_lists_no_regular_form_by_hand() -> None:
    """A list holds a word's base form with a "+", never the base form and its regular forms."""
    from pipeline import lexicons
    from pipeline.extract.matching import inflections

    for words in _word_lists(lexicons.load("quantities")):
        bases = {w.removesuffix("+") for w in words if " " not in w}
        # (short function words are not inflected: "a" and "as" may share a list)
        for base in (b for b in bases if len(b) > 2):
            assert not (set(inflections(base)) - {base}) & bases, (base, words)


# ------------------------------------------------------------------------------------ component

EXAMPLE = "Hold for 15 to 30 seconds, 3 times each side."
EXAMPLE_DOSES = [("Hold for 15 to 30 seconds", "hold_s", 15.0, 30.0, True),
                 ("3 times each side", "reps", 3.0, 3.0, True)]


def doses(doc: Doc, group: str = "dose") -> list[tuple]:
    return [(s.text, s.label_, s._.min, s._.max, s._.per_side) for s in doc.spans[group]]


@pytest.fixture(scope="session")
def doses_nlp() -> Language:
    """A blank pipeline with only the doses component: no sentencizer, so no SENT_START."""
    nlp = spacy.blank("en")
    nlp.add_pipe("backkb_doses")
    return nlp


def test_component_on_a_blank_pipeline_by_name(doses_nlp: Language) -> None:
    doc = doses_nlp(EXAMPLE)
    assert [(s.text, s.label_, s._.min, s._.max, s._.per_side) for s in doc.spans["dose"]] == EXAMPLE_DOSES


@pytest.fixture(scope="session")
def sentenced_doses_nlp() -> Language:
    """A blank pipeline with a sentencizer and the doses component."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("backkb_doses")
    return nlp


def test_component_with_a_sentencizer(sentenced_doses_nlp: Language) -> None:
    doc = sentenced_doses_nlp("Lie on your back. " + EXAMPLE + " Then rest.")
    assert doses(doc) == EXAMPLE_DOSES


def test_without_sentences_the_doc_is_one_context(doses_nlp: Language, sentenced_doses_nlp: Language) -> None:
    """A bare target takes its unit from the sentence just before; with no sentence boundaries
    the whole line is that sentence."""
    text = "Do 8 reps. Breathe out. Work up to 20."
    assert [s.label_ for s in doses_nlp(text).spans["dose"]] == ["reps", "reps_target"]
    assert [s.label_ for s in sentenced_doses_nlp(text).spans["dose"]] == ["reps"]


@pytest.fixture
def trained_with_doses(trained_nlp: Language) -> Iterator[Language]:
    """The trained pipeline with the doses component added for one test, then removed again."""
    trained_nlp.add_pipe("backkb_doses", name="test_doses")
    try:
        yield trained_nlp
    finally:
        trained_nlp.remove_pipe("test_doses")


@pytest.mark.model
def test_component_on_the_trained_pipeline(trained_with_doses: Language) -> None:
    doc = trained_with_doses(MODEL_TEXT)
    assert [span_quantity(s) for s in doc.spans["dose"]] == find_quantities(doc)
    assert doses(trained_with_doses(EXAMPLE)) == EXAMPLE_DOSES


@pytest.mark.parametrize("text", [
    "Stand tall. Do 10 reps of the wall slide, then switch legs.\nHold: 1 minute",
    "Do 3 sets of 12 slowly, and hold about 5 seconds at the top.",
    "Hold the plank for up to 40 seconds; do it twice a day, at least 3 days a week.",
    "Work up to 25 over time.",
])
def test_component_spans_are_the_quantities(doses_nlp: Language, text: str) -> None:
    doc = doses_nlp(text)
    assert [span_quantity(s) for s in doc.spans["dose"]] == find_quantities(doc)
    assert all(s._.attribute == s.label_ for s in doc.spans["dose"])


@pytest.mark.parametrize(("text", "expected"), SHOULD_MATCH)
def test_component_agrees_with_find_quantities(sentenced_doses_nlp: Language, text: str,
                                               expected: list[Row]) -> None:
    doc = sentenced_doses_nlp(text)
    assert [(s.label_, s._.min, s._.max, s._.approx, s._.per_side) for s in doc.spans["dose"]] == expected


def test_open_bounds_are_none(doses_nlp: Language) -> None:
    assert doses(doses_nlp("Do up to 12 reps, and hold for at least 20 seconds.")) == [
        ("Do up to 12 reps", "reps", None, 12.0, False), ("hold for at least 20 seconds", "hold_s", 20.0, None, False)]


def test_config_names_the_group_and_sets_the_distances() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("backkb_doses", config={"span_group": "amounts", "max_cue_gap": 0})
    doc = nlp("Hold for 15 to 30 seconds.")
    assert "dose" not in doc.spans
    assert doses(doc, "amounts") == [("15 to 30 seconds", "hold_s", 15.0, 30.0, False)]  # the cue is too far now
    assert spacy.blank("en").from_config(nlp.config).pipe_names == ["backkb_doses"]


def test_values_survive_doc_to_bytes(doses_nlp: Language) -> None:
    doc = doses_nlp("Do 2 sets of 15, each side.")
    back = Doc(doses_nlp.vocab).from_bytes(doc.to_bytes())
    assert doses(back) == doses(doc) == [("Do 2 sets", "sets", 2.0, 2.0, False),  # sets count the whole exercise
                                         ("Do 2 sets of 15", "reps", 15.0, 15.0, True)]


def test_factory_is_found_through_the_entry_point() -> None:
    """A fresh interpreter that never imports the package finds ``backkb_doses`` (needs ``pip install``)."""
    code = ("import spacy; nlp = spacy.blank('en'); nlp.add_pipe('backkb_doses'); "
            f"print([(s.text, s.label_, s._.min, s._.max, s._.per_side) for s in nlp({EXAMPLE!r}).spans['dose']])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == str(EXAMPLE_DOSES)


def test_a_doc_and_its_doses_are_freed_together(doses_nlp: Language) -> None:
    """The dose group keeps its doc alive only as long as someone holds either of them."""
    import gc
    import weakref

    doc = weakref.ref(doses_nlp(EXAMPLE))
    gc.collect()
    assert doc() is None


def test_doses_come_back_from_worker_processes(sentenced_doses_nlp: Language) -> None:
    texts = [EXAMPLE, "Do 3 sets of 12.", "Walk daily."]
    assert [doses(d) for d in sentenced_doses_nlp.pipe(texts, n_process=2)] == [
        doses(sentenced_doses_nlp(t)) for t in texts]
