"""Is this a word? The English dictionary and the domain's lexicon, for repairs of broken words.

Text from PDFs breaks words in two ways: a stray space inside a word ("c hest", "s tand") and a
hyphen where a line ended ("stret-" / "ching"). Both repairs join two pieces only when the joined
form is a word and the pieces are not, so they need to tell a word from a fragment. The dictionary
is pyspellchecker's English word-frequency list (shipped inside the package, nothing is downloaded):
a frequency is a count in its corpus, so rare tokens ("hest", 50) are fragments and common ones
("chest", 36,963) are words. The lexicon adds the domain's terms the dictionary lacks ("glute").
"""

from __future__ import annotations

import re
from functools import cache

from spellchecker import SpellChecker

from pipeline import lexicons

# A piece seen at least this often in the dictionary's corpus is a word of its own: "ten" and
# "stand" are, "hest", "tand" and "sion" are not. Suffixes the corpus counts as tokens ("ing",
# 1,898) sit near this line and are no words after a break (``_SUFFIXES``).
WORD_FREQUENCY = 1_000
# A joined form seen at least this often is a word a repair may make ("supine", 89, is not; the
# lexicon supplies such terms).
JOINED_FREQUENCY = 100
_SINGLE_LETTER_WORDS = frozenset({"a", "i"})
# Endings the dictionary's corpus counts as tokens ("ing", "ed"): after a break they end a word.
_SUFFIXES = frozenset({"ing", "ings", "ed", "er", "ers", "es", "ly", "tion", "tions", "sion", "ment", "ness"})
_LETTERS = re.compile(r"[a-z]+")


@cache
def _dictionary() -> dict[str, int]:
    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


@cache
def lexicon_words() -> frozenset[str]:
    """Every lowercase word of the exercise lexicon's names and aliases ("glute", "cobra")."""
    words: set[str] = set()
    for entry in lexicons.load("exercises")["exercises"]:
        for name in [entry["name"], *entry.get("aliases", [])]:
            words.update(_LETTERS.findall(name.lower()))
    return frozenset(words)


def frequency(word: str) -> int:
    """How often the dictionary's corpus has the lowercase ``word`` (0 when it is not listed)."""
    return _dictionary().get(word.lower(), 0)


def is_word(piece: str, ending: bool = False) -> bool:
    """A piece that stands on its own: a lexicon term, or common in the dictionary; one letter only for "a", "I".

    An ``ending`` piece (the second of two) that is a suffix ("ing") is not a word of its own.

    >>> is_word("stand"), is_word("tand"), is_word("c"), is_word("a"), is_word("ing", ending=True)
    (True, False, False, True, False)
    """
    low = piece.lower()
    if len(low) == 1:
        return low in _SINGLE_LETTER_WORDS
    if ending and low in _SUFFIXES:
        return False
    return low in lexicon_words() or frequency(low) >= WORD_FREQUENCY


def is_joined_word(word: str) -> bool:
    """A joined form a repair may make: a lexicon term or a dictionary word that is not rare."""
    low = word.lower()
    return len(low) > 1 and (low in lexicon_words() or frequency(low) >= JOINED_FREQUENCY)


def should_join(left: str, right: str) -> bool:
    """Two pieces are one broken word: joined they are a word, apart neither is.

    >>> should_join("c", "hest"), should_join("s", "tand"), should_join("ham", "string")
    (True, True, False)
    """
    return is_joined_word(left + right) and not is_word(left) and not is_word(right, ending=True)
