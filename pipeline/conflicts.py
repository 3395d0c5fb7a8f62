"""Stage 4: where sources disagree, for a reviewer.

- ``numeric_disjoint``: for one exercise and one dosage attribute, two sources give ranges that do
  not overlap (5–10 reps against 2–4 reps per leg). Values that agree (20 s inside 15–30 s) are not
  conflicts. A per-side count against a total is shown as it is, with its scope in the value, not
  reconciled away.
- ``polarity``: one source says to avoid an exercise that another recommends, the same exercise or
  one the lexicon relates to it (a standing toe touch against a forward bend).
- ``advice``: non-exercise advice that disagrees (rest for days against keep moving), as decided by
  the advice table in ``resources/advice.json``.

Sources that say the same thing form a group. Two disagreeing groups give one conflict per pair of
sources while that is at most ``PAIRWISE_LIMIT`` pairs; beyond it (hundreds of articles repeating
one figure) they give one conflict between the first source of each group, and ``also_a``/``also_b``
name the others — so the number of conflicts grows with the number of distinct positions, not with
the square of the number of sources.

Conflict ids hash what the conflict is (kind, exercise, topic, sources, values), so they are stable
across rebuilds of the same inputs and a reviewer's verdict finds its conflict again.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations, pairwise, product

from pipeline import lexicons
from pipeline.models import Advice, Dosage, Extraction, Mention, Resolution
from pipeline.vocab import ADVICE_STANCES, AVOID, DOSE_ATTRIBUTES, RECOMMEND

PAIRWISE_LIMIT = 25
# Beyond this many sources on one exercise and dose, only neighbouring clusters of agreeing ranges
# are compared (lowest against next, …), so thousands of slightly different figures give a handful
# of conflicts rather than every disjoint pair.
MANY_SOURCES = 12


@dataclass(frozen=True)
class Conflict:
    conflict_id: str
    exercise_id: str | None
    topic: str
    kind: str
    source_a: str
    source_b: str
    value_a: str
    value_b: str
    evidence_a: str
    evidence_b: str
    char_start_a: int
    char_end_a: int
    char_start_b: int
    char_end_b: int
    also_a: tuple[str, ...] = ()
    also_b: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Claim:
    """What one source says on a topic, with the quote that shows it."""

    source_id: str
    value: str
    evidence: str
    char_start: int
    char_end: int


def _id(*parts: object) -> str:
    return "c-" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:10]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def describe(attribute: str, lo: float | None, hi: float | None, per_side: bool) -> str:
    """A dose as a reviewer reads it: "5–10 reps", "up to 10 s hold", "2–4 reps per side".

    >>> describe("reps", 2, 4, True)
    '2–4 reps per side'
    """
    if lo is None and hi is None:
        amount = "?"
    elif lo is None:
        amount = f"up to {_num(hi)}"
    elif hi is None:
        amount = f"at least {_num(lo)}"
    elif lo == hi:
        amount = _num(lo)
    else:
        amount = f"{_num(lo)}–{_num(hi)}"
    return f"{amount} {DOSE_ATTRIBUTES[attribute].conflict_unit}" + (" per side" if per_side else "")


def _between(kind: str, exercise: str | None, topic: str, side_a: Sequence[_Claim],
             side_b: Sequence[_Claim], force_group: bool = False) -> list[Conflict]:
    """Conflicts between two groups of sources that disagree (each group sorted by source id)."""

    def conflict(a: _Claim, b: _Claim, also_a: tuple[str, ...] = (), also_b: tuple[str, ...] = ()) -> Conflict:
        first, second = (a, b) if a.source_id <= b.source_id else (b, a)
        if first is not a:
            also_a, also_b = also_b, also_a
        return Conflict(_id(kind, exercise, topic, first.source_id, second.source_id, first.value, second.value),
                        exercise, topic, kind, first.source_id, second.source_id, first.value, second.value,
                        first.evidence, second.evidence, first.char_start, first.char_end,
                        second.char_start, second.char_end, also_a, also_b)

    pairs = [(a, b) for a, b in product(side_a, side_b) if a.source_id != b.source_id]
    if len(pairs) <= PAIRWISE_LIMIT and not force_group:
        return [conflict(a, b) for a, b in pairs]
    if not pairs:
        return []
    a, b = pairs[0]
    return [conflict(a, b, tuple(c.source_id for c in side_a if c is not a),
                     tuple(c.source_id for c in side_b if c is not b))]


# -- doses -----------------------------------------------------------------------------------------

def _hull(rows: Sequence[Dosage]) -> tuple[float, float]:
    lo = min(0.0 if d.min_value is None else d.min_value for d in rows)
    hi = max(math.inf if d.max_value is None else d.max_value for d in rows)
    return lo, hi


def _dose_claim(attribute: str, rows: Sequence[Dosage]) -> tuple[tuple[float, float], _Claim]:
    lo, hi = _hull(rows)
    shown_lo = None if lo == 0 and all(d.min_value is None for d in rows) else lo
    value = describe(attribute, shown_lo, None if math.isinf(hi) else hi, any(d.per_side for d in rows))
    first = rows[0]
    return (lo, hi), _Claim(first.source_id, value, first.evidence, first.char_start, first.char_end)


def _dosage_conflicts(dosages: Iterable[Dosage], exercise_of: dict[str, str]) -> list[Conflict]:
    grouped: dict[tuple[str, str], dict[str, list[Dosage]]] = defaultdict(lambda: defaultdict(list))
    for d in dosages:
        grouped[(exercise_of[d.mention_id], d.attribute)][d.source_id].append(d)
    out = []
    for (exercise, attribute), by_source in sorted(grouped.items()):
        positions: dict[tuple[float, float], list[_Claim]] = defaultdict(list)
        for source in sorted(by_source):
            hull, claim = _dose_claim(attribute, by_source[source])
            positions[hull].append(claim)
        if len(by_source) <= MANY_SOURCES:
            for (ra, ca), (rb, cb) in combinations(sorted(positions.items()), 2):
                if ra[1] < rb[0] or rb[1] < ra[0]:
                    out.extend(_between("numeric_disjoint", exercise, attribute, ca, cb))
        else:
            clusters = _overlapping(sorted(positions.items()))
            for ca, cb in pairwise(clusters):
                out.extend(_between("numeric_disjoint", exercise, attribute, ca, cb, force_group=True))
    return out


def _overlapping(positions: Sequence[tuple[tuple[float, float], list[_Claim]]]) -> list[list[_Claim]]:
    """Positions sorted by range, merged where ranges overlap: the distinct answers on a number line."""
    clusters: list[list[_Claim]] = []
    reach = -math.inf
    for (lo, hi), claims in positions:
        if clusters and lo <= reach:
            clusters[-1].extend(claims)
            reach = max(reach, hi)
        else:
            clusters.append(list(claims))
            reach = hi
    return [sorted(c, key=lambda x: x.source_id) for c in clusters]


# -- polarity --------------------------------------------------------------------------------------

def _polarity_conflicts(mentions: Iterable[Mention], exercise_of: dict[str, str],
                        related: dict[str, set[str]], names: dict[str, str]) -> list[Conflict]:
    by_key: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        by_key[(exercise_of[m.mention_id], m.source_id)].append(m)
    avoided: dict[str, list[_Claim]] = defaultdict(list)
    recommended: dict[str, list[_Claim]] = defaultdict(list)
    for (exercise, source), ms in sorted(by_key.items()):
        avoid = next((m for m in ms if m.polarity == AVOID), None)
        m = avoid or ms[0]
        verb = AVOID if avoid else RECOMMEND
        claim = _Claim(source, f"{verb} {names[exercise]}", m.surface, m.char_start, m.char_end)
        (avoided if avoid else recommended)[exercise].append(claim)
    out = []
    for exercise, side_a in sorted(avoided.items()):
        for other in sorted({exercise} | related.get(exercise, set())):
            if recommended.get(other):
                out.extend(_between("polarity", exercise, "polarity", side_a, recommended[other]))
    return out


# -- advice ----------------------------------------------------------------------------------------

def _advice_conflicts(advice: Sequence[Advice]) -> list[Conflict]:
    """Advice positions (topic, stance) held by different sources that the advice table says disagree.

    Two stances on the same topic only conflict for a source that does not hold the other's stance
    too: a source that says "cease intense activity" and "short walks help" is not against "keep
    moving".
    """
    held: dict[tuple[str, str], dict[str, Advice]] = defaultdict(dict)
    for a in sorted(advice, key=lambda x: (x.source_id, x.char_start)):
        held[(a.topic, a.stance)].setdefault(a.source_id, a)
    out = []
    for pa, pb in combinations(sorted(held), 2):
        label = advice_conflict(pa, pb)
        if not label:
            continue
        sa, sb = held[pa], held[pb]
        if pa[0] == pb[0]:
            sa, sb = ({s: a for s, a in sa.items() if s not in sb}, {s: b for s, b in sb.items() if s not in sa})

        def claims(side: dict[str, Advice], position: tuple[str, str]) -> list[_Claim]:
            return [_Claim(s, f"{position[0]}: {position[1]}", a.evidence, a.char_start, a.char_end)
                    for s, a in sorted(side.items())]

        out.extend(_between("advice", None, label, claims(sa, pa), claims(sb, pb)))
    return out


def find_conflicts(extraction: Extraction, resolution: Resolution) -> tuple[Conflict, ...]:
    """Every disagreement between sources, in a stable order, one per topic and pair of sources."""
    exercise_of = {link.mention_id: link.exercise_id for link in resolution.links}
    names = {e.exercise_id: e.name for e in resolution.exercises}
    related: dict[str, set[str]] = defaultdict(set)
    for r in resolution.relations:
        related[r.exercise_a].add(r.exercise_b)
        related[r.exercise_b].add(r.exercise_a)
    found = (_dosage_conflicts(extraction.dosages, exercise_of)
             + _polarity_conflicts(extraction.mentions, exercise_of, related, names)
             + _advice_conflicts(extraction.advice))
    found.sort(key=lambda c: (c.kind, c.exercise_id or "", c.topic, c.source_a, c.source_b, c.conflict_id))
    unique: dict[tuple, Conflict] = {}
    for c in found:  # one conflict per topic and pair of sources: the first values that show it
        unique.setdefault((c.kind, c.exercise_id, c.topic, c.source_a, c.source_b), c)
    return tuple(unique.values())


# -- the advice conflict policy ----------------------------------------------------------------------

@cache
def _conflict_table() -> dict[frozenset[tuple[str, str]], str]:
    """advice.json "conflicts" as pairs of (topic, stance); a typo fails loudly instead of never matching."""
    data = lexicons.load("advice")
    table = {}
    for label, pairs in data["conflicts"].items():
        for pair in pairs:
            positions = [tuple(item.split("/")) for item in pair]
            for item, (topic, *stance) in zip(pair, positions, strict=True):
                if topic not in data["targets"] or len(stance) != 1 or stance[0] not in ADVICE_STANCES:
                    raise ValueError(f"advice.json: bad topic/stance {item!r} under conflict {label!r}")
            table[frozenset(positions)] = label
    return table


def advice_conflict(a: tuple[str, str], b: tuple[str, str]) -> str | None:
    """The label of the disagreement between two pieces of advice (topic, stance) from different sources.

    Which pairs disagree is data (advice.json "conflicts"): "rest vs activity" for resting against
    keeping moving, "heat vs cold" for cold-first against heat-first.

    >>> advice_conflict(("rest", "limit"), ("activity", "recommend"))
    'rest vs activity'
    >>> advice_conflict(("rest", "limit"), ("rest", "limit")) is None
    True
    """
    if tuple(a) == tuple(b):
        return None
    return _conflict_table().get(frozenset({tuple(a), tuple(b)}))
