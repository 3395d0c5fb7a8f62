"""The ``backkb_gate`` component: the blocks that the trained model must read, as ``doc.spans["gate"]``.

Most of an article needs no tagger or parser: an introduction, the causes, the symptoms, a
disclaimer. The rules need tags, lemmas, a parse and sentences only where they can act, so the
gate keeps a block when

- its words can start a name, a dose or advice (``cues``; label ``name``, ``advice`` or ``dose``);
- or it lies in a section that names an exercise (label ``section``): steps are read from every
  block of such a section, as instructions the tagger tells from prose, and the section's heading
  tells ConText whether its exercises are to be avoided.

A section here runs from one heading that surely opens a section of attribution's (``sections``)
to the next (``is_cut``), so each of attribution's sections lies inside one of these: a wider net
than theirs, never a narrower one. Each kept block is a span of the group, labelled with why it was kept;
``backkb_model`` then runs the trained components on those blocks alone (with context).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract import extensions
from pipeline.extract.cues import FirstPass, LemmaForms, cue_words, gate_lemmas, lemma_forms
from pipeline.extract.layout import BLOCK_GROUP
from pipeline.extract.sections import is_subheading

GATE_GROUP = "gate"
NAME, SECTION, ADVICE, DOSE = "name", "section", "advice", "dose"  # why a block is kept


def is_cut(text: str, blocks: Sequence[Span], names: Collection[int], doses: Collection[int], i: int) -> bool:
    """Whether block ``i`` opens a section of attribution's, whatever the model says: a heading that is
    not a subheading ("How to do it"), holds no dose (a dose line the layout took for a heading opens
    none), and is not one of a list of names ("1. Bird Dog" / "2. Side Plank": those open none).
    ``names`` and ``doses`` are the blocks with name and dose cues."""
    block = blocks[i]
    if block.label_ != "heading" or i in doses or is_subheading(text[block._.text_start : block.end_char]):
        return False
    if i not in names:
        return True
    number = block._.block_number
    after = i + 1 < len(blocks) and (i + 1 in names or (
        number is not None and blocks[i + 1]._.block_number == number + 1))
    return not (i - 1 in names or after)


def sections_of(text: str, blocks: Sequence[Span], names: Collection[int], doses: Collection[int]) -> list[range]:
    """Block indexes of each section, from a block that surely opens one (included) to the next."""
    cuts = [i for i in range(1, len(blocks)) if is_cut(text, blocks, names, doses, i)]
    return [range(lo, hi) for lo, hi in pairwise([0, *cuts, len(blocks)]) if hi > lo]


def chosen_blocks(first: FirstPass) -> dict[int, str]:
    """Per kept block index, why it is kept; each cue is looked for only where no other kept the block."""
    blocks = first.blocks
    names = first.names()
    doses = first.doses(i for i, b in enumerate(blocks) if b.label_ == "heading")
    sections = sections_of(first.text, blocks, names, doses)
    reasons = dict.fromkeys(names, NAME)

    def widen(named: Collection[int]) -> None:
        for section in sections:
            if any(i in named for i in section):
                for i in section:
                    reasons.setdefault(i, SECTION)

    widen(names)
    described = first.descriptions(i for i in range(len(blocks)) if i not in reasons)
    reasons.update(dict.fromkeys(described, NAME))
    widen(described)
    reasons.update(dict.fromkeys(first.advice(i for i in range(len(blocks)) if i not in reasons), ADVICE))
    rest = [i for i in range(len(blocks)) if i not in reasons]
    reasons.update(dict.fromkeys(doses.intersection(rest) | first.doses(i for i in rest if i not in doses), DOSE))
    return reasons


class Gate:
    """Writes ``doc.spans[span_group]``: the blocks of ``doc.spans[block_group]`` the model must read."""

    def __init__(self, forms: LemmaForms, context_rules: str | None = None, span_group: str = GATE_GROUP,
                 block_group: str = BLOCK_GROUP) -> None:
        extensions.register()
        self.forms = tuple(sorted(forms.items()))
        self.context_rules, self.span_group, self.block_group = context_rules, span_group, block_group

    def __call__(self, doc: Doc) -> Doc:
        blocks = list(doc.spans.get(self.block_group, []))
        reasons = chosen_blocks(FirstPass(doc, blocks, cue_words(doc.vocab, self.forms, self.context_rules))) \
            if blocks else {}
        spans = [Span(doc, b.start, b.end, label=reasons[i]) for i, b in enumerate(blocks) if i in reasons]
        extensions.set_group(doc, self.span_group, spans)
        return doc


@Language.factory("backkb_gate", default_config={
    "context_rules": None, "span_group": GATE_GROUP, "block_group": BLOCK_GROUP, "lemmatizer": "lemmatizer",
    "attribute_ruler": "attribute_ruler"})
def make_gate(nlp: Language, name: str, context_rules: str | None, span_group: str, block_group: str,
              lemmatizer: str | None, attribute_ruler: str | None) -> Gate:
    """Add after ``backkb_layout``. ``context_rules``: the ConText rule file ``backkb_advice`` reads
    (None: the packaged one); ``lemmatizer`` and ``attribute_ruler`` name the pipeline's components
    whose tables say which forms may carry a lemma the rules test (None or absent: none)."""
    names = set(nlp.component_names)
    lookups = nlp.get_pipe(lemmatizer).lookups if lemmatizer in names else None
    patterns = nlp.get_pipe(attribute_ruler).patterns if attribute_ruler in names else ()
    return Gate(lemma_forms(gate_lemmas(context_rules), lookups, patterns), context_rules, span_group, block_group)
