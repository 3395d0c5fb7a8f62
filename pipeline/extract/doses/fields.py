"""Doses written as labelled fields, one per line: "Reps: 10 per side", "Sets: 2", "Hold: 30 seconds".

Exercise cards state a dose as a label and a value rather than a sentence, so the sentence rules
find no cue there; a line regex reads them instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline import lexicons
from pipeline.extract.doses.lexicon import forms, lexicon
from pipeline.extract.doses.numbers import number_value
from pipeline.extract.doses.sides import has_side_cue
from pipeline.models import Quantity


@dataclass(frozen=True)
class _Fields:
    line: re.Pattern[str]
    labels: dict[str, str]  # label (lower case) → dose attribute


@cache
def _fields() -> _Fields:
    entries = lexicons.load("quantities")["fields"]["labels"]
    labels = {f: attribute for label, attribute in entries.items() for f in forms(label.lower())}
    alternation = "|".join(re.escape(k) for k in sorted(labels, key=len, reverse=True))
    number = r"\d+(?:\.\d+)?|[a-z]+"
    line = re.compile(
        rf"^[ \t]*(?:-[ \t]+)?(?P<label>{alternation})[ \t]*[:=][ \t]*"
        rf"(?P<lo>{number})(?:[ \t]*(?:-|to)[ \t]*(?P<hi>{number}))?[ \t]*(?P<rest>[^\n]*)$",
        re.IGNORECASE | re.MULTILINE,
    )
    return _Fields(line, labels)


def field_quantities(text: str) -> list[Quantity]:
    """Doses written as labelled fields, one per line: "Reps: 10 per side", "Sets: 2", "Hold: 30 seconds".

    >>> [(q.attribute, q.min_value, q.per_side) for q in field_quantities("Reps: 8-12 each side\\nSets: two")]
    [('reps', 8.0, True), ('sets', 2.0, False)]
    """
    f, lex = _fields(), lexicon()
    durations = lex.units.durations
    out = []
    for m in f.line.finditer(text):
        values = [number_value(m.group(g), lex.numbers) for g in ("lo", "hi") if m.group(g)]
        if not values or None in values:
            continue
        attribute = f.labels[m.group("label").lower()]
        rest = m.group("rest").lower()
        unit = re.match(r"[a-z]+", rest)
        factor = durations.get(unit.group(), 1.0) if unit else 1.0
        if attribute.endswith("_s") and not (unit and unit.group() in durations):
            continue  # "Hold: 10" without a unit is not a duration we can trust
        lo, hi = values[0] * factor, values[-1] * factor
        out.append(Quantity(attribute, lo, hi, m.start("label"), m.end(), per_side=has_side_cue(rest)))
    return out
