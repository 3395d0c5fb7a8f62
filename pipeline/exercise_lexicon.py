"""The domain's exercise lexicon as resolution reads it: entries, and every alias core indexed.

Format of ``resources/exercises.json`` (the extractor reads ``exercises[*].name`` and
``exercises[*].aliases`` as phrase patterns, see ``pipeline.extract.lexicon_scan``)::

    {"exercises": [{"id": "knee-to-chest-stretch",        # stable slug, the exercise_id
                    "name": "Knee-to-chest stretch",       # display name
                    "aliases": ["knee to chest", ...],     # real-world phrases as written
                    "category": "stretch"}],               # stretch | strength | aerobic | practice
     "related": [["forward-bend", "standing-toe-touch", "related"], ...]}   # id_a, id_b, relation

Each alias is indexed by its core (``pipeline.names.core_name``) with its words sorted
(``alias_key``), so a mention links to an entry whatever its word order ("side lying leg lift",
"lying side leg lift"); an alias core claimed by two entries is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipeline import lexicons
from pipeline.models import Relation
from pipeline.names import core_name, name_rules


@dataclass(frozen=True)
class LexiconEntry:
    exercise_id: str
    name: str
    aliases: tuple[str, ...]
    category: str


@dataclass(frozen=True)
class Lexicon:
    """Lexicon entries, and every alias core indexed by its sorted words (``alias_key``)."""

    entries: dict[str, LexiconEntry]
    by_key: dict[str, str]
    cores: dict[str, tuple[str, ...]]
    related: tuple[Relation, ...]


def alias_key(core: str) -> str:
    """The core's words in sorted order: the lexicon's index key, blind to word order.

    >>> alias_key("side lying leg lift") == alias_key("lying side leg lift")
    True
    """
    return " ".join(sorted(core.split()))


@cache
def lexicon() -> Lexicon:
    """The exercise lexicon, with each alias's core indexed; an alias core claimed twice is an error."""
    data = lexicons.load("exercises")
    entries: dict[str, LexiconEntry] = {}
    by_key: dict[str, str] = {}
    cores: dict[str, tuple[str, ...]] = {}
    for item in data["exercises"]:
        entry = LexiconEntry(item["id"], item["name"], tuple(item["aliases"]), item["category"])
        if entry.exercise_id in entries:
            raise ValueError(f"exercises.json: duplicate id {entry.exercise_id!r}")
        entries[entry.exercise_id] = entry
        entry_cores = sorted({core_name(n) for n in (entry.name, *entry.aliases)})
        cores[entry.exercise_id] = tuple(entry_cores)
        for core in entry_cores:
            owner = by_key.setdefault(alias_key(core), entry.exercise_id)
            if owner != entry.exercise_id:
                raise ValueError(f"exercises.json: core {core!r} belongs to both {owner!r} and {entry.exercise_id!r}")
    related = []
    for a, b, relation in data.get("related", []):
        unknown = {a, b} - entries.keys()
        if unknown:
            raise ValueError(f"exercises.json: related names unknown ids {sorted(unknown)}")
        related.append(Relation(a, b, relation))
    return Lexicon(entries, by_key, cores, tuple(related))


def contained_entry(core: str, lex: Lexicon) -> str | None:
    """The one lexicon entry whose alias cores make up ``core`` but for neutral words, else None.

    The core is read left to right, longest alias first; practices (yoga) are never contained.

    >>> contained_entry("lumbar bridge bilateral", lexicon()), contained_entry("bird dog row", lexicon())
    ('bridge', None)
    """
    rules, words = name_rules(), core.split()
    skip = set(lexicons.load("mention_rules")["categories_not_exercises"])
    found: set[str] = set()
    extra: list[str] = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            entry = lex.by_key.get(alias_key(" ".join(words[i:j])))
            if entry is not None and lex.entries[entry].category not in skip:
                found.add(entry)
                i = j
                break
        else:
            extra.append(words[i])
            i += 1
    if len(found) != 1 or not all(rules.neutral(w) for w in extra):
        return None
    return found.pop()
