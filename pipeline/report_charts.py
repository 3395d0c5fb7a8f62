"""The report's dose charts as geometry: one row per source's dose on an axis the sources share.

The template (``templates/macros.html.j2``) only draws what is computed here, so the layout rules
live in one place and are tested without a browser: the label column is as wide as its longest
label (a "per side" label never runs under a bar or its arrow), the axis' end label is anchored at
its end (never clipped), and an open end's arrow stays inside the drawing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.vocab import DOSE_ATTRIBUTES

CHAR_PX = 7.2  # an upper bound of one character's width at the chart's 12 px sans-serif (digits, bold labels)
AXIS_PX = 250
ROW_PX, TOP_PX, BAR_PX, ARROW_PX, MARGIN_PX = 24, 22, 12, 9, 6


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 4, 5 × 10^k at or above ``x``, so the axis end and its middle are round (37 → 40)."""
    if x <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 4, 5, 10) if m * power >= x - 1e-9)


def number(x: float) -> str:
    """``20.0`` → ``20``, ``2.5`` → ``2.5``."""
    return f"{x:g}"


def dose_text(d: dict[str, Any]) -> str:
    """A dose as a person writes it: ``5–10 reps``, ``up to 10 s``, ``3 s or more``, ``about 30 s per side``."""
    known = DOSE_ATTRIBUTES.get(d["attribute"])
    unit = known.unit if known else ""
    lo, hi = d["min_value"], d["max_value"]
    if lo is not None and hi is not None:
        value = number(lo) if lo == hi else f"{number(lo)}–{number(hi)}"
    elif hi is not None:
        value = f"up to {number(hi)}"
    elif lo is not None:
        value = f"{number(lo)} or more"
    else:
        value = "?"
    text = f"{value} {unit}".strip()
    if d.get("approx"):
        text = "about " + text
    if d.get("per_side"):
        text += " per side"
    return text


@dataclass(frozen=True)
class Axis:
    """A shared horizontal axis: values 0..``top`` drawn from ``x0`` to ``x1`` pixels."""

    top: float
    x0: float = 150
    x1: float = 400

    def x(self, value: float) -> float:
        return self.x0 + (self.x1 - self.x0) * min(max(value, 0.0), self.top) / self.top


@dataclass(frozen=True)
class Shape:
    """One SVG element of a bar: ``rect`` (x, y, width, height), ``polygon`` (points) or ``line``."""

    kind: str
    attrs: dict[str, str]
    faded: bool = False


@dataclass(frozen=True)
class Row:
    label: str  # the source's label
    text: str  # its dose as written: "2–4 reps per side"
    colour: str
    y: float
    shapes: tuple[Shape, ...]
    dashed: bool
    href: str | None
    title: str


@dataclass(frozen=True)
class Chart:
    caption: str
    conflicted: bool
    width: float
    height: float
    ticks: tuple[tuple[float, str, str], ...]  # x, label, text-anchor
    rows: tuple[Row, ...]
    top: float
    bottom: float


def _f(x: float) -> str:
    return f"{x:.1f}"


def bar_shapes(d: dict[str, Any], axis: Axis, y: float) -> tuple[Shape, ...]:
    """One source's range: solid between known ends (a diamond for one value), faded with an arrowhead
    towards an open end."""
    lo, hi, h = d["min_value"], d["max_value"], BAR_PX
    if lo is not None and hi is not None:
        x_lo, x_hi = axis.x(lo), axis.x(hi)
        if x_hi - x_lo < 6:
            cx, cy = (x_lo + x_hi) / 2, y + h / 2
            points = f"{_f(cx - 6)},{_f(cy)} {_f(cx)},{_f(cy - 7)} {_f(cx + 6)},{_f(cy)} {_f(cx)},{_f(cy + 7)}"
            return (Shape("polygon", {"points": points}),)
        return (Shape("rect", {"x": _f(x_lo), "y": _f(y), "width": _f(x_hi - x_lo), "height": _f(h), "rx": "3"}),)
    if lo is None and hi is None:
        return ()
    known, end = (axis.x(lo), axis.x1) if lo is not None else (axis.x(hi), axis.x0)
    tip = end + (ARROW_PX if end > known else -ARROW_PX)
    return (
        Shape("rect", {"x": _f(min(known, end)), "y": _f(y), "width": _f(abs(end - known)), "height": _f(h)},
              faded=True),
        Shape("line", {"x1": _f(known), "x2": _f(known), "y1": _f(y - 2), "y2": _f(y + h + 2), "stroke-width": "3"}),
        Shape("polygon", {"points": f"{_f(end)},{_f(y - 3)} {_f(tip)},{_f(y + h / 2)} {_f(end)},{_f(y + h + 3)}"}),
    )


def chart(attribute: str, rows: Sequence[tuple[dict[str, Any], str, str, str | None]], conflicted: bool) -> Chart:
    """The chart of one attribute; ``rows``: (dose, source label, colour, href of its quote)."""
    known = DOSE_ATTRIBUTES.get(attribute)
    caption, unit = (known.label, known.unit) if known else (attribute, "")
    values = [v for d, *_ in rows for v in (d["min_value"], d["max_value"]) if v is not None]
    open_ended = any(d["max_value"] is None for d, *_ in rows)
    texts = [(label, dose_text(d)) for d, label, *_ in rows]
    x0 = MARGIN_PX + ARROW_PX + CHAR_PX * max(len(f"{label} {text}") for label, text in texts) + 8
    axis = Axis(nice_ceiling(max(values, default=1.0) * (1.5 if open_ended else 1.1)), x0, x0 + AXIS_PX)
    height = TOP_PX + ROW_PX * len(rows) + MARGIN_PX
    end_label = f"{number(axis.top)} {unit}".strip()
    ticks = ((axis.x0, "0", "start"), (axis.x(axis.top / 2), number(axis.top / 2), "middle"),
             (axis.x1, end_label, "end"))
    drawn = []
    for i, ((d, label, colour, href), (_l, text)) in enumerate(zip(rows, texts, strict=True)):
        y = TOP_PX + i * ROW_PX + 4
        drawn.append(Row(label, text, colour, y, bar_shapes(d, axis, y), bool(d.get("approx")), href,
                         f"{label}: {text} — “{d['evidence']}”"))
    return Chart(caption, conflicted, axis.x1 + ARROW_PX + MARGIN_PX, height, ticks, tuple(drawn), TOP_PX - 6,
                 height - 4)
