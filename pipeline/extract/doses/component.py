"""The ``backkb_doses`` spaCy component: doses as the span group ``doc.spans["dose"]``.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("backkb_doses")
    >>> [(s.text, s.label_, s._.min, s._.max) for s in nlp("Hold for 15 to 30 seconds.").spans["dose"]]
    [('Hold for 15 to 30 seconds', 'hold_s', 15.0, 30.0)]

Each span covers the evidence of one dose; ``label_`` (and the getter ``._.attribute``) is the
dose attribute, and ``._.min``, ``._.max`` (None for an open bound), ``._.per_side`` and
``._.approx`` hold its value. The component runs the same reader as ``find_quantities``, so the
group is exactly that function's result; it needs no tagger or parser, and reads sentences when a
sentencizer or parser has set them (line breaks cut contexts either way).
"""

from __future__ import annotations

from dataclasses import asdict

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract import extensions
from pipeline.extract.doses.scan import find_quantities
from pipeline.extract.doses.settings import DEFAULTS, Settings
from pipeline.models import Quantity

SPAN_GROUP = "dose"


def dose_span(doc: Doc, q: Quantity) -> Span:
    """The span of one quantity's evidence, labelled with its attribute and carrying its values."""
    span = doc.char_span(q.start, q.end, label=q.attribute, alignment_mode="expand")
    span._.min, span._.max = q.min_value, q.max_value
    span._.per_side, span._.approx = q.per_side, q.approx
    return span


def span_quantity(span: Span) -> Quantity:
    """The quantity a dose span stands for (the inverse of ``dose_span``)."""
    return Quantity(span.label_, span._.min, span._.max, span.start_char, span.end_char, span._.approx,
                    span._.per_side)


class DoseFinder:
    """Writes every dose of a doc to one span group."""

    def __init__(self, span_group: str, settings: Settings) -> None:
        self.span_group, self.settings = span_group, settings

    def __call__(self, doc: Doc) -> Doc:
        spans = [dose_span(doc, q) for q in find_quantities(doc, self.settings)]
        extensions.set_group(doc, self.span_group, spans)
        return doc


@Language.factory(
    "backkb_doses",
    default_config={"span_group": SPAN_GROUP, **asdict(DEFAULTS)},
    assigns=["doc.spans", "span._.min", "span._.max", "span._.per_side", "span._.approx"],
)
def make_doses(nlp: Language, name: str, span_group: str, max_cue_gap: int, interval_window: int,
               target_gap: int, period_gap: int, total_min_s: float, max_duration_s: float) -> DoseFinder:
    """The ``backkb_doses`` component; its config holds the distances of ``Settings``."""
    extensions.register()
    return DoseFinder(span_group, Settings(max_cue_gap, interval_window, target_gap, period_gap, total_min_s,
                                           max_duration_s))
