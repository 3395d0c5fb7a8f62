"""Names from structure: headings, labels, brackets, list items; one name for two exercises.

Every text here is written for its rule. Rules that need no tagger run on ``spacy.blank("en")`` or
on plain text; finding names in headings and prose needs the trained model's tags.
"""

from __future__ import annotations

import pytest
import spacy

from pipeline import lexicons
from pipeline.extract import extract_article
from pipeline.extract.lexicon_scan import lexicon_spans
from pipeline.extract.mentions import NameHit, find_names
from pipeline.extract.postures import posture_of, qualify_repeated
from pipeline.ingest import clean
from pipeline.models import Source
from pipeline.names import name_rules
from pipeline.resolve import resolve
from pipeline.structure import find_blocks


def found(text: str, trained_nlp) -> list[tuple[str, str]]:
    """(name, surface) of every name found in ``text``, in text order."""
    article = clean(Source("t", "t.txt", "", "ok", "", None, len(text)), text)
    doc = trained_nlp(article.clean_text)
    return [(h.name, article.clean_text[h.start : h.end]) for h in find_names(doc, find_blocks(article.clean_text))]


# ---------------------------------------------------------------- rules without the model


@pytest.mark.parametrize(
    ("text", "surfaces"),
    [
        ("Try the Cat/Cow pose after waking.", ["Cat/Cow pose"]),
        ("Burpees and Romanian deadlifts load the spine.", ["Burpees", "Romanian deadlifts"]),
        ("Skip the leg press and the bent-over row for now.", ["leg press", "bent-over row"]),
        ("Adho Mukha Virasana rests the back.", ["Adho Mukha Virasana"]),
    ],
)
def test_lexicon_knows_gym_lifts_sanskrit_names_and_slashed_names(text: str, surfaces: list[str]) -> None:
    assert [s.text for s in lexicon_spans(spacy.blank("en")(text))] == surfaces


@pytest.mark.parametrize("text", ["Stand up/sit down ten times.", "Deadly lifts are a myth.",
                                  "Lift one knee high, then the other."])
def test_lexicon_needs_a_whole_name(text: str) -> None:
    assert lexicon_spans(spacy.blank("en")(text)) == []


@pytest.mark.parametrize(
    ("text", "number", "words"),
    [
        ("1Lumbar Extension\nStand and lean back.", 1, "Lumbar Extension"),
        ("12Side Plank\nLie on your side.", 12, "Side Plank"),
        ("3. Wall Sits\nLean on a wall.", 3, "Wall Sits"),
    ],
)
def test_a_number_glued_to_a_heading_is_its_list_number(text: str, number: int, words: str) -> None:
    block = find_blocks(text)[0]
    assert (block.kind, block.number, text[block.text_start : block.end]) == ("heading", number, words)


@pytest.mark.parametrize("text", ["3D scans of the spine help.\nAsk a doctor.", "2nd Week\nRest more."])
def test_a_digit_in_a_word_is_not_a_list_number(text: str) -> None:
    assert find_blocks(text)[0].number is None


@pytest.mark.parametrize(
    ("text", "posture"),
    [
        ("Lie on your front and prop yourself on your elbows.", "prone"),
        ("Lie face down with your arms by your sides.", "prone"),
        ("Lying on your back, bend both knees.", "supine"),
        ("Get on your hands and knees.", "kneeling"),
        ("Sit on a firm chair with your feet flat.", "seated"),
        ("Stand with your feet hip-width apart.", "standing"),
        ("Unlike sit-ups, this one is done standing.", "standing"),
        ("Hold for ten seconds and repeat.", None),
    ],
)
def test_posture_of_a_section(text: str, posture: str | None) -> None:
    assert posture_of(text) == posture


def test_posture_cues_are_one_modifier_group() -> None:
    """Qualified names must be kept apart by resolution: the postures are words of one modifier group."""
    keys = set(lexicons.load("mention_rules")["posture_cues"])
    assert any(keys <= group for group in name_rules().modifier_groups)


REPEATED = """Two ways to extend a stiff back

Spinal Extension
Stand with your hands on your hips and lean back.

Knee Rolls
Lie on your back and let your knees drop to one side.

Spinal Extension
Lie on your stomach and press your chest up. Keep the Spinal Extension slow.
"""


def _hits_of(text: str, name: str) -> list[NameHit]:
    hits, at = [], text.find(name)
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        hits.append(NameHit(at, at + len(name), name, "heading", 0.85, in_heading=at == line_start))
        at = text.find(name, at + 1)
    return hits


def test_one_name_for_two_exercises_is_qualified_by_posture() -> None:
    hits = qualify_repeated(REPEATED, find_blocks(REPEATED), _hits_of(REPEATED, "Spinal Extension"))
    assert [h.name for h in hits] == ["Standing Spinal Extension", "Prone Spinal Extension",
                                      "Prone Spinal Extension"]


@pytest.mark.parametrize(
    "text",
    [
        REPEATED.replace("Stand with your hands on your hips and lean back", "Lie on your stomach"),  # same
        REPEATED.replace("Stand with your hands on your hips and lean back", "Repeat ten times"),  # unknown
    ],
)
def test_a_repeated_name_of_one_exercise_keeps_its_name(text: str) -> None:
    hits = qualify_repeated(text, find_blocks(text), _hits_of(text, "Spinal Extension"))
    assert {h.name for h in hits} == {"Spinal Extension"}


# ---------------------------------------------------------------- headings and list items (model)


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # qualifiers: a category label, a variation after "|", a bracket
        ("Back Stretches: Donkey Kick\n\nKneel on all fours and lift one leg behind you.",
         [("Donkey Kick", "Donkey Kick")]),
        ("Hip Flexor Stretch | Half Kneeling\n\nKneel on one knee.", [("Hip Flexor Stretch", "Hip Flexor Stretch")]),
        ("Book Opening [Short Lever]\n\nLie on your side with your knees bent.", [("Book Opening", "Book Opening")]),
        ("Wall Squats (for beginners)\n\nLean your back against a wall.", [("Wall Squats", "Wall Squats")]),
        # a bracket that is a name is an alias of the same exercise; it names it when only it is known
        ("Sphinx Pose (Salamba Bhujangasana)\n\nLie on your front.",
         [("Sphinx Pose", "Sphinx Pose"), ("Sphinx Pose", "Salamba Bhujangasana")]),
        ("Reclined Pigeon (Supta Kapotasana)\n\nLie on your back.",
         [("Reclined Pigeon", "Reclined Pigeon"), ("Reclined Pigeon", "Supta Kapotasana")]),
        ("Office Break (Cat Stretch)\n\nRound your back slowly.", [("Cat Stretch", "Cat Stretch")]),
        # a label heading makes the next line a name, whatever its words
        ("EXERCISE 4\nSupported Trunk Curl with Pillow\n- Lie on your back.\n- Curl your head up.",
         [("Supported Trunk Curl with Pillow", "Supported Trunk Curl with Pillow")]),
        # a number glued to the heading is not part of the name
        ("2Pelvic Rocks\nLie on your back and rock the pelvis gently.", [("Pelvic Rocks", "2Pelvic Rocks")]),
        # capitals, gerunds, movements with a generic modifier, two names in one heading
        ("DONKEY KICKS\n\nKneel down and kick one leg back.", [("DONKEY KICKS", "DONKEY KICKS")]),
        ("Rolling your knees\n\nLie on your back.", [("Rolling your knees", "Rolling your knees")]),
        ("Tilting the pelvis\n\nLie down and flatten your back.", [("Tilting the pelvis", "Tilting the pelvis")]),
        ("Upper Back Twist\n\nSit tall and turn to one side.", [("Upper Back Twist", "Upper Back Twist")]),
        ("From the Bridge to the Plank\n\nHold each for ten seconds.", [("Bridge", "Bridge"), ("Plank", "Plank")]),
        # a list item or paragraph that opens with a name, a numbered line that is one
        ("A short routine.\n\n- Donkey kicks. Kneel on all fours and lift one leg.\n- Hip hinge: stand tall.",
         [("Donkey kicks", "Donkey kicks"), ("Hip hinge", "Hip hinge")]),
        ("A short routine.\n\n4. Hip circles\nStand with your feet apart.", [("Hip circles", "Hip circles")]),
        ("[Coach] Pelvic rocks. Lie on your back and rock gently.", [("Pelvic rocks", "Pelvic rocks")]),
        # a plural name the tagger reads as a verb
        ("A gentle option: Hamstring stretches with a strap.", [("Hamstring stretches", "Hamstring stretches")]),
        ("You can try Ustrasana (Camel pose) if your back feels fine.",
         [("Ustrasana", "Ustrasana"), ("Camel pose", "Camel pose")]),
    ],
)
def test_names_from_structure(text: str, expected: list[tuple[str, str]], trained_nlp) -> None:
    assert found(text, trained_nlp) == expected


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "Lower Back Stretch\n\nLie down and relax.",
        "Proper Lift\n\nKeep the load close to your body.",
        "Gentle Rotation\n\nTurn slowly.",
        "Key Takeaways\n\n- Keep active. Walk every day.\n- Posture matters. Sit up straight.",
        "Step 1\nLie on your back.\nStep 2\nBend your knees.",
        "Lifting heavy objects\n\nBend your knees and keep the load close.",
        "Getting started\n\nWarm up for five minutes first.",
        "Back Exercises: An Overview\n\nMost people recover within weeks.",
        "Exercise 3\n\nLie on your back and breathe slowly.",
        "Begin in a kneeling lunge pose with your hands on your hips.",
        "Perform a hip extension by squeezing your glutes.",
        "- Lie on your back. Bend your knees.\n- Hold for ten seconds.",
        "3. Bend both knees\n4. Hold for ten seconds",
    ],
)
def test_not_names(text: str, trained_nlp) -> None:
    assert found(text, trained_nlp) == []


@pytest.mark.model
def test_a_predicate_describes_a_name_it_does_not_name_one(trained_nlp) -> None:
    assert found("Squats are the classic leg exercise for athletes.", trained_nlp) == [("Squats", "Squats")]


@pytest.mark.model
def test_one_article_two_exercises_one_name(trained_nlp) -> None:
    names = [n for n, _ in found(REPEATED, trained_nlp)]
    assert names == ["Standing Spinal Extension", "Knee Rolls", "Prone Spinal Extension"]


# ---------------------------------------------------------------- ids and names come from clean names


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "exercise_id", "aliases"),
    [
        ("Child's Pose (Balasana)\n\nKneel and sit back on your heels.", "childs-pose", {"Balasana", "Child's Pose"}),
        ("EXERCISE 2\nQuadruped Alt Arm/Leg (Bird Dog)\n- Kneel on all fours.", "bird-dog",
         {"Quadruped Alt Arm/Leg", "Bird Dog"}),
        ("3. Gentle Bilateral Bridging\nLie on your back and lift your hips.", "bridge", {"Gentle Bilateral Bridging"}),
    ],
)
def test_a_qualified_heading_resolves_to_its_clean_name(text: str, exercise_id: str, aliases: set[str],
                                                        trained_nlp) -> None:
    article = clean(Source("t", "t.txt", "", "ok", "", None, len(text)), text)
    extraction = extract_article(article, trained_nlp(article.clean_text))
    (exercise,) = resolve(extraction.mentions).exercises
    assert (exercise.exercise_id, set(exercise.aliases)) == (exercise_id, aliases)
