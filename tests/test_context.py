"""ConText: the polarity of exercise spans, section scope under headings, the rule file, the component.

Rule tests on ``spacy.blank("en")`` with a sentencizer; exercise spans (and layout blocks, where a
test needs headings) are built by hand, so nothing here depends on how names are found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.config import ROOT
from pipeline.extract import extensions, scope
from pipeline.extract.context import AVOID, CAUTION, RECOMMEND, ConText, heading_polarity, polarity
from pipeline.extract.matching import Tokens, scan

extensions.register()


def _blocks(doc: Doc, headings: tuple[str, ...]) -> list[Span]:
    """One block per line, as the layout component writes them: headings, and items they own."""
    blocks, owner, start = [], None, 0
    for line in doc.text.split("\n"):
        span = doc.char_span(start, start + len(line)) if line.strip() else None
        if span is not None:
            block = Span(doc, span.start, span.end, label="heading" if line in headings else "item")
            if block.label_ == "heading":
                owner = [block.start_char, block.end_char]
            else:
                block._.heading_at = owner
            blocks.append(block)
        start += len(line) + 1
    return blocks


def _polarities(doc: Doc, names: list[str], in_heading: Callable[[Span], bool]) -> dict[str, str]:
    """Run the component on ``doc`` with a span per occurrence of each name: ``name``, ``name#2``, …"""
    spans, keys = [], []
    for name in names:
        for k, m in enumerate(re.finditer(re.escape(name), doc.text), 1):
            span = doc.char_span(m.start(), m.end(), label="EXERCISE")
            span._.in_heading = in_heading(span)
            spans.append(span)
            keys.append(name if k == 1 else f"{name}#{k}")
    doc.spans["exercise"] = spans
    ConText(None, {"exercise": "polarity"}, "block")(doc)
    return {key: s._.polarity for key, s in zip(keys, spans, strict=True)}


def read(blank_nlp: Language, text: str, names: list[str], headings: tuple[str, ...] = ()) -> dict[str, str]:
    """The polarity the component gives each occurrence of each name, the blocks built by hand."""
    doc = blank_nlp(text)
    if headings:
        doc.spans["block"] = _blocks(doc, headings)

    def in_heading(span: Span) -> bool:
        line_start = text.rfind("\n", 0, span.start_char) + 1
        return text[line_start:].split("\n")[0] in headings

    return _polarities(doc, names, in_heading)


# ------------------------------------------------------------------------------ the bugs

BULLETS = ("Easing a sore back\n- Avoid heavy lifting\n- Pelvic tilt stretch each evening\n"
           "- Cat cow exercise three times a day")


def test_each_bullet_is_its_own_segment(blank_nlp: Language) -> None:
    """No full stop between the bullets, so the sentencizer sees one sentence: the line breaks cut it."""
    assert len(list(blank_nlp(BULLETS).sents)) == 1
    assert read(blank_nlp, BULLETS, ["heavy lifting", "Pelvic tilt stretch", "Cat cow exercise"]) == {
        "heavy lifting": AVOID, "Pelvic tilt stretch": RECOMMEND, "Cat cow exercise": RECOMMEND}


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        # an imperative "stop"/"cease"/"quit", with or without "doing"
        ("Stop crunches.", "crunches", AVOID),
        ("Cease doing leg raises.", "leg raises", AVOID),
        ("Quit the superman hold for now.", "superman hold", AVOID),
        ("You should stop doing crunches.", "crunches", AVOID),
        ("The ache should stop after the hamstring stretch.", "hamstring stretch", RECOMMEND),
        # a verdict after the names, or a refusal before them
        ("Leg raises and crunches are a bad idea during a flare-up.", "Leg raises", AVOID),
        ("Leg raises and crunches are a bad idea during a flare-up.", "crunches", AVOID),
        ("I would never recommend crunches while your back is in spasm.", "crunches", AVOID),
        ("We don't recommend leg raises for beginners.", "leg raises", AVOID),
        ("Whatever happens, don't try to loosen the cramp with leg raises or crunches.", "leg raises", AVOID),
        ("Whatever happens, don't try to loosen the cramp with leg raises or crunches.", "crunches", AVOID),
        ("Crunches can hurt you over time.", "Crunches", AVOID),
        ("Deep squats could injure your spine if done badly.", "Deep squats", AVOID),
        ("Heavy deadlifts may aggravate a strained muscle.", "Heavy deadlifts", AVOID),
        ("Toe touches won't make your back worse.", "Toe touches", RECOMMEND),
        ("Toe touches are a terrible idea when your back is locked up.", "Toe touches", AVOID),
        ("Double leg raises are not a good choice for a sore back.", "Double leg raises", AVOID),
        ("Toe touches aren't safe with a herniated disc.", "Toe touches", AVOID),
        ("I'd never recommend crunches to anyone with a disc problem.", "crunches", AVOID),
        ("You should not do toe touches.", "toe touches", AVOID),
        ("Try not to do crunches this week.", "crunches", AVOID),
        ("Try not to arch your back during the bridge.", "bridge", RECOMMEND),
        ("You should not arch your back in the glute bridge.", "glute bridge", RECOMMEND),
        ("Crunches are one of the worst exercises for your back.", "Crunches", AVOID),
        ("Sit-ups are the last thing you should do with a spasm.", "Sit-ups", AVOID),
        ("Deadlifts put too much strain on the lower back.", "Deadlifts", AVOID),
        ("Leaning over in a forward bend places too much stress on the discs.", "forward bend", AVOID),
        ("Burpees are high-impact and hard on the spine.", "Burpees", AVOID),
        ("Heavy squats can lead to serious disc injuries.", "Heavy squats", AVOID),
        ("Jumping jacks can compress your spine.", "Jumping jacks", AVOID),
        ("Box jumps land hard, which negatively affects the discs.", "Box jumps", AVOID),
        ("The glute bridge puts no strain on the spine.", "glute bridge", RECOMMEND),
        ("In the bird dog, many people put too much pressure on the wrists.", "bird dog", RECOMMEND),
        ("The plank trains the abs without putting extra strain on your back.", "plank", RECOMMEND),
        ("The bird dog can lead to better balance.", "bird dog", RECOMMEND),
        ("The plank is one of the best exercises for your core.", "plank", RECOMMEND),
        ("The bridge is safe for most people.", "bridge", RECOMMEND),
        ("Leg raises are not for everyone but they help many people.", "Leg raises", RECOMMEND),
        # should not match: pseudo triggers, terminators, conditionals
        ("Avoid pain: do the pelvic tilt stretch slowly.", "pelvic tilt stretch", RECOMMEND),
        ("Don't force the cat cow stretch past what feels comfortable.", "cat cow stretch", RECOMMEND),
        ("To prevent a flare-up, hold the glute bridge for ten seconds.", "glute bridge", RECOMMEND),
        ("Avoiding injury starts with the glute bridge.", "glute bridge", RECOMMEND),
        ("Skip crunches, but keep the glute bridge.", "crunches", AVOID),
        ("Skip crunches, but keep the glute bridge.", "glute bridge", RECOMMEND),
        ("Instead of crunches, switch to the glute bridge.", "glute bridge", RECOMMEND),
        ("If your back twinges, stop doing the glute bridge.", "glute bridge", CAUTION),
        ("When the pain flares, skip the cat cow stretch.", "cat cow stretch", CAUTION),
        ("Skip the cat cow stretch when the pain flares.", "cat cow stretch", AVOID),
        ("Do the glute bridge if it feels good.", "glute bridge", RECOMMEND),
    ],
)
def test_polarity(blank_nlp: Language, text: str, name: str, expected: str) -> None:
    assert read(blank_nlp, text, [name])[name] == expected
    doc = blank_nlp(text)
    span = doc.char_span(text.index(name), text.index(name) + len(name))
    assert polarity(doc, span.start, span.end) == expected  # the one-span function agrees


# ------------------------------------------------------------------------------ section scope

@pytest.mark.parametrize("heading", ["Worst moves for a bad back", "Exercises to skip", "What not to do",
                                     "Stay away from these", "Exercises you should never do"])
def test_an_avoid_heading_covers_its_section(blank_nlp: Language, heading: str) -> None:
    text = f"{heading}\n- Crunches\n- Leg raises with straight legs\nInstead, try the glute bridge."
    got = read(blank_nlp, text, ["Crunches", "Leg raises", "glute bridge"], headings=(heading,))
    assert got == {"Crunches": AVOID, "Leg raises": AVOID, "glute bridge": RECOMMEND}


@pytest.mark.parametrize("heading", ["Exercises to try", "How to prevent back pain", "Gentle stretches",
                                     "Avoid heavy lifting", "Stay away from long car rides"])
def test_other_headings_do_not(blank_nlp: Language, heading: str) -> None:
    text = f"{heading}\n- Crunches\n- Leg raises with straight legs"
    assert set(read(blank_nlp, text, ["Crunches", "Leg raises"], headings=(heading,)).values()) == {RECOMMEND}


def test_a_heading_that_names_an_exercise_covers_only_that_exercise(blank_nlp: Language) -> None:
    text = "Stop Crunches\nCrunches strain the neck. The glute bridge works the same muscles.\nNext part\nCrunches"
    got = read(blank_nlp, text, ["Crunches", "glute bridge"], headings=("Stop Crunches", "Next part"))
    assert got == {"Crunches": AVOID, "Crunches#2": AVOID, "glute bridge": RECOMMEND, "Crunches#3": RECOMMEND}


def test_exercises_named_in_a_heading_are_read_in_scope(blank_nlp: Language) -> None:
    heading = "Do the Glute Bridge Instead of Crunches"
    text = f"{heading}\nCrunches round the spine. The glute bridge does not."
    got = read(blank_nlp, text, ["Glute Bridge", "Crunches", "glute bridge"], headings=(heading,))
    assert got == {"Glute Bridge": RECOMMEND, "Crunches": AVOID, "Crunches#2": AVOID, "glute bridge": RECOMMEND}


def test_a_section_ends_at_the_next_heading(blank_nlp: Language) -> None:
    text = "Exercises to avoid\n- Crunches\nExercises to try\n- Glute bridge"
    got = read(blank_nlp, text, ["Crunches", "Glute bridge"], headings=("Exercises to avoid", "Exercises to try"))
    assert got == {"Crunches": AVOID, "Glute bridge": RECOMMEND}


@pytest.fixture(scope="module")
def layout_nlp() -> Language:
    """A blank pipeline with the layout component: blocks, headings and their parents as the build has them."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("backkb_layout")
    return nlp


def read_laid_out(layout_nlp: Language, text: str, names: list[str]) -> dict[str, str]:
    """The polarity of each occurrence of each name, the blocks from the layout component."""
    doc = layout_nlp(text)
    headings = [b for b in doc.spans["block"] if b.label_ == "heading"]
    return _polarities(doc, names, lambda span: any(h.start <= span.start < h.end for h in headings))


PARENTS = [
    # a lead-in line above numbered headings, until the next lead-in line
    ("{}\n1. Leg Raises\nLeg raises load the spine.\n2. Crunches\nA better move: the glute bridge.\n"
     "Moves that help:\n3. Bird Dog\nKneel on all fours.",
     ["Moves that can hurt your back:", "Exercises you should avoid:", "What not to do:"],
     {"Leg Raises": AVOID, "Leg raises": AVOID, "Crunches": AVOID, "glute bridge": RECOMMEND, "Bird Dog": RECOMMEND}),
    # a heading above numbered headings, through a subheading while the numbering goes on
    ("{}\n\nA few words first.\n\n1. Leg Raises\n\nWhy They Load It\n\nThey load the spine. Try the bird dog "
     "instead.\n\n2. Crunches\n\nThe same goes for these.\n\nGentle Options\n\n1. Glute Bridge\n\nLift your hips.",
     ["Worst Moves for a Sore Back"],
     {"Leg Raises": AVOID, "bird dog": RECOMMEND, "Crunches": AVOID, "Glute Bridge": RECOMMEND}),
    # a topic heading above exercise headings, until the next topic heading
    ("{}\n\nLeg Raises\n\nLeg raises arch the spine.\n\nCrunches\n\nThey round it.\n\nMoves to Try Instead\n\n"
     "Glute Bridge\n\nLift your hips.\n\nTry the Bird Dog\n\nKneel on all fours.",
     ["Moves to Skip With a Sore Back", "The Worst Exercises for Your Spine"],
     {"Leg Raises": AVOID, "Leg raises": AVOID, "Crunches": AVOID, "Glute Bridge": RECOMMEND, "Bird Dog": RECOMMEND}),
    ("{}\n\nCrunches\n\nThey round the spine.\n\nTry the Glute Bridge\n\nLift your hips.", ["Moves to Skip"],
     {"Crunches": AVOID, "Glute Bridge": RECOMMEND}),  # an exercise heading can still offer the alternative
    # a numbered title the layout took for an item, and the blocks it owns
    ("{}\n1. Leg Raises\nThey load the spine.\n2. deep squats with weights\nDeep squats load it too.\n"
     "Moves that help:\n3. Bird Dog\nKneel on all fours.", ["Moves that strain a sore back:"],
     {"Leg Raises": AVOID, "deep squats": AVOID, "Deep squats": AVOID, "Bird Dog": RECOMMEND}),
]


@pytest.mark.parametrize(("text", "parent", "expected"),
                         [(text, parent, expected) for text, parents, expected in PARENTS for parent in parents])
def test_a_parent_covers_the_exercise_headings_below_it(layout_nlp: Language, text: str, parent: str,
                                                         expected: dict[str, str]) -> None:
    assert read_laid_out(layout_nlp, text.format(parent), list(expected)) == expected


@pytest.mark.parametrize("topic", ["Avoid Heavy Lifting", "Stay Away From Long Car Rides", "Exercises to Try"])
def test_other_topics_do_not_cover_the_exercise_headings_below_them(layout_nlp: Language, topic: str) -> None:
    text = f"{topic}\n\nBend at the knees.\n\nGlute Bridge\n\nLift your hips.\n\nLeg Raises\n\nLower them slowly."
    assert set(read_laid_out(layout_nlp, text, ["Glute Bridge", "Leg Raises"]).values()) == {RECOMMEND}


@pytest.mark.parametrize("lead_in", ["Steer clear of these:", "Skip these for now:"])
def test_a_lead_in_line_covers_its_list(layout_nlp: Language, lead_in: str) -> None:
    text = (f"Easy Moves\n\nSome words.\n{lead_in}\n- Leg raises\n- Crunches\nThe glute bridge is kind to it.\n"
            "- Bird dog")
    got = read_laid_out(layout_nlp, text, ["Leg raises", "Crunches", "glute bridge", "Bird dog"])
    assert got == {"Leg raises": AVOID, "Crunches": AVOID, "glute bridge": RECOMMEND, "Bird dog": RECOMMEND}


def test_a_list_of_mistakes_is_not_a_list_of_exercises_to_avoid(layout_nlp: Language) -> None:
    text = ("Glute Bridge\n\nLift your hips.\nCommon mistakes to avoid:\n- Arching the back in the glute bridge\n"
            "- Holding your breath in the plank")
    assert set(read_laid_out(layout_nlp, text, ["Glute Bridge", "glute bridge", "plank"]).values()) == {RECOMMEND}


@pytest.mark.parametrize("lead_in", ["Moves that help:", "Try these instead:", "Here is the list:"])
def test_other_lead_ins_do_not(layout_nlp: Language, lead_in: str) -> None:
    text = f"{lead_in}\n1. Leg Raises\nLower them slowly.\n2. Glute Bridge\nLift your hips.\n- Bird dog"
    assert set(read_laid_out(layout_nlp, text, ["Leg Raises", "Glute Bridge", "Bird dog"]).values()) == {RECOMMEND}


@pytest.mark.parametrize("cue", ["Why they hurt:", "Why it is bad:", "Why it's risky:", "Why you should skip it:"])
def test_a_why_it_hurts_line_is_about_the_title_above_it(layout_nlp: Language, cue: str) -> None:
    text = (f"Some Moves\n\n1. Leg Raises\n{cue} lifting both legs arches the spine.\n"
            "A better move: the glute bridge.\n2. Bird Dog\nKneel on all fours.")
    got = read_laid_out(layout_nlp, text, ["Leg Raises", "glute bridge", "Bird Dog"])
    assert got == {"Leg Raises": AVOID, "glute bridge": RECOMMEND, "Bird Dog": RECOMMEND}


@pytest.mark.parametrize("line", ["Why it helps: it loosens the hips.", "Why they work: the hips open.",
                                  "It can hurt to start with, so go slowly.", "Hurt? Stop and rest."])
def test_other_first_lines_do_not(layout_nlp: Language, line: str) -> None:
    text = f"Some Moves\n\n1. Leg Raises\n{line}\n2. Bird Dog\nKneel on all fours."
    assert set(read_laid_out(layout_nlp, text, ["Leg Raises", "Bird Dog"]).values()) == {RECOMMEND}


@pytest.mark.parametrize(
    ("heading", "polarity_", "name"),
    [
        ("Stop Crunches", AVOID, "Crunches"),
        ("Avoid Leg Raises", AVOID, "Leg Raises"),
        ("Never Do Crunches", AVOID, "Crunches"),
        ("Don't Do Crunches", AVOID, "Crunches"),
        ("Skip the Superman", AVOID, "the Superman"),
        ("Exercises to Avoid", AVOID, "Exercises to Avoid"),
        ("How to Prevent Back Spasms", RECOMMEND, "How to Prevent Back Spasms"),
        ("Moves That Hurt Your Back", AVOID, "Moves That Hurt Your Back"),
        ("Stretches Which Can Strain the Spine", AVOID, "Stretches Which Can Strain the Spine"),
        ("Moves That Don't Hurt Your Back", RECOMMEND, "Moves That Don't Hurt Your Back"),
        ("Stop Back Pain With These Stretches", RECOMMEND, "Stop Back Pain With These Stretches"),
        ("Quit Suffering From a Sore Back", RECOMMEND, "Quit Suffering From a Sore Back"),
        ("Mistakes to Avoid", RECOMMEND, "Mistakes to Avoid"),
        ("Avoid These Common Errors", RECOMMEND, "Avoid These Common Errors"),
        ("When to Avoid These Stretches", RECOMMEND, "When to Avoid These Stretches"),
        ("Things to Avoid", AVOID, "Things to Avoid"),
        ("Glute Bridge", RECOMMEND, "Glute Bridge"),
        ("Try the Glute Bridge", RECOMMEND, "Try the Glute Bridge"),
    ],
)
def test_heading_polarity(blank_nlp: Language, heading: str, polarity_: str, name: str) -> None:
    doc = blank_nlp(heading)
    cue = heading_polarity(doc, 0, len(doc))
    assert (cue.polarity, doc[cue.name_start :].text) == (polarity_, name)


# ------------------------------------------------------------------------------ references

def _kept(blank_nlp: Language, text: str, name: str) -> list[str]:
    doc = blank_nlp(text)
    start = text.index(name)
    doc.spans["exercise"] = [doc.char_span(start, start + len(name), label="EXERCISE")]
    ConText(None, {"exercise": "polarity"}, None)(doc)
    return [s.text for s in doc.spans["exercise"]]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Lie down with bent knees, as if you were about to do a crunch.", "crunch"),
        ("Curl your chin in like you're going to start a sit-up.", "sit-up"),
        ("Brace the belly as though doing a plank.", "plank"),
        ("Keep the hips square, like you are performing a glute bridge.", "glute bridge"),
    ],
)
def test_a_name_that_only_describes_a_position_is_dropped(blank_nlp: Language, text: str, name: str) -> None:
    assert _kept(blank_nlp, text, name) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Do the crunch as if nobody were watching.", "crunch"),
        ("A plank feels like a workout for the whole body.", "plank"),
        ("You are about to do the glute bridge: lie on your back.", "glute bridge"),
        ("If you like doing sit-ups, do them slowly.", "sit-ups"),
    ],
)
def test_other_names_near_like_are_kept(blank_nlp: Language, text: str, name: str) -> None:
    assert _kept(blank_nlp, text, name) == [name]


# ------------------------------------------------------------------------------ the rest of the API

def test_the_component_in_a_pipeline() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("backkb_context", config={"span_groups": {"exercise": "polarity", "advice_target": "stance"}})
    doc = nlp.make_doc("Avoid crunches and bed rest. Try the glute bridge.")
    doc.spans["exercise"] = [Span(doc, 1, 2, label="EXERCISE"), Span(doc, 8, 10, label="EXERCISE")]
    doc.spans["advice_target"] = [Span(doc, 3, 5, label="rest")]
    doc = nlp(doc)
    assert [s._.polarity for s in doc.spans["exercise"]] == [AVOID, RECOMMEND]
    assert doc.spans["advice_target"][0]._.stance == AVOID
    assert nlp("No spans here.").text  # a doc without the groups passes through


def test_a_bad_attribute_fails() -> None:
    with pytest.raises(ValueError, match="span_groups"):
        ConText(None, {"exercise": "polarty"}, None)


@pytest.mark.parametrize(
    "line",
    [
        {"literal": "avoid", "category": "avoided", "direction": "forward"},
        {"literal": "avoid", "category": "avoid", "direction": "forwards"},
        {"literal": "avoid", "category": "avoid", "direction": "terminate"},
        {"literal": "avoid", "pattern": [{"LOWER": "avoid"}], "category": "avoid", "direction": "forward"},
        {"literal": "avoid", "category": "avoid", "direction": "forward", "scope": 3},
        {"literal": "avoid", "category": "avoid", "direction": "forward", "terminated_by": ["recomend"]},
    ],
)
def test_bad_rules_fail_loudly(tmp_path: Path, line: dict) -> None:
    path = tmp_path / "rules.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(ValueError, match="bad ConText rule"):
        scope.load_rules(str(path))


def test_a_rule_file_of_ones_own_with_a_token_pattern(blank_nlp: Language, tmp_path: Path) -> None:
    path = tmp_path / "rules.jsonl"
    rules = [
        {"pattern": [{"LOWER": "ditch"}, {"LOWER": "the", "OP": "?"}], "category": "avoid", "direction": "forward"},
        {"literal": "but", "category": "terminate", "direction": "terminate"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rules))
    doc = blank_nlp.make_doc("Ditch the crunches but keep the bridge.")
    doc.spans["exercise"] = [Span(doc, 2, 3, label="EXERCISE"), Span(doc, 6, 7, label="EXERCISE")]
    ConText(str(path), {"exercise": "polarity"}, None)(doc)
    assert [s._.polarity for s in doc.spans["exercise"]] == [AVOID, RECOMMEND]


GROUPS = ("exercise", "advice_target", "block", "dose", "section", "list")  # the groups the pipeline reads rules for


def _sentences(folder: Path) -> list[str]:
    return [s.strip() for p in sorted(folder.glob("*.txt"))
            for s in re.split(r"(?<=[.!?])\s+|\n", p.read_text(encoding="utf-8")) if len(s.split()) >= 4]


def test_no_rule_is_a_sentence_of_the_seeds_or_the_dev_set(blank_nlp: Language) -> None:
    """Rules are general phrases: none matches a whole sentence of an article they were tried on."""
    folders = [ROOT / "raw", ROOT.parent / "shared" / "eval" / "dev" / "texts"]
    sentences = [s for f in folders if f.is_dir() for s in _sentences(f)]
    assert sentences
    rules = {g: scope.rule_set(blank_nlp.vocab, False, g) for g in GROUPS}
    for sentence in sentences:
        doc = blank_nlp.make_doc(sentence)
        toks = Tokens.of(doc, False)
        words = [i for i, w in enumerate(toks.word) if w]
        for group, ruleset in rules.items():
            whole = [(s, e) for s, e, _k in scan(ruleset.trie, toks, 0, len(doc)) if s <= words[0] and e > words[-1]]
            assert not whole, (group, sentence)


def test_every_rule_line_is_used_by_some_group() -> None:
    assert all(any(r.in_group(g) for g in GROUPS) for r in scope.load_rules())
