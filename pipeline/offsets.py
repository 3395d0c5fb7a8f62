"""Rewrite a text by edits and keep an exact map from the new text back to the old one.

Cleaning is a stack of rewrites (repair unicode, drop noise, undo spinner synonyms). Each rewrite is
a list of non-overlapping ``Edit``s over its input; ``rewrite`` applies them and returns the new
text with an ``OffsetMap``. Maps compose with ``OffsetMap.then``, so the extractor's offsets in the
cleaned text can always be turned into offsets in the raw file, which is what provenance needs.

Copied text maps character for character. A replaced stretch maps as a whole: a span that starts
inside the replacement starts at the beginning of the replaced raw text, and one that ends inside
it ends at its end, so ``raw[start(i):end(j)]`` always covers what the cleaned span was made from.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement``; ``reason`` is set for removals of noise."""

    start: int
    end: int
    replacement: str = ""
    reason: str | None = None


class OffsetMap:
    """Maps offsets of a rewritten text to offsets of the text it was rewritten from.

    >>> text, m = rewrite("ab XX cd", [Edit(3, 6)])
    >>> text, m.start(3), m.end(2)
    ('ab cd', 6, 2)
    """

    __slots__ = ("_exact", "_new_len", "_new_starts", "_old_ends", "_old_starts", "_parent")

    def __init__(self, segments: list[tuple[int, int, int, bool]], new_len: int) -> None:
        # Each segment: (new_start, old_start, old_end, exact). Exact segments are copies.
        self._new_starts = [s[0] for s in segments]
        self._old_starts = [s[1] for s in segments]
        self._old_ends = [s[2] for s in segments]
        self._exact = [s[3] for s in segments]
        self._new_len = new_len
        self._parent: OffsetMap | None = None

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls([(0, 0, length, True)], length)

    def then(self, child: OffsetMap) -> OffsetMap:
        """The map of ``child``'s text back through this map's text (``child`` rewrote ours)."""
        composed = OffsetMap.__new__(OffsetMap)
        for name in OffsetMap.__slots__:
            setattr(composed, name, getattr(child, name))
        composed._parent = self if child._parent is None else self.then(child._parent)
        return composed

    def _check(self, i: int) -> None:
        if not 0 <= i <= self._new_len:
            raise IndexError(f"offset {i} outside 0..{self._new_len}")

    def start(self, i: int) -> int:
        """Old offset where a span starting at new offset ``i`` starts."""
        self._check(i)
        k = bisect_right(self._new_starts, i) - 1
        if self._exact[k]:
            old = min(self._old_starts[k] + i - self._new_starts[k], self._old_ends[k])
        else:
            old = self._old_starts[k]
        return old if self._parent is None else self._parent.start(old)

    def end(self, i: int) -> int:
        """Old offset where a span ending at new offset ``i`` ends."""
        self._check(i)
        k = max(bisect_left(self._new_starts, i) - 1, 0)
        if self._exact[k]:
            old = min(self._old_starts[k] + i - self._new_starts[k], self._old_ends[k])
        else:
            old = self._old_ends[k]
        return old if self._parent is None else self._parent.end(old)


def rewrite(text: str, edits: Iterable[Edit]) -> tuple[str, OffsetMap]:
    """Apply non-overlapping edits to ``text``; return the new text and its map back to ``text``.

    Overlapping edits are a programming error and raise ``ValueError``, so a rule can never make
    provenance silently wrong.
    """
    parts: list[str] = []
    segments: list[tuple[int, int, int, bool]] = []
    pos = new = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos or e.end < e.start or e.end > len(text):
            raise ValueError(f"edit {e} overlaps an earlier edit or leaves the text")
        if e.start > pos:
            segments.append((new, pos, e.start, True))
            parts.append(text[pos : e.start])
            new += e.start - pos
        if e.replacement or e.end > e.start:
            segments.append((new, e.start, e.end, False))
            parts.append(e.replacement)
            new += len(e.replacement)
        pos = e.end
    if pos < len(text) or not segments:
        segments.append((new, pos, len(text), True))
        parts.append(text[pos:])
        new += len(text) - pos
    return "".join(parts), OffsetMap(segments, new)


def merge_edits(*layers: Iterable[Edit]) -> list[Edit]:
    """Join edit lists from several rules, earlier lists winning where two overlap.

    Rules find noise independently (a URL inside a line that is an ad as a whole); the first list
    given has priority, and an edit that overlaps an accepted one is left out.
    """
    accepted: list[Edit] = []
    starts: list[int] = []
    for layer in layers:
        for e in sorted(layer, key=lambda e: (e.start, -e.end)):
            k = bisect_right(starts, e.start)
            before = accepted[k - 1] if k else None
            after = accepted[k] if k < len(accepted) else None
            if (before and before.end > e.start) or (after and after.start < e.end):
                continue
            accepted.insert(k, e)
            starts.insert(k, e.start)
    return accepted
