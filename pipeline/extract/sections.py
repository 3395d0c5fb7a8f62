"""Sections of an article: a block that names an exercise owns the blocks up to the next heading.

Names (for unnamed descriptions), attribution (of doses and steps) and polarity read the same
sections, so they are computed here once, from the blocks and the exercises that open them. An
opener is a heading that names an exercise, or a line that is nothing but a name ("Bird Dog:",
"7. Wall sits"). Two layouts look like openers and are not:

- a subheading about the exercise above it ("Starting Position", "How to do it") continues its
  section instead of ending it;
- a run of openers with nothing between them ("1. Bird Dog" / "2. Side Plank" / "3. Curl-Up") is a
  list of names: the text after it is about all of them, not about the last one alone.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from pipeline import lexicons
from pipeline.models import Block

Owner = TypeVar("Owner")


@dataclass(frozen=True)
class Section(Generic[Owner]):
    """Blocks ``[first, last)`` about one exercise (``owner``), or a stretch with no exercise heading."""

    first: int
    last: int
    owner: Owner | None


@cache
def _subheading_re() -> re.Pattern[str]:
    words = sorted(lexicons.load("sections")["subheadings"], key=len, reverse=True)
    return re.compile(r"^(?:\d{1,2}[.)]?\s*)?(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])",
                      re.IGNORECASE)


def is_subheading(text: str) -> bool:
    """A heading about a part of the exercise above it: "Starting Position (Figure 1)", "How to do it"."""
    return _subheading_re().match(text.strip()) is not None


class Sections(Generic[Owner]):
    """The sections of one article, and which block and section a character offset falls in."""

    def __init__(self, blocks: Sequence[Block], owners: Mapping[int, Owner], text: str | None = None,
                 inert: Collection[int] = ()) -> None:
        """``owners`` maps the index of a block that names an exercise (a heading, or a line that is
        only a name) to that exercise. With the article's ``text``, subheadings are recognised;
        ``inert`` headings open no section either (a dose line the layout took for a heading)."""
        self.blocks = tuple(blocks)
        self._starts = [b.start for b in self.blocks]
        opens = _openers(self.blocks, owners, text, inert)
        self.listed: dict[int, Owner] = {i: o for i, o in owners.items() if i not in opens}
        """Exercises named by blocks that open no section (entries of a list of names)."""
        self.all: list[Section[Owner]] = []
        start, owner = 0, None
        for i in range(len(self.blocks)):
            if i in opens:
                self.all.append(Section(start, i, owner))
                owner, start = opens[i], i + 1
        self.all.append(Section(start, len(self.blocks), owner))
        self._by_block: dict[int, Section[Owner]] = {}
        for sec in self.all:
            for b in range(sec.first, sec.last):
                self._by_block[b] = sec
            if sec.first > 0:
                self._by_block[sec.first - 1] = sec  # an opener belongs to the section it opens

    def block_of(self, char: int) -> int:
        """The index of the block that holds (or last started before) character ``char``."""
        return max(bisect_right(self._starts, char) - 1, 0)

    def of_block(self, block: int) -> Section[Owner]:
        return self._by_block.get(block, self.all[-1])

    def of_char(self, char: int) -> Section[Owner]:
        return self.of_block(self.block_of(char))

    def opener(self, section: Section[Owner]) -> Block | None:
        """The block that opens ``section`` (None for the text before the first opener)."""
        return self.blocks[section.first - 1] if section.first > 0 else None

    def owners(self) -> list[Owner]:
        return [s.owner for s in self.all if s.owner is not None]

    def span_chars(self, section: Section[Owner]) -> tuple[int, int]:
        """Character range of the section's blocks (empty at the first block's start when it has none)."""
        lo = self.blocks[section.first].start if section.first < len(self.blocks) else 0
        hi = self.blocks[section.last - 1].end if section.last > section.first else lo
        return lo, hi


def _openers(blocks: Sequence[Block], owners: Mapping[int, Owner], text: str | None,
             inert: Collection[int]) -> dict[int, Owner | None]:
    """The blocks that start a section, with the exercise each names (None for a heading that names none)."""
    opens: dict[int, Owner | None] = {}
    for i, block in enumerate(blocks):
        if i in owners:
            opens[i] = owners[i]
        elif block.kind == "heading" and i not in inert and not (
                text is not None and is_subheading(text[block.text_start : block.end])):
            opens[i] = None
    named = [i for i in opens if opens[i] is not None]
    listed = set()
    for k, i in enumerate(named):  # a run of names with nothing between them is a list of names
        before = k > 0 and named[k - 1] == i - 1
        after = k + 1 < len(named) and named[k + 1] == i + 1
        if before or after or (i + 1 < len(blocks) and _follows(blocks[i], blocks[i + 1])):
            listed.add(i)
    return {i: o for i, o in opens.items() if i not in listed}


def _follows(block: Block, nxt: Block) -> bool:
    """``nxt`` continues a numbered list that ``block`` is part of ("2. Side Plank" then "3. …")."""
    return block.number is not None and nxt.number == block.number + 1
