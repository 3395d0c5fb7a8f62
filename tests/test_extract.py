"""Stage 2: names, polarity, attribution of doses and steps — on small articles written for each rule.

Rules are tested on ``spacy.blank("en")`` where they do not need the model (quantities, advice:
see their own test files); finding names and sentences needs the trained model's tags.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.extract import extract_article
from pipeline.extract.context import AVOID, CAUTION, RECOMMEND, polarity
from pipeline.extract.mentions import find_descriptions, find_names, lexicon_spans
from pipeline.ingest import clean
from pipeline.models import Extraction, Source
from pipeline.nlp import add_extraction
from pipeline.structure import find_blocks


def run(text: str, trained_nlp) -> Extraction:
    article = clean(Source("t", "t.txt", "", "ok", "", None, len(text)), text)
    return extract_article(article, trained_nlp(article.clean_text))


def names(text: str, trained_nlp) -> list[str]:
    article = clean(Source("t", "t.txt", "", "ok", "", None, len(text)), text)
    return [h.name for h in find_names(trained_nlp(article.clean_text), find_blocks(article.clean_text))]


@pytest.mark.parametrize("text", ["Knees-to-Chest Stretch", "knee to chest stretches", "KNEE-TO-CHEST STRETCH",
                                  "a single knee to chest"])
def test_lexicon_names_are_case_hyphen_and_number_blind(text: str) -> None:
    spans = lexicon_spans(spacy.blank("en")(text))
    assert len(spans) == 1
    assert spans[0].text.lower().replace("-", " ").endswith(("chest", "chest stretch", "chest stretches"))


@pytest.mark.parametrize("text", ["knee and chest stretch", "the chest", "kneeling"])
def test_lexicon_needs_the_whole_name(text: str) -> None:
    assert lexicon_spans(spacy.blank("en")(text)) == []


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The pelvic tilt is one of the best moves.", ["pelvic tilt"]),
        ("Try the bridge exercise every morning.", ["bridge exercise"]),
        ("This knee-to-chest stretch can ease tension.", ["knee-to-chest stretch"]),
        ("This hip mobility exercise helps the joints.", ["hip mobility exercise"]),
        ("The Donkey Kick Stretch is also useful.", ["Donkey Kick Stretch"]),
        ("Lying lateral leg lifts work the hip.", ["Lying lateral leg lifts"]),
        ("Standing hamstring stretches help too.", ["Standing hamstring stretches"]),
        ("Wall Sits\n\nLean into the wall and slide down.", ["Wall Sits"]),
        ("3. Bird Dog\n\nKneel on all fours.", ["Bird Dog"]),
        ("Avoid Toe Touches\n\nThey strain the discs.", ["Toe Touches"]),
        ("Exercise #1: Supine Twist\nReps: 10 per side\nStep 1: Lie on your back.", ["Supine Twist"]),
        ("Seated Piriformis Stretch Workout\n\nCross one ankle over the knee.", ["Seated Piriformis Stretch"]),
    ],
)
def test_names_are_found(text: str, expected: list[str], trained_nlp) -> None:
    assert names(text, trained_nlp) == expected


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "Top Exercises for Back Spasms\n\nMany people have back pain.",
        "Stretches For Lower Back Muscles help many people.",
        "These back exercises bring blood flow to the area.",
        "The cat and cow is a great spine mobility exercise.",
        "This stretch is wonderful for the upper back.",
        "Round your back, the way a pet cat stretches by rounding its back.",
        "Keep a slight forward tilt of the hips.",
        "Do back-strengthening and stretching exercises twice a week.",
        "An abrupt rotation of the trunk can trigger a spasm.",
        "Safety Tips\n\nGo slowly.",
    ],
)
def test_non_names_are_not_found(text: str, trained_nlp) -> None:
    found = names(text, trained_nlp)
    assert all(n.lower() not in {"spine mobility exercise", "stretch", "cat stretches", "forward tilt",
                                 "abrupt rotation", "safety tips"} for n in found), found
    if "cat and cow" not in text:
        assert found == []


@pytest.mark.model
@pytest.mark.parametrize(
    ("sentence", "name", "expected"),
    [
        ("Avoid toe touches when your back hurts.", "toe touches", AVOID),
        ("Do not do sit-ups or toe touches.", "toe touches", AVOID),
        ("Toe touches should be avoided after an injury.", "Toe touches", AVOID),
        ("Prevent leg lifts while the pain lasts.", "leg lifts", AVOID),
        ("Avoid slouching, but do the bridge daily.", "bridge", RECOMMEND),
        ("The bridge helps prevent spasms.", "bridge", RECOMMEND),
        ("Do not force the hamstring stretch.", "hamstring stretch", RECOMMEND),
        ("If the pain worsens, stop doing the bridge.", "bridge", CAUTION),
        ("Instead of toe touches, try the knee-to-chest stretch.", "toe touches", AVOID),
    ],
)
def test_polarity_follows_scope(sentence: str, name: str, expected: str, trained_nlp) -> None:
    text = "Stretching helps most people with back pain. " + sentence  # not the doc's first sentence
    doc = trained_nlp(text)
    start = text.index(name)
    span = doc.char_span(start, start + len(name))
    assert polarity(doc, span.start, span.end) == expected


def dose_of(extraction: Extraction) -> dict[str, list[tuple]]:
    by_mention = {m.mention_id: m.name for m in extraction.mentions}
    out: dict[str, list[tuple]] = {}
    for d in extraction.dosages:
        out.setdefault(by_mention[d.mention_id], []).append((d.attribute, d.min_value, d.max_value, d.per_side))
    return out


@pytest.mark.model
def test_dose_before_the_name_belongs_to_the_paragraphs_exercise(trained_nlp) -> None:
    text = ("Perform this routine once in the morning and once in the evening. "
            "This knee-to-chest stretch can help the hips.\n")
    assert dose_of(run(text, trained_nlp)) == {"knee-to-chest stretch": [("per_day", 2.0, 2.0, False)]}


@pytest.mark.model
def test_section_owns_its_doses_and_side_cues(trained_nlp) -> None:
    text = ("Bird Dog\n\nKneel on all fours. Hold it for three to five seconds. Swap, extending the other arm.\n\n"
            "Wall Sits\n\nSlide down the wall. Repeat 8 to 12 times.\n")
    doses = dose_of(run(text, trained_nlp))
    assert doses["Bird Dog"] == [("hold_s", 3.0, 5.0, True)]
    assert doses["Wall Sits"] == [("reps", 8.0, 12.0, False)]


@pytest.mark.model
def test_an_avoided_exercise_gets_no_dose(trained_nlp) -> None:
    text = ("Avoid Leg Lifts\n\nLifting both legs strains the core. Instead lie with one knee bent, "
            "lift the straight leg and repeat 10 times.\n")
    extraction = run(text, trained_nlp)
    assert [m.polarity for m in extraction.mentions] == ["avoid"]
    assert extraction.dosages == () and extraction.steps == ()


@pytest.mark.model
def test_a_dose_for_all_exercises_applies_to_each(trained_nlp) -> None:
    text = ("Pelvic Tilt\n\nTilt the pelvis back.\n\nBridge\n\nLift the hips.\n\n"
            "Tips\n\nDo each exercise twice a day.\n")
    doses = dose_of(run(text, trained_nlp))
    assert doses == {"Pelvic Tilt": [("per_day", 2.0, 2.0, False)], "Bridge": [("per_day", 2.0, 2.0, False)]}


@pytest.mark.model
def test_steps_come_from_the_list_or_from_instructions(trained_nlp) -> None:
    listed = run("Pelvic Tilt\n\n1. Lie on your back.\n2. Tighten your belly.\n3. Hold for 5 seconds.\n", trained_nlp)
    assert [s.step_no for s in listed.steps] == [1, 2, 3]
    prose = run("Bird Dog\n\nThis builds balance. Kneel on all fours. Slowly extend one arm. It feels good.\n",
                trained_nlp)
    assert [s.evidence for s in prose.steps] == ["Kneel on all fours.", "Slowly extend one arm."]


@pytest.mark.model
def test_every_fact_quotes_the_raw_text(trained_nlp) -> None:
    raw = ("Kid’s Posture\n\nHold this pose for 20 to 30 secs. Pin On Yoga Ideas\n\n"
           "Hamstring Stretch\n\n  1- Lie down.\n  2- Hold for 15 secs, for each leg.\n")
    article = clean(Source("t", "t.txt", "", "ok", "", None, len(raw)), raw)
    extraction = extract_article(article, trained_nlp(article.clean_text))
    assert extraction.mentions and extraction.dosages and extraction.steps
    for m in extraction.mentions:
        assert raw[m.char_start : m.char_end] == m.surface
    for row in (*extraction.dosages, *extraction.steps, *extraction.advice):
        assert raw[row.char_start : row.char_end] == row.evidence
    assert extraction.mentions[0].surface == "Kid’s Posture"
    assert any(d.evidence.endswith("30 secs") for d in extraction.dosages)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Lie on the floor, then draw a knee slowly to the chest.", "Knee-to-chest stretch"),
        ("Gently pull your right knee toward your chest and hold.", "Knee-to-chest stretch"),
        ("Stretch the back by raising both arms overhead.", "Overhead arm stretch"),
        ("Lie down, bringing your left knee up toward your chest.", "Knee-to-chest stretch"),
        ("Keep your legs straight and slowly bend down towards your toes.", "Forward bend"),
        ("Lying on your back, rolling both knees to one side.", "Lower trunk rotation"),
    ],
)
def test_descriptions_are_unnamed_mentions(text: str, name: str) -> None:
    (hit,) = find_descriptions(text, 0, len(text))
    assert (hit.name, hit.named, hit.method) == (name, False, "description")


@pytest.mark.parametrize("text", ["Bring your chest to your knees.", "Raise your arms to shoulder height.",
                                  "Bend your knees and point your toes."])
def test_descriptions_need_the_distinctive_movement(text: str) -> None:
    assert find_descriptions(text, 0, len(text)) == []


@pytest.mark.model
def test_a_described_exercise_gets_the_doses_of_its_item(trained_nlp) -> None:
    text = ("Exercises to try\n\n- Lie down and draw a knee slowly to the chest. Do up to 10 reps, up to 3 times daily "
            "on each leg.\n")
    extraction = run(text, trained_nlp)
    (m,) = extraction.mentions
    assert (m.named, m.name, m.surface) == (False, "Knee-to-chest stretch", "draw a knee slowly to the chest")
    assert sorted((d.attribute, d.min_value, d.max_value) for d in extraction.dosages) == [
        ("per_day", None, 3.0), ("reps", None, 10.0)]


@pytest.mark.model
def test_no_description_inside_a_named_exercise_section(trained_nlp) -> None:
    text = "Knee Rolls\n\n1. Lie on your back.\n2. Drop both knees to one side and hold.\n"
    assert [m.named for m in run(text, trained_nlp).mentions] == [True]


@pytest.mark.model
def test_prose_steps_stay_inside_their_block(trained_nlp) -> None:
    extraction = run("4. Cat-cow\n\nStart on your hands and knees. Round your spine. Continue for 1 minute.\n\n",
                     trained_nlp)
    assert [s.evidence for s in extraction.steps] == [
        "Start on your hands and knees.", "Round your spine.", "Continue for 1 minute."]


# --- the components ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def layout_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("backkb_layout")
    return nlp


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Tips\n- Skip heavy deadlifts\n- Cat-cow stretch each morning\n- Bridge twice daily",
         ["Tips", "- Skip heavy deadlifts", "- Cat-cow stretch each morning", "- Bridge twice daily"]),
        ("1. Lie on your back\n2. Hug both knees", ["1. Lie on your back", "2. Hug both knees"]),
        ("Sets: 3\nReps: 12", ["Sets: 3", "Reps: 12"]),
    ],
)
def test_every_block_starts_a_sentence(layout_nlp, text: str, sentences: list[str]) -> None:
    doc = layout_nlp(text)
    assert [s.text.strip() for s in doc.sents] == sentences


@pytest.mark.model
def test_the_parser_keeps_the_block_boundaries(trained_nlp) -> None:
    doc = trained_nlp("Tips\n- Skip heavy deadlifts\n- Cat-cow stretch each morning\n- Bridge twice daily\n")
    assert [s.text.strip() for s in doc.sents] == [
        "Tips", "- Skip heavy deadlifts", "- Cat-cow stretch each morning", "- Bridge twice daily"]


def test_blocks_know_their_kind_number_and_heading(layout_nlp) -> None:
    doc = layout_nlp("Wall Sits\n\n1. Lean on the wall.\n2. Slide down.\n\nKeep your knees over your ankles.")
    blocks = doc.spans["block"]
    assert [(b.label_, b._.block_number) for b in blocks] == [
        ("heading", None), ("item", 1), ("item", 2), ("paragraph", None)]
    assert [b._.heading.text if b._.heading else None for b in blocks] == [None, "Wall Sits", "Wall Sits", "Wall Sits"]
    assert doc.text[blocks[1]._.text_start : blocks[1].end_char] == "Lean on the wall."


@pytest.fixture(scope="module")
def rules_nlp():
    """The rules alone: a blank pipeline with backkb's components (no tagger, so lexicon names only)."""
    return add_extraction(spacy.blank("en"))


def test_the_components_work_without_the_model(rules_nlp) -> None:
    doc = rules_nlp("Bird Dog\n\nKneel on all fours. Hold for 5 seconds. Repeat 8 times on each side.\n")
    (exercise,) = doc.spans["exercise"]
    assert (exercise.text, exercise._.in_heading, exercise._.polarity) == ("Bird Dog", True, "recommend")
    doses = sorted((d.label_, d._.min, d._.max, d._.per_side, [e.text for e in d._.exercises])
                   for d in doc.spans["dose"])
    assert doses == [("hold_s", 5.0, 5.0, True, ["Bird Dog"]), ("reps", 8.0, 8.0, True, ["Bird Dog"])]
    assert [s._.step_no for s in doc.spans["step"]] == [1, 2, 3]


def test_two_doses_read_from_one_phrase_keep_their_own_values(rules_nlp) -> None:
    doc = rules_nlp("Side Plank\n\nDo 2 sets of 15 reps.\n")
    assert sorted((d.label_, d._.min) for d in doc.spans["dose"]) == [("reps", 15.0), ("sets", 2.0)]


def test_results_survive_serialisation(rules_nlp) -> None:
    """What ``nlp.pipe(n_process=N)`` relies on: spans and their extensions come back from ``Doc.to_bytes``."""
    doc = rules_nlp("Bridge\n\nLift your hips. Hold for 10 seconds.\n")
    back = Doc(rules_nlp.vocab).from_bytes(doc.to_bytes())
    for group in ("block", "exercise", "dose", "step"):
        assert [(s.start_char, s.end_char, s.label_) for s in back.spans[group]] == [
            (s.start_char, s.end_char, s.label_) for s in doc.spans[group]]
    assert [e.text for e in back.spans["dose"][0]._.exercises] == ["Bridge"]


def polarities(text: str, nlp) -> dict[str, str]:
    return {s.text: s._.polarity for s in nlp(text).spans["exercise"]}


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What helps\n- Never lift heavy boxes\n- Pelvic tilts every evening\n- Bird dog twice a day\n",
         {"Pelvic tilts": RECOMMEND, "Bird dog": RECOMMEND}),
        ("Stop crunches for now.", {"crunches": AVOID}),
        ("Cease doing toe touches.", {"toe touches": AVOID}),
        ("Stop Crunches\n\nThey load the discs.", {"Crunches": AVOID}),
        ("Crunches and toe touches are a bad idea while it hurts.", {"Crunches": AVOID, "toe touches": AVOID}),
        ("I would never recommend crunches after a strain.", {"crunches": AVOID}),
        ("Whatever you do, don't try to loosen the muscle with toe touches.", {"toe touches": AVOID}),
    ],
)
def test_polarity_bugs_seen_by_new_users(text: str, expected: dict[str, str], trained_nlp) -> None:
    """Each case once came out wrong through the whole pipeline (issue 9); the sentences are our own."""
    found = polarities(text, trained_nlp)
    assert {k: found.get(k) for k in expected} == expected, found


@pytest.mark.model
def test_a_caution_is_stored_as_a_recommendation(trained_nlp) -> None:
    """ConText may say ``caution``; the KB's polarity has only recommend and avoid (vocab.POLARITIES)."""
    text = "Bird Dog\n\nKneel on all fours. If your back aches, stop doing the bird dog.\n"
    doc = trained_nlp(text)
    assert "caution" in {s._.polarity for s in doc.spans["exercise"]}
    assert {m.polarity for m in run(text, trained_nlp).mentions} == {"recommend"}
