"""Token patterns of dose phrases, built by small named functions, and the matchers compiled from them.

Each ``pattern_*`` function returns ``Matcher`` patterns for one way of writing a quantity; the
phrases in its docstring are examples its patterns must match (a test checks them). Patterns read
only ``LOWER`` and regexes on it, so they match alike on ``spacy.blank("en")`` and on a trained
pipeline. The words come from the lexicon.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import numpy as np
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.extract.doses.lexicon import Lexicon, lexicon
from pipeline.extract.doses.settings import DEFAULTS, Settings
from pipeline.extract.matching import Pattern, TokenSpec

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
COUNTING = "COUNTING"  # a hold counted aloud: "one, two, three, four, five"
SCHEME = "SCHEME"  # reps per set as a chain: "6-4-2 repetitions" is 3 sets of 2 to 6
TARGET = "TARGET"


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
    return {"LOWER": {"REGEX": lex.numbers.regex}}


def _ranges(lex: Lexicon, unit: Slot) -> list[Pattern]:
    """A number or a range of numbers before ``unit``: "10 reps", "8 to 12 reps", "8-12 reps"."""
    num = _num(lex)
    return [*_expand(num, unit), *_expand(num, _words(lex.numbers.separators), num, unit),
            *_expand(_word("between"), num, _word("and"), num, unit)]


def pattern_durations(lex: Lexicon) -> list[Pattern]:
    """A number or range with a time unit.

    "20 seconds", "15 to 30 seconds", "30 - 45 seconds", "three to five seconds", "15–30 secs",
    "a 30-second hold", "1.5 minutes", "20secs", "20-30secs", "30 seconds to 1 minute",
    "between 20 and 30 seconds", "for a 5-count".
    """
    num, unit, sep = _num(lex), _words(lex.units.durations), _words(lex.numbers.separators)
    glued = {"LOWER": {"REGEX": lex.units.glued_regex("duration")}}
    return [
        *_ranges(lex, unit),
        *_expand(num, _words(lex.numbers.hyphens), unit),
        *_expand(num, unit, sep, num, unit),
        [glued],
        [num, sep, glued],
    ]


def pattern_fractional_durations(lex: Lexicon) -> list[Pattern]:
    """Halves and the article as one: "one and a half minutes", "1 and a half minutes", "a minute",
    "a minute and a half", "half a minute", "2 minutes and a half", "30 seconds to a minute",
    "a minute or two"."""
    nums = lex.numbers
    num, unit, sep = _num(lex), _words(lex.units.durations), _words(nums.separators)
    article, article_unit, half = _words(nums.articles), _words(nums.article_units), _words(nums.half)
    and_a_half = [_word("and"), article, half]
    return [
        [num, *and_a_half, unit],
        [article, article_unit],
        [article, article_unit, *and_a_half],
        [half, article, article_unit],
        [num, unit, *and_a_half],
        [num, unit, sep, article, article_unit],
        [article, article_unit, _word("or"), num],
    ]


def pattern_counting_aloud(lex: Lexicon) -> list[Pattern]:
    """A hold counted aloud, as a transcript writes it: "one, two, three", "1, 2, 3, 4, 5",
    "one... two... three... four"; the reader keeps it only when it counts up from one."""
    num, mark = _num(lex), {"IS_PUNCT": True}
    return [[num, *[mark, num] * links] for links in range(2, 12)]


def pattern_counts(lex: Lexicon) -> list[Pattern]:
    """A number or range of repetitions: "10 reps", "8 to 12 times", "five repetitions",
    "2 or 3 times", "10x", "8-12reps", "between 8 and 12 reps"."""
    units = lex.units
    glued = {"LOWER": {"REGEX": units.glued_regex("count") + "|" + units.glued_regex("times")}}
    return [*_ranges(lex, _words(units.counts)), [glued], [_num(lex), _words(lex.numbers.separators), glued]]


def pattern_sets(lex: Lexicon) -> list[Pattern]:
    """Sets, with the reps of each set when given: "3 sets", "2-3 sets", "3 sets of 10",
    "2 sets of 8 to 12 reps", "three rounds"."""
    num, sep, reps = _num(lex), _words(lex.numbers.separators), _words(lex.units.counts)
    heads = [[num, _words(lex.units.sets)], [num, sep, num, _words(lex.units.sets)]]
    tails = [[], [_word("of"), num], [_word("of"), num, reps], [_word("of"), num, sep, num],
             [_word("of"), num, sep, num, reps]]
    return _expand(heads, tails)


def pattern_sets_by_reps(lex: Lexicon) -> list[Pattern]:
    """Sets times reps: "3 x 10", "2 x 8-12 reps", "2 x 8 to 12", "3x10", "3x10 reps"."""
    num, mark, reps = _num(lex), _words(lex.units.session_marks), _words(lex.units.counts)
    sep = _words(lex.numbers.separators)
    glued = {"LOWER": {"REGEX": lex.units.sets_by_reps_regex()}}
    return _expand([[num, mark, num], [num, mark, num, sep, num], [glued]], [[], [reps]])


def pattern_schemes(lex: Lexicon) -> list[Pattern]:
    """Reps per set as a chain of three or more numbers: "6-4-2 repetitions", "10-8-6 pyramid",
    "12-10-8-6 reps"."""
    num, hyphen = _num(lex), _words(lex.numbers.hyphens)
    unit = _words((*lex.units.counts, *lex.units.schemes))
    return [[num, *[hyphen, num] * links, unit] for links in (2, 3, 4)]


def pattern_frequency_words(lex: Lexicon) -> list[Pattern]:
    """Sessions said in a word, or with a mark for times: "twice a day", "once or twice a day",
    "twice-daily", "2-3 x per week", "3 x a day".

    The period after the word (a day, daily, per week) is read by the sentence reader, as it is
    after a count of times, so one lexicon list of periods serves both; without one it is dropped."""
    freq = _words(lex.numbers.frequency)
    return [[freq], [freq, _word("or"), freq], *_ranges(lex, _words(lex.units.session_marks))]


def pattern_days(lex: Lexicon) -> list[Pattern]:
    """Training days, kept only before a weekly period: "2 days a week", "3-5 days per week",
    "two days each week"."""
    return _ranges(lex, _words(lex.units.days))


def pattern_split_day(lex: Lexicon) -> list[Pattern]:
    """Two sessions named by time of day: "once in the morning and once in the evening",
    "once in the morning and again at night"."""
    c = lex.constructions
    marker, prep, when = _words(c.split_markers), _words(c.split_preps), _words(c.times_of_day)
    the = _optional(_word("the"))
    return _expand(marker, prep, the, when, _word("and"), marker, _optional(prep), the, when)


def pattern_count_to(lex: Lexicon) -> list[Pattern]:
    """A hold timed by counting: "count to 10", "for a count of 10", "counting to five"."""
    c = lex.constructions
    return _expand(_optional(_words(lex.numbers.articles)), _words(c.count_heads), _words(c.count_links),
                   _num(lex))


def pattern_progression_targets(lex: Lexicon, settings: Settings = DEFAULTS) -> list[Pattern]:
    """A number a progression aims at: "work up to 30", "working up to 30 over time",
    "build up to 20", "increase to 15", "gradually increase the number of repetitions to 20",
    "work your way up to 60 seconds"."""
    c = lex.constructions
    gap = {"LOWER": {"NOT_IN": list(c.target_gap_stops)}, "IS_PUNCT": False, "OP": f"{{0,{settings.target_gap}}}"}
    return [[_words(c.target_heads), gap, _word("to"), _num(lex)]]


QUANTITY_PATTERNS: dict[str, tuple[Callable[[Lexicon], list[Pattern]], ...]] = {
    DURATION: (pattern_durations, pattern_fractional_durations),
    COUNT: (pattern_counts,),
    SETS: (pattern_sets, pattern_sets_by_reps),
    SCHEME: (pattern_schemes,),
    FREQUENCY: (pattern_frequency_words,),
    DAYS: (pattern_days,),
    SPLIT_DAY: (pattern_split_day,),
    COUNT_TO: (pattern_count_to,),
    COUNTING: (pattern_counting_aloud,),
}


@dataclass(frozen=True)
class Rules:
    """Matchers compiled for one vocab; building them costs far more than running them."""

    lex: Lexicon
    quantities: Matcher
    targets: Matcher
    cues: PhraseMatcher
    digit_prefixes: np.ndarray  # the ten digits as PREFIX ids: a token that may start a number
    trigger_words: np.ndarray  # LOWER ids of the words that may start a quantity ("twice", "a minute")


@lru_cache(maxsize=8)
def rules(vocab: Vocab, settings: Settings = DEFAULTS) -> Rules:
    """The matchers for ``vocab``, built once per vocab and settings."""
    lex = lexicon()
    quantities = Matcher(vocab, validate=True)
    for kind, builders in QUANTITY_PATTERNS.items():
        quantities.add(kind, [p for build in builders for p in build(lex)])
    targets = Matcher(vocab, validate=True)
    targets.add(TARGET, pattern_progression_targets(lex, settings))
    cues = PhraseMatcher(vocab, attr="LOWER")
    for kind, phrases in lex.cues.phrases.items():
        cues.add(kind, [Doc(vocab, words=list(p)) for p in phrases])
    strings = vocab.strings
    digits = np.array([strings.add(str(d)) for d in range(10)], dtype=np.uint64)
    words = {*lex.numbers.values, *lex.numbers.article_units, *lex.numbers.half}
    triggers = np.array([strings.add(w) for w in sorted(words)], dtype=np.uint64)
    return Rules(lex, quantities, targets, cues, digits, triggers)
