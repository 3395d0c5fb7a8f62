"""Stage 4: where sources disagree, for a reviewer.

- ``numeric_disjoint``: for one exercise and one dosage attribute, two sources give ranges that do
  not overlap (5–10 reps against 2–4 reps per leg). Values that agree (20 s inside 15–30 s) are not
  conflicts. A per-side count against a total is shown as it is, with its scope in the value, not
  reconciled away.
- ``polarity``: one source says to avoid an exercise that another recommends, the same exercise or
  one the lexicon relates to it (a standing toe touch against a forward bend).
- ``advice``: non-exercise advice that disagrees (rest for days against keep moving), as decided by
  the advice table in ``resources/advice.json``.

Conflict ids hash what the conflict is (kind, exercise, topic, sources, values), so they are stable
across rebuilds of the same inputs and a reviewer's verdict finds its conflict again.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from pipeline.extract.advice import advice_conflict
from pipeline.models import Advice, Dosage, Extraction, Mention, Resolution

UNITS = {
    "hold_s": "s hold", "hold_target_s": "s hold (target)", "total_s": "s in all", "reps": "reps",
    "reps_target": "reps (target)", "sets": "sets", "per_day": "times a day", "per_week": "times a week",
}


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
    return f"{amount} {UNITS[attribute]}" + (" per side" if per_side else "")


@dataclass(frozen=True)
class _Range:
    lo: float
    hi: float
    rows: tuple[Dosage, ...]

    @property
    def per_side(self) -> bool:
        return any(d.per_side for d in self.rows)

    def text(self, attribute: str) -> str:
        lo = None if self.lo == 0 and all(d.min_value is None for d in self.rows) else self.lo
        hi = None if math.isinf(self.hi) else self.hi
        return describe(attribute, lo, hi, self.per_side)


def _hull(rows: Sequence[Dosage]) -> _Range:
    lo = min(0.0 if d.min_value is None else d.min_value for d in rows)
    hi = max(math.inf if d.max_value is None else d.max_value for d in rows)
    return _Range(lo, hi, tuple(rows))


def _dosage_conflicts(dosages: Iterable[Dosage], exercise_of: dict[str, str]) -> list[Conflict]:
    grouped: dict[tuple[str, str], dict[str, list[Dosage]]] = defaultdict(lambda: defaultdict(list))
    for d in dosages:
        grouped[(exercise_of[d.mention_id], d.attribute)][d.source_id].append(d)
    out = []
    for (exercise, attribute), by_source in sorted(grouped.items()):
        for sa, sb in combinations(sorted(by_source), 2):
            a, b = _hull(by_source[sa]), _hull(by_source[sb])
            if a.hi < b.lo or b.hi < a.lo:
                va, vb = a.text(attribute), b.text(attribute)
                ea, eb = a.rows[0], b.rows[0]
                out.append(Conflict(_id("numeric_disjoint", exercise, attribute, sa, sb, va, vb), exercise, attribute,
                                    "numeric_disjoint", sa, sb, va, vb, ea.evidence, eb.evidence,
                                    ea.char_start, ea.char_end, eb.char_start, eb.char_end))
    return out


def _polarity_conflicts(mentions: Iterable[Mention], exercise_of: dict[str, str],
                        related: dict[str, set[str]], names: dict[str, str]) -> list[Conflict]:
    by_key: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        by_key[(exercise_of[m.mention_id], m.source_id)].append(m)
    stance = {k: ("avoid" if any(m.polarity == "avoid" for m in ms) else "recommend") for k, ms in by_key.items()}
    out = []
    for (exercise, source), s in sorted(stance.items()):
        if s != "avoid":
            continue
        for other in sorted({exercise} | related.get(exercise, set())):
            for (ex_b, source_b), s_b in sorted(stance.items()):
                if ex_b != other or source_b == source or s_b != "recommend":
                    continue
                ma = next(m for m in by_key[(exercise, source)] if m.polarity == "avoid")
                mb = by_key[(ex_b, source_b)][0]
                va, vb = f"avoid {names[exercise]}", f"recommend {names[ex_b]}"
                out.append(Conflict(_id("polarity", exercise, source, source_b, va, vb), exercise, "polarity",
                                    "polarity", source, source_b, va, vb, ma.surface, mb.surface,
                                    ma.char_start, ma.char_end, mb.char_start, mb.char_end))
    return out


def _advice_conflicts(advice: Sequence[Advice]) -> list[Conflict]:
    """One conflict per disagreeing (label, pair of sources), on the first quotes that show it.

    Two stances on the same topic only conflict when neither source holds the other's stance too:
    a source that says "cease intense activity" and "short walks help" is not against "keep moving".
    """
    held: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for a in advice:
        held[a.source_id].add((a.topic, a.stance))
    seen: dict[tuple[str, str, str], Conflict] = {}
    for a, b in combinations(sorted(advice, key=lambda x: (x.source_id, x.char_start)), 2):
        if a.source_id == b.source_id:
            continue
        ta, tb = (a.topic, a.stance), (b.topic, b.stance)
        label = advice_conflict(ta, tb)
        if not label or (a.topic == b.topic and (tb in held[a.source_id] or ta in held[b.source_id])):
            continue
        key = (label, a.source_id, b.source_id)
        if key in seen:
            continue
        va, vb = f"{a.topic}: {a.stance}", f"{b.topic}: {b.stance}"
        seen[key] = Conflict(_id("advice", label, a.source_id, b.source_id), None, label, "advice",
                             a.source_id, b.source_id, va, vb, a.evidence, b.evidence,
                             a.char_start, a.char_end, b.char_start, b.char_end)
    return list(seen.values())


def find_conflicts(extraction: Extraction, resolution: Resolution) -> tuple[Conflict, ...]:
    """Every disagreement between two sources, in a stable order."""
    exercise_of = {link.mention_id: link.exercise_id for link in resolution.links}
    names = {e.exercise_id: e.name for e in resolution.exercises}
    related: dict[str, set[str]] = defaultdict(set)
    for r in resolution.relations:
        related[r.exercise_a].add(r.exercise_b)
        related[r.exercise_b].add(r.exercise_a)
    found = (_dosage_conflicts(extraction.dosages, exercise_of)
             + _polarity_conflicts(extraction.mentions, exercise_of, related, names)
             + _advice_conflicts(extraction.advice))
    return tuple(sorted(found, key=lambda c: (c.kind, c.exercise_id or "", c.topic, c.source_a, c.source_b)))
