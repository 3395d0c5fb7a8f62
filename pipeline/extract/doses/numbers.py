"""Read the numbers of a quantity phrase: "15 to 30 seconds", "twenty-five", "a minute and a half".

The matcher patterns decide where a quantity is; this module turns its tokens into values in
seconds or counts. Only token text is read, so the answer is the same on any pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Token

from pipeline.extract.doses.lexicon import NUMBER_TEXT, Lexicon, NumberWords


def split_number(text: str) -> list[float]:
    """ "15" → [15.0]; "15–30" → [15.0, 30.0]."""
    return [float(n) for n in re.split(r"[-–—]", text) if n]


def number_value(word: str, numbers: NumberWords) -> float | None:
    """One number written in digits or as a word ("10", "two", "twice"); None for any other word."""
    return float(word) if word[0].isdigit() else numbers.values.get(word.lower())


def split_sets_by_reps(word: str, lex: Lexicon) -> tuple[list[float], list[float]] | None:
    """ "3x10" → ([3.0], [10.0]); None for any other word."""
    if not re.fullmatch(lex.units.sets_by_reps_regex(), word):
        return None
    sets, reps = re.split("|".join(map(re.escape, lex.units.session_marks)), word, maxsplit=1)
    return split_number(sets), split_number(reps)


def read_values(tokens: Sequence[Token], lex: Lexicon) -> tuple[list[float], float, bool]:
    """The numbers of a quantity phrase in reading order, times their unit's factor.

    Also returns the last unit factor (a later bare target inherits it) and whether a unit was
    approximate ("5 counts"). Handles "twenty-five", "one and a half minutes", "a minute and a
    half", "half a minute", "30 seconds to 1 minute" and "a minute or two".
    """
    nums, units = lex.numbers, lex.units
    done: list[float] = []
    pending: list[float] = []
    factor, approx = 1.0, False
    lowers = [t.lower_ for t in tokens]

    def apply(unit: str) -> None:
        nonlocal factor, approx
        factor = units.durations[unit]
        approx = approx or unit in units.approx
        done.extend(v * factor for v in pending)
        pending.clear()

    for k, low in enumerate(lowers):
        prev = lowers[k - 1] if k else ""
        nxt = lowers[k + 1] if k + 1 < len(lowers) else ""
        if low in nums.half:
            if prev in nums.articles and k >= 2 and lowers[k - 2] == "and":
                if pending:
                    pending[-1] += 0.5
                elif done:
                    done[-1] += 0.5 * factor
            else:
                pending.append(0.5)
        elif low in nums.articles:
            if nxt in nums.article_units and prev not in nums.half:
                pending.append(1.0)
        elif low in units.durations:
            apply(low)
        elif low in nums.values:
            value = nums.values[low]
            compound = value < 10 and pending and (
                prev in nums.tens
                or (k >= 2 and prev in nums.hyphens and lowers[k - 2] in nums.tens
                    and not tokens[k - 2].whitespace_ and not tokens[k - 1].whitespace_))
            if compound:
                pending[-1] += value
            else:
                pending.append(value)
        elif (glued := units.glued_re.match(low)) is not None:
            pending.extend(split_number(glued["num"]))
            if glued["unit"] in units.durations:
                apply(glued["unit"])
        elif re.fullmatch(NUMBER_TEXT, low):
            pending.extend(split_number(low))
    done.extend(v * factor for v in pending)  # "a minute or two": a bare number after a unit takes it
    return done, factor, approx
