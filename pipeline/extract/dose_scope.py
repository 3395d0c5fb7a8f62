"""Where a text states a dose once for every exercise it covers: "do each exercise twice a day",
"all of the above exercises", "these three movements", "repeat the whole routine".

The phrases are token patterns built from the word groups of ``resources/sections.json``
(``all_exercises``) and run with one ``Matcher``. A quantifier ("each", "all") is strong: its
sentence's dose is for every exercise of the article. A demonstrative or a routine ("these
movements", "this routine") is weak, as "this routine" is often one stretch: attribution reads it
only for the exercises of the paragraph or section it stands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline import lexicons
from pipeline.extract.doses.lexicon import forms

TokenPattern = list[dict[str, object]]
STRONG, WEAK = "FOR_ALL", "FOR_THESE"


@dataclass(frozen=True, order=True)
class ForAll:
    """One phrase that states a dose for every exercise it covers, in character offsets."""

    start: int
    end: int
    strong: bool


def _one_of(entries: list[str]) -> list[list[str]]:
    """Every form of every entry, as word lists ("set of exercises" → three tokens)."""
    return [f.split() for e in entries for f in forms(e)]


def _words(phrase: list[str]) -> TokenPattern:
    return [{"LOWER": w} for w in phrase]


def _quantified(heads: list[str], groups: dict[str, list[str]]) -> list[TokenPattern]:
    head = {"LOWER": {"IN": heads}}
    linker = {"LOWER": {"IN": groups["linkers"]}, "OP": "{0,3}"}
    number = {"LIKE_NUM": True, "OP": "?"}
    return [[head, linker, number, *_words(e)] for e in _one_of(groups["exercises"])]


def pattern_for_all(groups: dict[str, list[str]]) -> list[TokenPattern]:
    """Strong: "each exercise", "all of the above stretches", "all of the 3 exercises", "per exercise"."""
    return [*_quantified(groups["quantifiers"], groups), *(_words(p) for p in _one_of(groups["per"]))]


def pattern_for_these(groups: dict[str, list[str]]) -> list[TokenPattern]:
    """Weak: "these three movements", "those stretches", "this routine", "the whole program"."""
    routines = [[*_words(d), *_words(r)] for d in _one_of(groups["routine_determiners"])
                for r in _one_of(groups["routines"])]
    return [*_quantified(groups["demonstratives"], groups), *routines]


@lru_cache(maxsize=8)
def _matcher(vocab: Vocab) -> Matcher:
    groups = lexicons.load("sections")["all_exercises"]
    matcher = Matcher(vocab, validate=True)
    matcher.add(STRONG, pattern_for_all(groups))
    matcher.add(WEAK, pattern_for_these(groups))
    return matcher


def for_all_spans(doc: Doc) -> list[ForAll]:
    """The phrases of ``doc`` that state a dose for every exercise they cover, in text order."""
    strong = doc.vocab.strings[STRONG]
    return sorted(ForAll(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), key == strong)
                  for key, s, e in _matcher(doc.vocab)(doc))
