"""The domain's name lexicon as a token scan: every name and alias of ``resources/exercises.json``.

Each name is looked for token by token, case-insensitive, plural or singular, with the hyphens and
slashes between its words optional, so "Knees-to-Chest", "knee to chest" and "Cat/Cow" all hit.
The scan is indexed by first word: far cheaper than a ``Matcher`` with a pattern per alias,
because only tokens that can begin a name are tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import lexicons

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


def _inflections(word: str) -> frozenset[str]:
    """The forms a word takes as singular or plural, so "knee" also finds "knees" and "touch" "touches".

    >>> sorted(_inflections("touch"))
    ['touch', 'touches', 'touchs']
    """
    forms = {word}
    if word.isalpha() and len(word) >= 3:
        forms.update({word + "s", word + "es"})
        if word.endswith("s"):
            forms.add(word[:-1])
        if word.endswith("es"):
            forms.add(word[:-2])
        if word.endswith("y"):
            forms.add(word[:-1] + "ies")
    return frozenset(forms)


def name_words(name: str) -> list[str]:
    """A lexicon name as the words spaCy's tokenizer makes of it, hyphens and slashes left out.

    >>> name_words("Child's knee-to-chest")
    ['child', "'s", 'knee', 'to', 'chest']
    """
    return re.findall(r"'s|[a-z0-9]+", name.lower())


@dataclass(frozen=True)
class _Lexicon:
    """Names indexed by every form of their first word, for one pass over a document's tokens."""

    by_first: dict[str, tuple[tuple[frozenset[str], ...], ...]]


@cache
def _lexicon() -> _Lexicon:
    by_first: dict[str, set[tuple[frozenset[str], ...]]] = {}
    for name in lexicon_names():
        words = name_words(name)
        if not words:
            continue
        forms = tuple(_inflections(w) if w != "'s" else frozenset({"'s"}) for w in words)
        for first in forms[0]:
            by_first.setdefault(first, set()).add(forms)
    return _Lexicon({k: tuple(sorted(v, key=len, reverse=True)) for k, v in by_first.items()})


def lexicon_spans(doc: Doc) -> list[Span]:
    """Every lexicon name in ``doc`` (case-insensitive, hyphens optional, singular or plural), longest first."""
    by_first = _lexicon().by_first
    lowers = [t.lower_ for t in doc]
    found = []
    for i, low in enumerate(lowers):
        candidates = by_first.get(low)
        if not candidates:
            continue
        for forms in candidates:
            j, k = i, 0
            while k < len(forms) and j < len(lowers):
                if lowers[j] in _JOINERS and k:
                    j += 1
                    continue
                if lowers[j] not in forms[k]:
                    break
                j, k = j + 1, k + 1
            if k == len(forms):
                found.append(doc[i:j])
                break
    return filter_spans(found)
