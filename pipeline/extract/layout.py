"""The ``backkb_layout`` component: an article's layout blocks as a span group, and as sentence starts.

Exercise articles carry much of their meaning in layout (a heading names the exercise its section
describes; a numbered list gives its steps). The blocks are computed from the text itself
(``pipeline.structure.find_blocks``), so the component works on any text, in any pipeline.

A block boundary is a sentence boundary: the component marks the first token of every block as a
sentence start. Placed before the parser, it makes the parser keep those boundaries, so that a
bulleted list without full stops ("- Avoid heavy lifting" / "- Bird dog twice a day") is never read
as one sentence, and every later rule reads the same sentences.

Headings have two levels. A listicle's exercises are numbered headings ("1. Crunches", "2. Toe
Touches") under a heading or a **lead-in line** that says what the list is ("Exercises to avoid",
"Exercises you should avoid:"), and what that line says holds for every exercise of its list. So a
numbered heading's ``._.parent_heading_at`` is the unnumbered heading or lead-in line above it: the
latest one, unless only unnumbered headings came since the previous numbered heading and the
numbering goes on (a "Why it hurts" subheading inside an item does not start a new list). A numbered
line that goes on with the numbering of those headings and reads as a title ("4. High knee jump", too
few capitals for a heading) is one of them as well, and owns the blocks below it as a heading would.
A list item right under a lead-in line ("Exercises to avoid:" / "- Crunches") has that line as its
parent too.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from pipeline import lexicons
from pipeline.extract import extensions
from pipeline.models import Block
from pipeline.structure import find_blocks

BLOCK_GROUP = "block"
HEADING = "heading"
_MAX_LEAD_IN_WORDS = 12
_MAX_TITLE_WORDS = 8


def is_lead_in(text: str, kind: str) -> bool:
    """A short line that ends with a colon and introduces what follows ("Exercises you should avoid:"),
    not a list item nor a field without its value ("Rest:")."""
    words = text.rstrip(":").strip()
    return (kind != "item" and text.endswith(":") and 0 < len(words.split()) <= _MAX_LEAD_IN_WORDS
            and words.lower() not in lexicons.load("structure")["field_labels"])


def _titles_an_item(text: str) -> bool:
    """A short line without closing punctuation: a list entry's title ("4. High knee jump"), not a step."""
    return len(text.split()) <= _MAX_TITLE_WORDS and not text.rstrip().endswith((".", "!", "?", ":"))


def parents(blocks: Sequence[Block], words: Sequence[str]) -> tuple[dict[int, int], set[int]]:
    """Block index → the index of its parent heading (see the module doc), and the numbered items that
    are titles of a list of numbered headings; ``words``: each block's text."""
    out: dict[int, int] = {}
    titles: set[int] = set()
    owner = lead = listed = None  # the latest list owner; the current lead-in of items; the last list's owner
    last_number, new_heading, new_lead, new_item = None, False, False, False  # since the last numbered title
    for i, block in enumerate(blocks):
        if block.kind == "item":
            goes_on = block.number is not None and last_number is not None and block.number == last_number + 1
            if lead is not None:
                out[i] = lead
            elif goes_on and not (new_item or new_lead) and _titles_an_item(words[i]):
                if listed is not None:  # a numbered title the layout took for an item
                    out[i] = listed
                titles.add(i)
                last_number = block.number
                continue
            new_item = new_item or block.number is not None
            continue
        lead, nxt = None, blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == HEADING and block.number is not None:
            goes_on = new_heading and not new_lead and last_number is not None and block.number == last_number + 1
            listed = listed if goes_on else owner
            if listed is not None:
                out[i] = listed
            last_number, new_heading, new_lead, new_item = block.number, False, False, False
            continue
        leads = nxt is not None and is_lead_in(words[i], block.kind)
        if leads and nxt.kind == HEADING and nxt.number is not None:
            owner, new_lead = i, True
        elif block.kind == HEADING:
            owner, new_heading = i, True
        elif leads and nxt.kind == "item":
            lead = i
    return out, titles


class Layout:
    """Writes ``doc.spans[span_group]``: one span per block, ``label_`` its kind (heading, item, paragraph)."""

    def __init__(self, span_group: str = BLOCK_GROUP) -> None:
        extensions.register()
        self.span_group = span_group

    def __call__(self, doc: Doc) -> Doc:
        starts, text = [t.idx for t in doc], doc.text
        kept = []
        for block in find_blocks(text):
            span = doc.char_span(block.start, block.end, label=block.kind, alignment_mode="expand")
            if span is not None and len(span):
                kept.append((block, span))
        spans = [span for _, span in kept]
        parent, titles = parents([b for b, _ in kept], [text[b.text_start : b.end] for b, _ in kept])
        heading = None
        for k, (block, span) in enumerate(kept):
            span._.block_number = block.number
            span._.bullet = block.bullet
            span._.text_start = block.text_start
            if k in parent:
                span._.parent_heading_at = [spans[parent[k]].start_char, spans[parent[k]].end_char]
            if block.kind != HEADING:
                span._.heading_at = heading
            if block.kind == HEADING or k in titles:
                heading = [span.start_char, span.end_char]
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
