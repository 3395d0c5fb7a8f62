"""Per-side phrases: "each side", "switch legs", "repeat on the other side".

A dose said "for each leg" is done once per side, which doubles the work a reader plans; the phrases
are templates over word slots in the lexicon, compiled into one regex over plain text, so the
same test serves a sentence here and a whole exercise section for the extractor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from pipeline.extract.doses.lexicon import SideCues, lexicon


def side_regex(sides: SideCues) -> re.Pattern[str]:
    """One regex for every per-side phrase the templates spell ("repeat on the other side")."""

    def alternation(words: Iterable[str]) -> str:
        return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + ")"

    slots = {name: alternation(words) for name, words in sides.slots.items()}
    templates = sorted(sides.templates, key=len, reverse=True)
    alternatives = [
        r"\s+".join(slots[w[1:-1]] if w.startswith("{") else re.escape(w) for w in t.split())
        for t in templates
    ]
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w'])", re.IGNORECASE)


@cache
def side_cue_re() -> re.Pattern[str]:
    """The per-side regex of the lexicon, compiled once per process."""
    return side_regex(lexicon().sides)


def has_side_cue(text: str) -> bool:
    """Whether ``text`` says the dose is for each side: "each side", "for each leg", "switch legs",
    "swap", "repeat on the other side", "repeat with the opposite knee", "both sides", "per side".

    Used per sentence here and by callers per exercise, so that "one leg" or "the other leg bent"
    (a description of the position) does not count.
    """
    return side_cue_re().search(text) is not None
