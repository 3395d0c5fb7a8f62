"""Exercise names made comparable: the normalised *core* that resolution and attribution compare.

Web articles name one exercise many ways ("Knees-to-Chest Back Stretch", "knee to chest stretch");
its core ("knee to chest back") is lower-cased words with plurals, possessives and word forms made
uniform and generic words ("stretch", "exercise") removed. The word lists are data:
``resources/name_rules.json`` (see ``pipeline.resolve`` for what each list means).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from pipeline import lexicons


@dataclass(frozen=True)
class NameRules:
    """The word lists of ``resources/name_rules.json``, ready to use."""

    generic_words: frozenset[str]
    keep_plural: frozenset[str]
    word_forms: dict[str, str]
    modifier_groups: tuple[frozenset[str], ...]
    movements: frozenset[str]

    def neutral(self, word: str) -> bool:
        """A word of a core that neither contrasts ("single", "lying", "knee") nor names a movement ("row").

        >>> name_rules().neutral("lumbar"), name_rules().neutral("lying"), name_rules().neutral("row")
        (True, False, False)
        """
        return word not in self.movements and not any(word in group for group in self.modifier_groups)


@cache
def name_rules() -> NameRules:
    data = lexicons.load("name_rules")
    keep_plural = frozenset(data["keep_plural"])
    forms = dict(data["word_forms"])
    heads = lexicons.load("mention_rules")["strong_heads"]  # the head nouns that name a movement
    return NameRules(
        generic_words=frozenset(data["generic_words"]),
        keep_plural=keep_plural,
        word_forms=forms,
        modifier_groups=tuple(frozenset(group) for group in data["modifier_groups"]),
        movements=frozenset(forms.get(w, w) for h in heads if h.isalpha() for w in [singular(h, keep_plural)]),
    )


# ---------------------------------------------------------------- normalising names

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NON_WORD = re.compile(r"[^a-z0-9'&]+")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}(?:\s*[.):-]\s+|(?=[a-z]{2}))")  # "3. Wall Sits", "1Lumbar Extension"


def singular(word: str, keep_plural: frozenset[str]) -> str:
    """The singular of a plural-looking word, by rule; consistency matters more than grammar.

    >>> [singular(w, frozenset({"pilates"})) for w in ["stretches", "knees", "bodies", "press", "pilates"]]
    ['stretch', 'knee', 'body', 'press', 'pilates']
    """
    if len(word) <= 3 or word in keep_plural or word.endswith(("ss", "us", "is", "os")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def normal_words(name: str, rules: NameRules | None = None) -> list[str]:
    """Lower-case words of ``name`` with possessives, plurals and word forms made uniform.

    >>> normal_words("Kid's Pose: Lying Lateral Leg-Lifts")
    ['kid', 'pose', 'lying', 'side', 'leg', 'lift']
    """
    rules = rules or name_rules()
    text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).lower()
    text = _LIST_MARKER.sub("", text)
    text = text.replace("&", " & ")
    words: list[str] = []
    for raw in _NON_WORD.split(text):
        word = re.sub(r"'s?$", "", raw).replace("'", "")
        if not word:
            continue
        word = singular(word, rules.keep_plural)
        words.extend(rules.word_forms.get(word, word).split())
    return words


def core_name(name: str) -> str:
    """The normalised core that resolution compares: ``normal_words`` without generic words.

    A name made only of generic words ("Stretches") keeps them, so it is never empty unless the
    name has no words at all.

    >>> core_name("Knees-to-Chest Back Stretch")
    'knee to chest back'
    >>> core_name("Hamstring Muscle Stretching")
    'hamstring'
    """
    rules = name_rules()
    words = normal_words(name, rules)
    core = [w for w in words if w not in rules.generic_words]
    return " ".join(core or words)


def same_exercise(a: str, b: str) -> bool:
    """Two names of one article that are the same exercise, as far as their cores tell.

    >>> same_exercise("Toe Touches", "standing toe touch"), same_exercise("Bridge", "Bird Dog")
    (True, False)
    """
    ca, cb = core_name(a), core_name(b)
    return bool(ca and cb) and (ca == cb or ca in cb or cb in ca)
