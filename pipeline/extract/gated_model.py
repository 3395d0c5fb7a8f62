"""The ``backkb_model`` component: the trained components, run only where the gate says, with context.

The gate (``backkb_gate``) keeps the blocks the rules need tags, lemmas and a parse for. Each run of
kept blocks is copied into a small ``Doc`` with some context around it, the trained components
(tok2vec, tagger, parser, attribute ruler, lemmatizer) run over all of a batch's small docs at
once, and the annotations of the kept blocks are copied back: tags, morphology, lemmas, the parse
and the sentence starts. Skipped blocks keep the layout's sentence starts (every block starts a
sentence) and no tags; the rules find nothing there, since no cue is there.

How much context makes the kept blocks' annotations those of a pass over the whole text
(measured in ``tests/test_gate.py``):

- the tok2vec layer sees four tokens either side of each token, so the tagger needs four tokens
  of context on each side;
- the parser also looks at the second token of its buffer, so after a run it needs that token's
  own four: six tokens;
- before a run, the parser carries one decision over a sentence boundary: whether, with the last
  sentence still on its stack, it breaks after the first token of the next. So it reads the whole
  block before the run, and four tokens before that (``before_blocks``, ``before_tokens``).

Runs whose contexts meet are read as one, so the blocks between them are annotated too. The token
ranges the model read are written to ``doc.spans[span_group]``; their share of the doc is what the
model did not skip (``skipped_share``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, NORM, POS, SENT_START, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from pipeline.extract import extensions
from pipeline.extract.attribute_lookup import AttributeLookup
from pipeline.extract.gate import GATE_GROUP
from pipeline.extract.layout import BLOCK_GROUP

MODEL_GROUP = "model"
MODEL_LABEL = "MODEL"
TRAINED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
COPIED = [TAG, POS, MORPH, LEMMA, DEP, HEAD]  # relative heads: a run's arcs stay inside its sentences


@dataclass(frozen=True)
class Context:
    """How much text around a run of kept blocks the model reads (see the module's docstring)."""

    before_blocks: int = 0
    before_tokens: int = 16
    after_tokens: int = 6


@dataclass(frozen=True)
class Range:
    """Tokens ``[start, end)`` the model reads; ``[core_start, core_end)`` those whose annotations are kept."""

    start: int
    end: int
    core_start: int
    core_end: int


def model_ranges(n_tokens: int, blocks: Sequence[Span], kept: Iterable[int], context: Context) -> list[Range]:
    """The ranges to read for the kept block indexes: each run of blocks (with the space after it),
    widened by ``context``; ranges that meet are merged."""
    kept = sorted(set(kept))
    runs: list[list[int]] = []
    for i in kept:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    out: list[Range] = []
    for run in runs:
        first, last = run[0], run[-1]
        core = (blocks[first].start, blocks[last + 1].start if last + 1 < len(blocks) else n_tokens)
        before = first - context.before_blocks
        start = max(blocks[before].start - context.before_tokens, 0) if before >= 0 else 0
        end = min(core[1] + context.after_tokens, n_tokens)
        if out and start <= out[-1].end:
            start, core = out[-1].start, (out[-1].core_start, core[1])
            out.pop()
        out.append(Range(start, end, *core))
    return out


def skipped_share(doc: Doc, span_group: str = MODEL_GROUP) -> float:
    """The share of ``doc``'s tokens the trained model did not read."""
    read = sum(len(s) for s in doc.spans.get(span_group, []))
    return 1 - read / len(doc) if len(doc) else 0.0


class GatedModel:
    """Runs ``pipes`` (name, component) over the gate's blocks of each doc, batch by batch."""

    def __init__(self, pipes: Sequence[tuple[str, Any]], context: Context, groups: dict[str, str],
                 attribute_lookup: bool = True) -> None:
        """``attribute_lookup``: apply an attribute ruler among ``pipes`` as ``AttributeLookup`` does."""
        extensions.register()
        self.context, self.groups = context, groups
        self.pipes = [(name, (attribute_lookup and isinstance(proc, AttributeRuler)
                              and AttributeLookup.from_ruler(proc)) or proc) for name, proc in pipes]

    def ranges(self, doc: Doc) -> list[Range]:
        """The token ranges the model reads in ``doc`` (after the gate has run)."""
        blocks = list(doc.spans.get(self.groups["block"], []))
        index = {b.start: i for i, b in enumerate(blocks)}
        kept = (index[s.start] for s in doc.spans.get(self.groups["gate"], []) if s.start in index)
        return model_ranges(len(doc), blocks, kept, self.context)

    def __call__(self, doc: Doc) -> Doc:
        return self._apply([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 8) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from self._apply(list(batch))

    def _apply(self, docs: list[Doc]) -> list[Doc]:
        plans = [self.ranges(doc) for doc in docs]
        small = [d for doc, ranges in zip(docs, plans, strict=True) for d in _copies(doc, ranges)]
        for _name, proc in self.pipes:
            small = list(proc.pipe(small, batch_size=max(len(small), 1))) if hasattr(proc, "pipe") else [
                proc(d) for d in small]
        done = iter(small)
        for doc, ranges in zip(docs, plans, strict=True):
            _annotate(doc, ranges, [next(done) for _ in ranges])
            extensions.set_group(doc, self.groups["span"], [Span(doc, r.start, r.end, label=MODEL_LABEL)
                                                            for r in ranges])
        return docs


def _copies(doc: Doc, ranges: Sequence[Range]) -> list[Doc]:
    """Each range of ``doc`` as a new doc, with its tokens' norms (set by tokenizer exceptions, read
    by tok2vec) and sentence starts (set by the layout, kept by the parser)."""
    if not ranges:
        return []
    attrs = doc.to_array([NORM, SENT_START])
    out = []
    for r in ranges:
        tokens = doc[r.start : r.end]
        small = Doc(doc.vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens])
        small.from_array([NORM, SENT_START], attrs[r.start : r.end])
        out.append(small)
    return out


def _annotate(doc: Doc, ranges: Sequence[Range], small: Sequence[Doc]) -> None:
    """Copy the kept tokens' annotations from the small docs into ``doc``; other tokens keep their
    sentence starts and get none."""
    if not ranges:
        return
    values = np.zeros((len(doc), len(COPIED)), dtype=np.uint64)
    starts = doc.to_array([SENT_START])
    for r, d in zip(ranges, small, strict=True):
        a, b = r.core_start - r.start, r.core_end - r.start
        values[r.core_start : r.core_end] = d.to_array(COPIED)[a:b]
        starts[r.core_start : r.core_end] = d.to_array([SENT_START])[a:b]
    doc.from_array(COPIED, values)
    doc.from_array([SENT_START], starts)  # after HEAD, which resets sentence starts from the parse


@Language.factory("backkb_model", default_config={
    "pipes": list(TRAINED), "before_blocks": 0, "before_tokens": 16, "after_tokens": 6, "attribute_lookup": True,
    "gate_group": GATE_GROUP, "block_group": BLOCK_GROUP, "span_group": MODEL_GROUP})
def make_model(nlp: Language, name: str, pipes: list[str], before_blocks: int, before_tokens: int, after_tokens: int,
               attribute_lookup: bool, gate_group: str, block_group: str, span_group: str) -> GatedModel:
    """Add after ``backkb_gate``, and disable the components named in ``pipes`` (it runs them itself)."""
    return GatedModel([(p, nlp.get_pipe(p)) for p in pipes], Context(before_blocks, before_tokens, after_tokens),
                      {"gate": gate_group, "block": block_group, "span": span_group}, attribute_lookup)
