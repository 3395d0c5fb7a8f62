"""Attribution (``backkb_attribution``): which exercise each dose and step is for, and what a step is.

Each text is a short article of my own; the expected doses are (exercise, attribute, min, max) for
every dose that reaches an exercise. Rules that read only the layout and the lexicon run on the
blank pipeline with backkb's components (fixture ``rules_nlp``: lexicon names only, no parser);
those that read the parse (coordination, imperative sentences) use the trained pipeline through
``load_nlp()`` (fixture ``trained_nlp``, tests marked ``model``).
"""

from __future__ import annotations

from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract import steps as steps_module
from pipeline.extract.dose_scope import ALL, ROUTINE, THESE, for_all_spans
from pipeline.extract.sections import Sections, is_subheading
from pipeline.nlp import add_extraction
from pipeline.structure import find_blocks

Dose = tuple[str, str, float | None, float | None]


@pytest.fixture(scope="module")
def rules_nlp() -> Language:
    return add_extraction(spacy.blank("en"))


def doses(doc: Doc) -> list[Dose]:
    return sorted((e.text, d.label_, d._.min, d._.max) for d in doc.spans["dose"] for e in d._.exercises)


def steps(doc: Doc) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in doc.spans["step"]:
        for e in s._.exercises:
            out.setdefault(e.text, []).append(s.text)
    return out


def case(text: str, *expected: Dose) -> Any:
    return pytest.param(text, sorted(expected), id=text[:50].replace("\n", "/"))


# --------------------------------------------------------------------------- sections and owners

OWNED = [
    # a line that is only a name opens that exercise's section, with or without a colon
    case("Bird Dog:\n\nKneel on all fours. Hold for 10 seconds.\n\nBridge:\n\nLift the hips. Do 12 reps.\n",
         ("Bird Dog", "hold_s", 10, 10), ("Bridge", "reps", 12, 12)),
    case("Pelvic Tilt\nFlatten your back. Repeat 8 times.\n7. Wall sits\nSlide down. Hold for 20 seconds.\n",
         ("Pelvic Tilt", "reps", 8, 8), ("Wall sits", "hold_s", 20, 20)),
    # a sentence that names an exercise is no label: the section stays its heading's
    case("Pelvic Tilt\n\nFlatten your back.\n\nTry bridges.\n\nIt is hard at first. Hold for 5 seconds.\n",
         ("Pelvic Tilt", "hold_s", 5, 5)),
    # a subheading about the exercise continues its section
    case("Bridge\n\nStarting position\n\n- Lie on your back.\n- Lift the hips.\n\nRepeat 10 times.\n",
         ("Bridge", "reps", 10, 10)),
    case("Bridge\n\nHow to do it\n\nLift the hips and hold for 5 seconds.\n", ("Bridge", "hold_s", 5, 5)),
    # a dose line the layout takes for a heading does not end the section
    case("Bridge\n\nLift your hips.\n\nRepeat 10 times\n\nHold for 5 seconds\n",
         ("Bridge", "hold_s", 5, 5), ("Bridge", "reps", 10, 10)),
    # the one exercise an unowned section (or the whole article) names
    case("Morning routine\n\nThe bridge is a good start. Lie on your back.\n\n1. Lift your hips.\n2. Repeat 8 times.\n",
         ("bridge", "reps", 8, 8)),
    case("Why it helps\n\nThe bridge strengthens the hips.\n\nDosage\n\nRepeat 10 times\n",
         ("bridge", "reps", 10, 10)),
    # stated once for every exercise: a quantifier anywhere, a routine where no exercise is named,
    # a schedule field, rounds of a circuit, a demonstrative for the paragraph's exercises
    case("Pelvic Tilt\n\nFlatten your back.\n\nBridge\n\nLift your hips.\n\nTips\n\nDo all of the above exercises "
         "3 times a week.\n", ("Bridge", "per_week", 3, 3), ("Pelvic Tilt", "per_week", 3, 3)),
    case("Pelvic Tilt\n\nFlatten your back.\n\nBridge\n\nLift your hips.\n\nSchedule\n\nPerform this program "
         "4 times a week.\n", ("Bridge", "per_week", 4, 4), ("Pelvic Tilt", "per_week", 4, 4)),
    case("Pelvic Tilt\n\nFlatten your back.\n\nBridge\n\nLift your hips.\n\nPlan\n\nFrequency: daily\n",
         ("Bridge", "per_day", 1, 1), ("Pelvic Tilt", "per_day", 1, 1)),
    case("Try the pelvic tilt, then the bridge. Repeat for 2 rounds.\n",
         ("pelvic tilt", "sets", 2, 2), ("bridge", "sets", 2, 2)),
    case("These two movements help: the pelvic tilt and the bridge. Do them twice a day.\n",
         ("bridge", "per_day", 2, 2), ("pelvic tilt", "per_day", 2, 2)),
    # a run of names is a list: the text after it is about all of them
    case("The routine\n\n1. Bridge\n2. Bird Dog\n\nPerform each of these exercises 10 times.\n",
         ("Bird Dog", "reps", 10, 10), ("Bridge", "reps", 10, 10)),
    # a table row gives its doses to the exercise it names
    case("Exercise | Hold | Reps\nBridge | 10 sec | 12\nSide plank | 20 sec | 3\n",
         ("Bridge", "hold_s", 10, 10), ("Bridge", "reps", 12, 12),
         ("Side plank", "hold_s", 20, 20), ("Side plank", "reps", 3, 3)),
    # the paragraph's only recommended exercise, after the ones it says to avoid
    case("Skip crunches and toe touches for now. Try the pelvic tilt instead. Repeat it 12 times.\n",
         ("pelvic tilt", "reps", 12, 12)),
    case("The Plank\n\nLie face down on your forearms.\n\nHold: 20 sec | Repeat: 4 | Frequency: daily\n",
         ("Plank", "hold_s", 20, 20), ("Plank", "per_day", 1, 1), ("Plank", "reps", 4, 4)),
]

NOT_OWNED = [
    # a numbered heading we do not recognise is about its own item, not about a name in passing
    "Bridge\n\nLift your hips.\n\n7. Frog Hops\n\nUnlike the bridge, this moves fast. Repeat 20 times.\n",
    # a demonstrative where no exercise is named is not enough
    "Pelvic Tilt\n\nFlatten your back.\n\nBridge\n\nLift your hips.\n\nSafety\n\n"
    "You can do these stretches twice a day.\n",
    # several exercises in a paragraph, nothing says the dose is for all of them
    "Try the pelvic tilt or the bridge.\n\nSome people find a gentle version easier. Hold for 5 seconds.\n",
    # the section of an avoided exercise
    "Avoid Sit-ups\n\nThey strain the back. Do 10 reps of something gentler.\n",
]


@pytest.mark.parametrize(("text", "expected"), OWNED)
def test_doses_reach_their_exercises(rules_nlp: Language, text: str, expected: list[Dose]) -> None:
    assert doses(rules_nlp(text)) == expected


@pytest.mark.parametrize("text", NOT_OWNED)
def test_doses_that_belong_to_no_named_exercise(rules_nlp: Language, text: str) -> None:
    assert doses(rules_nlp(text)) == []


@pytest.mark.model
def test_coordinated_names_share_a_dose(trained_nlp: Language) -> None:
    doc = trained_nlp("The bird dog and the bridge can be done for 12 repetitions, and the plank can be "
                      "held for 30 seconds.\n")
    assert doses(doc) == [("bird dog", "reps", 12, 12), ("bridge", "reps", 12, 12), ("plank", "hold_s", 30, 30)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Starting Position (Figure 2)", True), ("How to do it", True), ("Instructions", True),
    ("2. Technique", True), ("Formation of the spine", False), ("Wall Sits", False), ("Steps to recovery", True),
])
def test_subheadings(text: str, expected: bool) -> None:
    assert is_subheading(text) == expected


def test_a_run_of_numbered_names_opens_no_section() -> None:
    text = "Program\n\n1. Bridge\n2. Plank\n3. Bird Dog\n\nDo each 10 times.\n"
    blocks = find_blocks(text)
    names = {i: text[b.text_start : b.end] for i, b in enumerate(blocks) if b.number}
    sections = Sections(blocks, names, text)
    assert sections.owners() == [] and sorted(sections.listed.values()) == ["Bird Dog", "Bridge", "Plank"]


@pytest.mark.parametrize(("text", "kinds"), [
    ("Do each exercise twice a day.", [ALL]),
    ("Perform all of the 3 exercises equally.", [ALL]),
    ("Aim for 10 reps per exercise.", [ALL]),
    ("Repeat the whole routine twice.", [ROUTINE]),
    ("Utilise these four movements daily.", [THESE]),
    ("Do this exercise slowly.", []),
    ("Hold each position for 5 seconds.", []),
])
def test_phrases_that_state_a_dose_for_all(text: str, kinds: list[str]) -> None:
    assert sorted({f.kind for f in for_all_spans(spacy.blank("en")(text))}) == kinds


# --------------------------------------------------------------------------- steps

STEPS = [
    # dose, progression and field lines are not steps
    ("Bridge\n\n- Lie on your back.\n- Lift your hips.\n- Perform 2 sets of 10 repetitions, once a day.\n"
     "- To progress, hold a weight on your hips.\n", ["Lie on your back.", "Lift your hips."]),
    ("Bridge\n\nReps: 10\nHold: 5 seconds\n\n- Lie on your back.\n", ["Lie on your back."]),
    # the set-up sentences just before a list count; tips after it do not
    ("Bridge\n\nTo begin, lie on your back with your knees bent.\n\n- Squeeze your glutes.\n- Lift your hips.\n\n"
     "If your back hurts, stop.\n",
     ["To begin, lie on your back with your knees bent.", "Squeeze your glutes.", "Lift your hips."]),
    # in prose, the first instruction is kept after a subordinate clause; explanations are not steps
    ("Bridge\n\nWhile lying on your back, bend your knees. Once you are ready, lift your hips slowly. "
     "This builds strength.\n",
     ["While lying on your back, bend your knees.", "Once you are ready, lift your hips slowly."]),
    # a sentence that introduces the list, time spent, sensations: not steps; "you must" is
    ("Cat-cow\n\nTo do the cat-cow, follow these steps:\n\n1. Kneel on all fours.\n2. Arch your back.\n",
     ["Kneel on all fours.", "Arch your back."]),
    ("Cat-cow\n\nKneel on all fours. Arch and round your back. Do this for 2 minutes. "
     "You should feel your spine loosen. You must keep your neck relaxed.\n",
     ["Kneel on all fours.", "Arch and round your back.", "You must keep your neck relaxed."]),
    # a short label before the instruction
    ("Bridge\n\nDescription: Lie on your back and lift the hips.\n",
     ["Description: Lie on your back and lift the hips."]),
]


@pytest.mark.model
@pytest.mark.parametrize(("text", "expected"), STEPS, ids=[t[:40] for t, _ in STEPS])
def test_steps(trained_nlp: Language, text: str, expected: list[str]) -> None:
    (found,) = steps(trained_nlp(text)).values()
    assert found == expected


@pytest.mark.model
def test_steps_of_an_unowned_section_go_to_its_only_exercise(trained_nlp: Language) -> None:
    """Only instructions count there: the list of a section no exercise opens may be about anything."""
    doc = trained_nlp("Try this at home\n\nThe pelvic tilt eases the back.\n\n"
                      "1. Lie on your back.\n2. It is important to stay calm.\n3. Flatten your back.\n")
    assert steps(doc) == {"pelvic tilt": ["Lie on your back.", "Flatten your back."]}


@pytest.mark.parametrize("text", ["As you breathe out, lift your hips.", "To start, lie on your back.",
                                  "Keeping your back flat, raise one arm."])
def test_an_instruction_after_an_opening_clause(rules_nlp: Language, text: str) -> None:
    assert steps(rules_nlp(f"Bridge\n\n{text}\n")) == {"Bridge": [text]}


@pytest.mark.parametrize("text", ["As you can see, it is easy.", "When it hurts, the back tightens.",
                                  "If your knees hurt, place a cushion under them."])
def test_no_instruction_after_an_opening_clause(rules_nlp: Language, text: str) -> None:
    assert steps(rules_nlp(f"Bridge\n\n{text}\n")) == {}


def test_field_and_row_blocks() -> None:
    text = "Bridge\nSets: 2\n- Hold: 10 seconds\nBridge | 10 sec | 12\nLumbar Rotation | Top Down\n"
    assert [b.kind for b in find_blocks(text)] == ["heading", "field", "field", "row", "heading"]


@pytest.mark.parametrize(
    ("words", "starts", "expected"),
    [
        # the parser cut a lone first word off: it goes back on its sentence
        (["Lie", "flat", "on", "the", "mat", ".", "Breathe", "out", "."], [1, 1, 0, 0, 0, 0, 1, 0, 0],
         ["Lie flat on the mat .", "Breathe out ."]),
        # a one-word sentence before a capitalised one stays as it is
        (["Relax", ".", "Breathe", "out", "."], [1, 0, 1, 0, 0], ["Relax .", "Breathe out ."]),
        (["Relax", "Breathe", "out", "."], [1, 1, 0, 0], ["Relax", "Breathe out ."]),
    ],
)
def test_a_word_cut_off_its_sentence_is_put_back(words: list[str], starts: list[int], expected: list[str]) -> None:
    doc = Doc(spacy.blank("en").vocab, words=words, sent_starts=[bool(s) for s in starts])
    assert [s.text for s in steps_module._sentences(doc, doc[:])] == expected
