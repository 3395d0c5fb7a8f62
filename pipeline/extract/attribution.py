"""The ``backkb_attribution`` component: which exercise each dose and step is for.

A heading that names an exercise owns its section: every dose and step in it is that exercise's
(none when the heading says to avoid it: a dose there is for the alternative offered instead).
Outside such sections a dose belongs to the exercise named in its sentence (the nearest), else to
the only exercise its paragraph names (also when the dose comes before the name), or to every
recommended exercise when its sentence states it for all of them ("do each exercise twice a day").

It reads ``doc.spans["block"]``, ``["exercise"]`` (with ``._.polarity``) and ``["dose"]``, sets each
dose's ``._.exercise_at`` and ``._.per_side``, and writes ``doc.spans["step"]``.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import vocab
from pipeline.extract import extensions
from pipeline.extract.context import AVOID, states_for_all
from pipeline.extract.doses import has_side_cue
from pipeline.extract.layout import BLOCK_GROUP, blocks_of
from pipeline.extract.sections import Sections
from pipeline.extract.steps import step_spans
from pipeline.names import core_name
from pipeline.structure import find_blocks

STEP_GROUP = "step"


def _at(span: Span) -> list[int]:
    return [span.start_char, span.end_char]


class Attribution:
    def __init__(self, groups: dict[str, str]) -> None:
        extensions.register()
        self.groups = groups

    def __call__(self, doc: Doc) -> Doc:
        blocks = blocks_of(doc, self.groups["block"]) or find_blocks(doc.text)
        exercises = list(doc.spans.get(self.groups["exercise"], []))
        probe: Sections[Span] = Sections(blocks, {})
        sections = Sections(blocks, {probe.block_of(e.start_char): e for e in exercises if e._.in_heading})
        prose = [e for e in exercises if not e._.in_heading]
        for dose in doc.spans.get(self.groups["dose"], []):
            dose._.exercise_at = [_at(e) for e in self._owners(doc, dose, sections, prose)]
            if not dose._.per_side and dose.label_ in vocab.SIDED_ATTRIBUTES:
                dose._.per_side = has_side_cue(self._context(doc, dose, sections))
        extensions.set_group(doc, self.groups["step"], self._steps(doc, sections))
        return doc

    @staticmethod
    def _owners(doc: Doc, dose: Span, sections: Sections[Span], prose: Sequence[Span]) -> list[Span]:
        b = sections.block_of(dose.start_char)
        if not sections.blocks or sections.blocks[b].kind == "heading":
            return []
        section = sections.of_block(b)
        if section.owner is not None:
            return [section.owner] if section.owner._.polarity != AVOID else []
        block = sections.blocks[b]
        here = [e for e in prose if block.start <= e.start_char < block.end]
        if doc.has_annotation("SENT_START"):
            sent = dose[0].sent
            same = [e for e in here if sent.start_char <= e.start_char < sent.end_char]
            if same:
                return [min(same, key=lambda e: abs(e.start_char - dose.start_char))]
            if not here and states_for_all(sent):
                return _every_exercise(sections, prose)
        if len({core_name(e._.name) for e in here}) == 1:
            return [min(here, key=lambda e: abs(e.start_char - dose.start_char))]
        return []

    @staticmethod
    def _context(doc: Doc, dose: Span, sections: Sections[Span]) -> str:
        """The text that can say a dose is per side: its section, or its block outside exercise sections."""
        b = sections.block_of(dose.start_char)
        section = sections.of_block(b)
        if section.owner is None:
            block = sections.blocks[b]
            return doc.text[block.start : block.end]
        lo, hi = sections.span_chars(section)
        return doc.text[lo:hi]

    def _steps(self, doc: Doc, sections: Sections[Span]) -> list[Span]:
        out = []
        for section in sections.all:
            owner = section.owner
            if owner is None or owner._.polarity == AVOID:
                continue
            for no, (start, end) in enumerate(step_spans(doc, sections.blocks[section.first : section.last]), 1):
                step = doc.char_span(start, end, label="STEP", alignment_mode="expand")
                if step is not None:
                    step._.step_no, step._.exercise_at = no, [_at(owner)]
                    out.append(step)
        return out


def _every_exercise(sections: Sections[Span], prose: Sequence[Span]) -> list[Span]:
    chosen: dict[str, Span] = {}
    for e in [*sections.owners(), *prose]:
        if e._.polarity != AVOID:
            chosen.setdefault(core_name(e._.name), e)
    return list(chosen.values())


_GROUPS = {"block": BLOCK_GROUP, "exercise": "exercise", "dose": "dose", "step": STEP_GROUP}


@Language.factory("backkb_attribution", default_config={"groups": _GROUPS})
def make_attribution(nlp: Language, name: str, groups: dict[str, str]) -> Attribution:
    """Add after the exercise, ConText and dose components; ``groups`` names the span groups it reads and writes."""
    return Attribution({**_GROUPS, **groups})
