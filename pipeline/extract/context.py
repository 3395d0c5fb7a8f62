"""ConText over span groups: an exercise's polarity, an advice target's stance, a heading's section.

The engine (rules, segments, scopes) is ``scope``; this module says what the modifiers covering a
span mean, and holds the ``backkb_context`` component that writes it on the Doc:

- an exercise's **polarity** is avoid when an avoid modifier covers it ("Avoid toe touches",
  "Sit-ups should be avoided", "Stop sit-ups"), caution when a conditional that opens the sentence
  covers it too ("If it hurts, stop doing the bridge"), else recommend;
- a **heading** is read by the rules allowed for ``block/heading``: an exercise named in it is read
  in scope ("Stop Sit-Ups": avoid; "Do the Bridge Instead of Sit-Ups": only sit-ups avoid), and the
  heading as a whole, for its section, without scope ("Exercises to Avoid");
- **section scope**: a heading that reads as avoid makes avoid the exercises of its section (the
  blocks whose ``._.heading_at`` is that heading) that it is about: all of them when it names none
  ("Exercises to avoid", "Worst exercises for a sore back", "What not to do"), else those that are
  the exercise it names; unless an exercise's own segment says otherwise (an avoid, a caution, or an
  alternative offered: "instead", "switch to", "is safer", "A better move:", "try"). What a heading
  or lead-in line says for every exercise passes down to the headings of its list
  (``._.parent_heading_at``: "Exercises you should avoid:" / "1. Crunches" / "2. Burpees"), and from
  a topic heading to the exercise headings below it ("Exercises to Avoid" / "Sit-Ups"); a block
  that opens with a ``section`` cue ("Why they hurt:") is about the title right above it;
- a **reference** modifier ("like you're about to do sit-ups", "as if doing a crunch") says a name only
  describes a position or movement of another exercise: the source neither recommends nor warns
  against it, so the component drops that span from its group;
- an advice target's **stance** is the first of limit, avoid, recommend among its modifiers; an
  ignore modifier (a cause, a wish) makes it no advice unless a limit covers it too.

``polarity`` and ``heading_polarity`` answer the same questions for one span
without the component (for code that has a Doc but no span groups).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract import extensions
from pipeline.extract.matching import Tokens, scan
from pipeline.extract.scope import (
    AVOID,
    CAUTION,
    IGNORE,
    LIMIT,
    RECOMMEND,
    REFERENCE,
    Modifier,
    by_segment,
    covering,
    modifiers,
    rule_set,
    segments,
)
from pipeline.names import same_exercise

__all__ = ["AVOID", "CAUTION", "RECOMMEND", "ConText", "HeadingCue", "heading_polarity", "polarity",
           "polarity_of", "stance_of"]

EXERCISE, EXERCISE_LABEL = "exercise", "EXERCISE"
BLOCK, HEADING, SECTION, LIST = "block", "heading", "section", "list"
_SECTION_CUE_WORDS = 8  # a section cue opens its block: only its first words are read
ATTRIBUTES = ("polarity", "stance")

# When modifiers disagree about an advice target, the first stance here wins. Limit qualifies the
# others ("do not stay in bed more than a day or two" limits rest rather than forbidding it, and "too
# much rest can weaken you" is a limit even though it names a cause), and avoid outranks the plain
# imperative that a negated verb still looks like.
_PRIORITY = (LIMIT, AVOID, RECOMMEND)
# A negative target names the wrong way to do a topic ("slouching"): avoiding or limiting it is
# advice for the topic; recommending it is not something articles say, so it is dropped.
_NEGATED = {AVOID: RECOMMEND, LIMIT: RECOMMEND}


def polarity_of(mods: Iterable[Modifier]) -> str:
    """``avoid``, ``caution`` (an avoid under a conditional) or ``recommend``."""
    categories = {m.category for m in mods}
    if AVOID not in categories:
        return RECOMMEND
    return CAUTION if CAUTION in categories else AVOID


def stance_of(mods: Sequence[Modifier], negative: bool = False) -> tuple[str | None, list[Modifier]]:
    """An advice target's stance (None: not advice) and the modifiers that decided it."""
    stances = {m.category for m in mods}
    if IGNORE in stances and LIMIT not in stances:  # "too much rest can weaken" still limits rest
        return None, []
    stance = next((s for s in _PRIORITY if s in stances), None)
    governing = [m for m in mods if m.category == stance]
    if negative and stance is not None:
        stance = _NEGATED.get(stance)
    return stance, governing if stance else []


@dataclass(frozen=True)
class HeadingCue:
    """What a heading says as a whole (its polarity), and the token where its name begins after an
    opening avoid cue ("Stop", "Avoid", "Never do"; the heading's start when there is none)."""

    polarity: str
    name_start: int


def _heading_modifiers(doc: Doc, toks: Tokens, start: int, end: int, rules: str | None,
                       targets: Sequence[tuple[int, int]] = ()) -> list[Modifier]:
    """The modifiers of a heading, by the rules allowed for ``block/heading``."""
    ruleset = rule_set(doc.vocab, doc.has_annotation("LEMMA"), BLOCK, rules)
    return [m for m in modifiers(toks, start, end, targets, ruleset) if m.rule.applies_to(BLOCK, HEADING)]


def _heading(doc: Doc, toks: Tokens, start: int, end: int, rules: str | None) -> HeadingCue:
    mods = _heading_modifiers(doc, toks, start, end, rules)
    first = next((i for i in range(start, end) if toks.word[i]), start)
    opening = [m.end for m in mods if m.start == first and m.category == AVOID]
    return HeadingCue(polarity_of(mods), max(opening, default=start))


@dataclass(frozen=True)
class _DocRead:
    toks: Tokens
    segments: list[tuple[int, int]]
    starts: list[int]


@lru_cache(maxsize=1)
def _last_doc(doc: Doc, use_lemma: bool) -> _DocRead:
    """The attributes and segments of the doc last asked about: the one-span functions are called span
    by span, so each doc is read once (a doc changed in between would be read stale)."""
    toks = Tokens.of(doc, use_lemma)
    segs = segments(doc, toks)
    return _DocRead(toks, segs, [lo for lo, _ in segs])


def heading_polarity(doc: Doc, start: int, end: int, rules: str | None = None) -> HeadingCue:
    """What the heading of tokens ``[start, end)`` says, read as one segment and regardless of scope.

    "Stop Sit-Ups" → avoid, name from "Sit"; "Exercises to Avoid" → avoid, no opening cue;
    "How to Prevent Back Pain" → recommend (a pseudo trigger).
    """
    return _heading(doc, _last_doc(doc, doc.has_annotation("LEMMA")).toks, start, end, rules)


def polarity(doc: Doc, start: int, end: int) -> str:
    """``avoid``, ``caution`` or ``recommend`` for the exercise named by tokens ``[start, end)``."""
    use_lemma = doc.has_annotation("LEMMA")
    read = _last_doc(doc, use_lemma)
    lo, hi = read.segments[bisect_right(read.starts, start) - 1]
    mods = modifiers(read.toks, lo, hi, [(start, end)], rule_set(doc.vocab, use_lemma, EXERCISE))
    return polarity_of(covering(mods, start, EXERCISE, EXERCISE_LABEL))


class ConText:
    """Sets ``._.polarity`` or ``._.stance`` on the spans of the configured groups (see the module doc)."""

    def __init__(self, rules: str | None, span_groups: dict[str, str], sections: str | None) -> None:
        bad = {g: a for g, a in span_groups.items() if a not in ATTRIBUTES}
        if bad:
            raise ValueError(f"backkb_context: span_groups values must be one of {ATTRIBUTES}, not {bad}")
        self.rules, self.span_groups, self.sections = rules, dict(span_groups), sections

    def __call__(self, doc: Doc) -> Doc:
        groups = [(g, a) for g, a in self.span_groups.items() if g in doc.spans and len(doc.spans[g])]
        if not groups:
            return doc
        toks = Tokens.of(doc, doc.has_annotation("LEMMA"))
        segs = segments(doc, toks)
        for group, attribute in groups:
            spans = list(doc.spans[group])
            read = self._read(doc, toks, segs, group, spans)
            if attribute == "stance":
                for span, (mods, _seg) in zip(spans, read, strict=True):
                    span._.stance = stance_of(mods)[0]
                continue
            kept = [k for k, (mods, _seg) in enumerate(read) if all(m.category != REFERENCE for m in mods)]
            if len(kept) < len(spans):
                spans, read = [spans[k] for k in kept], [read[k] for k in kept]
                extensions.set_group(doc, group, spans)
            values, cues = [], []
            for span, (mods, seg) in zip(spans, read, strict=True):
                if span._.in_heading and seg:  # read by the heading rules, in scope
                    mods = covering(_heading_modifiers(doc, toks, *seg, self.rules, [(span.start, span.end)]),
                                    span.start, BLOCK, HEADING)
                values.append(polarity_of(mods))
                cues.append(_cue(doc, mods, seg))
            in_avoided = self._avoided_sections(doc, toks, spans, values)
            for span, (mods, _seg), value, cue in zip(spans, read, values, cues, strict=True):
                own = value != RECOMMEND or any(m.category == RECOMMEND for m in mods)
                heading = None if own else in_avoided(span)
                span._.polarity = AVOID if heading else value
                trigger, quote = (list(heading), list(heading)) if heading else cue
                span._.polarity_cue_at = trigger if span._.polarity == AVOID else None
                span._.polarity_quote_at = quote
        return doc

    def _read(self, doc: Doc, toks: Tokens, segs: Sequence[tuple[int, int]], group: str,
              spans: Sequence[Span]) -> list[tuple[list[Modifier], tuple[int, int] | None]]:
        """Per span, the modifiers that cover it and its segment; each segment with spans is read once."""
        rules = rule_set(doc.vocab, doc.has_annotation("LEMMA"), group, self.rules)
        out: list[tuple[list[Modifier], tuple[int, int] | None]] = [([], None) for _ in spans]
        for k, members in by_segment(((s.start, i) for i, s in enumerate(spans)), segs).items():
            lo, hi = segs[k]
            mods = modifiers(toks, lo, hi, [(spans[i].start, spans[i].end) for i in members], rules)
            for i in members:
                out[i] = covering(mods, spans[i].start, group, spans[i].label_), (lo, hi)
        return out

    def _avoided_sections(self, doc: Doc, toks: Tokens, spans: Sequence[Span],
                          values: Sequence[str]) -> Callable[[Span], tuple[int, int] | None]:
        """A test: is a span in the section of a heading (or the list of a lead-in line) that avoids it?
        (The character offsets of that heading or line, or None.)

        Each heading and lead-in line gets a verdict: the names it avoids, ``[]`` for every exercise
        under it, or none. One that names spans avoids those of them it reads as avoided ("Stop
        Sit-Ups" … "sit-ups strain the back"; not the bridge of "Do the Bridge Instead of Sit-Ups"); one
        that names none, every exercise under it when it reads as avoid ("Exercises to avoid"). A
        section whose body opens with a ``section`` cue ("Why they hurt:") avoids its heading's
        exercises. A numbered heading under a parent that avoids every exercise avoids the exercises
        it names, or every exercise of its section when it names none; so does an unnumbered heading
        that names exercises under the latest heading that names none (a topic: "Exercises to Avoid"
        / "Sit-Ups" / "Toe Touches" / "Exercises to Try"). A subheading that names none ("Why It
        Hurts") ends that topic too: the layout alone cannot tell a topic from a subheading.
        """
        blocks = list(doc.spans[self.sections]) if self.sections and self.sections in doc.spans else []
        if not blocks:
            return lambda span: None
        verdicts: dict[tuple[int, int], list[str]] = {}
        owners = {tuple(at) for b in blocks for at in (b._.parent_heading_at, b._.heading_at) if at}
        titled = self._titled(doc, toks, blocks)
        topic: list[str] | None = None  # the verdict of the latest heading that names no exercise
        for k, b in enumerate(blocks):
            at = (b.start_char, b.end_char)
            if b.label_ != HEADING and at not in owners and k not in titled:
                continue
            named = [(s._.name or s.text, v) for s, v in zip(spans, values, strict=True)
                     if b.start_char <= s.start_char < b.end_char]
            own = self._own_verdict(doc, toks, b, named)
            if b.label_ == HEADING and not named:
                topic = own
            parent = verdicts.get(tuple(b._.parent_heading_at or ()))
            if parent is None and b.label_ == HEADING and b._.block_number is None:
                parent = topic  # "Exercises to Avoid" / "Sit-Ups" / … / "Exercises to Try"
            verdict = own if own is not None else _inherited([n for n, _v in named], parent, k in titled)
            if verdict is not None:
                verdicts[at] = verdict
        if not verdicts:
            return lambda span: None
        firsts = [b.start_char for b in blocks]

        def in_avoided(span: Span) -> tuple[int, int] | None:
            k = bisect_right(firsts, span.start_char) - 1
            if k < 0 or span.start_char >= blocks[k].end_char:
                return None
            block = blocks[k]
            above = [(block.start_char, block.end_char), tuple(block._.parent_heading_at or ()),
                     tuple(block._.heading_at or ())]
            name = span._.name or span.text
            return next((at for at in above if verdicts.get(at) == []
                         or any(same_exercise(n, name) for n in verdicts.get(at) or ())), None)

        return in_avoided

    def _own_verdict(self, doc: Doc, toks: Tokens, block: Span, named: Sequence[tuple[str, str]]) -> list[str] | None:
        """What a block says by itself: the names it avoids ("Stop Sit-Ups"), every exercise (``[]``:
        it names none, reads as avoid and speaks of a list, by a word of the ``list`` rules:
        "Exercises to Avoid", "What not to do", "Skip these:"), or nothing (None: "Avoid Heavy
        Lifting" is advice, not a list of exercises)."""
        avoided = [n for n, v in named if v == AVOID]
        if avoided:
            return avoided
        if not named and _heading(doc, toks, block.start, block.end, self.rules).polarity == AVOID:
            lister = rule_set(doc.vocab, doc.has_annotation("LEMMA"), LIST, self.rules)
            if scan(lister.trie, toks, block.start, block.end):  # "Exercises to Avoid", not "Avoid Heavy Lifting"
                return []
        return None

    def _titled(self, doc: Doc, toks: Tokens, blocks: Sequence[Span]) -> set[int]:
        """The blocks (a heading, or a list line that titles an exercise) right before a block that opens
        with an avoid cue of the ``section`` rules ("Why they hurt:", "Why it is bad for your back"):
        that cue is about the exercises the title names."""
        ruleset = rule_set(doc.vocab, doc.has_annotation("LEMMA"), SECTION, self.rules)
        out = set()
        for k, b in enumerate(blocks[1:], 1):
            first = next((i for i in range(b.start, b.end) if toks.word[i]), b.end)
            hi = min(b.end, first + _SECTION_CUE_WORDS)
            if not any(start == first for start, _e, _k in scan(ruleset.trie, toks, first, hi)):
                continue  # the usual case, a few lookups: the block does not open with a cue
            if any(m.category == AVOID and m.start == first for m in modifiers(toks, first, hi, (), ruleset)):
                out.add(k - 1)
        return out


def _inherited(names: Sequence[str], parent: list[str] | None, titled: bool) -> list[str] | None:
    """What a block that says nothing by itself says of the exercises below it, from its parent (or
    topic) and whether a section cue follows it: the names it avoids, every exercise, or nothing."""
    if not names:
        return parent  # "3. Burpees", its name not found, under "Exercises to avoid:": all of its section
    if titled or parent == []:
        return list(names)
    if parent:
        return [n for n in names if any(same_exercise(p, n) for p in parent)] or None
    return None


def _cue(doc: Doc, mods: Sequence[Modifier], seg: tuple[int, int] | None) -> tuple[list[int] | None, list[int] | None]:
    """Character offsets of the avoid trigger among ``mods`` and of the segment (sentence, line or
    heading) they were read in: what a polarity conflict quotes (``._.polarity_cue_at``/``_quote_at``)."""

    def chars(start: int, end: int) -> list[int]:
        return [doc[start].idx, doc[end - 1].idx + len(doc[end - 1])]

    trigger = next((m for m in mods if m.category == AVOID), None)
    return chars(trigger.start, trigger.end) if trigger else None, chars(*seg) if seg else None


@Language.factory(
    "backkb_context",
    default_config={"rules": None, "span_groups": {EXERCISE: "polarity"}, "sections": BLOCK},
)
def make_context(nlp: Language, name: str, rules: str | None, span_groups: dict[str, str],
                 sections: str | None) -> ConText:
    """ConText over span groups. ``rules``: a JSONL rule file (None: the packaged one); ``span_groups``:
    group → attribute to set (``polarity`` or ``stance``); ``sections``: the layout's block group, whose
    headings give section scope (None: no section scope)."""
    extensions.register()
    return ConText(rules, span_groups, sections)
