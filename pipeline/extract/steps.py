"""The ordered instructions of an exercise: its list items, or else its imperative sentences.

A step tells the reader to take or keep a position, move, hold, breathe or keep a form cue. Lines
that only state a dose ("Perform three sets of 10 repetitions", "Do this for 2 minutes"), a
progression ("To progress, hold a weight") or an optional tip ("If your knees hurt, …") are not
steps, nor are field lines ("Reps: 10"), which the layout gives a kind of their own. Where the
instructions are a list, the set-up sentences just before it count too ("To start, lie on your
back." then "- Tighten your stomach").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span, Token

from pipeline import lexicons
from pipeline.models import Block

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})


@dataclass(frozen=True)
class _Words:
    verbs: frozenset[str]
    adverbs: frozenset[str]
    dose_verbs: frozenset[str]
    progression: tuple[tuple[str, ...], ...]
    not_steps: tuple[tuple[str, ...], ...]
    modals: frozenset[str]
    not_verbs: frozenset[str]  # "you should feel a stretch": a sensation, not an instruction
    subordinators: frozenset[str]  # open a clause before the instruction: "As you breathe out, lift …"


@cache
def _words() -> _Words:
    data = lexicons.load("steps")

    def phrases(key: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(p.split()) for p in data[key])

    return _Words(frozenset(data["instruction_verbs"]), frozenset(data["leading_adverbs"]),
                  frozenset(data["dose_verbs"]), phrases("progression_openers"), phrases("not_step_openers"),
                  frozenset(data["modals"]), frozenset(data["not_instruction_verbs"]),
                  frozenset(data["subordinators"]))


def _words_of(unit: Span) -> list[Token]:
    return [t for t in unit if not t.is_punct and not t.is_space]


def _opens_with(tokens: Sequence[Token], phrases: Sequence[tuple[str, ...]]) -> bool:
    lowers = [t.lower_ for t in tokens[:6]]
    return any(tuple(lowers[: len(p)]) == p for p in phrases)


def _imperative_root(sent: Span) -> bool:
    """On a parsed doc: the main verb is a base form with no subject ("Once you are down, hold it"),
    or with "you" and a modal ("You must stretch the hips"), and is not a sensation ("feel")."""
    if not sent.doc.has_annotation("DEP"):
        return False
    root, words = sent.root, _words()
    if root.tag_ != "VB" or root.lemma_.lower() in words.not_verbs:
        return False
    subjects = [c for c in root.children if c.dep_ in _SUBJECTS]
    if not subjects:
        return True
    modal = any(c.dep_ == "aux" and c.lower_ in words.modals for c in root.children)
    return modal and [s.lower_ for s in subjects] == ["you"]


def _after_label(sent: Span) -> list[Token]:
    """The words of a unit after a short label ("Description: Lie on your back" → "Lie …")."""
    colon = next((t.i - sent.start for t in sent[:4] if t.text == ":"), None)
    return _words_of(sent[colon + 1 :] if colon is not None and colon + 1 < len(sent) else sent)


def is_instruction(sent: Span) -> bool:
    """A sentence that tells the reader what to do ("Slowly lower your leg", "Hold for 5 seconds").
    One that ends in a colon introduces a list ("To do it, follow these steps:") and is not a step."""
    words = _words()
    tokens = _after_label(sent)
    if not tokens or sent[-1].text == ":" or _opens_with(tokens, words.not_steps):
        return False
    while tokens and tokens[0].lower_ in words.adverbs:
        tokens = tokens[1:]
    if not tokens:
        return False
    first = tokens[0]
    return (first.lower_ in words.verbs or (first.tag_ == "VB" and first.is_title) or _imperative_root(sent)
            or _verb_after_clause(sent, words))


def _verb_after_clause(sent: Span, words: _Words) -> bool:
    """ "As you push up, exhale": an opening clause, a comma, then an instruction verb."""
    if not len(sent) or sent[0].lower_ not in words.subordinators:
        return False
    comma = next((t.i for t in sent[:16] if t.text == ","), None)
    return comma is not None and comma + 1 < sent.end and sent.doc[comma + 1].lower_ in words.verbs


def is_dose_statement(unit: Span, doses: Sequence[tuple[int, int]]) -> bool:
    """A unit that only states a dose or a progression: "Perform three sets of 10 repetitions",
    "Aim to do 10 reps", "To progress, add a weight" (but "Hold for 5 seconds" is a step)."""
    words = _words()
    tokens = _words_of(unit)
    if _opens_with(tokens, words.progression):
        return True
    while tokens and tokens[0].lower_ in words.adverbs:
        tokens = tokens[1:]
    if not tokens or tokens[0].lower_ not in words.dose_verbs:
        return False
    return any(unit.start_char <= s < unit.end_char for s, _ in doses)


def is_step_item(item: Span, doses: Sequence[tuple[int, int]]) -> bool:
    """A list item counts unless it only states a dose or a progression, or is an optional tip;
    fragments count ("Hands flat on the floor")."""
    return not is_dose_statement(item, doses) and not _opens_with(_words_of(item), _words().not_steps)


def step_spans(doc: Doc, section: Sequence[Block], doses: Sequence[tuple[int, int]] = (),
               strict: bool = False) -> list[tuple[int, int]]:
    """Cleaned-text spans of the steps of the exercise whose section is ``section`` (blocks after its
    opener); ``doses`` are the character spans of the doc's doses. ``strict`` (for a section no
    exercise opens, whose list may be about anything) keeps only items that are instructions."""
    items = [k for k, b in enumerate(section) if b.kind == "item"]
    if not items:
        return _prose_steps(doc, section, doses)
    lead = max((k for k in range(items[0]) if section[k].kind == "heading"), default=-1)
    spans = _prose_steps(doc, section[lead + 1 : items[0]], doses)
    for k in items:
        unit = doc.char_span(section[k].text_start, section[k].end, alignment_mode="expand")
        if unit is not None and is_step_item(unit, doses) and (not strict or is_instruction(unit)):
            spans.append((section[k].text_start, section[k].end))
    return spans


def _prose_steps(doc: Doc, blocks: Sequence[Block], doses: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = []
    for block in blocks:
        if block.kind != "paragraph":
            continue
        span = doc.char_span(block.text_start, block.end, alignment_mode="expand")
        if span is None:
            continue
        for part in _sentences(doc, span):
            if is_instruction(part) and not is_dose_statement(part, doses):
                spans.append((part.start_char, part.end_char))
    return spans


def _sentences(doc: Doc, span: Span) -> list[Span]:
    """The sentences of a block, trimmed to it (a sentence may run over from a heading).

    The parser now and then cuts a lone first word off its sentence ("Lie" | "face down with your
    hands …"); such a one-word fragment followed by a lower-case word is put back on its sentence.
    """
    sents = list(span.sents) if doc.has_annotation("SENT_START") else [span]
    parts = []
    for sent in sents:
        part = doc[max(sent.start, span.start) : min(sent.end, span.end)]
        while len(part) and part[-1].is_space:
            part = part[:-1]
        if len(part):
            parts.append(part)
    out: list[Span] = []
    for part in parts:
        prev = out[-1] if out else None
        if prev is not None and len(prev) == 1 and prev[0].is_alpha and part[0].is_lower:
            out[-1] = doc[prev.start : part.end]
        else:
            out.append(part)
    return out
