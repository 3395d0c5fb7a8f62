"""The ConText engine: rules as data, segments, and the tokens each modifier covers.

Keyword-in-sentence would call every exercise in "Avoid sit-ups, but do the bridge" avoided, and
advice in "Heavy lifting is a common cause of spasms". ConText (after medspaCy's design) reads scope:

- a **rule** (one line of ``resources/context_rules.jsonl``) is a phrase (``literal``, in the phrase
  language of ``matching``; or a spaCy token ``pattern``) with a ``category`` ("avoid", "recommend",
  "limit", "caution", "ignore", "reference", "every_exercise", or "pseudo" and "terminate") and a
  ``direction``:
  ``forward`` covers the words after it ("avoid toe touches"), ``backward`` the words before it
  ("sit-ups should be avoided"), ``bidirectional`` both; ``pseudo`` rules look like triggers but are
  not ("do not force the stretch", "to prevent back pain") and silence any trigger they overlap;
  ``terminate`` rules ("but", "however", ";") end every scope;
- a scope also ends at the end of its **segment** (a sentence, further cut at line breaks, so a
  bulleted list is never one sentence), at ``max_scope`` tokens, and at a modifier of a category in
  its ``terminated_by`` (only modifiers that apply to every label of the group cut others short);
- ``allowed_types`` names the span groups (``exercise``) or group/label pairs
  (``advice_target/heat``, ``block/heading``) a rule applies to; empty means every group;
- ``imperative`` rules count only at the head of a clause ("stop lifting", not "the pain will
  stop"); ``opens_segment`` rules only as the first word of their segment ("If it hurts, …");
- of overlapping modifiers the longest wins ("is not recommended" over "not recommended").

What the categories covering a span mean (polarity, stance) is ``context``'s business.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline import lexicons
from pipeline.config import RESOURCES
from pipeline.extract.matching import Node, Pattern, Tokens, phrase_patterns, scan, tokenizer, trie
from pipeline.vocab import AVOID, CAUTION, RECOMMEND

LIMIT, IGNORE, REFERENCE = "limit", "ignore", "reference"
PSEUDO, TERMINATE, EVERY_EXERCISE = "pseudo", "terminate", "every_exercise"
CATEGORIES = (AVOID, RECOMMEND, CAUTION, LIMIT, IGNORE, REFERENCE, PSEUDO, TERMINATE, EVERY_EXERCISE)
DIRECTIONS = ("forward", "backward", "bidirectional", PSEUDO, TERMINATE)
RULES = RESOURCES / "context_rules.jsonl"

_FIELDS = frozenset({"literal", "pattern", "category", "direction", "allowed_types", "max_scope", "terminated_by",
                     "imperative", "opens_segment"})


@dataclass(frozen=True, eq=False)  # one object per line of the file: compared by identity
class Rule:
    """One ConText rule: a phrase, what it says (category), and which words it reaches (direction)."""

    category: str
    direction: str
    literal: str | None = None
    pattern: tuple[dict[str, Any], ...] | None = None
    allowed_types: tuple[str, ...] = ()
    max_scope: int | None = None
    terminated_by: frozenset[str] = frozenset()
    imperative: bool = False
    opens_segment: bool = False

    def in_group(self, group: str) -> bool:
        return not self.allowed_types or any(t.partition("/")[0] == group for t in self.allowed_types)

    def general(self, group: str) -> bool:
        """The rule applies to every span of ``group``, whatever its label."""
        return not self.allowed_types or group in self.allowed_types

    def applies_to(self, group: str, label: str) -> bool:
        return self.general(group) or f"{group}/{label}" in self.allowed_types

    def patterns(self, use_lemma: bool, lang: str) -> list[Pattern]:
        if self.pattern is not None:
            return [list(self.pattern)]
        return phrase_patterns(self.literal or "", tokenizer(lang), use_lemma)


def _rule(line: dict[str, Any], where: str) -> Rule:
    """One line of the rule file, checked: a typo fails loudly instead of silently never matching."""
    unknown = set(line) - _FIELDS
    category, direction = line.get("category"), line.get("direction")
    bad = (unknown or category not in CATEGORIES or direction not in DIRECTIONS
           or ("literal" in line) == ("pattern" in line)
           or ((category in (PSEUDO, TERMINATE) or direction in (PSEUDO, TERMINATE)) and category != direction)
           or not set(line.get("terminated_by", ())) <= set(CATEGORIES))
    if bad:
        raise ValueError(f"{where}: bad ConText rule {line!r}")
    return Rule(category, direction, line.get("literal"), tuple(line["pattern"]) if "pattern" in line else None,
                tuple(line.get("allowed_types", ())), line.get("max_scope"), frozenset(line.get("terminated_by", ())),
                line.get("imperative", False), line.get("opens_segment", False))


@cache
def load_rules(path: str | None = None) -> tuple[Rule, ...]:
    """The rules of a JSONL file (one rule per line), by default the packaged ``context_rules.jsonl``."""
    file = Path(path) if path else RULES
    lines = file.read_text(encoding="utf-8").splitlines()
    return tuple(_rule(json.loads(line), f"{file.name}:{n}") for n, line in enumerate(lines, 1) if line.strip())


@dataclass(frozen=True)
class RuleSet:
    """The rules that apply to one span group, compiled into one trie (keys: index into ``rules``)."""

    group: str
    rules: tuple[Rule, ...]
    trie: Node
    not_imperative_after: frozenset[int]
    terminators: frozenset[int]  # one-word terminators, as hashes (advice cuts clauses there)


@lru_cache(maxsize=32)
def rule_set(vocab: Vocab, use_lemma: bool, group: str, path: str | None = None) -> RuleSet:
    """The compiled rules for one vocab and group, built once (hashes are added to the vocab's strings)."""
    rules = tuple(r for r in load_rules(path) if r.in_group(group))
    strings, lang = vocab.strings, vocab.lang or "en"
    words = lexicons.load("imperative")["not_imperative_after"]
    return RuleSet(
        group,
        rules,
        trie(((i, r.patterns(use_lemma, lang)) for i, r in enumerate(rules)), strings),
        frozenset(strings.add(w) for w in words),
        frozenset(strings.add(r.literal) for r in rules if r.category == TERMINATE and r.literal
                  and len(tokenizer(lang)(r.literal)) == 1),
    )


# ------------------------------------------------------------------------------------ segments


def segments(doc: Doc, toks: Tokens) -> list[tuple[int, int]]:
    """Token ranges of sentences, further cut at line breaks: a bullet or heading has no full stop."""
    sents = [(s.start, s.end) for s in doc.sents] if doc.has_annotation("SENT_START") else [(0, len(doc))]
    breaks = [i for i, space in enumerate(toks.space) if space and "\n" in doc[i].text]
    out = []
    for lo, hi in sents:
        start = lo
        for i in breaks[bisect_left(breaks, lo) : bisect_left(breaks, hi)]:
            if i > start:
                out.append((start, i))
            start = i + 1
        if hi > start:
            out.append((start, hi))
    return out


def by_segment(starts: Iterable[tuple[int, Any]], segs: Sequence[tuple[int, int]]) -> dict[int, list[Any]]:
    """Items keyed by their first token, grouped by the index of the segment that holds that token."""
    firsts = [lo for lo, _ in segs]
    out: dict[int, list[Any]] = {}
    for start, item in starts:
        k = bisect_right(firsts, start) - 1
        if k >= 0 and start < segs[k][1]:
            out.setdefault(k, []).append(item)
    return out


# -------------------------------------------------------------------------------- the modifiers


@dataclass(frozen=True)
class Modifier:
    """A rule matched in a segment (token offsets) and the tokens it covers."""

    start: int
    end: int
    rule: Rule
    scope: tuple[int, int] = (0, 0)

    @property
    def category(self) -> str:
        return self.rule.category

    def covers(self, token: int) -> bool:
        return self.scope[0] <= token < self.scope[1]


def longest(matches: Iterable[Any]) -> list[Any]:
    """Overlapping matches (with ``start``/``end``) resolved to the longest; identical spans all kept."""
    kept: list[Any] = []
    for m in sorted(set(matches), key=lambda m: (m.start - m.end, m.start)):
        if all(m.end <= k.start or m.start >= k.end or (m.start, m.end) == (k.start, k.end) for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def word_at(toks: Tokens, i: int, lo: int, hi: int) -> int | None:
    """The lower-cased word (as its hash) at ``i`` if it is inside the segment ``lo:hi``."""
    return toks.lower[i] if lo <= i < hi else None


def _scope(cue: Modifier, stops: Sequence[Modifier], lo: int, hi: int) -> tuple[int, int]:
    """The token range a modifier covers: its own tokens and the words its direction reaches."""
    first, last = lo, hi
    for stop in stops:
        if stop.start >= cue.end:
            last = min(last, stop.start)
        if stop.end <= cue.start:
            first = max(first, stop.end)
    if cue.rule.max_scope is not None:
        first, last = max(first, cue.start - cue.rule.max_scope), min(last, cue.end + cue.rule.max_scope)
    return (cue.start if cue.rule.direction == "forward" else first,
            cue.end if cue.rule.direction == "backward" else last)


def modifiers(toks: Tokens, lo: int, hi: int, targets: Sequence[tuple[int, int]], rules: RuleSet) -> list[Modifier]:
    """The modifiers of segment ``lo:hi`` with their scopes (``targets``: the group's spans in it)."""
    candidates, stops = [], []
    for start, end, key in scan(rules.trie, toks, lo, hi):
        rule = rules.rules[key]
        (stops if rule.category == TERMINATE else candidates).append(Modifier(start, end, rule))
    first = next((i for i in range(lo, hi) if toks.word[i]), lo)
    verb_ends = frozenset(c.end for c in candidates if c.rule.imperative)

    def counts(c: Modifier) -> bool:
        # An imperative is a verb at the head of its clause: not after a subject or a modal ("you
        # rest", "to rest"), not the object of another imperative ("apply ice"), and not inside a
        # target's noun phrase ("bed rest").
        imperative = (word_at(toks, c.start - 1, lo, hi) not in rules.not_imperative_after
                      and c.start not in verb_ends and not any(s < c.start < e for s, e in targets))
        return (imperative or not c.rule.imperative) and (c.start == first or not c.rule.opens_segment)

    kept = [c for c in candidates if counts(c)]
    pseudo = [c for c in kept if c.category == PSEUDO]
    kept = [c for c in kept if c.category == PSEUDO or all(c.end <= p.start or c.start >= p.end for p in pseudo)]
    cues = [c for c in longest(kept) if c.category != PSEUDO]
    general = [c for c in cues if c.rule.general(rules.group)]
    return [
        Modifier(c.start, c.end, c.rule,
                 _scope(c, [*stops, *(g for g in general if g.category in c.rule.terminated_by)], lo, hi))
        for c in cues
    ]


def covering(mods: Iterable[Modifier], start: int, group: str, label: str) -> list[Modifier]:
    """The modifiers whose scope holds a span of ``group`` with ``label`` beginning at token ``start``."""
    return [m for m in mods if m.covers(start) and m.rule.applies_to(group, label)]


