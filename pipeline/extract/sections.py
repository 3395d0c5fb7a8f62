"""Sections of an article: a heading that names an exercise owns the blocks up to the next heading.

Names (for unnamed descriptions), attribution (of doses and steps) and polarity read the same
sections, so they are computed here once, from the blocks and the exercises named in headings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pipeline.models import Block

Owner = TypeVar("Owner")


@dataclass(frozen=True)
class Section(Generic[Owner]):
    """Blocks ``[first, last)`` about one exercise (``owner``), or a stretch with no exercise heading."""

    first: int
    last: int
    owner: Owner | None


class Sections(Generic[Owner]):
    """The sections of one article, and which block and section a character offset falls in."""

    def __init__(self, blocks: Sequence[Block], owners: Mapping[int, Owner]) -> None:
        """``owners`` maps the index of a heading block to the exercise that heading names."""
        self.blocks = tuple(blocks)
        self._starts = [b.start for b in self.blocks]
        self.all: list[Section[Owner]] = []
        start, owner = 0, None
        for i, block in enumerate(self.blocks):
            if block.kind == "heading":
                self.all.append(Section(start, i, owner))
                owner, start = owners.get(i), i + 1
        self.all.append(Section(start, len(self.blocks), owner))
        self._by_block: dict[int, Section[Owner]] = {}
        for sec in self.all:
            for b in range(sec.first, sec.last):
                self._by_block[b] = sec
            if sec.first > 0:
                self._by_block[sec.first - 1] = sec  # a heading belongs to the section it opens

    def block_of(self, char: int) -> int:
        """The index of the block that holds (or last started before) character ``char``."""
        return max(bisect_right(self._starts, char) - 1, 0)

    def of_block(self, block: int) -> Section[Owner]:
        return self._by_block.get(block, self.all[-1])

    def of_char(self, char: int) -> Section[Owner]:
        return self.of_block(self.block_of(char))

    def owners(self) -> list[Owner]:
        return [s.owner for s in self.all if s.owner is not None]

    def span_chars(self, section: Section[Owner]) -> tuple[int, int]:
        """Character range of the section's blocks (empty at the first block's start when it has none)."""
        lo = self.blocks[section.first].start if section.first < len(self.blocks) else 0
        hi = self.blocks[section.last - 1].end if section.last > section.first else lo
        return lo, hi
