"""The ordered instructions of an exercise: its list items, or else its imperative sentences."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from spacy.tokens import Doc, Span

from pipeline import lexicons
from pipeline.models import Block


@cache
def _words() -> tuple[frozenset[str], frozenset[str]]:
    data = lexicons.load("steps")
    return frozenset(data["instruction_verbs"]), frozenset(data["leading_adverbs"])


def is_instruction(sent: Span) -> bool:
    """A sentence that tells the reader what to do ("Slowly lower your leg", "Hold for 5 seconds")."""
    verbs, adverbs = _words()
    tokens = [t for t in sent if not t.is_punct and not t.is_space]
    while tokens and tokens[0].lower_ in adverbs:
        tokens = tokens[1:]
    if not tokens:
        return False
    first = tokens[0]
    return first.lower_ in verbs or (first.tag_ == "VB" and first.is_title)


def step_spans(doc: Doc, section: Sequence[Block]) -> list[tuple[int, int]]:
    """Cleaned-text spans of the steps of the exercise whose section is ``section`` (blocks after its heading)."""
    items = [(b.text_start, b.end) for b in section if b.kind == "item"]
    if items:
        return items
    spans = []
    for block in section:
        if block.kind != "paragraph":
            continue
        span = doc.char_span(block.text_start, block.end, alignment_mode="expand")
        if span is None:
            continue
        sents = list(span.sents) if doc.has_annotation("SENT_START") else [span]
        for sent in sents:  # a sentence may run over from a heading: keep the part in this block
            part = doc[max(sent.start, span.start) : min(sent.end, span.end)]
            while len(part) and part[-1].is_space:
                part = part[:-1]
            if len(part) and is_instruction(part):
                spans.append((part.start_char, part.end_char))
    return spans
