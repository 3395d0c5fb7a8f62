"""The ``backkb_attribution`` component: which exercise each dose and step is for.

A block that names an exercise (a heading, or a line that is only a name) owns its section: every
dose and step in it is that exercise's (none when it says to avoid the exercise: a dose there is for
the alternative offered instead). Outside such sections a dose belongs to

1. the exercise named in its sentence (the nearest, with the names coordinated with it: "bird dog
   and bridge can be done 15 times");
2. else every recommended exercise of the article, when its sentence states it for all of them
   ("do each exercise twice a day");
3. else the only exercise its paragraph names (also when the dose comes before the name), or, when
   the paragraph names none, the only one its section (or else the article) names;
4. else, where the section names no exercise, every exercise of the article when the dose is for
   the whole routine ("perform this program 3 times a week", "Frequency: daily");
5. else every recommended exercise of that paragraph or section, when the text there states its
   doses for all of them ("these three movements …"), or the dose counts rounds of them
   ("repeat for 3 rounds").

A section opened by a numbered heading that names no exercise we know ("7. Frog Hops") is about
that item: its doses go only to exercises named in their own sentence. Steps go to the owner of
their section, or to the only exercise an unowned section names.
It reads ``doc.spans["block"]``, ``["exercise"]`` (with ``._.polarity``) and ``["dose"]``, sets each
dose's ``._.exercise_at`` and ``._.per_side``, and writes ``doc.spans["step"]``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import vocab
from pipeline.extract import extensions
from pipeline.extract.context import AVOID
from pipeline.extract.dose_scope import ALL, ROUTINE, THESE, ForAll, for_all_spans, round_words
from pipeline.extract.doses import has_side_cue
from pipeline.extract.layout import BLOCK_GROUP, blocks_of
from pipeline.extract.sections import Section, Sections
from pipeline.extract.steps import step_spans
from pipeline.models import Block
from pipeline.names import core_name
from pipeline.structure import find_blocks

STEP_GROUP = "step"
_WORD = re.compile(r"[^\W_]+")


def _at(span: Span) -> list[int]:
    return [span.start_char, span.end_char]


def is_label(text: str, block: Block, exercise: Span) -> bool:
    """A line that is only the exercise's name, give or take one word and a colon ("Bird Dog:",
    "7. Roman chair exercise", "Cat/Cow Stretch:" when only "Cow Stretch" was named), and not a
    sentence ("Try bridges.")."""
    lo, hi = block.text_start, block.end
    if not (lo <= exercise.start_char and exercise.end_char <= hi) or text[hi - 1] in ".!?":
        return False  # "Try bridges." is a sentence, not a label
    rest = text[lo : exercise.start_char] + " " + text[exercise.end_char : hi]
    return len(_WORD.findall(rest)) <= 1


@dataclass(frozen=True)
class _Article:
    """What the rules read about one doc: its text (``Doc.text`` joins every token on each call),
    sections, sentence starts, exercises outside openers, and where its text states doses for
    every exercise (matched only in the ranges a dose asks about)."""

    doc: Doc
    text: str
    sections: Sections[Span]
    prose: tuple[Span, ...]
    sent_starts: tuple[int, ...]  # character offsets
    _for_all: dict[tuple[int, int], tuple[ForAll, ...]] = field(default_factory=dict)

    def sentence(self, char: int) -> tuple[int, int]:
        """Character range of the sentence that holds ``char``."""
        k = bisect_right(self.sent_starts, char) - 1
        lo = self.sent_starts[k] if k >= 0 else 0
        return lo, self.sent_starts[k + 1] if k + 1 < len(self.sent_starts) else len(self.text)

    def states_for_all(self, lo: int, hi: int, kinds: Collection[str]) -> bool:
        """Whether a phrase of one of ``kinds`` in ``[lo, hi)`` states doses for every exercise it covers."""
        if (lo, hi) not in self._for_all:
            span = self.doc.char_span(lo, hi, alignment_mode="contract")
            self._for_all[lo, hi] = tuple(for_all_spans(span)) if span is not None else ()
        return any(f.kind in kinds for f in self._for_all[lo, hi])

    def prose_in(self, lo: int, hi: int) -> list[Span]:
        return [e for e in self.prose if lo <= e.start_char < hi]

    def every_exercise(self) -> list[Span]:
        return _distinct([*self.sections.owners(), *self.prose])


class Attribution:
    def __init__(self, groups: dict[str, str]) -> None:
        extensions.register()
        self.groups = groups

    def __call__(self, doc: Doc) -> Doc:
        article = self._article(doc)
        for dose in doc.spans.get(self.groups["dose"], []):
            owners, (lo, hi) = self._owners(article, dose)
            dose._.exercise_at = [_at(e) for e in owners]
            # a side cue of the section makes a hold or count per side; sets and total time stay as stated
            if not dose._.per_side and dose.label_ in vocab.SIDED_ATTRIBUTES:
                dose._.per_side = has_side_cue(article.text[lo:hi])
        extensions.set_group(doc, self.groups["step"], self._steps(article))
        return doc

    def _article(self, doc: Doc) -> _Article:
        text = doc.text
        blocks = blocks_of(doc, self.groups["block"]) or find_blocks(text)
        exercises = list(doc.spans.get(self.groups["exercise"], []))
        probe: Sections[Span] = Sections(blocks, {})
        owners: dict[int, Span] = {}
        for e in exercises:
            b = probe.block_of(e.start_char)
            if e._.in_heading or (e._.named and blocks[b].kind != "heading" and is_label(text, blocks[b], e)):
                owners.setdefault(b, e)
        dose_lines = {b for d in doc.spans.get(self.groups["dose"], [])
                      if blocks[b := probe.block_of(d.start_char)].kind == "heading"}
        sections = Sections(blocks, owners, text, inert=dose_lines - owners.keys())
        opening = {id(o) for o in sections.owners()}
        prose = tuple(e for e in exercises if id(e) not in opening)
        starts = np.flatnonzero(doc.to_array("SENT_START") == 1) if doc.has_annotation("SENT_START") else []
        return _Article(doc, text, sections, prose, tuple(doc[int(i)].idx for i in starts))

    @staticmethod
    def _owners(article: _Article, dose: Span) -> tuple[list[Span], tuple[int, int]]:
        """The exercises a dose is for, and the text range that may say it is per side."""
        sections = article.sections
        if not sections.blocks:
            return [], (0, 0)
        b = sections.block_of(dose.start_char)
        section = sections.of_block(b)
        if section.owner is not None:
            if b == section.first - 1 or section.owner._.polarity == AVOID:
                return [], (0, 0)  # a dose in the opener itself ("Avoid Sit-ups for 2 Weeks")
            return [section.owner], sections.span_chars(section)
        block = sections.blocks[b]
        here = article.prose_in(block.start, block.end)
        sent_lo, sent_hi = article.sentence(dose.start_char)
        same = [e for e in here if sent_lo <= e.start_char < sent_hi]
        if same:
            nearest = min(same, key=lambda e: abs(e.start_char - dose.start_char))
            return _coordinated(nearest, same), (block.start, block.end)
        if article.states_for_all(sent_lo, sent_hi, {ALL}):
            return article.every_exercise(), (block.start, block.end)
        if _unknown_item(sections, section):
            return [], (0, 0)
        if here:
            # the paragraph's only exercise, or its only recommended one ("avoid sit-ups; try pelvic
            # tilts instead … Repeat this ten times")
            for pool in (here, [e for e in here if e._.polarity != AVOID]):
                if len({core_name(e._.name) for e in pool}) == 1:
                    return [min(pool, key=lambda e: abs(e.start_char - dose.start_char))], (block.start, block.end)
            lo, hi, pool = block.start, block.end, here
        else:
            lo, hi = sections.span_chars(section)
            pool = article.prose_in(lo, hi)
            sole = _distinct(pool or article.every_exercise())  # or the only exercise of the article
            if len(sole) == 1:
                return sole, (lo, hi)
            if not pool and _for_the_routine(article, dose, block, (sent_lo, sent_hi)):
                return article.every_exercise(), (block.start, block.end)
        rounds = dose.label_ == "sets" and any(t.lower_ in round_words() for t in dose)
        if pool and (rounds or article.states_for_all(lo, hi, {ALL, ROUTINE, THESE})):
            return _distinct(pool), (block.start, block.end)
        return [], (0, 0)

    def _steps(self, article: _Article) -> list[Span]:
        doc, sections = article.doc, article.sections
        doses = [(d.start_char, d.end_char) for d in doc.spans.get(self.groups["dose"], [])]
        out = []
        for section in sections.all:
            owner = section.owner or _sole_exercise(article, section)
            if owner is None or owner._.polarity == AVOID:
                continue
            blocks = sections.blocks[section.first : section.last]
            for no, (start, end) in enumerate(step_spans(doc, blocks, doses, strict=section.owner is None), 1):
                step = doc.char_span(start, end, label="STEP", alignment_mode="expand")
                if step is not None:
                    step._.step_no, step._.exercise_at = no, [_at(owner)]
                    out.append(step)
        return out


def _for_the_routine(article: _Article, dose: Span, block: Block, sent: tuple[int, int]) -> bool:
    """A dose for the whole routine, stated where no exercise is named: "perform this program 3
    times a week", or a schedule field ("Frequency: 3 times a week", "How often: daily")."""
    schedule = block.kind == "field" and dose.label_ in ("per_day", "per_week")
    return schedule or article.states_for_all(*sent, {ROUTINE})


def _unknown_item(sections: Sections[Span], section: Section[Span]) -> bool:
    """A section opened by a numbered heading that names no exercise we know ("8. Iliopsoas
    Stretch"): it is about that item, not about an exercise its text mentions in passing."""
    opener = sections.opener(section)
    return opener is not None and opener.kind == "heading" and opener.number is not None


def _sole_exercise(article: _Article, section: Section[Span]) -> Span | None:
    """The one exercise an unowned section names, if it names exactly one."""
    if section.last <= section.first or _unknown_item(article.sections, section):
        return None
    found = _distinct(article.prose_in(*article.sections.span_chars(section)))
    return found[0] if len(found) == 1 else None


def _coordinated(nearest: Span, same: Sequence[Span]) -> list[Span]:
    """The nearest exercise and those the parse coordinates with it ("bird dog and bridge")."""
    if not nearest.doc.has_annotation("DEP"):
        return [nearest]
    conjuncts = {t.i for t in nearest.root.conjuncts}
    return [nearest, *(e for e in same if e is not nearest and e.root.i in conjuncts)]


def _distinct(exercises: Sequence[Span]) -> list[Span]:
    """The first mention of each exercise (by core name) that is not avoided."""
    chosen: dict[str, Span] = {}
    for e in exercises:
        if e._.polarity != AVOID:
            chosen.setdefault(core_name(e._.name), e)
    return list(chosen.values())


_GROUPS = {"block": BLOCK_GROUP, "exercise": "exercise", "dose": "dose", "step": STEP_GROUP}


@Language.factory("backkb_attribution", default_config={"groups": _GROUPS})
def make_attribution(nlp: Language, name: str, groups: dict[str, str]) -> Attribution:
    """Add after the exercise, ConText and dose components; ``groups`` names the span groups it reads and writes."""
    return Attribution({**_GROUPS, **groups})
