"""Walk a ``Doc`` sentence by sentence and collect its doses as ``Quantity`` records.

Sentences without a digit or number word are skipped with array operations, and the cue matcher
runs only once a number turns up, so the cost grows with the number of quantities, not with the
length of the prose. Works on ``spacy.blank("en")`` (with or without a sentencizer: without one,
line breaks still cut the text into contexts) and on a parsed doc.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import vocab
from pipeline.extract.doses.fields import field_quantities
from pipeline.extract.doses.patterns import Rules, rules
from pipeline.extract.doses.reader import SentenceReader
from pipeline.extract.doses.sentence import Context, Cue, Found, Unit
from pipeline.extract.doses.settings import DEFAULTS, Settings
from pipeline.extract.doses.sides import side_cue_re
from pipeline.models import Quantity

# "On each leg" qualifies what is done to a leg; a session count ("twice a day") is for the routine.


def _matches(matcher: Matcher, doc: Doc, lo: int, hi: int) -> list[Span]:
    """Longest non-overlapping matches in ``doc[lo:hi]``, labelled with the matcher's rule name.

    (A ``Matcher`` run on a span gives offsets relative to the span.)"""
    return filter_spans([Span(doc, lo + s, lo + e, label=m) for m, s, e in matcher(doc[lo:hi])])


def context_starts(doc: Doc) -> list[int]:
    """First tokens of the ranges in which cue words count: sentences, cut again at a line break
    before a capital, digit or bullet (headings and list lines often carry no full stop)."""
    starts = {0}
    if doc.has_annotation("SENT_START"):
        starts.update(np.flatnonzero(doc.to_array("SENT_START") == 1).tolist())
    for i in np.flatnonzero(doc.to_array("IS_SPACE")).tolist():
        if i + 1 < len(doc) and "\n" in doc[i].text:
            first = doc[i + 1].text[:1]
            if first.isupper() or first.isdigit() or not first.isalnum():
                starts.add(i + 1)
    return sorted(starts)


def _candidate_contexts(doc: Doc, compiled: Rules, starts: list[int]) -> list[int]:
    """Indexes of the contexts that hold a token able to start a quantity (a digit, a number
    word, "once", "minute"), found with array operations so that prose costs almost nothing."""
    attrs = doc.to_array(["PREFIX", "LOWER"])
    hits = np.flatnonzero(np.isin(attrs[:, 0], compiled.digit_prefixes) | np.isin(attrs[:, 1], compiled.trigger_words))
    if not hits.size:
        return []
    return np.unique(np.searchsorted(np.asarray(starts), hits, side="right") - 1).tolist()


def find_quantities(doc: Doc, settings: Settings = DEFAULTS) -> list[Quantity]:
    """Every dosage quantity in ``doc``, sorted by start.

    ``start``/``end`` are character offsets into ``doc.text`` of the evidence: the quantity phrase
    widened to its cue in the same clause ("Hold for 15 to 30 seconds", "work up to 30"). No two
    quantities share the same evidence offsets.
    """
    if not len(doc):
        return []
    compiled = rules(doc.vocab, settings)
    starts = context_starts(doc)
    cues: list[Cue] | None = None
    out: list[Quantity] = []
    last: tuple[int, Unit | None] = (-2, None)  # context index, what its last count measured
    for index in _candidate_contexts(doc, compiled, starts):
        lo = starts[index]
        hi = starts[index + 1] if index + 1 < len(starts) else len(doc)
        if cues is None:  # one PhraseMatcher pass over the doc, only once a number turns up
            cues = [Cue(sp.label_, sp.start, sp.end)
                    for sp in filter_spans([Span(doc, s, e, label=m) for m, s, e in compiled.cues(doc)])]
            cue_starts = [c.start for c in cues]
        ctx = Context(lo, hi, cues[bisect_left(cue_starts, lo) : bisect_left(cue_starts, hi)])
        inherited = last[1] if last[0] == index - 1 else None
        found, unit = _read_context(doc, compiled, settings, ctx, inherited)
        out.extend(found)
        last = (index, unit)
    out.extend(q for q in field_quantities(doc.text)  # unless the sentence rules read the line already
               if not any(o.attribute == q.attribute and o.start < q.end and q.start < o.end for o in out))
    out.sort(key=lambda q: (q.start, q.end, q.attribute))
    return out


def _read_context(doc: Doc, compiled: Rules, settings: Settings, ctx: Context,
                  inherited: Unit | None) -> tuple[list[Quantity], Unit | None]:
    """The quantities of one sentence (``doc[ctx.start:ctx.end]``), and what its last rep count or
    hold measured, which the next sentence's "work up to 30" may take over."""
    lo, hi = ctx.start, ctx.end
    quantities = _matches(compiled.quantities, doc, lo, hi)
    governed: dict[int, int] = {}  # number token → start of the progression head that governs it
    for _, s, e in compiled.targets(doc[lo:hi]):
        governed[lo + e - 1] = max(governed.get(lo + e - 1, lo + s), lo + s)
    if not quantities and not (governed and inherited):
        return [], None  # a bare "work up to 30" needs an earlier quantity to take its unit from
    entries: list[tuple[int, Span | None]] = [(span.start, span) for span in quantities]
    entries += [(num, None) for num in governed if not any(sp.start <= num < sp.end for sp in quantities)]
    entries.sort(key=lambda x: x[0])
    reader = SentenceReader(doc, compiled, settings, ctx, governed, inherited)
    found: list[Found] = []
    for k, (start, span) in enumerate(entries):
        later = [s for s, _ in entries[k + 1 :]]
        found.extend(reader.read(span, later) if span is not None else reader.read_target(start, governed[start]))
    if not found:
        return [], reader.last
    # Doc.text joins every token on each call: read the sentence's own text once.
    ctx.text, ctx.offset = doc[lo:hi].text, doc[lo].idx
    ctx.sides = [(m.start() + ctx.offset, m.end() + ctx.offset) for m in side_cue_re().finditer(ctx.text)]
    out = []
    for f in found:
        start_char = doc[f.start].idx
        end_char = doc[f.end - 1].idx + len(doc[f.end - 1])
        per_side = bool(ctx.sides) and f.attribute in vocab.SIDED_ATTRIBUTES
        if per_side:
            end_char = reader.side_end(end_char) or end_char
        out.append(Quantity(f.attribute, f.lo, f.hi, start_char, end_char, f.approx, per_side))
    return out, reader.last
