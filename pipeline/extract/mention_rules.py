"""The word lists of ``resources/mention_rules.json`` and the token tests every name rule shares.

Finding names in headings, in list items and in prose (``pipeline.extract.mentions``) asks the same
questions of a token: is it a verb here, can it modify a head noun, does it say *which* exercise
("hamstring") or only where ("lower back")? Those answers live here, with the words they read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span

from pipeline import lexicons


@dataclass(frozen=True)
class MentionRules:
    """The lists of ``resources/mention_rules.json`` (its ``_doc`` says what each one is for), ready to use."""

    strong_heads: frozenset[str]
    weak_heads: frozenset[str]
    weak_dets: frozenset[str]
    trim: frozenset[str]
    generic: frozenset[str]
    stop: frozenset[str]
    name_words: frozenset[str]
    heading_cues: tuple[tuple[str, ...], ...]
    heading_tails: frozenset[str]
    heading_prefix: re.Pattern[str]
    heading_label: re.Pattern[str]
    heading_categories: frozenset[str]
    bare_heads: frozenset[str]
    name_suffixes: tuple[str, ...]
    posture_prepositions: frozenset[str]


@cache
def mention_rules() -> MentionRules:
    """The name rules' words, read once per process; heading cues longest first, so "how to do the" wins."""
    d = lexicons.load("mention_rules")
    cues = sorted((tuple(c.split()) for c in d["heading_cues"]), key=len, reverse=True)
    return MentionRules(
        strong_heads=frozenset(d["strong_heads"]),
        weak_heads=frozenset(d["weak_heads"]),
        weak_dets=frozenset(d["determiners_for_weak_heads"]),
        trim=frozenset(d["trim_words"]),
        generic=frozenset(d["generic_words"]),
        stop=frozenset(d["stop_words"]),
        name_words=frozenset(d["name_words"]),
        heading_cues=tuple(cues),
        heading_tails=frozenset(d["heading_tails"]),
        heading_prefix=re.compile(d["heading_prefix"], re.IGNORECASE),
        heading_label=re.compile(d["heading_label"], re.IGNORECASE),
        heading_categories=frozenset(d["heading_categories"]),
        bare_heads=frozenset(d["bare_heads"]),
        name_suffixes=tuple(d["name_suffixes"]),
        posture_prepositions=frozenset(d["posture_prepositions"]),
    )


FINITE_VERB_TAGS: frozenset[str] = frozenset({"VB", "VBZ", "VBD", "VBP", "MD"})


def is_verb(tok) -> bool:
    """A head word used as a finite verb ("a cat stretches"); a gerund can still be a name ("forward bending")."""
    return tok.tag_ in FINITE_VERB_TAGS or tok.pos_ == "AUX"


def is_modifier(tok, w: MentionRules) -> bool:
    low = tok.lower_
    if low in w.stop or (tok.is_punct and tok.text != "-") or tok.like_num:
        return False
    if low in w.name_words or low in w.generic or low in w.trim:
        return True
    if tok.text == "-" or low == "'s":
        return True
    if tok.pos_:
        return tok.pos_ in {"NOUN", "PROPN", "ADJ"} or tok.tag_ in {"VBN", "VBG"}
    return tok.is_alpha


def verb_phrase(span: Span, w: MentionRules) -> bool:
    """A lexicon hit that is a description, not a name: "slowly bending forward", "a cat stretches".

    The head is read as a verb only where its subject could be: a bare singular noun cannot be
    the subject at the start of a sentence or after a colon ("Hamstring stretches on your back."),
    nor of a plural verb ("Garland pose"); there the tagger has misread a name.
    """
    first, last = span[0], span[-1]
    if len(span) > 1 and all(t.is_title for t in span if t.is_alpha):
        return False  # "Curl-Up", "Cat Stretches": written as a name
    if first.lower_ in w.strong_heads and first.pos_ == "VERB":
        return True
    if last.lower_ not in w.strong_heads or not is_verb(last):
        return False
    if len(span) > 1 and last.tag_ in {"VBP", "VB"} and span.doc[last.i - 1].tag_ in {"NN", "NNP"}:
        return False
    bare_start = first.is_sent_start or first.i == 0 or span.doc[first.i - 1].is_punct
    return not (last.tag_ == "VBZ" and bare_start)


def specific(tokens: Iterable, w: MentionRules, heading: bool) -> bool:
    for tok in tokens:
        low = tok.lower_
        if low in w.generic or low in w.trim or not tok.is_alpha:
            continue
        if low in w.name_words or heading or (tok.text[0].isupper() and not tok.is_sent_start):
            return True
    return False


def trim_left(span: Span, w: MentionRules) -> Span:
    start = span.start
    while start < span.end - 1 and (span.doc[start].lower_ in w.trim or span.doc[start].text == "-"):
        start += 1
    return span.doc[start : span.end]


def names_something(doc: Doc, start: int, end: int, w: MentionRules) -> bool:
    """Words that end in a head and say which exercise: "Donkey Kick Stretch", "Lower Back Twist".

    A specific movement ("twist", "rotation", "extension") needs only one modifier, even a generic
    one, but not a mere quality ("Proper Lift"); a bare head ("stretch", "pose") needs a specific
    one ("Lower Back Stretch" is not a name).
    """
    head, modifiers = doc[end - 1].lower_, doc[start : end - 1]
    if not len(modifiers) or head not in w.strong_heads:
        return False
    if head in w.bare_heads:
        return specific(modifiers, w, heading=True)
    return any(t.lower_.lstrip("0123456789").isalpha() and t.lower_ not in w.trim for t in modifiers)  # "2Pelvic"
