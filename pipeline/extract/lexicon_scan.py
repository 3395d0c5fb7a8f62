"""The domain's name lexicon as a token scan: every name and alias of ``resources/exercises.json``.

Each name is looked for token by token, case-insensitive, in any regular form of its words
(``matching.inflections`` of the singular), with the hyphens and slashes between its words
optional, so "Knees-to-Chest", "knee to chest" and "Cat/Cow" all hit.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.strings import StringStore
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import lexicons
from pipeline.extract.matching import Node, Tokens, TokenSpec, inflections, scan, trie
from pipeline.names import name_rules, singular

_JOINERS = frozenset({"-", "/"})  # "Cat/Cow", "knee-to-chest": optional between a name's words


def lexicon_names() -> list[str]:
    """Every name and alias of the lexicon's exercises (not of practices such as yoga, which are advice)."""
    skip = set(lexicons.load("mention_rules")["categories_not_exercises"])
    names = []
    for entry in lexicons.load("exercises")["exercises"]:
        if entry.get("category") in skip:
            continue
        names.append(entry["name"])
        names.extend(entry.get("aliases", []))
    return sorted(set(names))


def name_words(name: str) -> list[str]:
    """A lexicon name as the words spaCy's tokenizer makes of it, hyphens and slashes left out.

    >>> name_words("Child's knee-to-chest")
    ['child', "'s", 'knee', 'to', 'chest']
    """
    return re.findall(r"'s|[a-z0-9]+", name.lower())


@cache
def _trie() -> Node:
    """One trie of every name: each word in any of its forms, a hyphen or slash allowed between words."""
    strings, keep_plural = StringStore(), name_rules().keep_plural
    entries = []
    for name in lexicon_names():
        words = name_words(name)
        pattern: list[TokenSpec] = []
        for k, word in enumerate(words):
            if k:
                pattern.append({"LOWER": {"IN": list(_JOINERS)}, "OP": "?"})
            forms = [word] if word == "'s" else sorted({word, *inflections(singular(word, keep_plural))})
            pattern.append({"LOWER": {"IN": forms}})
        if pattern:
            entries.append((name, [pattern]))
    return trie(entries, strings)


def lexicon_spans(doc: Doc) -> list[Span]:
    """Every lexicon name in ``doc`` (case-insensitive, hyphens optional, any regular form), longest first.

    The names go through the project's one phrase matcher (``matching.trie``/``scan``): a ``Matcher``
    with a pattern per alias costs ~100x more, since it tests every pattern at every token.
    """
    found = scan(_trie(), Tokens.of(doc, use_lemma=False), 0, len(doc))
    return filter_spans([doc[start:end] for start, end, _name in found])
