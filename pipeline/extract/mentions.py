"""Find the places where an article names an exercise, in headings, list items and prose.

Two kinds of evidence, both data-driven:

- the domain's name lexicon (``resources/exercises.json``), scanned by ``lexicon_scan``; a hit is
  widened over the modifiers before it ("Lying Lateral" + "Leg Lifts") and the generic words and
  head after it ("Back Stretch");
- a name rule for names the lexicon lacks (``resources/mention_rules.json``, ``mention_rules``): a
  run of modifiers ending in a head noun ("Donkey Kick Stretch", "hip flexibility exercise"), with
  at least one specific modifier, and for weak heads ("exercise") only after "this"/"the" and not
  as a predicate ("bridges are the best hip exercise"); not a posture ("start in a tabletop pose").

Structure names exercises too. A heading names one when, without its numbering ("1Lumbar
Extension" included), cue ("Avoid …"), category label ("Back Exercises: …"), variation ("… | Top
Down"), bracketed qualifier ("… (with poor form)") and tail ("… Workout"), it is such a name, a
specific movement with any modifier ("Lower Back Twist"), or a gerund with a body part ("Rolling
your knees"); a listicle title ("Top Exercises for Back Spasms") is not. A heading that only
numbers an exercise ("EXERCISE 3") makes the next heading a name, whatever its words. A bracket that
is a name itself (Sanskrit, or a lexicon name) is kept as an alias mention of the same exercise, and
gives the name when only it is known ("Clinic Label (Bird Dog)" is a bird dog). A list item or
paragraph may open with a name ("Donkey kicks. Kneel on all fours …"); a numbered line may be only
one. A name repeated for different exercises is told apart by ``postures``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import lexicons
from pipeline.extract.context import heading_polarity
from pipeline.extract.lexicon_scan import lexicon_spans
from pipeline.extract.mention_rules import (
    MentionRules,
    is_modifier,
    is_verb,
    mention_rules,
    names_something,
    specific,
    trim_left,
    verb_phrase,
)
from pipeline.extract.postures import qualify_repeated
from pipeline.models import Block


@dataclass(frozen=True)
class NameHit:
    """An exercise name found in a cleaned text (offsets into it)."""

    start: int
    end: int
    name: str
    method: str
    confidence: float
    in_heading: bool = False
    named: bool = True


def _extend(doc: Doc, start: int, end: int, lo: int, hi: int, w: MentionRules) -> tuple[int, int]:
    """Widen a lexicon hit over the modifiers before it and a generic tail ending in a head after it."""
    while start > lo and (doc[start - 1].lower_ in w.name_words or doc[start - 1].text == "-"):
        start -= 1
    k = end
    while k < hi and k - end < 3 and doc[k].lower_ in (w.generic | w.strong_heads | w.weak_heads):
        k += 1
        if doc[k - 1].lower_ in w.strong_heads | w.weak_heads and (doc[k - 1].is_title or not is_verb(doc[k - 1])):
            end = k
    while doc[start].text == "-" and start < end - 1:
        start += 1
    return start, end


def _after_posture_word(doc: Doc, start: int, lo: int, w: MentionRules) -> bool:
    """The words before ``start`` are "in a" or "into the": the name is a posture ("start in a tabletop pose")."""
    k = start - 1
    while k >= lo and (doc[k].lower_ in w.trim or doc[k].tag_ in {"DT", "PRP$"}):
        k -= 1
    return k >= lo and doc[k].lower_ in w.posture_prepositions


def _pattern_hit(doc: Doc, head: int, lo: int, w: MentionRules, heading: bool) -> tuple[int, int] | None:
    tok = doc[head]
    weak = tok.lower_ in w.weak_heads
    if not heading and is_verb(tok):
        return None
    start = head
    while start > lo and is_modifier(doc[start - 1], w) and not is_verb(doc[start - 1]):
        start -= 1
    span = trim_left(doc[start : head + 1], w)
    if head + 1 < len(doc) and doc[head + 1].lower_ in {"of", "by"}:
        return None  # a noun of action ("a slight forward tilt of the hips", "a trunk extension by lowering")
    if len(span) < 2 or not specific(span[:-1], w, heading):
        return None
    weak_ok = span.start > 0 and doc[span.start - 1].lower_ in w.weak_dets and tok.dep_ != "attr"
    if weak and not heading and not weak_ok:
        return None  # "this hip exercise helps" names one; "bridges are the best hip exercise" describes one
    if not heading and _after_posture_word(doc, span.start, lo, w):
        return None
    return span.start, span.end


def _strip_heading(doc: Doc, start: int, end: int, w: MentionRules) -> tuple[int, int]:
    """Remove a heading's numbering ("Exercise #1:"), cue ("Avoid", "How to do the") and tail ("Workout").

    Whether a cue says to avoid the exercise is the ConText rules' to say (``heading_polarity``);
    here it only ends where the name begins.
    """
    prefix = w.heading_prefix.match(doc[start:end].text)
    if prefix and prefix.end() < len(doc[start:end].text):
        first = doc[start].idx + prefix.end()
        while start < end - 1 and doc[start].idx < first:
            start += 1
    trigger = heading_polarity(doc, start, end)
    if start < trigger.name_start < end:
        start = trigger.name_start
        while start < end - 1 and doc[start].is_punct:  # "Avoid: Sit-Ups"
            start += 1
    words = [t.lower_ for t in doc[start:end]]
    for cue in w.heading_cues:
        if tuple(words[: len(cue)]) == cue and end - start > len(cue):
            start += len(cue)
            break
    while end - start > 1 and (doc[end - 1].lower_ in w.heading_tails or doc[end - 1].is_punct):
        end -= 1
    return start, end


def _sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    if doc.has_annotation("SENT_START"):
        return [(s.start, s.end) for s in doc.sents]
    return [(0, len(doc))]


_BRACKETS = {"(": ")", "[": "]"}
_MAX_LEAD_IN = 6  # words of a name that opens a list item or paragraph


def _is_label(text: str, w: MentionRules) -> bool:
    """A heading that only numbers an exercise ("EXERCISE 3", "Stretch #2:"): the next line names it."""
    return bool(w.heading_label.fullmatch(text.strip()))


def _qualified(doc: Doc, start: int, end: int, w: MentionRules) -> tuple[int, int, tuple[int, int] | None]:
    """A heading's name without its qualifiers, and the bracket that qualified it (token offsets).

    "Back Exercises: Pelvic Tilt" -> "Pelvic Tilt"; "Iliopsoas Stretch | In-line Lunge" -> "Iliopsoas
    Stretch" (the variation is not the name); "Child's Pose (Balasana)" -> "Child's Pose", bracket
    "Balasana"; "Deadlifts (with poor form)" -> "Deadlifts", bracket "with poor form".
    """
    colon = next((t.i for t in doc[start:end] if t.text == ":"), None)
    if colon is not None and colon + 1 < end and doc[colon - 1].lower_ in w.heading_categories:
        start = colon + 1
    end = next((t.i for t in doc[start + 1 : end] if t.text == "|"), end)
    bracket = None
    opening = next((t for t in doc[start + 1 : end] if t.text in _BRACKETS), None)
    if opening is not None:
        close = next((t.i for t in doc[opening.i + 1 : end] if t.text == _BRACKETS[opening.text]), end)
        bracket = (opening.i + 1, close) if close > opening.i + 1 else None
        end = opening.i
    while end - start > 1 and (doc[end - 1].lower_ in w.heading_tails or doc[end - 1].is_punct):
        end -= 1
    return start, end, bracket


def _gerund_name(doc: Doc, start: int, end: int, w: MentionRules) -> bool:
    """A heading that says which movement to make with which body part: "Rolling your knees".

    The gerund of a head ("rolling" -> roll) with a body part as its object names the exercise
    ("knee roll"), which resolution finds whatever the word order; "Lifting heavy objects" is not one.
    """
    first, rest = doc[start], doc[start + 1 : end]
    if not (first.lower_.endswith("ing") and first.lemma_.lower() in w.strong_heads) or not 1 <= len(rest) <= 3:
        return False
    return rest[-1].lower_ in w.name_words and all(t.lower_ in w.name_words or t.tag_ in {"DT", "PRP$", "CD"}
                                                   for t in rest)


def _bracket_name(doc: Doc, bracket: tuple[int, int], known: list[Span], w: MentionRules) -> bool:
    """A bracket that is a name of its own: a lexicon name, or a Sanskrit pose name ("… Kapotasana")."""
    start, end = bracket
    if any(m.start == start and m.end == end for m in known):
        return True
    return doc[end - 1].lower_.endswith(tuple(w.name_suffixes)) or names_something(doc, start, end, w)


def _heading_names(doc: Doc, block: Block, lexical: list[Span], w: MentionRules, labelled: bool) -> list[NameHit]:
    """The names one heading gives: its name, several lexicon names, or none; a bracket name as an alias."""
    span = doc.char_span(block.text_start, block.end, alignment_mode="expand")
    if span is None or not len(span) or _is_label(span.text, w):
        return []
    start, end = _strip_heading(doc, span.start, span.end, w)
    start, end, bracket = _qualified(doc, start, end, w)
    inner = [m for m in lexical if start <= m.start and m.end <= end]
    has_stop = any(t.lower_ in w.stop and not (0 < i < end - start - 1 and doc[start + i - 1].text == "-")
                   for i, t in enumerate(doc[start:end]))
    if labelled or (not has_stop and (inner or names_something(doc, start, end, w))) or _gerund_name(
            doc, start, end, w):
        method, confidence = ("lexicon", 1.0) if inner else ("heading", 0.85)
        found = [(doc[start:end], method, confidence)]
    else:
        found = [(m, "lexicon", 0.95) for m in inner]
    if not found and bracket is not None:  # "Office Break (Cat Stretch)": only the bracket names one
        found, bracket = [(m, "lexicon", 0.95) for m in lexical if bracket[0] <= m.start and m.end <= bracket[1]], None
    first = block.text_start  # "1Lumbar Extension" is one token: the name starts after the number
    hits = [NameHit(n.start_char, n.end_char, n.text[max(first - n.start_char, 0) :], m, c, True)
            for n, m, c in found]
    if len(hits) == 1 and bracket is not None and _bracket_name(doc, bracket, lexical, w):
        alias = doc[bracket[0] : bracket[1]]
        known = any(alias.start <= m.start and m.end <= alias.end for m in lexical)
        name = alias.text if known and not inner else hits[0].name
        hits = [replace(hits[0], name=name),
                NameHit(alias.start_char, alias.end_char, name, hits[0].method, hits[0].confidence, False)]
    return hits


def _chars(doc: Doc, start: int, end: int) -> str:
    """``doc.text[start:end]`` without building the whole text (``Doc.text`` joins every token)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return "" if span is None else span.text[start - span.start_char : end - span.start_char]


def _heading_hits(doc: Doc, blocks: Sequence[Block], lexical: list[Span], w: MentionRules) -> list[NameHit]:
    hits: list[NameHit] = []
    for k, block in enumerate(blocks):
        if block.kind == "heading":
            previous = blocks[k - 1] if k else None
            labelled = previous is not None and previous.kind == "heading" and _is_label(_chars(
                doc, previous.text_start, previous.end), w)
            hits.extend(_heading_names(doc, block, lexical, w, labelled))
    return hits


def _lead_in(doc: Doc, block: Block, lexical: list[Span], w: MentionRules) -> tuple[int, int] | None:
    """The name a list item or paragraph opens with, as a heading would give it (token offsets).

    "Donkey kicks. Kneel on all fours ..." and "Hip hinge: stand tall ..." open with a name before
    their first full stop or colon; a numbered line "2. Lower back twist" is nothing but one. Lexicon
    names are found anyway, so only names the lexicon lacks come from here.
    """
    span = doc.char_span(block.text_start, block.end, alignment_mode="expand")
    if span is None:
        return None
    start = span.start
    if span[0].text in _BRACKETS:  # a speaker's label opens a transcript's line: "[Coach] Hip hinge."
        start = next((t.i + 1 for t in span if t.text == _BRACKETS[span[0].text]), start)
    end = next((t.i for t in doc[start : span.end] if t.text in {".", ":"}), None)
    if end is None and block.number is not None:
        end = span.end
    if end is None or not 2 <= end - start <= _MAX_LEAD_IN or any(start <= m.start < end for m in lexical):
        return None
    words = doc[start:end]
    if any(t.lower_ in w.stop or is_verb(t) or (t.is_punct and t.text not in "-/") for t in words[:-1]):
        return None
    if verb_phrase(words, w):
        return None
    return (start, end) if names_something(doc, start, end, w) else None


def find_names(doc: Doc, blocks: Sequence[Block]) -> list[NameHit]:
    """Every exercise name in ``doc`` (the cleaned text of an article whose layout is ``blocks``)."""
    w = mention_rules()
    sentences = _sentence_bounds(doc)
    raw_hits = lexicon_spans(doc)
    headings = _heading_hits(doc, blocks, raw_hits, w)
    heading_chars = [(b.start, b.end) for b in blocks if b.kind == "heading"]

    def in_heading(char: int) -> bool:
        return any(a <= char < b for a, b in heading_chars)

    prose: list[tuple[int, int, str, float]] = []
    sent_of = {}
    for lo, hi in sentences:
        for i in range(lo, hi):
            sent_of[i] = (lo, hi)
    for m in raw_hits:
        if in_heading(m.start_char) or verb_phrase(m, w):
            continue
        lo, hi = sent_of.get(m.start, (0, len(doc)))
        start, end = _extend(doc, m.start, m.end, lo, hi, w)
        prose.append((start, end, "lexicon", 0.95))
    prose.extend((*hit, "heading", 0.8) for b in blocks if b.kind != "heading"
                 for hit in [_lead_in(doc, b, raw_hits, w)] if hit is not None)
    covered = {i for s, e, *_ in prose for i in range(s, e)}
    for tok in reversed(doc):  # right to left, so "Donkey Kick Stretch" is one name, not "Donkey Kick"
        if tok.i in covered or in_heading(tok.idx):
            continue
        if tok.lower_ in w.strong_heads or tok.lower_ in w.weak_heads:
            lo, _hi = sent_of.get(tok.i, (0, len(doc)))
            hit = _pattern_hit(doc, tok.i, lo, w, heading=False)
            if hit and not covered.intersection(range(*hit)):
                prose.append((*hit, "pattern", 0.7))
                covered.update(range(*hit))
    spans = filter_spans([doc[s:e] for s, e, *_ in prose])
    info = {(s, e): (m, c) for s, e, m, c in prose}
    hits = headings + [
        NameHit(sp.start_char, sp.end_char, sp.text, *info[(sp.start, sp.end)]) for sp in spans
    ]
    return qualify_repeated(doc.text, blocks, sorted(hits, key=lambda h: h.start))


_GAP = r"[^.;:!?\n]{0,40}?"


@cache
def _descriptions() -> tuple[tuple[str, re.Pattern[str]], ...]:
    names = {e["id"]: e["name"] for e in lexicons.load("exercises")["exercises"]}
    out = []
    for entry in lexicons.load("descriptions")["descriptions"]:
        for pattern in entry["patterns"]:
            out.append((names[entry["id"]], re.compile(pattern.replace(" W", _GAP), re.IGNORECASE)))
    return tuple(out)


def find_descriptions(text: str, start: int, end: int) -> list[NameHit]:
    """Exercises described but not named in ``text[start:end]`` ("draw a knee slowly to the chest").

    The hit's ``name`` is the lexicon name of the exercise described, so resolution links it like
    any alias; its span is the description, which is what the raw text says.
    """
    hits = []
    for name, pattern in _descriptions():
        for m in pattern.finditer(text, start, end):
            hits.append(NameHit(m.start(), m.end(), name, "description", 0.6, named=False))
    return sorted(hits, key=lambda h: h.start)
