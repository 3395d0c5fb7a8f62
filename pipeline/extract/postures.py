"""One name for two exercises in one article: a repeated heading name, told apart by its posture.

Articles reuse a name for different exercises: "Lumbar Extension" done standing, and later
"Lumbar Extension" done lying on the stomach. Where one article gives the same name (the same
core) to headings whose sections start in different postures, each of those names gets its
posture as a modifier ("Standing Lumbar Extension", "Prone Lumbar Extension"), which resolution's
modifier groups keep apart; the same name in prose inside such a section gets it too. A repeated
heading whose sections agree, or say no posture (a summary list before the details), is one
exercise and keeps its name.

The posture is the earliest of ``posture_cues`` (``resources/mention_rules.json``) in its section;
each cue is a regular expression, matched case-insensitively at word boundaries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Protocol, TypeVar

from pipeline import lexicons
from pipeline.models import Block
from pipeline.names import core_name, name_rules


class _Hit(Protocol):
    start: int
    name: str
    in_heading: bool


Hit = TypeVar("Hit", bound=_Hit)


@cache
def _cues() -> tuple[tuple[str, re.Pattern[str]], ...]:
    cues = lexicons.load("mention_rules")["posture_cues"]
    return tuple((posture, re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE))
                 for posture, patterns in cues.items())


@cache
def _posture_words() -> frozenset[str]:
    """The modifier group of the postures (lying, standing, seated, ...): a name with one is qualified already."""
    keys = {posture for posture, _ in _cues()}
    return next(group for group in name_rules().modifier_groups if keys <= group)


def posture_of(text: str) -> str | None:
    """The posture ``text`` starts in, by its earliest cue.

    >>> posture_of("Lie on your stomach with your hands under your shoulders, then stand up.")
    'prone'
    """
    found = [(m.start(), posture) for posture, pattern in _cues() if (m := pattern.search(text))]
    return min(found)[1] if found else None


def _sections(text: str, blocks: Sequence[Block]) -> list[tuple[int, int, int]]:
    """Each heading's (start, end) and the end of its section's text, in text order."""
    headings = [b for b in blocks if b.kind == "heading"]
    ends = [b.start for b in headings[1:]] + [len(text)] if headings else []
    return [(h.start, h.end, end) for h, end in zip(headings, ends, strict=True)]


def qualify_repeated(text: str, blocks: Sequence[Block], hits: Sequence[Hit]) -> list[Hit]:
    """``hits`` with each repeated heading name that names different exercises qualified by its posture."""
    sections = _sections(text, blocks)
    section_of = {h.start: s for h in hits if h.in_heading for s in sections if s[0] <= h.start < s[1]}
    by_core: dict[str, list[Hit]] = defaultdict(list)
    for h in hits:
        if h.start in section_of:
            by_core[core_name(h.name)].append(h)
    postures = _posture_words()
    renamed: dict[tuple[int, int], tuple[str, str]] = {}  # section (start, end) -> (core, new name)
    for core, group in by_core.items():
        if len(group) < 2 or postures & set(core.split()):
            continue
        found = {h.start: posture_of(text[section_of[h.start][1] : section_of[h.start][2]]) for h in group}
        if len({p for p in found.values() if p}) < 2:
            continue
        for h in group:
            if found[h.start]:
                section = section_of[h.start]
                renamed[(section[0], section[2])] = (core, f"{found[h.start].title()} {h.name}")
    out = []
    for h in hits:
        for (lo, hi), (core, name) in renamed.items():
            if lo <= h.start < hi and core_name(h.name) == core:
                h = replace(h, name=name)  # type: ignore[type-var]
                break
        out.append(h)
    return out
