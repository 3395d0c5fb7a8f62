"""Where a text states a dose once for every exercise it covers: "do each exercise twice a day",
"all of the above exercises", "these three movements", "repeat the whole routine".

The phrases are token patterns built from the word groups of ``resources/sections.json``
(``all_exercises``) and run with one ``Matcher``, in three kinds that attribution weighs apart:

- ``ALL``, a quantifier ("each exercise", "all of the above stretches"): its sentence's dose is
  for every exercise of the article;
- ``ROUTINE`` ("this routine", "the whole program"): often one stretch, so it covers the exercises
  of its paragraph or section, or every exercise when it stands where none is named;
- ``THESE``, a demonstrative ("these three movements"): only the exercises of its paragraph or section.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from pipeline import lexicons
from pipeline.extract.doses.lexicon import forms

TokenPattern = list[dict[str, object]]
ALL, ROUTINE, THESE = "ALL", "ROUTINE", "THESE"


@dataclass(frozen=True, order=True)
class ForAll:
    """One phrase that states a dose for every exercise it covers, in character offsets."""

    start: int
    end: int
    kind: str  # ALL, ROUTINE or THESE


def _one_of(entries: list[str]) -> list[list[str]]:
    """Every form of every entry, as word lists ("set of exercises" → three tokens)."""
    return [f.split() for e in entries for f in forms(e)]


def _choice(phrases: list[list[str]]) -> list[TokenPattern]:
    """One-word phrases as a single ``IN`` token, longer ones each as their own words: few
    patterns, so the matcher stays cheap on every sentence."""
    single = sorted({p[0] for p in phrases if len(p) == 1})
    longer = [[{"LOWER": w} for w in p] for p in phrases if len(p) > 1]
    return ([[{"LOWER": {"IN": single}}]] if single else []) + longer


def _quantified(heads: list[str], groups: dict[str, list[str]]) -> list[TokenPattern]:
    head = {"LOWER": {"IN": heads}}
    linker = {"LOWER": {"IN": groups["linkers"]}, "OP": "{0,3}"}
    number = {"LIKE_NUM": True, "OP": "?"}
    return [[head, linker, number, *noun] for noun in _choice(_one_of(groups["exercises"]))]


def pattern_all(groups: dict[str, list[str]]) -> list[TokenPattern]:
    """ "each exercise", "all of the above stretches", "all of the 3 exercises", "per exercise"."""
    return [*_quantified(groups["quantifiers"], groups), *_choice(_one_of(groups["per"]))]


def pattern_routine(groups: dict[str, list[str]]) -> list[TokenPattern]:
    """ "this routine", "the whole program", "this set of exercises"."""
    determiners, routines = _choice(_one_of(groups["routine_determiners"])), _choice(_one_of(groups["routines"]))
    return [[*d, *r] for d in determiners for r in routines]


def pattern_these(groups: dict[str, list[str]]) -> list[TokenPattern]:
    """ "these three movements", "those stretches", "these exercises"."""
    return _quantified(groups["demonstratives"], groups)


@lru_cache(maxsize=8)
def _matcher(vocab: Vocab) -> Matcher:
    groups = lexicons.load("sections")["all_exercises"]
    matcher = Matcher(vocab, validate=True)
    for kind, build in ((ALL, pattern_all), (ROUTINE, pattern_routine), (THESE, pattern_these)):
        matcher.add(kind, build(groups))
    return matcher


@lru_cache(maxsize=1)
def round_words() -> frozenset[str]:
    """Units of sets that are rounds of a circuit ("3 rounds"): each round does every exercise."""
    return frozenset(w for e in lexicons.load("sections")["all_exercises"]["rounds"] for w in forms(e))


def for_all_spans(text: Doc | Span) -> list[ForAll]:
    """The phrases of a doc or span that state a dose for every exercise they cover, in text order
    (character offsets into the doc)."""
    doc = text.doc if isinstance(text, Span) else text
    offset = text.start if isinstance(text, Span) else 0
    strings = doc.vocab.strings
    found = []
    for key, s, e in _matcher(doc.vocab)(text):
        first, last = doc[offset + s], doc[offset + e - 1]
        found.append(ForAll(first.idx, last.idx + len(last), strings[key]))
    return sorted(found)
