"""The layout component's heading levels: which heading or lead-in line a numbered heading or list sits under.

The blocks themselves (kinds, numbers, which heading owns a block) are tested with the extraction in
``test_extract.py``; here only ``._.parent_heading_at``, on ``spacy.blank("en")``.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from pipeline.extract.layout import is_lead_in


@pytest.fixture(scope="module")
def layout_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("backkb_layout")
    return nlp


def parents(nlp: Language, text: str) -> dict[str, str | None]:
    """Each block's text → the text of its parent heading (None: it has none)."""
    doc = nlp(text)
    return {b.text: b._.parent_heading.text if b._.parent_heading else None for b in doc.spans["block"]}


def test_a_lead_in_line_owns_the_numbered_headings_below_it(layout_nlp: Language) -> None:
    text = ("Moves that strain a sore back:\n1. Leg Raises\nThey load the spine.\n2. Crunches\nMore of the same.\n"
            "Moves that help:\n3. Glute Bridge\nLift your hips.")
    assert parents(layout_nlp, text) == {
        "Moves that strain a sore back:": None, "1. Leg Raises": "Moves that strain a sore back:",
        "They load the spine.": None, "2. Crunches": "Moves that strain a sore back:", "More of the same.": None,
        "Moves that help:": None, "3. Glute Bridge": "Moves that help:", "Lift your hips.": None}


def test_a_heading_owns_the_numbered_headings_until_the_next_list(layout_nlp: Language) -> None:
    """A subheading inside an item does not start a list when the numbering goes on; a new "1." does."""
    text = ("Worst Moves for a Sore Back\n\nA few words first.\n\n1. Leg Raises\n\nWhy They Hurt\n\nThey load it.\n\n"
            "2. Crunches\n\nSame again.\n\nGentle Options\n\n1. Glute Bridge\n\nLift your hips.")
    got = parents(layout_nlp, text)
    assert (got["1. Leg Raises"], got["2. Crunches"], got["1. Glute Bridge"]) == (
        "Worst Moves for a Sore Back", "Worst Moves for a Sore Back", "Gentle Options")
    assert got["Why They Hurt"] is None


def test_a_numbered_title_taken_for_an_item_is_in_the_list(layout_nlp: Language) -> None:
    text = ("Moves that strain a sore back:\n1. Leg Raises\nThey load the spine.\n2. sit ups on a bench\n"
            "They do too.\n3. Crunches\n1. Lie on your back.\n2. curl up slowly")
    got = parents(layout_nlp, text)
    assert (got["2. sit ups on a bench"], got["3. Crunches"]) == ("Moves that strain a sore back:",) * 2
    assert (got["1. Lie on your back."], got["2. curl up slowly"]) == (None, None)  # steps of an entry
    owner = {b.text: b._.heading.text for b in layout_nlp(text).spans["block"] if b._.heading}
    assert owner["They do too."] == "2. sit ups on a bench"  # a title owns what follows it, as a heading


def test_a_lead_in_line_owns_the_list_right_below_it(layout_nlp: Language) -> None:
    text = "Steer clear of these:\n- Leg raises\n- Crunches\nThe glute bridge is fine.\n- Bird dog"
    assert parents(layout_nlp, text) == {
        "Steer clear of these:": None, "- Leg raises": "Steer clear of these:", "- Crunches": "Steer clear of these:",
        "The glute bridge is fine.": None, "- Bird dog": None}


@pytest.mark.parametrize(
    "text",
    [
        "Glute Bridge\n1. Lie on your back with your knees bent.\n2. Lift your hips off the floor.",  # steps
        "Rest:\n1. Leg Raises\nLower them slowly.",  # a field without its value
        "Do these slowly and stop if anything at all starts to feel sharp or wrong in your back:\n1. Leg Raises",
        "Leg raises are hard.\n1. Leg Raises\nLower them slowly.",  # no colon
    ],
)
def test_no_parent_without_a_lead_in(layout_nlp: Language, text: str) -> None:
    assert set(parents(layout_nlp, text).values()) == {None}


@pytest.mark.parametrize(
    ("line", "kind", "expected"),
    [("Exercises you should avoid:", "paragraph", True), ("What to try instead:", "heading", True),
     ("Sets:", "paragraph", False), ("- Avoid these:", "item", False),
     ("Exercises you should avoid", "paragraph", False)],
)
def test_is_lead_in(line: str, kind: str, expected: bool) -> None:
    assert is_lead_in(line, kind) is expected
