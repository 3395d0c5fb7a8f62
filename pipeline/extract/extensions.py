"""The ``Span`` extensions that backkb's spaCy components write and read: one place for all of them.

Results live on the ``Doc`` as span groups (``doc.spans["block"]``, ``["exercise"]``, ``["dose"]``,
``["advice"]``, ``["step"]``) whose spans carry these extensions. Every value is plain data (str,
int, float, bool, None, lists of those), so a ``Doc`` keeps them through ``Doc.to_bytes`` and so
through ``nlp.pipe(..., n_process=N)``; a link to another span is stored as its character offsets
and read back through a getter (``dose._.exercises``).

spaCy keys a span's extension values by its character offsets alone, so two doses read from one
phrase ("3 sets of 10 reps": a ``sets`` and a ``reps`` span) would share one ``._.min``. The values
here are kept per offsets, label and span id instead (``_keyed``), so spans that differ in label
or id never share a value; each group still has attribute names of its own, for readability.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span, SpanGroup

# name -> default, for values the components set
_VALUES: dict[str, Any] = {
    # block (label_: heading, item, field, row, paragraph)
    "block_number": None,  # the list number of a numbered item or heading ("3. Wall Sits")
    "bullet": False,
    "text_start": None,  # character offset of the words after the list marker
    "heading_at": None,  # [start_char, end_char] of the heading that owns this block
    # [start_char, end_char] of the block one level up: for a numbered heading, the heading or lead-in
    # line ("Exercises to avoid:") whose list it is; for a list item, the lead-in line of its list
    "parent_heading_at": None,
    # exercise (label_: EXERCISE)
    "name": None,  # the name as resolution compares it
    "method": None,  # how it was found: lexicon, rule, heading, description, …
    "confidence": 1.0,
    "named": True,  # False for a described, unnamed exercise
    "in_heading": False,
    "polarity": "recommend",  # recommend, avoid or caution, set by the ConText component
    # [start_char, end_char] of the ConText trigger that made the exercise avoid ("Avoid", or the
    # heading "Exercises to Avoid" of its section); None unless avoid. Set by the ConText component.
    "polarity_cue_at": None,
    # [start_char, end_char] of the sentence, line or heading its polarity was decided in: what a
    # polarity conflict quotes
    "polarity_quote_at": None,
    # dose (label_: the dose attribute, e.g. hold_s)
    "min": None,
    "max": None,
    "per_side": False,
    "approx": False,
    "exercise_at": None,  # [[start_char, end_char], …] of the exercises the dose is for
    # advice (label_: the topic)
    "stance": None,
    # step (label_: STEP)
    "step_no": None,
}


def _linked(key: str):
    def get(span: Span) -> list[Span]:
        found = []
        for start, end in span._.get(key) or ():
            linked = span.doc.char_span(start, end)
            if linked is not None:
                found.append(linked)
        return found

    return get


def _at(key: str):
    def get(span: Span) -> Span | None:
        at = span._.get(key)
        return span.doc.char_span(*at) if at else None

    return get


def _keyed(name: str, default: Any) -> dict[str, Any]:
    """Getter and setter of a value stored in ``doc.user_data`` under the span's offsets and label."""

    def key(span: Span) -> tuple[str, str, int, int, str, str]:
        return ("backkb", name, span.start_char, span.end_char, span.label_, span.id_)

    def get(span: Span) -> Any:
        return span.doc.user_data.get(key(span), default)

    def set_(span: Span, value: Any) -> None:
        span.doc.user_data[key(span)] = value

    return {"getter": get, "setter": set_}


def register() -> None:
    """Register every extension once (a component's factory calls this; calling it again is harmless)."""
    for name, default in _VALUES.items():
        if not Span.has_extension(name):
            Span.set_extension(name, **_keyed(name, default))
    if not Span.has_extension("attribute"):
        Span.set_extension("attribute", getter=lambda span: span.label_)
    if not Span.has_extension("exercises"):
        Span.set_extension("exercises", getter=_linked("exercise_at"))
    if not Span.has_extension("heading"):
        Span.set_extension("heading", getter=_at("heading_at"))
    if not Span.has_extension("parent_heading"):
        Span.set_extension("parent_heading", getter=_at("parent_heading_at"))


class KeptGroup(SpanGroup):
    """A span group that keeps its ``Doc`` alive, so ``nlp(text).spans["dose"]`` reads in one expression.

    A plain ``SpanGroup`` holds its doc weakly, and the doc of a one-line ``nlp(text)`` is gone
    before the group is read (spaCy's error E865). The strong link makes a reference cycle, which
    Python's collector frees; ``Doc.to_bytes`` stores the group as any other, and a copy or a doc
    read back from bytes has plain groups again.
    """

    def __init__(self, doc: Doc, *, name: str, spans: list[Span]) -> None:
        super().__init__(doc, name=name, spans=spans)
        self.kept_doc = doc


def set_group(doc: Doc, name: str, spans: list[Span]) -> None:
    """Write ``doc.spans[name]`` as a group that keeps ``doc`` alive (``KeptGroup``)."""
    doc.spans[name] = KeptGroup(doc, name=name, spans=spans)
