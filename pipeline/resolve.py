"""Resolution: merge mentions of the same exercise across sources, never chaining different ones.

Web articles name one exercise many ways ("single knee to chest", "Knees-to-Chest Back Stretch",
"knee-to-chest stretch") and different exercises in nearly the same words ("Leg Lifts", "Lying
Lateral Leg Lifts"). A false merge creates a false conflict, which costs a reviewer more than a
missed merge, so resolution prefers domain knowledge to string similarity and vetoes a fuzzy merge
whenever a contrasting modifier differs.

Names are compared by their *core* (``core_name``): lower-cased words, plurals and word forms made
uniform, possessives dropped, generic words ("stretch", "exercise", "pose", "muscle", "left",
"right", ...) removed. "back" is deliberately *not* generic: it names the body region, and removing
it would leave "Seated back stretch" as the bare modifier "seated" and "upper back stretch" as
"upper". Evidence, strongest first:

1. ``alias``  (confidence 1.0): the core's words, in any order, equal those of the core of a name
   or alias in the lexicon ("Hamstring Muscle Stretching" -> "hamstring" -> hamstring-stretch).
2. ``contains`` (confidence 0.9): the core holds the cores of one lexicon entry's aliases and
   its other words are neutral (``NameRules.neutral``: no modifier of a group, no movement of its
   own), so "Lumbar Bridging Bilateral" is a bridge, "hamstring floor stretch" a hamstring stretch
   and "Child's Pose (Balasana)" a child's pose, while "bird dog row", "side bridge" and "lying
   lateral leg lifts" are not the exercise they contain.
3. ``exact``  (confidence 1.0): the core equals the founding core of a cluster found in the data.
4. ``fuzzy``  (confidence = score / 100): ``fuzz.token_sort_ratio`` of the cores is at least
   ``FUZZY_THRESHOLD``, no modifier group differs (``compatible``), and no word was swapped for
   another (``words_align``: every word of the shorter core is spelt like a word of the other).

No chaining: a core joins a cluster only if it fuzzily matches the cluster's representative (one
of a lexicon entry's alias cores, or the founding core of a cluster found in the data) *and* every
core that already joined that cluster by fuzzy match (complete linkage), so A~B and B~C never put
A and C together when A≁C. Only unique cores are compared, and only with clusters that share a
blocking key (the first four letters of a word), so the work is not all-pairs over mentions.
Cores are processed most frequent first, ties alphabetically; the best-scoring cluster wins, a
lexicon entry on a tie. Nothing depends on the order of the input.

exercise_id: the lexicon id, else the slug of the cluster's founding (most frequent) core, with
"-2", "-3" appended in founding order if it is taken (lexicon ids are always taken).

Threshold calibration: ``tests/test_resolve.py`` labels pairs that only a fuzzy score can decide
(``FUZZY_MERGE_PAIRS``: typos and small extra words) and near misses that no modifier vetoes
(``NEAR_MISS_PAIRS``: variants and one-word swaps). Among pairs that pass ``words_align``, the
highest near miss scores 80 ("bird dog row" / "bird dog") and the lowest merge 83.3 ("sphynx" /
"sphinx"; "knee to chest back" / "knee to chest" is 83.9), so the threshold is 82, inside the gap;
``test_threshold_separates_labelled_pairs`` keeps it there. ``words_align`` exists because short
names score high for a swapped word ("hip hike" / "hip hinge" is 82.4, "wall sit" / "wall slide"
77.8); its ``WORD_THRESHOLD`` of 80 lets a typo through ("piriformus" 90, "bak" / "back" 86) but
not a different word ("hike" / "hinge" 67).

Lexicon format: see ``pipeline.exercise_lexicon``.

Name rules, ``resources/name_rules.json``: ``generic_words`` (removed from cores), ``keep_plural``
(words whose final "s" is not a plural), ``word_forms`` (word -> uniform form, e.g. "bending" ->
"bend", "lateral" -> "side"), ``modifier_groups`` (lists of words; two names are compatible only if
they use the same subset of every group, absence included; a one-word group such as ``["reverse"]``
is a modifier whose presence on one side alone forbids a merge).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pipeline.exercise_lexicon import Lexicon, alias_key, contained_entry, lexicon
from pipeline.models import Exercise, Link, Mention, Relation, Resolution
from pipeline.names import NameRules, core_name, name_rules

FUZZY_THRESHOLD = 82.0
"""Minimum ``token_sort_ratio`` of two cores for a fuzzy merge; calibrated in the module docstring."""

WORD_THRESHOLD = 80.0
"""Minimum ``fuzz.ratio`` for two words to count as one word spelt two ways (``words_align``)."""

BLOCK_PREFIX = 4
"""Cores are compared only if they share the first letters of a word (``block_keys``)."""

CONTAINS_CONFIDENCE = 0.9
"""A lexicon entry named inside a longer name is strong evidence, but weaker than the whole alias."""

UNNAMED_ID = "unnamed-exercise"


def slug(text: str) -> str:
    """A lower-case, hyphenated id: ``slug("horse back") == "horse-back"``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------- comparing cores


def modifier_signature(core: str, rules: NameRules | None = None) -> tuple[frozenset[str], ...]:
    """Which words of each modifier group the core uses; two names must agree on all of them."""
    rules = rules or name_rules()
    words = frozenset(core.split())
    return tuple(group & words for group in rules.modifier_groups)


def compatible(a: str, b: str) -> bool:
    """False if a modifier differs ("single" vs "double", "lying" vs nothing, "knee" vs "hip").

    >>> compatible("single knee to chest", "double knee to chest"), compatible("hamstring", "hamstring")
    (False, True)
    """
    return modifier_signature(a) == modifier_signature(b)


def similarity(a: str, b: str) -> float:
    """``token_sort_ratio`` of two cores (0..100); not WRatio or token_set, which favour one shared word."""
    return fuzz.token_sort_ratio(a, b)


def words_align(a: str, b: str) -> bool:
    """Every word of the core with fewer words is spelt like some word of the other.

    A fuzzy merge may forgive a typo ("piriformus") or an extra word ("knee to chest back"), but
    not a word swapped for another, which short names otherwise score highly for
    ("hip hike" vs "hip hinge": 82).

    >>> words_align("knee to chest", "knee to chest back"), words_align("hip hike", "hip hinge")
    (True, False)
    """
    def covered(short: list[str], long: list[str]) -> bool:
        return all(any(fuzz.ratio(w, v) >= WORD_THRESHOLD for v in long) for w in short)

    wa, wb = a.split(), b.split()
    if len(wa) == len(wb):  # neither is the shorter: both must align, so the relation is symmetric
        return covered(wa, wb) and covered(wb, wa)
    return covered(*sorted((wa, wb), key=len))


def fuzzy_match(a: str, b: str) -> float | None:
    """The score if ``a`` and ``b`` may merge by fuzzy match, else None."""
    if not compatible(a, b):
        return None
    score = similarity(a, b)
    return score if score >= FUZZY_THRESHOLD and words_align(a, b) else None


def block_keys(core: str) -> frozenset[str]:
    """Blocking keys: the first letters of each word; cores that share none are never compared.

    ``words_align`` requires a shared (or near-identical) word for any fuzzy merge, so blocking
    loses only merges where every shared word has a typo in its first letters.
    """
    return frozenset(w[:BLOCK_PREFIX] for w in core.split())


# ---------------------------------------------------------------- clustering


@dataclass
class _Cluster:
    """A cluster being built: its representative cores and the cores that joined it by fuzzy match.

    ``anchors`` are the lexicon entry's alias cores, or the founding core of a cluster found in the
    data; ``fuzzy_members`` must all stay within the threshold of each other (complete linkage).
    """

    lexicon_id: str | None
    anchors: tuple[str, ...]
    fuzzy_members: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Assignment:
    cluster: int
    method: str
    confidence: float


def _join_score(core: str, cluster: _Cluster) -> float | None:
    """The score for ``core`` joining ``cluster``, or None if it is not close to the representative
    or to any member that joined by fuzzy match."""
    scores = [s for anchor in cluster.anchors if (s := fuzzy_match(core, anchor)) is not None]
    if not scores:
        return None
    if any(fuzzy_match(core, member) is None for member in cluster.fuzzy_members):
        return None
    return max(scores)


class _Clusterer:
    """Assigns unique cores to clusters: lexicon aliases first, then containment, fuzzy, else a new cluster."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.clusters: list[_Cluster] = []
        self.blocks: dict[str, set[int]] = defaultdict(set)
        self.by_lexicon_id: dict[str, int] = {}
        for exercise_id in sorted(lex.entries):
            self.by_lexicon_id[exercise_id] = self._add(exercise_id, lex.cores[exercise_id])

    def _add(self, lexicon_id: str | None, anchors: tuple[str, ...]) -> int:
        index = len(self.clusters)
        self.clusters.append(_Cluster(lexicon_id, anchors))
        for anchor in anchors:
            self._index(anchor, index)
        return index

    def _index(self, core: str, index: int) -> None:
        for key in block_keys(core):
            self.blocks[key].add(index)

    def candidates(self, core: str) -> list[int]:
        return sorted(set().union(*(self.blocks.get(key, set()) for key in block_keys(core))))

    def assign(self, core: str) -> _Assignment:
        """Where ``core`` goes; call with cores most frequent first so founders are the common forms."""
        lexicon_id = self.lex.by_key.get(alias_key(core))
        if lexicon_id is not None:
            return _Assignment(self.by_lexicon_id[lexicon_id], "alias", 1.0)
        lexicon_id = contained_entry(core, self.lex)
        if lexicon_id is not None:
            return _Assignment(self.by_lexicon_id[lexicon_id], "contains", CONTAINS_CONFIDENCE)
        best: tuple[float, int] | None = None
        for index in self.candidates(core):
            score = _join_score(core, self.clusters[index])
            # Highest score wins; on a tie the lower index (lexicon entries come first) does.
            if score is not None and (best is None or score > best[0]):
                best = (score, index)
        if best is None:
            index = self._add(None, (core,))
            self.clusters[index].fuzzy_members.append(core)
            return _Assignment(index, "exact", 1.0)
        score, index = best
        cluster = self.clusters[index]
        cluster.fuzzy_members.append(core)
        self._index(core, index)
        return _Assignment(index, "fuzzy", round(score / 100, 4))


def _ordered_cores(cores: Iterable[str]) -> list[str]:
    """Unique cores, most frequent first, then alphabetically: the order that makes founders common."""
    counts = Counter(cores)
    return sorted(counts, key=lambda core: (-counts[core], core))


def _cluster_ids(clusterer: _Clusterer, used: Iterable[int]) -> dict[int, str]:
    """Lexicon ids for lexicon clusters; the slug of the founding core otherwise, made unique."""
    taken = set(clusterer.lex.entries)
    ids: dict[int, str] = {}
    for index in sorted(used):
        cluster = clusterer.clusters[index]
        if cluster.lexicon_id is not None:
            ids[index] = cluster.lexicon_id
            continue
        base = slug(cluster.anchors[0]) or UNNAMED_ID
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        ids[index] = candidate
    return ids


# ---------------------------------------------------------------- building the records


def title_case(text: str) -> str:
    """Collapse whitespace and capitalise each word: ``"donkey kick stretches"`` -> ``"Donkey Kick Stretches"``."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split())


def _display_name(members: Sequence[Mention], lexicon_id: str | None, lex: Lexicon) -> str:
    """The lexicon's display name, else the most common cleaned name (ties alphabetically), title-cased.

    The cleaned ``name`` rather than the raw ``surface``: it has mojibake repaired and spinner
    synonyms undone; every raw surface is kept in ``aliases``.
    """
    if lexicon_id is not None:
        return lex.entries[lexicon_id].name
    counts = Counter(title_case(m.name) for m in members)
    return min(counts, key=lambda name: (-counts[name], name))


def _exercise(exercise_id: str, members: Sequence[Mention], lexicon_id: str | None, lex: Lexicon) -> Exercise:
    return Exercise(
        exercise_id=exercise_id,
        name=_display_name(members, lexicon_id, lex),
        aliases=tuple(sorted({m.surface for m in members})),
        n_sources=len({m.source_id for m in members}),
    )


def _relations(lex: Lexicon, present: set[str]) -> tuple[Relation, ...]:
    """The lexicon's related pairs whose two exercises were both found."""
    found = {r for r in lex.related if r.exercise_a in present and r.exercise_b in present}
    return tuple(sorted(found, key=lambda r: (r.exercise_a, r.exercise_b, r.relation)))


def resolve(mentions: Sequence[Mention]) -> Resolution:
    """Group mentions into exercises and say, for each mention, which evidence linked it.

    Deterministic: the same mentions in any order give the same ids, links and relations.
    """
    lex = lexicon()
    ordered = sorted(mentions, key=lambda m: (m.mention_id, m.source_id, m.char_start, m.char_end))
    core_of = {m.mention_id: core_name(m.name) for m in ordered}
    clusterer = _Clusterer(lex)
    assignment = {core: clusterer.assign(core) for core in _ordered_cores(core_of.values())}

    members: dict[int, list[Mention]] = defaultdict(list)
    for mention in ordered:
        members[assignment[core_of[mention.mention_id]].cluster].append(mention)
    ids = _cluster_ids(clusterer, members)

    exercises = tuple(
        sorted(
            (_exercise(ids[i], group, clusterer.clusters[i].lexicon_id, lex) for i, group in members.items()),
            key=lambda e: e.exercise_id,
        )
    )
    links = tuple(
        Link(m.mention_id, ids[a.cluster], a.method, a.confidence)
        for m in ordered
        for a in [assignment[core_of[m.mention_id]]]
    )
    return Resolution(exercises, links, _relations(lex, set(ids.values())))
