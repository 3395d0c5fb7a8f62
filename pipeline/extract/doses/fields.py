"""Doses written as labelled fields or table cells: "Reps: 10 per side", "Hold: 5 sec | Repeat: 10",
a table whose header names the columns ("Exercise | Hold | Reps" over "Bridge | 10 s | 12").

Exercise cards state a dose as a label and a value rather than a sentence, so the sentence rules
find no cue there; a cell regex reads them instead. A line is cut into cells at "|"; a cell is a
field when it starts with a label, and a row under a header takes each column's label from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from pipeline import lexicons
from pipeline.extract.doses.lexicon import Lexicon, forms, lexicon
from pipeline.extract.doses.numbers import number_value
from pipeline.extract.doses.sides import has_side_cue
from pipeline.models import Quantity

FREQUENCY = "frequency"  # a label whose value is a schedule ("Frequency: daily")
_NUMBER = r"\d+(?:\.\d+)?|[a-z]+"
_VALUE = re.compile(rf"[ \t]*(?P<lo>{_NUMBER})(?:[ \t]*(?:-|–|to)[ \t]*(?P<hi>{_NUMBER}))?[ \t]*(?P<rest>.*)$",
                    re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class _Fields:
    cell: re.Pattern[str]  # "Label: value" at the start of a cell
    column: re.Pattern[str]  # a header cell: "Hold", "Hold (sec)", "Reps per side"
    labels: dict[str, str]  # label (lower case) → dose attribute, or FREQUENCY


# A table column: its attribute and the words after its label ("(sec)"), which give a bare value its unit.
Column = tuple[str, str] | None


@cache
def _fields() -> _Fields:
    entries = lexicons.load("quantities")["fields"]["labels"]
    labels = {f: attribute for label, attribute in entries.items() for f in forms(label.lower())}
    alternation = "|".join(re.escape(k) for k in sorted(labels, key=len, reverse=True))
    cell = re.compile(rf"^[ \t]*(?:[-•*][ \t]+)?(?P<label>{alternation})[ \t]*[:=](?P<value>.*)$",
                      re.IGNORECASE | re.DOTALL)
    column = re.compile(rf"^[ \t]*(?P<label>{alternation})(?![a-z])(?P<rest>[^:=]*)$", re.IGNORECASE)
    return _Fields(cell, column, labels)


def _cells(text: str) -> Iterator[list[tuple[int, str]]]:
    """Each line's cells as (offset, text), leading blanks skipped: a line is cut at "|"."""
    pos = 0
    for line in text.split("\n"):
        cells, start = [], pos
        for part in line.split("|"):
            skip = len(part) - len(part.lstrip())
            cells.append((start + skip, part[skip:]))
            start += len(part) + 1
        yield cells
        pos += len(line) + 1


def _value(attribute: str, value: str, lex: Lexicon, unit_words: str = "") -> tuple[float, float, str] | None:
    """``(lo, hi, rest)`` of a field's value: "8-12 each side", "30 seconds", "two"; None when it
    holds no number we can trust ("as many as you can", a duration without its unit). A bare
    value takes its unit from ``unit_words`` (its column's header, "Hold (sec)")."""
    if attribute == FREQUENCY:
        return _schedule(value, lex)
    m = _VALUE.match(value)
    if m is None:
        return None
    values = [number_value(m.group(g), lex.numbers) for g in ("lo", "hi") if m.group(g)]
    if not values or None in values:
        return None
    rest = m.group("rest").strip().lower()
    unit = re.match(r"[a-z]+", rest) or re.search(r"[a-z]+", unit_words.lower())
    durations = lex.units.durations
    if attribute.endswith("_s") and not (unit and unit.group() in durations):
        return None  # "Hold: 10" without a unit is not a duration we can trust
    factor = durations[unit.group()] if attribute.endswith("_s") and unit else 1.0
    lo, hi = values[0], values[-1]
    assert lo is not None and hi is not None
    return lo * factor, hi * factor, rest


def _schedule(value: str, lex: Lexicon) -> tuple[float, float, str] | None:
    """A schedule said by a period word alone ("daily", "every day"): once a day. Numbers
    ("3 times a week") are the sentence rules' to read."""
    words = tuple(re.findall(r"[a-z]+", value.lower()))
    return (1.0, 1.0, "") if words in lex.units.daily else None


def _quantity(attribute: str, start: int, cell: str, value_at: int, lex: Lexicon,
              unit_words: str = "") -> Quantity | None:
    """The dose of one cell (``cell`` starts at char ``start``; its value at ``value_at``)."""
    read = _value(attribute, cell[value_at:], lex, unit_words)
    if read is None:
        return None
    lo, hi, rest = read
    attribute = "per_day" if attribute == FREQUENCY else attribute
    end = start + len(cell.rstrip())
    return Quantity(attribute, lo, hi, start, end, per_side=attribute != "per_day" and has_side_cue(rest))


def field_quantities(text: str) -> list[Quantity]:
    """Doses written as labelled fields or under a table header, one field per cell.

    >>> [(q.attribute, q.min_value, q.per_side) for q in field_quantities("Reps: 8-12 each side\\nSets: two")]
    [('reps', 8.0, True), ('sets', 2.0, False)]
    >>> [(q.attribute, q.min_value) for q in field_quantities("Hold: 5 sec | Repeat: 10 | Frequency: daily")]
    [('hold_s', 5.0), ('reps', 10.0), ('per_day', 1.0)]
    >>> [(q.attribute, q.min_value) for q in field_quantities("Exercise | Hold | Reps\\nBridge | 10 sec | 12")]
    [('hold_s', 10.0), ('reps', 12.0)]
    """
    f, lex = _fields(), lexicon()
    out: list[Quantity] = []
    header: list[Column] | None = None
    for cells in _cells(text):
        labelled = [f.cell.match(c) for _, c in cells]
        for (start, cell), m in zip(cells, labelled, strict=True):
            if m is not None:
                at, attribute = m.start("label"), f.labels[m["label"].lower()]  # the quote starts at the label
                out.extend(_some(_quantity(attribute, start + at, cell[at:], m.start("value") - at, lex)))
        columns: list[Column] = [(f.labels[c["label"].lower()], c["rest"]) if c else None
                                 for c in (f.column.match(cell) for _, cell in cells)]
        if len(cells) > 1 and any(columns[1:]) and not any(labelled):
            header = columns  # "Exercise | Hold | Reps": the labels of the rows below
        elif header is not None and len(cells) == len(header) and not any(labelled):
            for (start, cell), column in zip(cells, header, strict=True):
                if column is not None and cell.strip():
                    out.extend(_some(_quantity(column[0], start, cell, 0, lex, column[1])))
        else:
            header = None
    return out


def _some(q: Quantity | None) -> list[Quantity]:
    return [q] if q is not None else []
