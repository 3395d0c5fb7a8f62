"""A position per source and question: what one article says on it, summed up from its advice rows.

Advice rows are sentences ("stay home for the day", "move as tolerated", "rest up to 3 days if …");
conflicts between sentences pair sources that say both things themselves. So each typed question of
``resources/advice_questions.json`` ("rest vs keep moving", "bed rest", "heat vs cold first",
"stretch during a spasm vs wait", …) reads a source's rows on its topics and sums them up into one
position (``vocab.POSITIONS``):

- each row is read as the question's **for** or **against** answer, **bounded** (a for answer with a
  bound: "rest up to 3 days"), **conditional** (its quote opens with a condition: "if the pain gets
  worse, take time off"), **compatible** (an against answer that fits either side: "move as
  tolerated" does not oppose "take it easy") or **neutral** (on the topic, answering neither way:
  "use heat", no time given, on heat or cold first);
- conditional rows count only when the source says nothing else on the question: a conditional
  remark is not a position, so such a source is ``conditional`` and in no conflict;
- a bound reconciles the rest ("rest up to 3 days" with daily walks is ``bounded``: rest that long,
  then move); otherwise for and against together are ``mixed``; only neutral rows are ``unstated``.

The rows a position came from are kept with it (``Position.rows``), and its quote is the first row
that decides it. Conflicts (``pipeline.conflicts``) are between the sources for or bounded and the
sources against; the report shows every position side by side, conflict or not.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from pipeline import lexicons
from pipeline.models import Advice
from pipeline.vocab import (
    ADVICE_STANCES,
    ADVICE_TOPICS,
    AGAINST,
    BOUNDED,
    COMPATIBLE,
    CONDITIONAL,
    FOR,
    MIXED,
    NEUTRAL,
    PLAIN,
    UNSTATED,
)

_WORDS = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")


@dataclass(frozen=True)
class Question:
    """One typed question: which advice rows answer it which way, and the words a reviewer reads."""

    name: str
    label: str  # the conflict's topic: "rest vs keep moving"
    ask: str  # "When the back spasms, rest or keep moving?"
    answers: dict[tuple[str, str], str]  # (topic, stance) -> for, against, bounded or neutral
    labels: dict[str, str]  # answer -> what it says: for -> "rest", bounded -> "rest for a while, then move"
    compatible: tuple[tuple[str, ...], ...] = ()  # word sequences that make an against row fit either side
    mentions: frozenset[str] = frozenset()  # only rows whose quote names one of these words
    conflicts: bool = True

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(topic for topic, _stance in self.answers))


@dataclass(frozen=True)
class Reading:
    """One advice row as a question reads it: its answer (for, against; None when neutral) and how."""

    topic: str
    stance: str
    answer: str | None
    reading: str  # vocab.READINGS
    evidence: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Position:
    """What one source says on one question (a row of the ``positions`` view): the value a reviewer
    reads, the quote of the row that decides it, and every row it came from."""

    source_id: str
    question: str
    topic: str  # the question's label, as a conflict's topic: "rest vs keep moving"
    position: str  # vocab.POSITIONS
    value: str  # "rest", "keep moving", "rest for a while, then move"
    evidence: str
    char_start: int
    char_end: int
    rows: tuple[Reading, ...]

    @property
    def side(self) -> str | None:
        """``a`` (for or bounded), ``b`` (against), or ``None``: a position in no conflict."""
        return {FOR: "a", BOUNDED: "a", AGAINST: "b"}.get(self.position)


def _phrases(words: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_WORDS.findall(w.lower())) for w in words)


def _question(name: str, spec: dict) -> Question:
    """One entry of the questions file, checked: a typo fails loudly instead of never matching."""
    if FOR not in spec or AGAINST not in spec:
        raise ValueError(f"advice_questions.json: question {name!r} needs a 'for' and an 'against' answer")
    answers: dict[tuple[str, str], str] = {}
    labels = {BOUNDED: spec[FOR]["label"] + ", within a bound", UNSTATED: "takes no side"}
    for answer in (FOR, AGAINST, BOUNDED, NEUTRAL, COMPATIBLE):
        if answer in spec:
            labels[UNSTATED if answer == NEUTRAL else answer] = spec[answer]["label"]
        for row in spec.get(answer, {}).get("rows", ()):
            topic, _, stance = row.partition("/")
            if topic not in ADVICE_TOPICS or stance not in ADVICE_STANCES:
                raise ValueError(f"advice_questions.json: bad topic/stance {row!r} in question {name!r}")
            answers[(topic, stance)] = UNSTATED if answer == NEUTRAL else answer
    labels.setdefault(COMPATIBLE, labels[UNSTATED])
    labels[MIXED] = f"both: {labels[FOR]} and {labels[AGAINST]}"
    return Question(name, spec["label"], spec["ask"], answers, labels,
                    _phrases(spec.get(COMPATIBLE, {}).get("words", ())), frozenset(spec.get("mentions", ())),
                    spec.get("conflicts", True))


@cache
def questions() -> tuple[Question, ...]:
    """The typed questions, in the order the report shows them."""
    data = lexicons.load("advice_questions")
    return tuple(_question(name, spec) for name, spec in data["questions"].items())


@cache
def _conditions() -> tuple[tuple[tuple[str, ...], ...], frozenset[str]]:
    data = lexicons.load("advice_questions")
    return _phrases(data["conditions"]), frozenset(data["openers"])


def _has(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(words[i:i + n]) == tuple(phrase) for i in range(len(words) - n + 1))


def conditional(quote: str) -> bool:
    """The quote opens with a condition ("If the pain gets worse, …", "But if …"): it holds only then.

    >>> conditional("But if it hurts more, take a day off."), conditional("Rest a day if you must.")
    (True, False)
    """
    phrases, openers = _conditions()
    words = _WORDS.findall(quote.lower())
    while words and words[0] in openers:
        words = words[1:]
    return any(tuple(words[:len(p)]) == p for p in phrases)


def read_row(question: Question, advice: Advice) -> Reading | None:
    """How ``question`` reads one advice row, or ``None`` when the row is not about it."""
    answer = question.answers.get((advice.topic, advice.stance))
    words = _WORDS.findall(advice.evidence.lower())
    if answer is None or (question.mentions and not question.mentions & set(words)):
        return None
    side = AGAINST if answer == AGAINST else FOR
    if answer == UNSTATED:
        side, reading = None, NEUTRAL
    elif conditional(advice.evidence):
        reading = CONDITIONAL
    elif side == AGAINST and any(_has(words, p) for p in question.compatible):
        reading = COMPATIBLE
    else:
        reading = BOUNDED if answer == BOUNDED else PLAIN
    return Reading(advice.topic, advice.stance, side, reading, advice.evidence, advice.char_start, advice.char_end)


def _sum_up(rows: Sequence[Reading]) -> tuple[str, Reading]:
    """The position of one source's rows on one question, and the row that decides it (see the module doc)."""

    def first(answer: str | None, *readings: str) -> Reading | None:
        return next((r for r in rows if r.answer == answer and r.reading in readings), None)

    bounded, plain_for, plain_against = first(FOR, BOUNDED), first(FOR, PLAIN), first(AGAINST, PLAIN)
    if bounded:
        return BOUNDED, bounded
    if plain_for and plain_against:
        return MIXED, plain_for
    if plain_for:
        return FOR, plain_for
    if plain_against:
        return AGAINST, plain_against
    conditional_row = first(FOR, CONDITIONAL) or first(AGAINST, CONDITIONAL)
    if conditional_row:
        return CONDITIONAL, conditional_row
    return UNSTATED, first(AGAINST, COMPATIBLE) or rows[0]


def _value(question: Question, position: str, decisive: Reading) -> str:
    """What a reviewer reads for a position: "rest", "rest, only under a condition", "move as tolerated"."""
    if position == CONDITIONAL:
        return f"{question.labels[decisive.answer or FOR]}, only under a condition"
    if position == UNSTATED and decisive.reading == COMPATIBLE:
        return question.labels[COMPATIBLE]
    return question.labels[position]


def positions_on(question: Question, advice: Iterable[Advice]) -> list[Position]:
    """Every source's position on ``question``, by source id (rows in text order)."""
    by_source: dict[str, list[Reading]] = defaultdict(list)
    for a in sorted(advice, key=lambda x: (x.source_id, x.char_start, x.char_end, x.topic, x.stance)):
        reading = read_row(question, a)
        if reading is not None:
            by_source[a.source_id].append(reading)
    out = []
    for source, rows in sorted(by_source.items()):
        position, decisive = _sum_up(rows)
        out.append(Position(source, question.name, question.label, position, _value(question, position, decisive),
                            decisive.evidence, decisive.char_start, decisive.char_end, tuple(rows)))
    return out


def positions(advice: Sequence[Advice]) -> tuple[Position, ...]:
    """Every source's position on every typed question, in the questions' order."""
    return tuple(p for q in questions() for p in positions_on(q, advice))
