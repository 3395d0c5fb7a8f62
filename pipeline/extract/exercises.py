"""The ``backkb_exercises`` component: every place an article names or describes an exercise.

Names come from ``mentions`` (the lexicon, the name rule, headings); a described but unnamed
exercise ("draw one knee slowly to the chest") is looked for only in blocks that no exercise
heading owns and that name no exercise, where it cannot be a step of a named one. Each hit becomes
a span in ``doc.spans["exercise"]`` with ``._.name``, ``._.method``, ``._.confidence``, ``._.named``
and ``._.in_heading``; the ConText component (``backkb_context``) then decides its ``._.polarity``.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract import extensions
from pipeline.extract.layout import BLOCK_GROUP, blocks_of
from pipeline.extract.mentions import NameHit, find_descriptions, find_names
from pipeline.extract.sections import Sections
from pipeline.structure import find_blocks

EXERCISE_GROUP = "exercise"
EXERCISE_LABEL = "EXERCISE"


class Exercises:
    def __init__(self, span_group: str = EXERCISE_GROUP, block_group: str = BLOCK_GROUP) -> None:
        extensions.register()
        self.span_group, self.block_group = span_group, block_group

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text  # built once: Doc.text joins every token
        blocks = blocks_of(doc, self.block_group) or find_blocks(text)
        hits = find_names(doc, blocks)
        probe: Sections[NameHit] = Sections(blocks, {})
        sections = Sections(blocks, {probe.block_of(h.start): h for h in hits if h.in_heading})
        named_blocks = {sections.block_of(h.start) for h in hits}
        for b, block in enumerate(blocks):
            if block.kind != "heading" and b not in named_blocks and sections.of_block(b).owner is None:
                hits.extend(find_descriptions(text, block.text_start, block.end))
        spans = [s for s in (self._span(doc, h) for h in sorted(hits, key=lambda h: h.start)) if s is not None]
        extensions.set_group(doc, self.span_group, spans)
        return doc

    @staticmethod
    def _span(doc: Doc, hit: NameHit) -> Span | None:
        span = doc.char_span(hit.start, hit.end, label=EXERCISE_LABEL, alignment_mode="expand")
        if span is None or not len(span):
            return None
        span._.name, span._.method, span._.confidence = hit.name, hit.method, hit.confidence
        span._.named, span._.in_heading = hit.named, hit.in_heading
        return span


@Language.factory("backkb_exercises", default_config={"span_group": EXERCISE_GROUP, "block_group": BLOCK_GROUP})
def make_exercises(nlp: Language, name: str, span_group: str, block_group: str) -> Exercises:
    """Names need part-of-speech tags for the name rule; on a blank pipeline only lexicon names are found."""
    return Exercises(span_group, block_group)
