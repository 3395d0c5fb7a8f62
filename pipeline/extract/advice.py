"""Find advice that is not an exercise: rest, activity, heat, cold, posture, lifting, medication, doctor.

Keyword-in-sentence is not enough here: "Heavy lifting is a common cause of back spasms" names lifting
without advising anything, and "avoid bed rest" names rest to advise against it. So advice is read
with the ConText engine (``scope``) that also reads exercises' polarity:

1. **Targets** say what a piece of advice is about ("bed rest", "keep moving", "ice pack"), one list
   per topic in ``resources/advice.json``; a target may not stand next to some words ("rest your
   hips back" is an instruction), and a *negative* target names the wrong way to do its topic
   ("slouching" for posture).
2. **Cues** are the ConText rules of ``resources/context_rules.jsonl`` whose ``allowed_types`` hold
   ``advice_target`` (or ``advice_target/<topic>``): recommend ("apply", "is useful"), avoid
   ("avoid", "do not", "cease"), limit ("up to 3 days", "then" before heat), or ignore (a cause:
   "can stiffen"; a wish: "you may feel like").
3. A target covered by no cue is **not advice**: a sentence that merely mentions heat or lifting says
   nothing about doing it. Its stance is decided by ``context.stance_of``: a cause is not advice, so
   "Prolonged inactivity can stiffen your muscles" is not read as advice to move.
   Exercise instructions ("Hold for 20 seconds", "Lie on your back") hold no targets.

The evidence of a piece of advice is its sentence (or line), or its clause when the sentence holds
two. Patterns match lower-cased tokens, plus lemmas when the doc has them, so the rules give the
same answers on ``spacy.blank("en")`` (with a sentencizer) and on the trained pipeline. The
``backkb_advice`` component writes the result as ``doc.spans["advice"]`` (label: the topic,
``._.stance``); ``find_advice`` returns it as a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from pipeline import lexicons, vocab
from pipeline.extract import extensions
from pipeline.extract.context import stance_of
from pipeline.extract.matching import Node, Pattern, Tokenize, Tokens, phrase_patterns, scan, tokenizer, trie
from pipeline.extract.scope import (
    Modifier,
    by_segment,
    covering,
    load_rules,
    longest,
    modifiers,
    rule_set,
    segments,
    word_at,
)

__all__ = ["AdviceFinder", "AdviceHit", "advice_hits", "find_advice", "target_patterns"]
GROUP = "advice_target"  # the span group name the ConText rules for advice are allowed for


@dataclass(frozen=True)
class AdviceHit:
    """One piece of advice: its topic, the source's stance, and cleaned-text offsets of the evidence.

    The evidence is the sentence (or line), or the clause when the sentence holds two pieces of advice.
    """

    topic: str
    stance: str
    start: int
    end: int


@dataclass(frozen=True)
class _Target:
    """One entry of a topic's target list, with the words that may not stand next to it."""

    topic: str
    negative: bool = False
    not_before: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    target: _Target


def _check(data: dict[str, Any], context_rules: str | None) -> None:
    """Fail loudly on a lexicon typo rather than silently never matching."""
    topics = set(vocab.ADVICE_TOPICS)
    unknown = set(data["targets"]) - topics
    for rule in load_rules(context_rules):
        unknown |= {t.partition("/")[2] for t in rule.allowed_types if t.startswith(GROUP + "/")} - topics
    if unknown:
        raise ValueError(f"advice: unknown topics {sorted(unknown)} in advice.json or the ConText rules")


def target_patterns(data: dict[str, Any], tokenize: Tokenize, use_lemma: bool) -> list[tuple[_Target, list[Pattern]]]:
    """Per target entry, its patterns: "keep moving", "bed rest", "ice pack", "talk to your doctor"."""
    out = []
    for topic, entries in data["targets"].items():
        for entry in entries:
            spec = {"phrase": entry} if isinstance(entry, str) else entry
            target = _Target(
                topic,
                negative=spec.get("negative", False),
                not_before=frozenset(spec.get("not_before", ())),
                not_after=frozenset(spec.get("not_after", ())),
            )
            out.append((target, phrase_patterns(spec["phrase"], tokenize, use_lemma)))
    return out


@dataclass(frozen=True)
class _Targets:
    trie: Node  # keys: index into info
    info: tuple[tuple[_Target, frozenset[int], frozenset[int]], ...]  # with not_before/not_after hashes
    breaks: frozenset[int]  # where a clause ends, for the evidence of two pieces of advice in one sentence


@lru_cache(maxsize=8)
def _targets(vocab: Vocab, use_lemma: bool, context_rules: str | None) -> _Targets:
    """The compiled targets for one vocab, built once (hashes are added to the vocab's strings)."""
    data = lexicons.load("advice")
    _check(data, context_rules)
    strings = vocab.strings

    def hashes(words: Iterable[str]) -> frozenset[int]:
        return frozenset(strings.add(w) for w in words)

    targets = target_patterns(data, tokenizer(vocab.lang or "en"), use_lemma)
    terminators = rule_set(vocab, use_lemma, GROUP, context_rules).terminators
    return _Targets(
        trie(((i, patterns) for i, (_, patterns) in enumerate(targets)), strings),
        tuple((t, hashes(t.not_before), hashes(t.not_after)) for t, _ in targets),
        hashes(data["clause_breaks"]) | terminators,
    )


def _evidence(doc: Doc, toks: Tokens, a: int, b: int) -> tuple[int, int]:
    """Character offsets of tokens ``a:b`` without leading bullets and surrounding space."""
    while a < b - 1 and (toks.space[a] or toks.punct[a]):
        a += 1
    while b > a + 1 and toks.space[b - 1]:
        b -= 1
    last = doc[b - 1]
    return doc[a].idx, last.idx + len(last.text)


def _segment_hits(doc: Doc, toks: Tokens, lo: int, hi: int, targets: Sequence[_Found], mods: Sequence[Modifier],
                  breaks: frozenset[int]) -> list[AdviceHit]:
    """The advice of one sentence or line: each target read with the modifiers whose scope covers it."""
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for t in targets:
        stance, governing = stance_of(covering(mods, t.start, GROUP, t.target.topic), t.target.negative)
        if stance is None:
            continue
        a = min(t.start, *(c.start for c in governing))
        b = max(t.end, *(c.end for c in governing))
        groups.setdefault((t.target.topic, stance), []).append((a, b))
    hits = []
    for (topic, stance), parts in groups.items():
        if len(groups) == 1:
            a, b = lo, hi
        else:  # two pieces of advice in one sentence: each gets its clause
            a, b = min(p[0] for p in parts), max(p[1] for p in parts)
            while a > lo and toks.lower[a - 1] not in breaks:
                a -= 1
            while b < hi and toks.lower[b] not in breaks:
                b += 1
        hits.append(AdviceHit(topic, stance, *_evidence(doc, toks, a, b)))
    return hits


def advice_hits(doc: Doc, context_rules: str | None = None) -> list[AdviceHit]:
    """Every piece of non-exercise advice in ``doc``, in text order, one per topic and stance per sentence.

    Only targets can make advice, so the targets are found first, over the whole doc; a doc without
    one costs a dictionary lookup per token. Sentences are cut, and cues looked for, only where a
    target is.
    """
    use_lemma = doc.has_annotation("LEMMA")
    compiled = _targets(doc.vocab, use_lemma, context_rules)
    toks = Tokens.of(doc, use_lemma)
    found = scan(compiled.trie, toks, 0, len(doc))
    if not found:
        return []
    segs = segments(doc, toks)
    cues = rule_set(doc.vocab, use_lemma, GROUP, context_rules)
    hits: list[AdviceHit] = []
    for k, in_segment in sorted(by_segment(((s, (s, e, key)) for s, e, key in found), segs).items()):
        lo, hi = segs[k]
        kept = []
        for start, end, key in in_segment:
            target, not_before, not_after = compiled.info[key]
            fits = word_at(toks, start - 1, lo, hi) not in not_before and word_at(toks, end, lo, hi) not in not_after
            if end <= hi and fits:
                kept.append(_Found(start, end, target))
        targets = longest(kept)
        if targets:
            mods = modifiers(toks, lo, hi, [(t.start, t.end) for t in targets], cues)
            hits.extend(_segment_hits(doc, toks, lo, hi, targets, mods, compiled.breaks))
    return sorted(hits, key=lambda h: (h.start, h.end, h.topic, h.stance))


def find_advice(doc: Doc) -> list[AdviceHit]:
    """``advice_hits`` with the packaged rules: what ``backkb_advice`` writes to ``doc.spans["advice"]``."""
    return advice_hits(doc)


class AdviceFinder:
    """Writes ``doc.spans["advice"]``: one span per piece of advice, labelled with its topic, ``._.stance`` set."""

    def __init__(self, context_rules: str | None) -> None:
        self.context_rules = context_rules

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for hit in advice_hits(doc, self.context_rules):
            evidence = doc.char_span(hit.start, hit.end)
            # span_id keeps the stance of each span: two pieces of advice with the same evidence
            # ("Avoid bed rest and keep moving.") share one ``._.stance``, which spaCy keys by offsets.
            span = Span(doc, evidence.start, evidence.end, label=hit.topic, span_id=hit.stance)
            span._.stance = hit.stance
            spans.append(span)
        extensions.set_group(doc, "advice", spans)
        return doc


@Language.factory("backkb_advice", default_config={"context_rules": None})
def make_advice(nlp: Language, name: str, context_rules: str | None) -> AdviceFinder:
    """Advice that is not an exercise → ``doc.spans["advice"]``. ``context_rules``: the ConText rule
    file (None: the packaged one), the same file ``backkb_context`` reads."""
    extensions.register()
    return AdviceFinder(context_rules)
