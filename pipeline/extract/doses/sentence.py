"""What the dose reader keeps about one sentence: its cues, the quantities it classified, and
lookups of fixed phrases right before or after a token ("up to", "or longer", "each day")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from pipeline.extract.doses.lexicon import Phrase


@dataclass(frozen=True)
class Cue:
    kind: str
    start: int
    end: int


@dataclass
class Context:
    """A sentence (or a line of a list) with the cues found in it."""

    start: int
    end: int
    cues: list[Cue]
    sides: list[tuple[int, int]] | None = None  # per-side phrases as char spans, found when needed
    text: str = ""  # the context's text, which starts at char ``offset`` of the doc
    offset: int = 0

    def before(self, i: int, kinds: frozenset[str]) -> Cue | None:
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


@dataclass(frozen=True)
class Found:
    """A classified quantity in token offsets, before it becomes a ``Quantity``."""

    attribute: str
    lo: float | None
    hi: float | None
    start: int
    end: int
    approx: bool = False


# What a rep count or hold measured: ("reps" | "hold", unit factor); a bare target takes it over.
Unit = tuple[str, float]


def phrase_before(doc: Doc, i: int, lo: int, phrases: Sequence[Phrase]) -> int:
    """Start of the longest phrase that ends right before token ``i`` (``i`` if none)."""
    for phrase in phrases:
        s = i - len(phrase)
        if s >= lo and all(doc[s + k].lower_ == w for k, w in enumerate(phrase)):
            return s
    return i


def phrase_after(doc: Doc, i: int, hi: int, phrases: Iterable[Phrase]) -> int:
    """End of the longest phrase that starts at token ``i`` (``i`` if none)."""
    best = i
    for phrase in phrases:
        e = i + len(phrase)
        if e <= hi and e > best and all(doc[i + k].lower_ == w for k, w in enumerate(phrase)):
            best = e
    return best
