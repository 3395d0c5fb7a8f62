"""The ``backkb_layout`` component: an article's layout blocks as a span group, and as sentence starts.

Exercise articles carry much of their meaning in layout (a heading names the exercise its section
describes; a numbered list gives its steps). The blocks are computed from the text itself
(``pipeline.structure.find_blocks``), so the component works on any text, in any pipeline.

A block boundary is a sentence boundary: the component marks the first token of every block as a
sentence start. Placed before the parser, it makes the parser keep those boundaries, so that a
bulleted list without full stops ("- Avoid heavy lifting" / "- Bird dog twice a day") is never read
as one sentence, and every later rule reads the same sentences.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract import extensions
from pipeline.models import Block
from pipeline.structure import find_blocks

BLOCK_GROUP = "block"


class Layout:
    """Writes ``doc.spans[span_group]``: one span per block, ``label_`` its kind (heading, item, paragraph)."""

    def __init__(self, span_group: str = BLOCK_GROUP) -> None:
        extensions.register()
        self.span_group = span_group

    def __call__(self, doc: Doc) -> Doc:
        starts = [t.idx for t in doc]
        spans, heading = [], None
        for block in find_blocks(doc.text):
            span = doc.char_span(block.start, block.end, label=block.kind, alignment_mode="expand")
            if span is None or not len(span):
                continue
            span._.block_number = block.number
            span._.bullet = block.bullet
            span._.text_start = block.text_start
            if block.kind == "heading":
                heading = [span.start_char, span.end_char]
            else:
                span._.heading_at = heading
            spans.append(span)
            first = bisect_left(starts, block.start)
            if first < len(doc):
                doc[first].is_sent_start = True
            words = bisect_left(starts, block.text_start)
            if first < words < span.end:  # "- Avoid lifting": the words after a list marker go on its sentence
                doc[words].is_sent_start = False
        extensions.set_group(doc, self.span_group, spans)
        return doc


@Language.factory("backkb_layout", default_config={"span_group": BLOCK_GROUP})
def make_layout(nlp: Language, name: str, span_group: str) -> Layout:
    """Add before the parser (``nlp.add_pipe("backkb_layout", before="parser")``) so it keeps the boundaries."""
    return Layout(span_group)


def blocks_of(doc: Doc, span_group: str = BLOCK_GROUP) -> tuple[Block, ...]:
    """The layout blocks that the component wrote on ``doc``, as records, in text order."""
    return tuple(Block(s.label_, s.start_char, s.end_char, s._.text_start, s._.block_number, s._.bullet)
                 for s in doc.spans.get(span_group, []))
