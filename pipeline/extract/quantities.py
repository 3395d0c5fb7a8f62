"""Find dosage quantities in an article: "hold for 15 to 30 seconds", "repeat 8 to 12 times", "twice a day".

Rules rather than a model: the articles phrase dosages in a handful of stock ways, and a rule that
misfires can be read and fixed. Per sentence that holds a number:

1. ``Matcher`` patterns (the ``pattern_*`` functions) find quantity phrases, a number expression
   with its unit ("three to five seconds", "3 sets of 10", "twice"), and the bare numbers a cue
   makes into a quantity ("count to 10", "work up to 30"). What sits right around a phrase is read
   by lookups, not patterns: modifiers ("up to", "about", "or longer") and periods ("a day").
2. A ``PhraseMatcher`` finds cue words: hold, repeat, rest, start, progression, non-dosage.
3. Each quantity is classified with the cues of its sentence. A number of seconds is a dosage only
   when something says what it measures (a hold cue makes it ``hold_s``, a repeat cue ``total_s``);
   without one it is more often the length of a pain or a walk, so it is dropped. That choice
   trades recall for precision on purpose: a wrong dosage creates a false conflict for a reviewer.

Only token text is read (``LOWER``, ``ORTH``, ``PREFIX`` and regexes on them), so the rules give the
same answer on ``spacy.blank("en")`` and on the trained pipeline. Every word comes from
``resources/quantities.json``; this module holds only grammar and decisions. Matchers are built once
per vocab, and sentences without a digit or number word are skipped with array operations, so the
cost grows with the number of quantities, not with the length of the prose.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import product
from typing import Any

import numpy as np
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from pipeline import lexicons
from pipeline.models import Quantity

TokenSpec = dict[str, Any]
Pattern = list[TokenSpec]
# One position of a pattern: a single token, or alternative token sequences ([] = optional).
Slot = TokenSpec | list[list[TokenSpec]]

# Quantity kinds (labels of the quantity matcher).
DURATION = "DURATION"
COUNT = "COUNT"
REPEAT_WORD = "REPEAT_WORD"  # a FREQUENCY word with no period after it: "repeat twice"
SETS = "SETS"
FREQUENCY = "FREQUENCY"
DAYS = "DAYS"  # only a dosage with a weekly period after it: "2 days a week"
SPLIT_DAY = "SPLIT_DAY"
COUNT_TO = "COUNT_TO"
TARGET = "TARGET"

# Cue kinds (keys of "cues" in the lexicon).
HOLD, REPEAT, DO, START, PROGRESSION, REST, NON_DOSAGE = (
    "hold", "repeat", "do", "start", "progression", "rest", "non_dosage")

# "On each leg" qualifies what is done to a leg; a session count ("twice a day") is for the routine.
SIDED_ATTRIBUTES = frozenset({"hold_s", "reps", "sets", "total_s", "hold_target_s", "reps_target"})
# A cue further than this from its quantity is context, not part of the quoted evidence.
MAX_CUE_GAP = 8
# "every single 50 minutes": an interval word this close before a duration makes it a timer.
INTERVAL_WINDOW = 3
_DIGITS = r"\d{1,4}(?:\.\d+)?"
_NUMBER_TEXT = rf"{_DIGITS}(?:[-–—]{_DIGITS})?"


# --------------------------------------------------------------------------------------- lexicon


def _phrases(items: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """Phrases as word tuples, longest first, so the longest modifier wins ("or perhaps longer")."""
    return tuple(sorted((tuple(p.split()) for p in items), key=len, reverse=True))


@dataclass(frozen=True)
class Lexicon:
    """``resources/quantities.json`` in the shapes the rules use."""

    numbers: dict[str, float]
    frequency_words: tuple[str, ...]
    tens: frozenset[str]
    repeat_words: tuple[str, ...]
    articles: frozenset[str]
    article_units: tuple[str, ...]
    half: frozenset[str]
    separators: tuple[str, ...]
    hyphens: tuple[str, ...]
    durations: dict[str, float]
    approx_units: frozenset[str]
    counts: tuple[str, ...]
    times: tuple[str, ...]
    sets: tuple[str, ...]
    days: tuple[str, ...]
    glued: dict[str, tuple[str, ...]]
    periods: tuple[tuple[tuple[str, ...], str], ...]  # longest first
    split_markers: tuple[str, ...]
    times_of_day: tuple[str, ...]
    split_preps: tuple[str, ...]
    count_heads: tuple[str, ...]
    count_links: tuple[str, ...]
    upper: tuple[tuple[str, ...], ...]
    lower: tuple[tuple[str, ...], ...]
    approx_before: tuple[tuple[str, ...], ...]
    approx_after: tuple[tuple[str, ...], ...]
    cues: dict[str, tuple[str, ...]]
    target_heads: tuple[str, ...]
    gap_stops: tuple[str, ...]
    target_followers: frozenset[str]
    max_gap: int
    interval: frozenset[str]
    multipliers: frozenset[str]
    non_dosage_units: frozenset[str]
    clause_breaks: frozenset[str]
    soft_breaks: frozenset[str]
    side_slots: dict[str, tuple[str, ...]]
    side_templates: tuple[str, ...]
    number_re: str = field(init=False)
    glued_re: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        words = "|".join(re.escape(w) for w in sorted(self.numbers, key=len, reverse=True))
        object.__setattr__(self, "number_re", rf"^(?:{_NUMBER_TEXT}|{words})$")
        suffixes = "|".join(sorted((s for group in self.glued.values() for s in group), key=len, reverse=True))
        object.__setattr__(self, "glued_re", re.compile(rf"^(?P<num>{_NUMBER_TEXT})(?P<unit>{suffixes})$"))

    def glued_regex(self, kind: str) -> str:
        """Token regex for a number with a unit written onto it: "20secs", "10reps", "3x"."""
        return rf"^{_NUMBER_TEXT}(?:{'|'.join(self.glued[kind])})$"


@cache
def lexicon() -> Lexicon:
    """The quantities lexicon, read once per process."""
    data = lexicons.load("quantities")
    units, mods, split = data["units"], data["modifiers"], data["split_day"]
    numbers = {**data["number_words"], **data["frequency_words"]}
    return Lexicon(
        numbers={w: float(v) for w, v in numbers.items()},
        frequency_words=tuple(data["frequency_words"]),
        tens=frozenset(data["tens_words"]),
        repeat_words=tuple(data["repeat_count_words"]),
        articles=frozenset(data["articles"]),
        article_units=tuple(data["article_units"]),
        half=frozenset(data["half_words"]),
        separators=tuple(data["range_separators"]),
        hyphens=tuple(data["hyphens"]),
        durations={**{u: float(f) for u, f in units["duration"].items()},
                   **{u: float(f) for u, f in units["approx_duration"].items()}},
        approx_units=frozenset(units["approx_duration"]),
        counts=tuple(units["count"]),
        times=tuple(units["times"]),
        sets=tuple(units["sets"]),
        days=tuple(units["days"]),
        glued={k: tuple(v) for k, v in data["glued_suffixes"].items()},
        periods=tuple(sorted(((tuple(p.split()), attr) for attr, items in data["periods"].items() for p in items),
                             key=lambda pa: len(pa[0]), reverse=True)),
        split_markers=tuple(split["markers"]),
        times_of_day=tuple(split["times_of_day"]),
        split_preps=tuple(split["prepositions"]),
        count_heads=tuple(data["count_to"]["heads"]),
        count_links=tuple(data["count_to"]["links"]),
        upper=_phrases(mods["upper"]),
        lower=_phrases(mods["lower"]),
        approx_before=_phrases(mods["approx_before"]),
        approx_after=_phrases(mods["approx_after"]),
        cues={k: tuple(v) for k, v in data["cues"].items()},
        target_heads=tuple(data["progression_targets"]["heads"]),
        gap_stops=tuple(data["progression_targets"]["gap_stops"]),
        target_followers=frozenset(data["progression_targets"]["followers"]),
        max_gap=int(data["progression_targets"]["max_gap"]),
        interval=frozenset(data["interval_words"]),
        multipliers=frozenset(data["multiplier_followers"]),
        non_dosage_units=frozenset(data["non_dosage_units"]),
        clause_breaks=frozenset(data["clause_breaks"]),
        soft_breaks=frozenset(data["soft_clause_breaks"]),
        side_slots={k: tuple(v) for k, v in data["side_cues"]["slots"].items()},
        side_templates=tuple(data["side_cues"]["templates"]),
    )


# -------------------------------------------------------------------------------------- patterns


def _expand(*slots: Slot) -> list[Pattern]:
    """Every token sequence a row of slots allows (a slot of alternatives multiplies the patterns)."""
    options = [[[s]] if isinstance(s, dict) else s for s in slots]
    return [[tok for part in combo for tok in part] for combo in product(*options)]


def _words(words: Iterable[str]) -> TokenSpec:
    return {"LOWER": {"IN": list(words)}}


def _word(word: str) -> TokenSpec:
    return {"LOWER": word}


def _optional(spec: TokenSpec) -> list[list[TokenSpec]]:
    return [[], [spec]]


def _num(lex: Lexicon) -> TokenSpec:
    return {"LOWER": {"REGEX": lex.number_re}}


def _ranges(lex: Lexicon, unit: Slot) -> list[Pattern]:
    """A number or a range of numbers before ``unit``: "10 reps", "8 to 12 reps", "8-12 reps"."""
    num = _num(lex)
    return [*_expand(num, unit), *_expand(num, _words(lex.separators), num, unit),
            *_expand(_word("between"), num, _word("and"), num, unit)]


def pattern_durations(lex: Lexicon) -> list[Pattern]:
    """A number or range with a time unit.

    "20 seconds", "15 to 30 seconds", "30 - 45 seconds", "three to five seconds", "15–30 secs",
    "a 30-second hold", "1.5 minutes", "20secs", "20-30secs", "30 seconds to 1 minute",
    "between 20 and 30 seconds", "for a 5-count".
    """
    num, unit = _num(lex), _words(lex.durations)
    glued = {"LOWER": {"REGEX": lex.glued_regex("duration")}}
    return [
        *_ranges(lex, unit),
        *_expand(num, _words(lex.hyphens), unit),
        *_expand(num, unit, _words(lex.separators), num, unit),
        [glued],
        [num, _words(lex.separators), glued],
    ]


def pattern_fractional_durations(lex: Lexicon) -> list[Pattern]:
    """Halves and the article as one: "one and a half minutes", "1 and a half minutes", "a minute",
    "a minute and a half", "half a minute", "2 minutes and a half"."""
    num, unit = _num(lex), _words(lex.durations)
    article, article_unit, half = _words(lex.articles), _words(lex.article_units), _words(lex.half)
    and_a_half = [_word("and"), article, half]
    return [
        [num, *and_a_half, unit],
        [article, article_unit],
        [article, article_unit, *and_a_half],
        [half, article, article_unit],
        [num, unit, *and_a_half],
    ]


def pattern_counts(lex: Lexicon) -> list[Pattern]:
    """A number or range of repetitions: "10 reps", "8 to 12 times", "five repetitions",
    "2 or 3 times", "10x", "8-12reps", "between 8 and 12 reps"."""
    glued = {"LOWER": {"REGEX": lex.glued_regex("count") + "|" + lex.glued_regex("times")}}
    return [*_ranges(lex, _words(lex.counts)), [glued], [_num(lex), _words(lex.separators), glued]]


def pattern_sets(lex: Lexicon) -> list[Pattern]:
    """Sets, with the reps of each set when given: "3 sets", "2-3 sets", "3 sets of 10",
    "2 sets of 8 to 12 reps", "three rounds"."""
    num, sep, reps = _num(lex), _words(lex.separators), _words(lex.counts)
    heads = [[num, _words(lex.sets)], [num, sep, num, _words(lex.sets)]]
    tails = [[], [_word("of"), num], [_word("of"), num, reps], [_word("of"), num, sep, num],
             [_word("of"), num, sep, num, reps]]
    return _expand(heads, tails)


def pattern_frequency_words(lex: Lexicon) -> list[Pattern]:
    """Sessions said in a word: "twice a day", "once or twice a day", "twice-daily".

    The period after the word (a day, daily, per week) is read by ``_period_after``, as it is after
    a count of times, so one lexicon list of periods serves both."""
    freq = _words(lex.frequency_words)
    return [[freq], [freq, _word("or"), freq]]


def pattern_days(lex: Lexicon) -> list[Pattern]:
    """Training days, kept only before a weekly period: "2 days a week", "3-5 days per week",
    "two days each week"."""
    return _ranges(lex, _words(lex.days))


def pattern_split_day(lex: Lexicon) -> list[Pattern]:
    """Two sessions named by time of day: "once in the morning and once in the evening",
    "once in the morning and again at night"."""
    marker, prep, when = _words(lex.split_markers), _words(lex.split_preps), _words(lex.times_of_day)
    the = _optional(_word("the"))
    return _expand(marker, prep, the, when, _word("and"), marker, _optional(prep), the, when)


def pattern_count_to(lex: Lexicon) -> list[Pattern]:
    """A hold timed by counting: "count to 10", "for a count of 10", "counting to five"."""
    return _expand(_optional(_words(lex.articles)), _words(lex.count_heads), _words(lex.count_links),
                   _num(lex))


def pattern_progression_targets(lex: Lexicon) -> list[Pattern]:
    """A number a progression aims at: "work up to 30", "working up to 30 over time",
    "build up to 20", "increase to 15", "gradually increase the number of repetitions to 20",
    "work your way up to 60 seconds"."""
    gap = {"LOWER": {"NOT_IN": list(lex.gap_stops)}, "IS_PUNCT": False, "OP": f"{{0,{lex.max_gap}}}"}
    return [[_words(lex.target_heads), gap, _word("to"), _num(lex)]]


QUANTITY_PATTERNS: dict[str, tuple[Callable[[Lexicon], list[Pattern]], ...]] = {
    DURATION: (pattern_durations, pattern_fractional_durations),
    COUNT: (pattern_counts,),
    SETS: (pattern_sets,),
    FREQUENCY: (pattern_frequency_words,),
    DAYS: (pattern_days,),
    SPLIT_DAY: (pattern_split_day,),
    COUNT_TO: (pattern_count_to,),
}


def _side_regex(lex: Lexicon) -> re.Pattern[str]:
    """One regex for every per-side phrase the templates spell ("repeat on the other side")."""

    def alternation(words: Iterable[str]) -> str:
        return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + ")"

    slots = {name: alternation(words) for name, words in lex.side_slots.items()}
    templates = sorted(lex.side_templates, key=len, reverse=True)
    alternatives = [
        r"\s+".join(slots[w[1:-1]] if w.startswith("{") else re.escape(w) for w in t.split())
        for t in templates
    ]
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w'])", re.IGNORECASE)


@cache
def _side_cue_re() -> re.Pattern[str]:
    return _side_regex(lexicon())


def has_side_cue(text: str) -> bool:
    """Whether ``text`` says the dose is for each side: "each side", "for each leg", "switch legs",
    "swap", "repeat on the other side", "repeat with the opposite knee", "both sides", "per side".

    Used per sentence here and by callers per exercise, so that "one leg" or "the other leg bent"
    (a description of the position) does not count.
    """
    return _side_cue_re().search(text) is not None


@dataclass(frozen=True)
class _Rules:
    """Matchers compiled for one vocab; building them costs far more than running them."""

    lex: Lexicon
    quantities: Matcher
    targets: Matcher
    cues: PhraseMatcher
    side_re: re.Pattern[str]
    digit_prefixes: np.ndarray
    trigger_words: np.ndarray


@lru_cache(maxsize=8)
def _rules(vocab: Vocab) -> _Rules:
    lex = lexicon()
    quantities = Matcher(vocab, validate=True)
    for kind, builders in QUANTITY_PATTERNS.items():
        quantities.add(kind, [p for build in builders for p in build(lex)])
    targets = Matcher(vocab, validate=True)
    targets.add(TARGET, pattern_progression_targets(lex))
    cues = PhraseMatcher(vocab, attr="LOWER")
    for kind, phrases in lex.cues.items():
        cues.add(kind, [Doc(vocab, words=list(p)) for p in _phrases(phrases)])
    strings = vocab.strings
    digits = np.array([strings.add(str(d)) for d in range(10)], dtype=np.uint64)
    words = {*lex.numbers, *lex.article_units, *lex.half}
    triggers = np.array([strings.add(w) for w in sorted(words)], dtype=np.uint64)
    return _Rules(lex, quantities, targets, cues, _side_cue_re(), digits, triggers)


# ---------------------------------------------------------------------------------------- reading


def _split_number(text: str) -> list[float]:
    """ "15" → [15.0]; "15–30" → [15.0, 30.0]."""
    return [float(n) for n in re.split(r"[-–—]", text) if n]


def read_values(tokens: Sequence[Token], lex: Lexicon) -> tuple[list[float], float, bool]:
    """The numbers of a quantity phrase in reading order, times their unit's factor.

    Also returns the last unit factor (a later bare target inherits it) and whether a unit was
    approximate ("5 counts"). Handles "twenty-five", "one and a half minutes", "a minute and a
    half", "half a minute" and "30 seconds to 1 minute".
    """
    done: list[float] = []
    pending: list[float] = []
    factor, approx = 1.0, False
    lowers = [t.lower_ for t in tokens]

    def apply(unit: str) -> None:
        nonlocal factor, approx
        factor = lex.durations[unit]
        approx = approx or unit in lex.approx_units
        done.extend(v * factor for v in pending)
        pending.clear()

    for k, low in enumerate(lowers):
        prev = lowers[k - 1] if k else ""
        nxt = lowers[k + 1] if k + 1 < len(lowers) else ""
        if low in lex.half:
            if prev in lex.articles and k >= 2 and lowers[k - 2] == "and":
                if pending:
                    pending[-1] += 0.5
                elif done:
                    done[-1] += 0.5 * factor
            else:
                pending.append(0.5)
        elif low in lex.articles:
            if nxt in lex.article_units and prev not in lex.half:
                pending.append(1.0)
        elif low in lex.durations:
            apply(low)
        elif low in lex.numbers:
            value = lex.numbers[low]
            compound = value < 10 and pending and (
                prev in lex.tens
                or (k >= 2 and prev in lex.hyphens and lowers[k - 2] in lex.tens
                    and not tokens[k - 2].whitespace_ and not tokens[k - 1].whitespace_))
            if compound:
                pending[-1] += value
            else:
                pending.append(value)
        elif (glued := lex.glued_re.match(low)) is not None:
            pending.extend(_split_number(glued["num"]))
            if glued["unit"] in lex.durations:
                apply(glued["unit"])
        elif re.fullmatch(_NUMBER_TEXT, low):
            pending.extend(_split_number(low))
    done.extend(pending)
    return done, factor, approx


# ------------------------------------------------------------------------------------ classifying


@dataclass(frozen=True)
class _Cue:
    kind: str
    start: int
    end: int


@dataclass
class _Context:
    """A sentence (or a line of a list) with the cues found in it."""

    start: int
    end: int
    cues: list[_Cue]
    sides: list[tuple[int, int]] | None = None  # per-side phrases as char spans, found when needed
    text: str = ""  # the context's text, which starts at char ``offset`` of the doc
    offset: int = 0

    def before(self, i: int, kinds: frozenset[str]) -> _Cue | None:
        """The nearest cue of ``kinds`` that ends at or before token ``i``."""
        found = None
        for cue in self.cues:
            if cue.end > i:
                break
            if cue.kind in kinds:
                found = cue
        return found

    def has(self, kind: str) -> bool:
        return any(c.kind == kind for c in self.cues)


_DECIDERS = frozenset({HOLD, REPEAT, REST})
_PHASES = frozenset({START, PROGRESSION})
_ACTIONS = frozenset({REPEAT, DO, START, PROGRESSION})


def _matches(matcher: Matcher, doc: Doc, lo: int, hi: int) -> list[Span]:
    """Longest non-overlapping matches in ``doc[lo:hi]``, labelled with the matcher's rule name.

    (A ``Matcher`` run on a span gives offsets relative to the span.)"""
    return filter_spans([Span(doc, lo + s, lo + e, label=m) for m, s, e in matcher(doc[lo:hi])])


def _context_starts(doc: Doc) -> list[int]:
    """First tokens of the ranges in which cue words count: sentences, cut again at a line break
    before a capital, digit or bullet (headings and list lines often carry no full stop)."""
    starts = {0}
    if doc.has_annotation("SENT_START"):
        starts.update(np.flatnonzero(doc.to_array("SENT_START") == 1).tolist())
    for i in np.flatnonzero(doc.to_array("IS_SPACE")).tolist():
        if i + 1 < len(doc) and "\n" in doc[i].text:
            first = doc[i + 1].text[:1]
            if first.isupper() or first.isdigit() or not first.isalnum():
                starts.add(i + 1)
    return sorted(starts)


def _phrase_before(doc: Doc, i: int, lo: int, phrases: Sequence[tuple[str, ...]]) -> int:
    """Start of the longest phrase that ends right before token ``i`` (``i`` if none)."""
    for phrase in phrases:
        s = i - len(phrase)
        if s >= lo and all(doc[s + k].lower_ == w for k, w in enumerate(phrase)):
            return s
    return i


def _phrase_after(doc: Doc, i: int, hi: int, phrases: Iterable[tuple[str, ...]]) -> int:
    """End of the longest phrase that starts at token ``i`` (``i`` if none)."""
    best = i
    for phrase in phrases:
        e = i + len(phrase)
        if e <= hi and e > best and all(doc[i + k].lower_ == w for k, w in enumerate(phrase)):
            best = e
    return best


@dataclass
class _Found:
    """A classified quantity in token offsets, before it becomes a ``Quantity``."""

    attribute: str
    lo: float | None
    hi: float | None
    start: int
    end: int
    approx: bool = False


# What a rep count or hold measured: ("reps" | "hold", unit factor); a bare target takes it over.
_Unit = tuple[str, float]


class _SentenceReader:
    """Classifies the quantities of one context; keeps what a later bare target inherits."""

    def __init__(self, doc: Doc, rules: _Rules, ctx: _Context, governed: dict[int, int],
                 inherited: _Unit | None) -> None:
        self.doc, self.rules, self.lex, self.ctx, self.governed = doc, rules, rules.lex, ctx, governed
        self.last = inherited  # what the last rep count or hold measured, for a bare target

    # --- context helpers

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Token range of the clause around ``[start, end)``: up to punctuation or a line break."""
        doc, breaks = self.doc, self.lex.clause_breaks
        lo = start
        while lo > self.ctx.start and not self._breaks(doc[lo - 1], breaks):
            lo -= 1
        hi = end
        while hi < self.ctx.end and not self._breaks(doc[hi], breaks):
            hi += 1
        return lo, hi

    @staticmethod
    def _breaks(tok: Token, breaks: frozenset[str]) -> bool:
        return tok.text in breaks or (tok.is_space and "\n" in tok.text)

    def evidence_start(self, cue: _Cue | None, start: int) -> int:
        """Widen the evidence to a cue when it is in the same clause and close."""
        if cue is None or start - cue.end > MAX_CUE_GAP:
            return start
        if any(self._breaks(t, self.lex.clause_breaks) for t in self.doc[cue.end : start]):
            return start
        return min(cue.start, start)

    def action_cue(self, start: int) -> _Cue | None:
        """The first action cue of the clause close before ``start``: the verb of "Repeat this
        cat stretch movement 3 to 5 times", not the noun "stretch" nearer the number. "and" and
        "then" end the search, so "hold …, and do 3 sets" quotes "do 3 sets"."""
        for cue in self.ctx.cues:
            if cue.end > start:
                break
            if (cue.kind in _ACTIONS and start - cue.end <= MAX_CUE_GAP
                    and not any(self._breaks(t, self.lex.clause_breaks) or t.lower_ in self.lex.soft_breaks
                                for t in self.doc[cue.end : start])):
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

    def read(self, span: Span, later: Sequence[int]) -> list[_Found]:
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
                if len(span) > 1 or span[0].lower_ not in lex.repeat_words:
                    return []  # "once the pain lessens"
                kind = REPEAT_WORD
        governed = start in self.governed
        mod_start, bound, approx = self._modifiers(start, governed)
        suffix_end = _phrase_after(doc, end, self.ctx.end, lex.approx_after)
        approx = approx or suffix_end > end
        values, factor, unit_approx = read_values(span, lex)
        if kind == SETS:
            return self._sets(span, mod_start, suffix_end)
        if kind == SPLIT_DAY:
            values = [float(sum(t.lower_ in lex.split_markers for t in span))]
        if not values:
            return []
        lo, hi = min(values), max(values)
        if bound and len(values) == 1:  # "at least 15 to 30 seconds" keeps its range
            lo, hi = (None, hi) if bound == "upper" else (lo, None)
        approx = approx or unit_approx
        if kind in (DURATION, COUNT_TO):
            return self._duration(kind, span, lo, hi, approx, factor, mod_start, suffix_end, governed, later)
        if kind in (COUNT, REPEAT_WORD):
            return self._count(kind, span, lo, hi, approx, mod_start, suffix_end, governed, later)
        cue = self.action_cue(mod_start)
        attribute = period or "per_day"  # SPLIT_DAY names the times of one day
        return [_Found(attribute, lo, hi, self.evidence_start(cue, mod_start), suffix_end, approx)]

    def _modifiers(self, start: int, governed: bool) -> tuple[int, str | None, bool]:
        """Words right before the quantity: "up to", "at least", "about" (two may stack)."""
        lex, lo = self.lex, self.ctx.start
        bound, approx = None, False
        for _ in range(2):
            s = _phrase_before(self.doc, start, lo, lex.approx_before)
            if s < start:
                approx, start = True, s
                continue
            s = _phrase_before(self.doc, start, lo, lex.upper)
            if s < start and not governed:  # "work up to 30" is a target, not a ceiling
                bound, start = "upper", s
                continue
            s = _phrase_before(self.doc, start, lo, lex.lower)
            if s < start:
                bound, start = "lower", s
                continue
            break
        return start, bound, approx

    def _duration(self, kind: str, span: Span, lo: float | None, hi: float | None, approx: bool,
                  factor: float, start: int, end: int, governed: bool, later: Sequence[int]) -> list[_Found]:
        doc, lex = self.doc, self.lex
        if kind == DURATION:
            if self._period_after(span.end)[1] is not None:
                return []  # "150 minutes a week": an amount of activity, not a hold
            window = doc[max(self.ctx.start, start - INTERVAL_WINDOW) : start]
            if any(t.lower_ in lex.interval for t in window) or (
                    end < self.ctx.end and doc[end].lower_ in lex.interval):
                return []  # "every 50 minutes", "15 minutes every 2 hours": a timer
        else:
            approx = True  # "count to 10" is seconds only roughly
        decider = self.ctx.before(start, _DECIDERS)
        if governed:
            attribute, cue = "hold_target_s", None
            start = min(start, self.governed[span.start])
        elif decider is not None and decider.kind == REST:
            return []
        elif decider is not None and decider.kind == REPEAT and kind == DURATION:
            attribute, cue = "total_s", decider
        elif decider is not None or self.ctx.has(HOLD) or kind == COUNT_TO:
            target = self.is_target(span.start, later)
            attribute, cue = ("hold_target_s" if target else "hold_s"), decider
        else:
            return []  # no cue says what this duration measures
        if attribute != "total_s":
            self.last = ("hold", factor)
        return [_Found(attribute, lo, hi, self.evidence_start(cue, start), end, approx)]

    def _count(self, kind: str, span: Span, lo: float | None, hi: float | None, approx: bool,
               start: int, end: int, governed: bool, later: Sequence[int]) -> list[_Found]:
        doc, lex = self.doc, self.lex
        multiplier = kind == REPEAT_WORD or self._says_times(span)
        if multiplier and span.end < self.ctx.end and doc[span.end].lower_ in lex.multipliers:
            return []  # "two times more likely", "twice as long"
        cue = self.action_cue(start)
        if kind == REPEAT_WORD and cue is None:
            return []  # a lone "twice" counts only right after "repeat" or "do"
        target = governed or self.is_target(span.start, later)
        if governed:
            start = min(start, self.governed[span.start])
        self.last = ("reps", 1.0)
        return [_Found("reps_target" if target else "reps", lo, hi, self.evidence_start(cue, start), end, approx)]

    def _sets(self, span: Span, start: int, end: int) -> list[_Found]:
        """ "3 sets of 10" is two facts, sets and reps, quoted by the same evidence."""
        split = next((t.i for t in span if t.lower_ == "of"), span.end)
        sets, _, _ = read_values(self.doc[span.start : split], self.lex)
        reps, _, _ = read_values(self.doc[split : span.end], self.lex)
        start = self.evidence_start(self.action_cue(start), start)
        found = [_Found("sets", min(sets), max(sets), start, end)] if sets else []
        if reps:
            found.append(_Found("reps", min(reps), max(reps), start, end))
            self.last = ("reps", 1.0)
        return found

    def _period_after(self, i: int) -> tuple[int, str | None]:
        """End and attribute of a period right after token ``i``: "a day", "-daily", "per week"."""
        doc, lex = self.doc, self.lex
        j = i + 1 if i < self.ctx.end and doc[i].lower_ in lex.hyphens else i
        for phrase, attribute in lex.periods:
            e = j + len(phrase)
            if e <= self.ctx.end and all(doc[j + k].lower_ == w for k, w in enumerate(phrase)):
                return e, attribute
        return i, None

    def _says_times(self, span: Span) -> bool:
        """ "3 times", "3x" count sessions when a period follows; "5 repetitions" never do."""
        last = span[-1].lower_
        glued = self.lex.glued_re.match(last)
        return last in self.lex.times or (glued is not None and glued["unit"] in self.lex.glued["times"])

    def read_target(self, num: int, head: int) -> list[_Found]:
        """A bare number after "work up to": the unit of the quantity before it in the sentence
        (or in the sentence just before). Only a number that ends its phrase counts: "work up to 30
        over time", "work up to 30." but not "work up to 3 sessions" or "work up to 6 inches"."""
        doc, lex = self.doc, self.lex
        if self.last is None or self.non_dosage(num, num + 1):
            return []
        if num + 1 < self.ctx.end:
            after = doc[num + 1]
            if after.lower_ in lex.non_dosage_units or (after.is_alpha and after.lower_ not in lex.target_followers):
                return []
        values, _, _ = read_values(doc[num : num + 1], lex)
        if not values:
            return []
        kind, factor = self.last
        attribute = "reps_target" if kind == "reps" else "hold_target_s"
        return [_Found(attribute, min(values) * factor, max(values) * factor, head, num + 1)]

    def side_end(self, end_char: int) -> int | None:
        """End of a per-side phrase that follows the quantity closely ("… 4 times for each leg")."""
        assert self.ctx.sides is not None
        text, offset = self.ctx.text, self.ctx.offset
        for s, e in self.ctx.sides:
            if s >= end_char and re.fullmatch(r"\s*(?:\w+\s+)?", text[end_char - offset : s - offset]):
                return e
        return None


def _candidate_contexts(doc: Doc, rules: _Rules, starts: list[int]) -> list[int]:
    """Indexes of the contexts that hold a token able to start a quantity (a digit, a number
    word, "once", "minute"), found with array operations so that prose costs almost nothing."""
    attrs = doc.to_array(["PREFIX", "LOWER"])
    hits = np.flatnonzero(np.isin(attrs[:, 0], rules.digit_prefixes) | np.isin(attrs[:, 1], rules.trigger_words))
    if not hits.size:
        return []
    return np.unique(np.searchsorted(np.asarray(starts), hits, side="right") - 1).tolist()


def find_quantities(doc: Doc) -> list[Quantity]:
    """Every dosage quantity in ``doc``, sorted by start.

    ``start``/``end`` are character offsets into ``doc.text`` of the evidence: the quantity phrase
    widened to its cue in the same clause ("Hold for 15 to 30 seconds", "work up to 30").
    Works on ``spacy.blank("en")`` docs (with or without a sentencizer) and on parsed docs.
    Only sentences with a number in them are matched, so the cost follows the quantities.
    """
    if not len(doc):
        return []
    rules = _rules(doc.vocab)
    starts = _context_starts(doc)
    cues: list[_Cue] | None = None
    out: list[Quantity] = []
    last: tuple[int, _Unit | None] = (-2, None)  # context index, what its last count measured
    for index in _candidate_contexts(doc, rules, starts):
        lo = starts[index]
        hi = starts[index + 1] if index + 1 < len(starts) else len(doc)
        if cues is None:  # one PhraseMatcher pass over the doc, only once a number turns up
            cues = [_Cue(sp.label_, sp.start, sp.end)
                    for sp in filter_spans([Span(doc, s, e, label=m) for m, s, e in rules.cues(doc)])]
            cue_starts = [c.start for c in cues]
        ctx_cues = cues[bisect_left(cue_starts, lo) : bisect_left(cue_starts, hi)]
        inherited = last[1] if last[0] == index - 1 else None
        found, unit = _read_context(doc, rules, lo, hi, ctx_cues, inherited)
        out.extend(found)
        last = (index, unit)
    out.extend(q for q in field_quantities(doc.text)  # unless the sentence rules read the line already
               if not any(o.attribute == q.attribute and o.start < q.end and q.start < o.end for o in out))
    out.sort(key=lambda q: (q.start, q.end, q.attribute))
    return out


def _read_context(doc: Doc, rules: _Rules, lo: int, hi: int, cues: list[_Cue],
                  inherited: _Unit | None) -> tuple[list[Quantity], _Unit | None]:
    """The quantities of one sentence (``doc[lo:hi]``), and what its last rep count or hold
    measured, which the next sentence's "work up to 30" may take over."""
    quantities = _matches(rules.quantities, doc, lo, hi)
    governed: dict[int, int] = {}  # number token → start of the progression head that governs it
    for _, s, e in rules.targets(doc[lo:hi]):
        governed[lo + e - 1] = max(governed.get(lo + e - 1, lo + s), lo + s)
    if not quantities and not (governed and inherited):
        return [], None  # a bare "work up to 30" needs an earlier quantity to take its unit from
    entries: list[tuple[int, Span | None]] = [(span.start, span) for span in quantities]
    entries += [(num, None) for num in governed if not any(sp.start <= num < sp.end for sp in quantities)]
    entries.sort(key=lambda x: x[0])
    ctx = _Context(lo, hi, cues)
    reader = _SentenceReader(doc, rules, ctx, governed, inherited)
    found: list[_Found] = []
    for k, (start, span) in enumerate(entries):
        later = [s for s, _ in entries[k + 1 :]]
        found.extend(reader.read(span, later) if span is not None else reader.read_target(start, governed[start]))
    if not found:
        return [], reader.last
    # Doc.text joins every token on each call: read the sentence's own text once.
    ctx.text, ctx.offset = doc[lo:hi].text, doc[lo].idx
    ctx.sides = [(m.start() + ctx.offset, m.end() + ctx.offset) for m in rules.side_re.finditer(ctx.text)]
    out = []
    for f in found:
        start_char = doc[f.start].idx
        end_char = doc[f.end - 1].idx + len(doc[f.end - 1])
        per_side = bool(ctx.sides) and f.attribute in SIDED_ATTRIBUTES
        if per_side:
            end_char = reader.side_end(end_char) or end_char
        out.append(Quantity(f.attribute, f.lo, f.hi, start_char, end_char, f.approx, per_side))
    return out, reader.last


# ------------------------------------------------------------------------------ labelled fields


@dataclass(frozen=True)
class _Fields:
    line: re.Pattern[str]
    labels: dict[str, str]


@cache
def _fields() -> _Fields:
    labels = {k.lower(): v for k, v in lexicons.load("quantities")["fields"]["labels"].items()}
    alternation = "|".join(re.escape(k) for k in sorted(labels, key=len, reverse=True))
    number = r"\d+(?:\.\d+)?|[a-z]+"
    line = re.compile(
        rf"^[ \t]*(?:-[ \t]+)?(?P<label>{alternation})[ \t]*[:=][ \t]*"
        rf"(?P<lo>{number})(?:[ \t]*(?:-|to)[ \t]*(?P<hi>{number}))?[ \t]*(?P<rest>[^\n]*)$",
        re.IGNORECASE | re.MULTILINE,
    )
    return _Fields(line, labels)


def field_quantities(text: str) -> list[Quantity]:
    """Doses written as labelled fields, one per line: "Reps: 10 per side", "Sets: 2", "Hold: 30 seconds".

    >>> [(q.attribute, q.min_value, q.per_side) for q in field_quantities("Reps: 8-12 each side\\nSets: two")]
    [('reps', 8.0, True), ('sets', 2.0, False)]
    """
    f, lex = _fields(), lexicon()
    out = []
    for m in f.line.finditer(text):
        values = [_field_number(m.group(g), lex) for g in ("lo", "hi") if m.group(g)]
        if not values or None in values:
            continue
        attribute = f.labels[m.group("label").lower()]
        rest = m.group("rest").lower()
        unit = re.match(r"[a-z]+", rest)
        factor = lex.durations.get(unit.group(), 1.0) if unit else 1.0
        if attribute.endswith("_s") and not (unit and unit.group() in lex.durations):
            continue  # "Hold: 10" without a unit is not a duration we can trust
        lo, hi = values[0] * factor, values[-1] * factor
        out.append(Quantity(attribute, lo, hi, m.start("label"), m.end(), per_side=has_side_cue(rest)))
    return out


def _field_number(word: str, lex: Lexicon) -> float | None:
    return float(word) if word[0].isdigit() else lex.numbers.get(word.lower())
