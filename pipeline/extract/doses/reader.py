"""Classify the quantity phrases of one sentence with the cues around them.

A number of seconds is a dose only when something says what it measures: a hold cue makes it
``hold_s``, a repeat cue ``total_s``; without one it is more often the length of a pain or a walk,
so it is dropped. That trades recall for precision on purpose: a wrong dose creates a false
conflict for a reviewer. Words right around a phrase are read by lookups, not patterns: modifiers
("up to", "about", "or longer") and periods ("a day").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from pipeline.extract.doses.numbers import read_values, split_sets_by_reps
from pipeline.extract.doses.patterns import (
    COUNT,
    COUNT_TO,
    COUNTING,
    DAYS,
    DURATION,
    FREQUENCY,
    REPEAT_WORD,
    SCHEME,
    SETS,
    SPLIT_DAY,
    Rules,
)
from pipeline.extract.doses.sentence import Context, Cue, Found, Unit, phrase_after, phrase_before
from pipeline.extract.doses.settings import Settings

# Cue kinds (keys of "cues" in the lexicon).
HOLD, REPEAT, DO, START, PROGRESSION, REST, NON_DOSAGE = (
    "hold", "repeat", "do", "start", "progression", "rest", "non_dosage")
_DECIDERS = frozenset({HOLD, REPEAT, REST})
_PHASES = frozenset({START, PROGRESSION})
_ACTIONS = frozenset({REPEAT, DO, START, PROGRESSION})


@dataclass(frozen=True)
class _Reading:
    """One quantity phrase as read so far: its kind, values and the bounds of its evidence."""

    kind: str
    span: Span
    lo: float | None
    hi: float | None
    approx: bool
    factor: float  # the unit's factor to seconds, which a later bare target inherits
    start: int  # evidence start, widened over modifiers ("at least")
    end: int  # evidence end, widened over a suffix ("or longer")
    governed: bool  # a progression head before it ("work up to 30")


class SentenceReader:
    """Classifies the quantities of one context; keeps what a later bare target inherits."""

    def __init__(self, doc: Doc, rules: Rules, settings: Settings, ctx: Context, governed: dict[int, int],
                 inherited: Unit | None) -> None:
        self.doc, self.lex, self.settings, self.ctx, self.governed = doc, rules.lex, settings, ctx, governed
        self.last = inherited  # what the last rep count or hold measured, for a bare target

    # --- context helpers

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Token range of the clause around ``[start, end)``: up to punctuation or a line break."""
        doc = self.doc
        lo = start
        while lo > self.ctx.start and not self._breaks(doc[lo - 1]):
            lo -= 1
        hi = end
        while hi < self.ctx.end and not self._breaks(doc[hi]):
            hi += 1
        return lo, hi

    def _breaks(self, tok: Token) -> bool:
        return tok.text in self.lex.cues.clause_breaks or (tok.is_space and "\n" in tok.text)

    def evidence_start(self, cue: Cue | None, start: int) -> int:
        """Widen the evidence to a cue when it is in the same clause and close."""
        if cue is None or start - cue.end > self.settings.max_cue_gap:
            return start
        if any(self._breaks(t) for t in self.doc[cue.end : start]):
            return start
        return min(cue.start, start)

    def action_cue(self, start: int) -> Cue | None:
        """The first action cue of the clause close before ``start``: the verb of "Repeat this
        cat stretch movement 3 to 5 times", not the noun "stretch" nearer the number. "and" and
        "then" end the search, so "hold …, and do 3 sets" quotes "do 3 sets"."""
        soft = self.lex.cues.soft_breaks
        for cue in self.ctx.cues:
            if cue.end > start:
                break
            if (cue.kind in _ACTIONS and start - cue.end <= self.settings.max_cue_gap
                    and not any(self._breaks(t) or t.lower_ in soft for t in self.doc[cue.end : start])):
                return cue
        return None

    def is_target(self, start: int, later: Sequence[int]) -> bool:
        """A hold or rep count is a target when a progression cue governs it ("eventually …",
        "work up to …") and a start cue does not ("start with five repetitions …")."""
        cue = self.ctx.before(start, _PHASES)
        if cue is not None:
            return cue.kind == PROGRESSION
        progressions = [c for c in self.ctx.cues if c.kind == PROGRESSION]
        if not progressions:
            return False
        # "Hold for 10 seconds and gradually increase to 30": the first value is where one starts.
        return not any(s >= c.end for c in progressions if c.start >= start for s in later)

    def non_dosage(self, start: int, end: int) -> bool:
        """A non-dosage word in the same clause: "pain that lasts more than 15 minutes"."""
        lo, hi = self.clause(start, end)
        return any(c.kind == NON_DOSAGE and c.start >= lo and c.end <= hi for c in self.ctx.cues)

    # --- one quantity

    def read(self, span: Span, later: Sequence[int]) -> list[Found]:
        """The doses one matched quantity phrase states (none, one, or sets and reps)."""
        doc, lex = self.doc, self.lex
        kind, start, end = span.label_, span.start, span.end
        if self.non_dosage(start, end):
            return []
        period: str | None = None
        if kind in (COUNT, FREQUENCY, DAYS):
            period_end, period = self._period_after(end)
            if period is not None and (kind == FREQUENCY or (kind == COUNT and self._says_times(span))):
                kind, end = FREQUENCY, period_end  # "3 times daily"; "5 repetitions a day" stays reps
            elif kind == DAYS:
                if period != "per_week":
                    return []
                kind, end = FREQUENCY, period_end
            elif kind == FREQUENCY:
                if len(span) > 1 or span[0].lower_ not in lex.numbers.repeat:
                    return []  # "once the pain lessens"
                kind = REPEAT_WORD
        governed = start in self.governed
        mod_start, bound, approx = self._modifiers(start, governed)
        suffix_end = phrase_after(doc, end, self.ctx.end, lex.modifiers.approx_after)
        approx = approx or suffix_end > end
        values, factor, unit_approx = read_values(span, lex)
        if kind == SETS:
            return self._sets(span, mod_start, suffix_end)
        if kind == SCHEME:
            return self._scheme(span, mod_start, suffix_end, later)
        if kind == SPLIT_DAY:
            values = [float(sum(t.lower_ in lex.constructions.split_markers for t in span))]
        if kind == COUNTING:  # "hold, one, two, three": a count of three, said while holding
            if values != [float(k) for k in range(1, len(values) + 1)] or not self.ctx.has(HOLD):
                return []
            values = values[-1:]
        if not values:
            return []
        lo, hi = min(values), max(values)
        if bound and len(values) == 1:  # "at least 15 to 30 seconds" keeps its range
            lo, hi = (None, hi) if bound == "upper" else (lo, None)
        reading = _Reading(kind, span, lo, hi, approx or unit_approx, factor, mod_start, suffix_end, governed)
        if kind in (DURATION, COUNT_TO, COUNTING):
            return self._duration(reading, later)
        if kind in (COUNT, REPEAT_WORD):
            counted = self._count(reading, later)
            return counted + (self._daily_after(counted[0].start, end) if kind == COUNT and counted else [])
        cue = self.action_cue(mod_start)
        attribute = period or "per_day"  # SPLIT_DAY names the times of one day
        return [Found(attribute, lo, hi, self.evidence_start(cue, mod_start), suffix_end, reading.approx)]

    def _modifiers(self, start: int, governed: bool) -> tuple[int, str | None, bool]:
        """Words right before the quantity: "up to", "at least", "about" (two may stack)."""
        mods, lo = self.lex.modifiers, self.ctx.start
        bound, approx = None, False
        for _ in range(2):
            s = phrase_before(self.doc, start, lo, mods.approx_before)
            if s < start:
                approx, start = True, s
                continue
            s = phrase_before(self.doc, start, lo, mods.upper)
            if s < start and not governed:  # "work up to 30" is a target, not a ceiling
                bound, start = "upper", s
                continue
            s = phrase_before(self.doc, start, lo, mods.lower)
            if s < start:
                bound, start = "lower", s
                continue
            break
        return start, bound, approx

    def _duration(self, r: _Reading, later: Sequence[int]) -> list[Found]:
        doc, interval = self.doc, self.lex.vetoes.interval
        if max(v for v in (r.lo, r.hi) if v is not None) > self.settings.max_duration_s:
            return []
        if r.kind == DURATION:
            if self._period_after(r.span.end)[1] is not None:
                return []  # "150 minutes a week": an amount of activity, not a hold
            window = doc[max(self.ctx.start, r.start - self.settings.interval_window) : r.start]
            if any(t.lower_ in interval for t in window) or (r.end < self.ctx.end and doc[r.end].lower_ in interval):
                return []  # "every 50 minutes", "15 minutes every 2 hours": a timer
        else:
            r = replace(r, approx=True)  # "count to 10" is seconds only roughly
        decider = self.ctx.before(r.start, _DECIDERS)
        start = r.start
        if r.governed:
            attribute, cue = "hold_target_s", None
            start = min(start, self.governed[r.span.start])
        elif decider is not None and decider.kind == REST:
            return []
        elif decider is not None and decider.kind == REPEAT and r.kind == DURATION:
            attribute, cue = "total_s", decider
        elif decider is not None or self.ctx.has(HOLD) or r.kind == COUNT_TO:
            target = self.is_target(r.span.start, later)
            attribute, cue = ("hold_target_s" if target else "hold_s"), decider
        elif (cue := self._time_spent(r)) is not None:
            attribute = "total_s"  # "do this for 1 to 2 minutes": a dynamic exercise, not a hold
        else:
            return []  # no cue says what this duration measures
        if attribute != "total_s":
            self.last = ("hold", r.factor)
        return [Found(attribute, r.lo, r.hi, self.evidence_start(cue, start), r.end, r.approx)]

    def _count(self, r: _Reading, later: Sequence[int]) -> list[Found]:
        span, start = r.span, r.start
        multiplier = r.kind == REPEAT_WORD or self._says_times(span)
        if multiplier and span.end < self.ctx.end and self.doc[span.end].lower_ in self.lex.vetoes.multipliers:
            return []  # "two times more likely", "twice as long"
        cue = self.action_cue(start)
        if r.kind == REPEAT_WORD and cue is None:
            return []  # a lone "twice" counts only right after "repeat" or "do"
        target = r.governed or self.is_target(span.start, later)
        if r.governed:
            start = min(start, self.governed[span.start])
        self.last = ("reps", 1.0)
        return [Found("reps_target" if target else "reps", r.lo, r.hi, self.evidence_start(cue, start), r.end,
                      r.approx)]

    def _time_spent(self, r: _Reading) -> Cue | None:
        """The verb of "do this for 2 minutes": a do-verb before a duration of at least
        ``total_min_s`` (shorter ones are as often a static hold, so they stay unread)."""
        cue = self.action_cue(r.start)
        if cue is None or self.doc[cue.start].lower_ not in self.lex.constructions.total_verbs:
            return None
        return cue if max(v for v in (r.lo, r.hi) if v is not None) >= self.settings.total_min_s else None

    def _sets(self, span: Span, start: int, end: int) -> list[Found]:
        """ "3 sets of 10" and "3 x 10" are two facts: sets, quoted up to "sets", and reps, quoted
        by the whole phrase (two doses never share one quote, so their span extensions stay apart).
        Before a time unit the second number is a hold: "2 sets of 30 seconds", "3 x 20 seconds"
        (three holds)."""
        doc, lex = self.doc, self.lex
        marks = lex.units.session_marks
        split = next((t.i for t in span if t.lower_ == "of" or t.lower_ in marks), span.end)
        glued = split_sets_by_reps(span[0].lower_, lex)
        if glued is not None:  # "3x10": sets quote the token alone, reps the phrase
            sets, reps = glued
            split = span.start + 1
        else:
            sets, _, _ = read_values(doc[span.start : split], lex)
            reps, _, _ = read_values(doc[split : span.end], lex)
        start = self.evidence_start(self.action_cue(start), start)
        sets_start = span.start if glued is not None else start
        unit = doc[span.end].lower_ if span.end < self.ctx.end else ""
        if unit in lex.vetoes.units:
            return []  # "a 3 x 4 metre room"
        if reps and unit in lex.units.durations:
            hold = [Found("hold_s", min(reps) * lex.units.durations[unit], max(reps) * lex.units.durations[unit],
                          start, span.end + 1)]
            self.last = ("hold", lex.units.durations[unit])
            if doc[split].lower_ in marks:
                return [Found("reps", min(sets), max(sets), start, split), *hold]
            return [Found("sets", min(sets), max(sets), start, split), *hold]
        found = [Found("sets", min(sets), max(sets), sets_start, split if reps else end)] if sets else []
        if reps:
            found.append(Found("reps", min(reps), max(reps), start, end))
            self.last = ("reps", 1.0)
        return found

    def _scheme(self, span: Span, start: int, end: int, later: Sequence[int]) -> list[Found]:
        """ "6-4-2 repetitions": three sets of 6, 4 and 2, so sets 3 and reps 2 to 6; as a target
        ("progress to 10-8-6 pyramid") only the reps are the aim."""
        values, _, _ = read_values(span, self.lex)
        start = self.evidence_start(self.action_cue(start), start)
        self.last = ("reps", 1.0)
        if span.start in self.governed or self.is_target(span.start, later):
            return [Found("reps_target", min(values), max(values), start, end)]
        return [Found("sets", float(len(values)), float(len(values)), start, span.end - 1),
                Found("reps", min(values), max(values), start, end)]

    def _daily_after(self, start: int, i: int) -> list[Found]:
        """A daily schedule a few words after a rep count (whose evidence starts at ``start`` and
        whose phrase ends at ``i``): "five repetitions of this stretch each day" is also once a day,
        quoted with its count ("5 repetitions a day" is a rate, and stays a count alone)."""
        doc, lex = self.doc, self.lex
        stop = min(i + self.settings.period_gap, self.ctx.end)
        for j in range(i, stop + 1):
            end = phrase_after(doc, j, self.ctx.end, lex.units.daily)
            if end > j:
                return [Found("per_day", 1.0, 1.0, start, end)]
            if j == stop or not doc[j].is_alpha or doc[j].lower_ in lex.numbers.values:
                break
        return []

    def _period_after(self, i: int) -> tuple[int, str | None]:
        """End and attribute of a period right after token ``i``: "a day", "-daily", "per week"."""
        doc, lex = self.doc, self.lex
        j = i + 1 if i < self.ctx.end and doc[i].lower_ in lex.numbers.hyphens else i
        for phrase, attribute in lex.units.periods:
            e = j + len(phrase)
            if e <= self.ctx.end and all(doc[j + k].lower_ == w for k, w in enumerate(phrase)):
                return e, attribute
        return i, None

    def _says_times(self, span: Span) -> bool:
        """ "3 times", "3x" count sessions when a period follows; "5 repetitions" never do."""
        units, last = self.lex.units, span[-1].lower_
        glued = units.glued_re.match(last)
        return last in units.times or (glued is not None and glued["unit"] in units.glued["times"])

    def read_target(self, num: int, head: int) -> list[Found]:
        """A bare number after "work up to": the unit of the quantity before it in the sentence
        (or in the sentence just before). Only a number that ends its phrase counts: "work up to 30
        over time", "work up to 30." but not "work up to 3 sessions" or "work up to 6 inches"."""
        doc, lex = self.doc, self.lex
        if self.last is None or self.non_dosage(num, num + 1):
            return []
        if num + 1 < self.ctx.end:
            after = doc[num + 1]
            if after.lower_ in lex.numbers.hyphens:
                return []  # "progress to 6-4-2": a chain, not a bare target
            if after.lower_ in lex.vetoes.units or (
                    after.is_alpha and after.lower_ not in lex.constructions.target_followers):
                return []
        values, _, _ = read_values(doc[num : num + 1], lex)
        if not values:
            return []
        kind, factor = self.last
        attribute = "reps_target" if kind == "reps" else "hold_target_s"
        return [Found(attribute, min(values) * factor, max(values) * factor, head, num + 1)]

    def side_end(self, end_char: int) -> int | None:
        """End of a per-side phrase that follows the quantity closely ("… 4 times for each leg")."""
        assert self.ctx.sides is not None
        text, offset = self.ctx.text, self.ctx.offset
        for s, e in self.ctx.sides:
            if s >= end_char and re.fullmatch(r"\s*(?:\w+\s+)?", text[end_char - offset : s - offset]):
                return e
        return None
