"""Stage 4: where sources disagree, for a reviewer: one conflict per disagreement, every source on each side.

- ``numeric_disjoint``: for one exercise and one dosage attribute, two sources give ranges that do
  not overlap (5–10 reps against 2–4 reps per leg). Values that agree (20 s inside 15–30 s) are not
  conflicts. A per-side count against one that names no side is shown as it is, and its values say
  so ("5–10 reps (no side given)" against "2–4 reps per side"), not reconciled away.
- ``polarity``: one source says to avoid an exercise that another recommends, the same exercise or
  one the lexicon relates to it (a standing toe touch against a forward bend). Each side quotes the
  sentence or heading that decided its polarity, and the avoid side the ConText trigger in it.
- ``advice``: sources whose positions on a typed question exclude each other (``pipeline.positions``:
  "rest vs keep moving", "bed rest", "heat vs cold first", "stretch during a spasm vs wait", …), one
  conflict per question: the sources for (or bounded) on side a, the sources against on side b.

A dose or a verdict on an exercise is each source's own figure, quoted from its own text, so doses and
polarity give one conflict per pair of disagreeing sources while that is at most ``PAIRWISE_LIMIT``
pairs; beyond it (hundreds of articles repeating one figure) one conflict between the groups. Every
conflict lists each source on each side with its value and quote (``Conflict.sources``, the
``conflict_sources`` view); ``source_a``/``source_b`` are the first of each side.

Conflict ids hash what the conflict is (kind, exercise, topic, sources, values), so they are stable
across rebuilds of the same inputs and a reviewer's verdict finds its conflict again.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations, islice, pairwise, product

from pipeline.models import Advice, Dosage, Extraction, Mention, Resolution
from pipeline.positions import Position, positions_on, questions
from pipeline.vocab import AGAINST, AVOID, DOSE_ATTRIBUTES, FOR, FREQUENCY_ATTRIBUTES, PERIOD_DAYS, RECOMMEND

PAIRWISE_LIMIT = 25
# Beyond this many sources on one exercise and dose, only neighbouring clusters of agreeing ranges
# are compared (lowest against next, …), so thousands of slightly different figures give a handful
# of conflicts rather than every disjoint pair.
MANY_SOURCES = 12
NO_SIDE = " (no side given)"  # after a count that names no side, against one that is per side


@dataclass(frozen=True)
class Claim:
    """One source on one side of a conflict: what it says there, and the quote that shows it.

    ``cue_start``/``cue_end``: for a polarity conflict's avoid side, the ConText trigger inside the
    quote ("Avoid", "Exercises to Avoid"); ``None`` elsewhere. ``mention_id``: the mention a polarity
    side is about.
    """

    side: str  # vocab.CONFLICT_SIDES
    source_id: str
    value: str
    evidence: str
    char_start: int
    char_end: int
    cue_start: int | None = None
    cue_end: int | None = None
    mention_id: str | None = None


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
    question: str | None = None  # the typed advice question (positions.questions()), for advice conflicts
    mention_a: str | None = None  # for polarity: the mention source_a's quote is about
    mention_b: str | None = None
    sources: tuple[Claim, ...] = ()  # every source on each side, side a first


def _id(*parts: object) -> str:
    return "c-" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:10]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def describe(attribute: str, lo: float | None, hi: float | None, per_side: bool) -> str:
    """A dose as a reviewer reads it: "5–10 reps", "up to 10 s hold", "2–4 reps per side".

    >>> describe("reps", 2, 4, True), describe("per_day", 1, 1, False)
    ('2–4 reps per side', '1 time a day')
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
    unit = DOSE_ATTRIBUTES[attribute].conflict_unit
    if amount.split()[-1] == "1" and unit.startswith("times "):
        unit = "time " + unit.removeprefix("times ")
    return f"{amount} {unit}" + (" per side" if per_side else "")


def _conflict(kind: str, exercise: str | None, topic: str, side_a: Sequence[Claim], side_b: Sequence[Claim],
              key: Sequence[object] | None = None, question: str | None = None) -> Conflict:
    """One conflict between two sides (each sorted by source id); ``key`` hashes into its id."""
    a, b = side_a[0], side_b[0]
    cid = _id(kind, exercise, topic, *(key if key is not None else (a.source_id, b.source_id, a.value, b.value)))
    return Conflict(cid, exercise, topic, kind, a.source_id, b.source_id, a.value, b.value, a.evidence, b.evidence,
                    a.char_start, a.char_end, b.char_start, b.char_end,
                    tuple(c.source_id for c in side_a[1:]), tuple(c.source_id for c in side_b[1:]), question,
                    a.mention_id, b.mention_id,
                    (*(replace(c, side="a") for c in side_a), *(replace(c, side="b") for c in side_b)))


def _between(kind: str, exercise: str | None, topic: str, side_a: Sequence[Claim],
             side_b: Sequence[Claim], force_group: bool = False) -> list[Conflict]:
    """Conflicts between two groups of sources that disagree (each group sorted by source id): one per
    pair of sources, or one between the groups when there are too many pairs."""
    # at most one pair past the limit is made: thousands of agreeing sources must not cost their square
    pairs = list(islice(((a, b) for a, b in product(side_a, side_b) if a.source_id != b.source_id),
                        PAIRWISE_LIMIT + 1))
    if len(pairs) <= PAIRWISE_LIMIT and not force_group:
        return [_conflict(kind, exercise, topic, *((a,), (b,)) if a.source_id <= b.source_id else ((b,), (a,)))
                for a, b in pairs]
    if not pairs:
        return []
    a, b = pairs[0]
    group_a, group_b = [a, *(c for c in side_a if c is not a)], [b, *(c for c in side_b if c is not b)]
    return [_conflict(kind, exercise, topic, *(group_a, group_b) if a.source_id <= b.source_id else (group_b, group_a))]


# -- doses -----------------------------------------------------------------------------------------

def _hull(rows: Sequence[Dosage]) -> tuple[float, float]:
    lo = min(0.0 if d.min_value is None else d.min_value for d in rows)
    hi = max(math.inf if d.max_value is None else d.max_value for d in rows)
    return lo, hi


def _dose_claim(attribute: str, rows: Sequence[Dosage]) -> tuple[tuple[float, float], Claim]:
    lo, hi = _hull(rows)
    shown_lo = None if lo == 0 and all(d.min_value is None for d in rows) else lo
    value = describe(attribute, shown_lo, None if math.isinf(hi) else hi, any(d.per_side for d in rows))
    first = rows[0]
    return (lo, hi), Claim("a", first.source_id, value, first.evidence, first.char_start, first.char_end)


def _say_sides(c: Conflict) -> Conflict:
    """Where one side counts per side and the other names no side, the other's values say so."""
    sided = [claim.value.endswith(" per side") for claim in c.sources]
    if all(sided) or not any(sided):
        return c
    sources = tuple(claim if per_side else replace(claim, value=claim.value + NO_SIDE)
                    for claim, per_side in zip(c.sources, sided, strict=True))
    first_b = next(claim for claim in sources if claim.side == "b")
    return replace(c, sources=sources, value_a=sources[0].value, value_b=first_b.value)


def _dosage_conflicts(dosages: Iterable[Dosage], exercise_of: dict[str, str]) -> list[Conflict]:
    grouped: dict[tuple[str, str], dict[str, list[Dosage]]] = defaultdict(lambda: defaultdict(list))
    for d in dosages:
        grouped[(exercise_of[d.mention_id], d.attribute)][d.source_id].append(d)
    out = []
    for (exercise, attribute), by_source in sorted(grouped.items()):
        positions = _positions(attribute, by_source)
        if len(by_source) <= MANY_SOURCES:
            for (ra, ca), (rb, cb) in combinations(sorted(positions.items()), 2):
                if ra[1] < rb[0] or rb[1] < ra[0]:
                    out.extend(_between("numeric_disjoint", exercise, attribute, ca, cb))
        else:
            clusters = _overlapping(sorted(positions.items()))
            for ca, cb in pairwise(clusters):
                out.extend(_between("numeric_disjoint", exercise, attribute, ca, cb, force_group=True))
    return [_say_sides(c) for c in out + _restated_frequencies(grouped)]


def _positions(attribute: str, by_source: dict[str, list[Dosage]], scale: float = 1.0,
               restated_from: str | None = None) -> dict[tuple[float, float], list[Claim]]:
    """Each source's dose hull and claim, grouped by hull; ``scale`` restates a frequency given per
    ``restated_from`` in ``attribute``'s period, and its value says both ("1 times a day (= 7 times a week)")."""
    out: dict[tuple[float, float], list[Claim]] = defaultdict(list)
    for source in sorted(by_source):
        rows = by_source[source]
        scaled = [replace(d, attribute=attribute, min_value=None if d.min_value is None else d.min_value * scale,
                          max_value=None if d.max_value is None else d.max_value * scale) for d in rows]
        hull, claim = _dose_claim(attribute, scaled)
        if restated_from:
            claim = replace(claim, value=f"{_dose_claim(restated_from, rows)[1].value} (= {claim.value})")
        out[hull].append(claim)
    return out


def _restated_frequencies(grouped: dict[tuple[str, str], dict[str, list[Dosage]]]) -> list[Conflict]:
    """A source that gives a frequency only per day against sources that give it per week: compared in
    the longer period, so "daily" disagrees with "2–3 times a week" (the conflict's topic is ``per_week``)."""
    def days(attribute: str) -> int:
        return PERIOD_DAYS[DOSE_ATTRIBUTES[attribute].period or "day"]

    longest = max(FREQUENCY_ATTRIBUTES, key=days)
    out = []
    for (exercise, attribute), by_source in sorted(grouped.items()):
        natives = grouped.get((exercise, longest)) if attribute in FREQUENCY_ATTRIBUTES else None
        if not natives or attribute == longest:
            continue
        others = {s: rows for s, rows in by_source.items() if s not in natives}
        restated = _positions(longest, others, days(longest) / days(attribute), attribute)
        for (ra, ca), (rb, cb) in product(sorted(restated.items()), sorted(_positions(longest, natives).items())):
            if ra[1] < rb[0] or rb[1] < ra[0]:
                out.extend(_between("numeric_disjoint", exercise, longest, ca, cb))
    return out


def _overlapping(positions: Sequence[tuple[tuple[float, float], list[Claim]]]) -> list[list[Claim]]:
    """Positions sorted by range, merged where ranges overlap: the distinct answers on a number line."""
    clusters: list[list[Claim]] = []
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

def _polarity_claim(m: Mention, value: str) -> Claim:
    """A mention's claim: the sentence or heading that decided its polarity (its name when none is
    recorded), with the ConText trigger that made it avoid."""
    if m.polarity_evidence is None or m.polarity_char_start is None or m.polarity_char_end is None:
        return Claim("a", m.source_id, value, m.surface, m.char_start, m.char_end, mention_id=m.mention_id)
    return Claim("a", m.source_id, value, m.polarity_evidence, m.polarity_char_start, m.polarity_char_end,
                 m.cue_char_start, m.cue_char_end, m.mention_id)


def _polarity_conflicts(mentions: Iterable[Mention], exercise_of: dict[str, str],
                        related: dict[str, set[str]], names: dict[str, str]) -> list[Conflict]:
    by_key: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        by_key[(exercise_of[m.mention_id], m.source_id)].append(m)
    avoided: dict[str, list[Claim]] = defaultdict(list)
    recommended: dict[str, list[Claim]] = defaultdict(list)
    for (exercise, _source), ms in sorted(by_key.items()):
        avoid = next((m for m in ms if m.polarity == AVOID), None)
        verb = AVOID if avoid else RECOMMEND
        claim = _polarity_claim(avoid or ms[0], f"{verb} {names[exercise]}")
        (avoided if avoid else recommended)[exercise].append(claim)
    out = []
    for exercise, side_a in sorted(avoided.items()):
        for other in sorted({exercise} | related.get(exercise, set())):
            if recommended.get(other):
                out.extend(_between("polarity", exercise, "polarity", side_a, recommended[other]))
    return out


# -- advice ----------------------------------------------------------------------------------------

def _position_claim(p: Position) -> Claim:
    return Claim("a", p.source_id, p.value, p.evidence, p.char_start, p.char_end)


def _advice_conflicts(advice: Sequence[Advice]) -> list[Conflict]:
    """One conflict per typed question on which some sources are for (or bounded) and others against.

    A source that is mixed, conditional or unstated on the question is on neither side: "cease
    intense activity" with "short walks help" is not against "keep moving".
    """
    out = []
    for q in questions():
        if not q.conflicts:
            continue
        held = positions_on(q, advice)
        side_a = [_position_claim(p) for p in held if p.side == "a"]
        side_b = [_position_claim(p) for p in held if p.side == "b"]
        if side_a and side_b:
            c = _conflict("advice", None, q.label, side_a, side_b, question=q.name,
                          key=(q.name, *(c.source_id for c in side_a), "|", *(c.source_id for c in side_b)))
            out.append(replace(c, value_a=q.labels[FOR], value_b=q.labels[AGAINST]))
    return out


def find_conflicts(extraction: Extraction, resolution: Resolution) -> tuple[Conflict, ...]:
    """Every disagreement between sources, in a stable order (see the module doc)."""
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
