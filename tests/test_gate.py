"""The gate: which blocks the trained model reads, and that reading only those changes nothing.

Rule tests run the layout and the gate on ``spacy.blank("en")``: the first pass needs no model.
Model tests compare the gated pipeline with the one that runs the model over every token
(``load_nlp(gate=False)``): the annotations of every kept token, and every table of the KBs built
from the seeds and the dev set, must be the same.
"""

from __future__ import annotations

from pathlib import Path
from random import Random

import duckdb
import numpy as np
import pytest
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

import pipeline.build
from pipeline import nlp as nlp_module
from pipeline.build import build
from pipeline.extract.attribute_lookup import AttributeLookup
from pipeline.extract.cues import lemma_forms
from pipeline.extract.gated_model import Context, Range, model_ranges, skipped_share
from tests.conftest import DEV, RAW

ANNOTATIONS = [TAG, POS, MORPH, LEMMA, DEP, HEAD, SENT_START]


@pytest.fixture(scope="module")
def gate_nlp() -> Language:
    """The layout and the gate alone, on a blank pipeline."""
    blank = spacy.blank("en")
    blank.add_pipe("backkb_layout")
    blank.add_pipe("backkb_gate")
    return blank


def kept(nlp: Language, text: str) -> list[tuple[str, str | None]]:
    """Each block's words, and why the gate kept it (None: skipped)."""
    doc = nlp(text)
    why = {s.start: s.label_ for s in doc.spans["gate"]}
    return [(b.text, why.get(b.start)) for b in doc.spans["block"]]


@pytest.mark.parametrize(("text", "reason"), [
    ("Plenty of readers swear by the bird dog.", "name"),  # a lexicon name
    ("The Donkey Kick Stretch loosens the hips.", "name"),  # the name rule: a specific modifier, a head
    ("This hip exercise helps.", "name"),  # a weak head after "this"
    ("Draw one knee slowly up to your chest.", "name"),  # an unnamed description
    ("Keep the position for twenty seconds.", "dose"),
    ("Reps: ten", "dose"),  # a labelled field
    ("Avoid bed rest for more than a day or two.", "advice"),  # a target and a cue
])
def test_a_block_with_a_cue_is_kept(gate_nlp: Language, text: str, reason: str) -> None:
    assert kept(gate_nlp, text) == [(text, reason)]


@pytest.mark.parametrize("text", [
    "A sudden awkward twist can set it off.",  # a head word with nothing that says which exercise
    "Stand up slowly when you move.",  # a weak head with no "this" or "the"
    "A new exercise program can help.",
    "One of the commonest causes is stress.",  # a number word with no unit
    "The doctor was late again.",  # an advice target that nothing recommends or warns against
    "Stress and poor sleep tighten the muscles.",
])
def test_a_block_without_a_cue_is_skipped(gate_nlp: Language, text: str) -> None:
    assert kept(gate_nlp, text) == [(text, None)]


def test_a_section_that_names_an_exercise_is_kept_whole(gate_nlp: Language) -> None:
    text = "Causes\n\nStress tightens the muscles.\n\nPelvic Tilt\n\nLie on your back.\n\nFlatten the spine gently.\n"
    assert kept(gate_nlp, text) == [("Causes", None), ("Stress tightens the muscles.", None), ("Pelvic Tilt", "name"),
                                    ("Lie on your back.", "section"), ("Flatten the spine gently.", "section")]


@pytest.mark.parametrize(("text", "expected"), [
    # a heading after one that only numbers an exercise is a name, whatever its words
    ("Exercise 3\n\nSomething Else Entirely\n\nGo slowly.\n", [None, "name", "section"]),
    # the gerund of a head with a body part names one; other gerunds do not
    ("Rolling Your Knees\n\nGo slowly.\n", ["name", "section"]),
    ("Lifting Heavy Boxes\n\nGo slowly.\n", [None, None]),
    # a listicle title is no name, so the introduction under it is skipped
    ("Top Exercises for Back Spasms\n\nStress tightens the muscles.\n", [None, None]),
    # a subheading does not end the section of the exercise above it
    ("Pelvic Tilt\n\nHow to do it\n\nGo slowly.\n", ["name", "section", "section"]),
])
def test_headings(gate_nlp: Language, text: str, expected: list[str | None]) -> None:
    assert [why for _, why in kept(gate_nlp, text)] == expected


def test_lemma_forms_without_tables_are_the_regular_inflections() -> None:
    assert {"lift", "lifts", "lifted", "lifting"} <= lemma_forms(["lift"])["lift"]


def test_lemma_forms_take_the_exceptions_of_the_lemmatizer_tables(trained_nlp: Language) -> None:
    lookups = trained_nlp.get_pipe("lemmatizer").lookups
    forms = lemma_forms(["keep", "lie", "get"], lookups, trained_nlp.get_pipe("attribute_ruler").patterns)
    assert "kept" in forms["keep"] and "lying" in forms["lie"] and "got" in forms["get"]


class _Blocks:
    """Stand-ins for block spans: only ``start`` is read."""

    def __init__(self, *starts: int) -> None:
        self.blocks = [type("B", (), {"start": s})() for s in starts]


@pytest.mark.parametrize(("kept_blocks", "context", "expected"), [
    ([1], Context(0, 2, 3), [Range(8, 23, 10, 20)]),  # a block and the space after it, with context
    ([1, 2], Context(0, 2, 3), [Range(8, 33, 10, 30)]),  # a run of blocks is read at once
    ([0, 3], Context(0, 2, 3), [Range(0, 13, 0, 10), Range(28, 40, 30, 40)]),  # the text's ends bound the context
    ([0, 2], Context(0, 8, 3), [Range(0, 33, 0, 30)]),  # runs whose contexts meet are merged, the gap kept
    ([2], Context(1, 2, 3), [Range(8, 33, 20, 30)]),  # a whole block of context before
])
def test_model_ranges(kept_blocks: list[int], context: Context, expected: list[Range]) -> None:
    blocks = _Blocks(0, 10, 20, 30).blocks
    assert model_ranges(40, blocks, kept_blocks, context) == expected  # type: ignore[arg-type]


def test_attribute_lookup_gives_what_the_ruler_gives() -> None:
    """Every form of pattern the lookup handles, against spaCy's ``AttributeRuler`` on tagged docs."""
    blank = spacy.blank("en")
    ruler = AttributeRuler(blank.vocab)
    ruler.add([[{"TAG": "NN"}]], {"POS": "NOUN", "MORPH": "Number=Sing"})
    ruler.add([[{"TAG": "NN", "LOWER": {"IN": ["back", "hip"]}}]], {"MORPH": "Number=Sing|Body=Yes"})
    ruler.add([[{"LOWER": {"REGEX": "^str"}}]], {"LEMMA": "str-word"})
    ruler.add([[{"TAG": {"NOT_IN": ["NN", "_SP"]}, "IS_SPACE": False}]], {"POS": "X"})
    ruler.add([[{"LOWER": "lie"}, {"LOWER": "down"}]], {"LEMMA": "lie"}, index=-1)
    ruler.add([[{"TAG": "_SP"}]], {"POS": "SPACE"})
    lookup = AttributeLookup.from_ruler(ruler)
    assert lookup is not None
    rng = Random(0)
    words = ["back", "hip", "stretch", "lie", "down", "slowly", "\n"]
    tags = {"back": "NN", "hip": "NN", "stretch": "NN", "lie": "VB", "down": "RP", "slowly": "RB", "\n": "_SP"}
    docs = []
    for _ in range(20):
        chosen = [rng.choice(words) for _ in range(rng.randint(1, 12))]
        docs.append(Doc(blank.vocab, words=chosen, tags=[tags[w] for w in chosen]))
    by_ruler = [ruler(d.copy()) for d in docs]
    by_lookup = list(lookup.pipe([d.copy() for d in docs], batch_size=7))
    for a, b in zip(by_ruler, by_lookup, strict=True):
        assert (a.to_array([TAG, POS, MORPH, LEMMA]) == b.to_array([TAG, POS, MORPH, LEMMA])).all()


def test_attribute_lookup_declines_a_pattern_it_cannot_apply() -> None:
    ruler = AttributeRuler(spacy.blank("en").vocab)
    ruler.add([[{"LOWER": "back", "OP": "+"}]], {"POS": "NOUN"})
    assert AttributeLookup.from_ruler(ruler) is None


def test_the_model_reads_the_kept_blocks_as_it_reads_the_whole_text(trained_nlp: Language, tmp_path: Path) -> None:
    """Tags, lemmas, parse and sentence starts of every kept token are those of the ungated pipeline
    (the seeds, and articles of the benchmark's corpus)."""
    from bench.corpus import generate

    paths = sorted(RAW.iterdir())
    texts = [p.read_text(encoding="utf-8") for p in paths]
    texts += [p.read_text(encoding="utf-8") for p in generate(RAW, 12, tmp_path, seed=5)]
    ungated = nlp_module.load_nlp(gate=False)
    for gated_doc, full_doc in zip(trained_nlp.pipe(texts), ungated.pipe(texts), strict=True):
        mask = np.zeros(len(gated_doc), dtype=bool)
        for span in gated_doc.spans["gate"]:
            mask[span.start : span.end] = True
        differ = (gated_doc.to_array(ANNOTATIONS) != full_doc.to_array(ANNOTATIONS)).any(axis=1) & mask
        assert not differ.any(), [gated_doc[int(i)].text for i in np.flatnonzero(differ)]
    assert 0 < skipped_share(gated_doc) < 1


def _tables(kb: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(kb), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize("raw", [RAW, DEV / "texts"], ids=["seeds", "dev"])
def test_the_kb_is_the_one_built_without_the_gate(raw: Path, tmp_path: Path, trained_nlp: Language,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    if not raw.is_dir():
        pytest.skip(f"{raw} not present")
    build(raw, tmp_path / "gated.duckdb")
    monkeypatch.setattr(pipeline.build, "load_nlp", lambda: nlp_module.load_nlp(gate=False))
    build(raw, tmp_path / "ungated.duckdb")
    gated, ungated = _tables(tmp_path / "gated.duckdb"), _tables(tmp_path / "ungated.duckdb")
    assert gated.keys() == ungated.keys()
    for name in gated:
        assert gated[name] == ungated[name], name
