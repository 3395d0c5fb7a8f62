"""Find advice that is not an exercise: rest, activity, heat, cold, posture, lifting, medication, doctor.

Keyword-in-sentence is not enough here: "Heavy lifting is a common cause of back spasms" names lifting
without advising anything, and "avoid bed rest" names rest to advise against it. So the rules borrow
the design of medspaCy's ConText:

1. **Targets** say what a piece of advice is about ("bed rest", "keep moving", "ice pack"), one list
   per topic.
2. **Cues** say what the text does with the targets in their *scope*: recommend ("apply", "is
   useful", "it is advisable to"), avoid ("avoid", "do not", "cease"), limit ("up to 3 days", "then"
   before heat), or ignore (a cause: "can stiffen"; a wish: "you may feel like"). A cue looks forward,
   backward or both, and its scope ends at a terminator ("but", "however", ";"), at the end of the
   sentence or line, at ``max_scope`` tokens, or at a cue of a stance it is ``terminated_by``.
3. A target covered by no cue is **not advice**: a sentence that merely mentions heat or lifting
   says nothing about doing it. A target covered by an ignore cue is dropped (unless a limit covers
   it too): causes are not advice, so "Prolonged inactivity can stiffen your muscles" is read as a
   cause, not as advice to move.
   Exercise instructions ("Hold for 20 seconds", "Lie on your back") hold no targets; targets that
   instructions do use ("rest your hips back") are excluded by their neighbouring words.

Every word, cue and exclusion is data in ``resources/advice.json``; this module holds the grammar.
Patterns match lower-cased tokens, plus lemmas when the doc has them, so the rules give the same
answers on ``spacy.blank("en")`` (with a sentencizer) and on the trained pipeline.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import product
from typing import Any

import spacy
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline import lexicons

TOPICS = ("rest", "activity", "heat", "cold", "posture", "lifting", "medication", "doctor")
STANCES = ("recommend", "avoid", "limit")
IGNORE = "ignore"
DIRECTIONS = ("forward", "backward", "both")

# When cues disagree about one target, the first stance here wins. Limit qualifies the others ("do not
# stay in bed more than a day or two" limits rest rather than forbidding it, and "too much rest can
# weaken you" is a limit even though it names a cause), and avoid outranks the plain imperative that
# a negated verb still looks like.
_PRIORITY = ("limit", "avoid", "recommend")
# A negative target names the wrong way to do a topic ("slouching"): avoiding or limiting it is
# advice for the topic; recommending it is not something articles say, so it is dropped.
_NEGATED = {"avoid": "recommend", "limit": "recommend"}

TokenSpec = dict[str, Any]
Pattern = list[TokenSpec]
Tokenize = Callable[[str], list[str]]


@dataclass(frozen=True)
class AdviceHit:
    """One piece of advice: its topic, the source's stance, and cleaned-text offsets of the evidence.

    The evidence is the sentence (or line), or the clause when the sentence holds two pieces of advice.
    """

    topic: str
    stance: str
    start: int
    end: int


# ------------------------------------------------------------------------------ phrase language


def inflections(word: str) -> list[str]:
    """The regular forms of a verb or noun, for the ``+`` of the phrase language.

    Over-generation is harmless (no article writes "restd"), so the rules stay simple.

    >>> inflections("stop")
    ['stop', 'stoped', 'stopes', 'stoping', 'stopped', 'stopping', 'stops']
    >>> inflections("apply")[:3]
    ['applied', 'applies', 'apply']
    """
    forms = {word, word + "s", word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
    return sorted(forms)


def _slot(word: str, tokenize: Tokenize, use_lemma: bool) -> list[list[TokenSpec]]:
    """The token sequences one word of a phrase allows ([] when the slot is optional)."""
    optional = word.startswith("?") and len(word) > 1
    word = word.removeprefix("?") if optional else word
    singles: list[str] = []
    lemmas: list[str] = []
    seqs: list[list[TokenSpec]] = []
    for alt in word.split("|"):
        if alt == "#":
            seqs.append([{"LIKE_NUM": True}])
        elif alt == "*":
            seqs.append([{"IS_PUNCT": False, "IS_SPACE": False, "OP": "{0,3}"}])
        elif alt.endswith("+") and len(alt) > 1:
            singles.extend(inflections(alt[:-1]))
            lemmas.append(alt[:-1])
        else:
            tokens = tokenize(alt.replace("_", " "))
            if len(tokens) == 1:
                singles.append(tokens[0])
            else:
                seqs.append([{"LOWER": t} for t in tokens])
    if singles:
        seqs.insert(0, [{"LOWER": {"IN": sorted(set(singles))}}])
    if use_lemma and lemmas:
        seqs.append([{"LEMMA": {"IN": lemmas}}])
    if optional:
        if len(seqs) == 1 and len(seqs[0]) == 1 and "OP" not in seqs[0][0]:
            return [[{**seqs[0][0], "OP": "?"}]]
        seqs.insert(0, [])
    return seqs


def phrase_patterns(phrase: str, tokenize: Tokenize = str.split, use_lemma: bool = False) -> list[Pattern]:
    """Matcher patterns for one phrase of advice.json's ``_syntax``.

    >>> phrase_patterns("up_to # day|days")
    [[{'LOWER': 'up'}, {'LOWER': 'to'}, {'LIKE_NUM': True}, {'LOWER': {'IN': ['day', 'days']}}]]
    >>> len(phrase_patterns("?moist|dry heat|warmth"))
    1
    >>> phrase_patterns("take+", use_lemma=True)[1]
    [{'LEMMA': {'IN': ['take']}}]
    """
    slots = [_slot(word, tokenize, use_lemma) for word in phrase.split()]
    patterns = [[spec for seq in combo for spec in seq] for combo in product(*slots)]
    # A pattern must hold one token that is not optional, or the Matcher would match nothing.
    return [p for p in patterns if any("OP" not in spec for spec in p)]


@cache
def _tokenizer(lang: str) -> Tokenize:
    """Lower-cased token texts as the docs' tokenizer splits them ("don't" → "do", "n't")."""
    tokenizer = spacy.blank(lang).tokenizer
    return lambda text: [t.lower_ for t in tokenizer(text)]


# ------------------------------------------------------------------------------------ the rules


@dataclass(frozen=True)
class _Target:
    """One entry of a topic's target list, with the words that may not stand next to it."""

    topic: str
    negative: bool = False
    not_before: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _CueGroup:
    """A group of cues that share a stance, a direction and how their scope ends."""

    name: str
    stance: str
    direction: str
    terminated_by: frozenset[str]
    topics: frozenset[str] = frozenset()  # empty: every topic
    max_scope: int | None = None
    imperative: bool = False

    def applies_to(self, topic: str) -> bool:
        return not self.topics or topic in self.topics


def _check(data: dict[str, Any]) -> None:
    """Fail loudly on a lexicon typo rather than silently never matching."""
    for topic in data["targets"]:
        if topic not in TOPICS:
            raise ValueError(f"advice.json: unknown topic {topic!r}")
    for group in data["cues"]:
        if group["stance"] not in (*STANCES, IGNORE) or group["direction"] not in DIRECTIONS:
            raise ValueError(f"advice.json: bad stance or direction in cue group {group['name']!r}")
        unknown = set(group.get("topics", ())) - set(TOPICS)
        unknown |= set(group["terminated_by"]) - {*STANCES, IGNORE}
        if unknown:
            raise ValueError(f"advice.json: unknown names {sorted(unknown)} in {group['name']!r}")
    for label, pairs in data["conflicts"].items():
        for pair in pairs:
            for item in pair:
                topic, _, stance = item.partition("/")
                if topic not in TOPICS or stance not in STANCES:
                    raise ValueError(f"advice.json: bad topic/stance {item!r} under conflict {label!r}")


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


def cue_patterns(data: dict[str, Any], tokenize: Tokenize, use_lemma: bool) -> list[tuple[_CueGroup, list[Pattern]]]:
    """Per cue group, its patterns: "do not", "is useful", "up to 3 days", "is a common cause of"."""
    out = []
    for g in data["cues"]:
        group = _CueGroup(
            g["name"],
            g["stance"],
            g["direction"],
            frozenset(g["terminated_by"]),
            topics=frozenset(g.get("topics", ())),
            max_scope=g.get("max_scope"),
            imperative=g.get("imperative", False),
        )
        out.append((group, [p for phrase in g["phrases"] for p in phrase_patterns(phrase, tokenize, use_lemma)]))
    return out


def terminator_patterns(data: dict[str, Any], tokenize: Tokenize) -> list[Pattern]:
    """Words that end every cue's scope: "but", "however", ";"."""
    return [p for word in data["terminators"] for p in phrase_patterns(word, tokenize)]


# ------------------------------------------------------------------------------- the compiled rules
#
# The patterns above are spaCy ``Matcher`` patterns, but running a Matcher with a few hundred of them
# over every token of an article costs ~80 ms (its state machine tests every pattern's predicates on
# every token). The patterns use only token-local tests ("LOWER"/"LEMMA" in a set, "LIKE_NUM", "not
# punctuation or space") and the repeat counts ``?`` and ``{m,n}``, so each one is a finite set of
# token sequences. These go into one trie per kind (targets; cues and terminators), indexed at every
# node by the lower-cased word (and lemma) that can come next: a scan tries only the tokens that can
# begin a phrase, reads per-token attributes from one ``Doc.to_array`` call, and finds exactly the
# (start, end) pairs the Matcher finds (``tests/test_advice.py`` checks this against a real Matcher).

_REPEAT = re.compile(r"\{(\d+),(\d+)\}")
_TERMINATOR = "ADVICE_TERMINATOR"


class _Node:
    """A trie node: the keys of the phrases that end here and the nodes the next token can reach."""

    __slots__ = ("by_lemma", "by_lower", "edges", "keys", "num", "word")

    def __init__(self) -> None:
        self.edges: dict[tuple, _Node] = {}  # predicate -> child, while building
        self.keys: list[Any] = []
        self.by_lower: dict[int, list[_Node]] = {}
        self.by_lemma: dict[int, list[_Node]] = {}
        self.num: list[_Node] = []  # children reached by a LIKE_NUM token
        self.word: list[_Node] = []  # children reached by any token that is neither punctuation nor space


def _predicate(spec: TokenSpec, strings: StringStore) -> tuple[tuple, int, int]:
    """One token spec as (predicate, least, most repeats); unknown specs fail rather than mismatch."""
    attrs = {k: v for k, v in spec.items() if k != "OP"}
    op = spec.get("OP")
    if op is None:
        least, most = 1, 1
    elif op == "?":
        least, most = 0, 1
    elif (m := _REPEAT.fullmatch(op)) and int(m[1]) <= int(m[2]):
        least, most = int(m[1]), int(m[2])
    else:
        raise ValueError(f"advice: unsupported operator in token spec {spec!r}")
    if attrs == {"LIKE_NUM": True}:
        return ("num",), least, most
    if attrs == {"IS_PUNCT": False, "IS_SPACE": False}:
        return ("word",), least, most
    if len(attrs) == 1:
        [(attr, value)] = attrs.items()
        if isinstance(value, dict) and set(value) == {"IN"}:
            value = value["IN"]
        elif isinstance(value, str):
            value = [value]
        if attr in ("LOWER", "LEMMA") and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return (attr, frozenset(strings.add(v) for v in value)), least, most
    raise ValueError(f"advice: unsupported token spec {spec!r}")


def _sequences(pattern: Pattern, strings: StringStore) -> Iterable[tuple[tuple, ...]]:
    """Every token sequence a pattern matches, as predicates (empty ones dropped, as the Matcher does)."""
    steps = [_predicate(spec, strings) for spec in pattern]
    choices = [[(pred,) * n for n in range(least, most + 1)] for pred, least, most in steps]
    for combo in product(*choices):
        seq = tuple(pred for part in combo for pred in part)
        if seq:
            yield seq


def _trie(entries: Iterable[tuple[Any, list[Pattern]]], strings: StringStore) -> _Node:
    """One trie of all patterns; each pattern's final node holds its key."""
    root = _Node()
    for key, patterns in entries:
        for pattern in patterns:
            for seq in _sequences(pattern, strings):
                node = root
                for pred in seq:
                    child = node.edges.get(pred)
                    if child is None:
                        child = node.edges[pred] = _Node()
                    node = child
                if key not in node.keys:
                    node.keys.append(key)
    stack = [root]
    while stack:
        node = stack.pop()
        for pred, child in node.edges.items():
            if pred[0] == "LOWER":
                for h in pred[1]:
                    node.by_lower.setdefault(h, []).append(child)
            elif pred[0] == "LEMMA":
                for h in pred[1]:
                    node.by_lemma.setdefault(h, []).append(child)
            elif pred[0] == "num":
                node.num.append(child)
            else:
                node.word.append(child)
            stack.append(child)
        node.edges = {}
    return root


@dataclass(frozen=True)
class _Rules:
    targets: _Node  # keys: index into target_info
    target_info: tuple[tuple[_Target, frozenset[int], frozenset[int]], ...]  # with not_before/after hashes
    cues: _Node  # keys: a cue group's name, or _TERMINATOR
    cue_groups: dict[str, _CueGroup]
    not_imperative_after: frozenset[int]
    breaks: frozenset[int]
    use_lemma: bool


@lru_cache(maxsize=8)
def _rules(vocab: Vocab, use_lemma: bool) -> _Rules:
    """The compiled rules for one vocab, built once (hashes are added to the vocab's strings)."""
    data = lexicons.load("advice")
    _check(data)
    tokenize = _tokenizer(vocab.lang or "en")
    strings = vocab.strings

    def hashes(words: Iterable[str]) -> frozenset[int]:
        return frozenset(strings.add(w) for w in words)

    targets = target_patterns(data, tokenize, use_lemma)
    cues = cue_patterns(data, tokenize, use_lemma)
    return _Rules(
        targets=_trie(((i, patterns) for i, (_, patterns) in enumerate(targets)), strings),
        target_info=tuple((t, hashes(t.not_before), hashes(t.not_after)) for t, _ in targets),
        cues=_trie(
            [*((g.name, patterns) for g, patterns in cues), (_TERMINATOR, terminator_patterns(data, tokenize))],
            strings,
        ),
        cue_groups={g.name: g for g, _ in cues},
        not_imperative_after=hashes(data["not_imperative_after"]),
        breaks=hashes(data["clause_breaks"]) | hashes(data["terminators"]),
        use_lemma=use_lemma,
    )


@dataclass(frozen=True)
class _Tokens:
    """The per-token attributes the rules read, taken from the doc in one ``to_array`` call."""

    lower: list[int]
    lemma: list[int]
    num: list[int]
    word: list[bool]  # neither punctuation nor space
    punct: list[int]
    space: list[int]

    @classmethod
    def of(cls, doc: Doc, use_lemma: bool) -> _Tokens:
        n = len(doc)
        if not n:
            return cls([], [], [], [], [], [])
        attrs = [LOWER, LIKE_NUM, IS_PUNCT, IS_SPACE, LEMMA] if use_lemma else [LOWER, LIKE_NUM, IS_PUNCT, IS_SPACE]
        arr = doc.to_array(attrs)
        word = ((arr[:, 2] == 0) & (arr[:, 3] == 0)).tolist()
        lower, num, punct, space, *lemma = arr.T.tolist()
        return cls(lower, lemma[0] if lemma else [0] * n, num, word, punct, space)


def _walk(firsts: list[_Node], toks: _Tokens, start: int, hi: int, found: set[tuple[int, int, Any]]) -> None:
    """Add every phrase that begins at ``start`` (its first token already read into ``firsts``)."""
    lower, lemma, num, word = toks.lower, toks.lemma, toks.num, toks.word
    stack = [(node, start + 1) for node in firsts]
    while stack:
        node, j = stack.pop()
        for key in node.keys:
            found.add((start, j, key))
        if j < hi:
            nxt = node.by_lower.get(lower[j])
            if nxt:
                stack.extend((child, j + 1) for child in nxt)
            if node.by_lemma and (nxt := node.by_lemma.get(lemma[j])):
                stack.extend((child, j + 1) for child in nxt)
            if node.num and num[j]:
                stack.extend((child, j + 1) for child in node.num)
            if node.word and word[j]:
                stack.extend((child, j + 1) for child in node.word)


def _scan(root: _Node, toks: _Tokens, lo: int, hi: int) -> set[tuple[int, int, Any]]:
    """(start, end, key) of every phrase within tokens ``lo:hi``: what ``Matcher`` gives on ``doc[lo:hi]``."""
    found: set[tuple[int, int, Any]] = set()
    lower, lemma = toks.lower, toks.lemma
    get_lower, get_lemma, num, word = root.by_lower.get, root.by_lemma.get, root.num, root.word
    if not root.by_lemma and not num and not word:  # only words begin a phrase: one dict lookup per token
        for i in range(lo, hi):
            firsts = get_lower(lower[i])
            if firsts:
                _walk(firsts, toks, i, hi, found)
        return found
    for i in range(lo, hi):
        firsts = get_lower(lower[i]) or ()
        if more := get_lemma(lemma[i]):
            firsts = [*firsts, *more]
        if num and toks.num[i]:
            firsts = [*firsts, *num]
        if word and toks.word[i]:
            firsts = [*firsts, *word]
        if firsts:
            _walk(firsts, toks, i, hi, found)
    return found


# --------------------------------------------------------------------------------- the reading


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    meta: Any = None


@dataclass(frozen=True)
class _Context:
    """What decides whether a verb in a segment is an imperative."""

    targets: Sequence[_Match]
    verb_ends: frozenset[int]
    not_imperative_after: frozenset[int]


def _segments(doc: Doc, toks: _Tokens) -> list[tuple[int, int]]:
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


def _longest(matches: Iterable[_Match]) -> list[_Match]:
    """Overlapping matches resolved to the longest ("do not" over "do"); identical spans all kept."""
    kept: list[_Match] = []
    for m in sorted(set(matches), key=lambda m: (m.start - m.end, m.start)):
        if all(m.end <= k.start or m.start >= k.end or (m.start, m.end) == (k.start, k.end) for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _word(toks: _Tokens, i: int, lo: int, hi: int) -> int | None:
    """The lower-cased word (as its hash) at ``i`` if it is inside the segment ``lo:hi``."""
    return toks.lower[i] if lo <= i < hi else None


def _is_imperative(toks: _Tokens, cue: _Match, lo: int, hi: int, others: _Context) -> bool:
    """A verb at the head of its clause: not after a subject or a modal ("you rest", "to rest"), not
    the object of another imperative ("apply ice"), and not inside a target's noun phrase ("bed rest")."""
    return (
        _word(toks, cue.start - 1, lo, hi) not in others.not_imperative_after
        and cue.start not in others.verb_ends
        and not any(t.start < cue.start < t.end for t in others.targets)
    )


def _scope(cue: _Match, stops: Sequence[_Match], lo: int, hi: int) -> tuple[int, int]:
    """The token range a cue covers: its own tokens and the words its direction reaches."""
    group: _CueGroup = cue.meta
    first, last = lo, hi
    for stop in stops:
        if stop.start >= cue.end:
            last = min(last, stop.start)
        if stop.end <= cue.start:
            first = max(first, stop.end)
    if group.max_scope is not None:
        first, last = max(first, cue.start - group.max_scope), min(last, cue.end + group.max_scope)
    return (cue.start if group.direction == "forward" else first, cue.end if group.direction == "backward" else last)


def _evidence(doc: Doc, toks: _Tokens, a: int, b: int) -> tuple[int, int]:
    """Character offsets of tokens ``a:b`` without leading bullets and surrounding space."""
    while a < b - 1 and (toks.space[a] or toks.punct[a]):
        a += 1
    while b > a + 1 and toks.space[b - 1]:
        b -= 1
    last = doc[b - 1]
    return doc[a].idx, last.idx + len(last.text)


def _segment_hits(
    doc: Doc,
    toks: _Tokens,
    lo: int,
    hi: int,
    targets: list[_Match],
    cues: list[_Match],
    terms: list[_Match],
    rules: _Rules,
) -> list[AdviceHit]:
    """The advice of one sentence or line: each target read with the cues whose scope covers it."""
    # A cue truncates another only when it applies to every topic: "then" before heat is no reason
    # to end the scope of "avoid".
    general = [c for c in cues if not c.meta.topics]
    scopes = [
        (c, _scope(c, [*terms, *(s for s in general if s.meta.stance in c.meta.terminated_by)], lo, hi))
        for c in cues
    ]
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for t in targets:
        target: _Target = t.meta
        covering = [c for c, (a, b) in scopes if a <= t.start < b and c.meta.applies_to(target.topic)]
        stances = {c.meta.stance for c in covering}
        if IGNORE in stances and "limit" not in stances:  # "too much rest can weaken" still limits rest
            continue
        stance = next((s for s in _PRIORITY if s in stances), None)
        if stance is None:
            continue
        governing = [c for c in covering if c.meta.stance == stance]
        if target.negative:
            stance = _NEGATED.get(stance)
            if stance is None:
                continue
        a = min(t.start, *(c.start for c in governing))
        b = max(t.end, *(c.end for c in governing))
        groups.setdefault((target.topic, stance), []).append((a, b))
    hits = []
    for (topic, stance), parts in groups.items():
        if len(groups) == 1:
            a, b = lo, hi
        else:  # two pieces of advice in one sentence: each gets its clause
            a, b = min(p[0] for p in parts), max(p[1] for p in parts)
            while a > lo and toks.lower[a - 1] not in rules.breaks:
                a -= 1
            while b < hi and toks.lower[b] not in rules.breaks:
                b += 1
        hits.append(AdviceHit(topic, stance, *_evidence(doc, toks, a, b)))
    return hits


def find_advice(doc: Doc) -> list[AdviceHit]:
    """Every piece of non-exercise advice in ``doc``, in text order, one per topic and stance per sentence.

    Only targets can make advice, so the targets are found first, over the whole doc; a doc without
    one costs a dictionary lookup per token. Sentences are cut, and cues looked for, only where a
    target is.
    """
    use_lemma = doc.has_annotation("LEMMA")
    rules = _rules(doc.vocab, use_lemma)
    toks = _Tokens.of(doc, use_lemma)
    found = _scan(rules.targets, toks, 0, len(doc))
    if not found:
        return []
    segments = _segments(doc, toks)
    starts = [lo for lo, _ in segments]
    by_segment: dict[int, list[tuple[int, int, Any]]] = {}
    for start, end, key in found:
        k = bisect_right(starts, start) - 1
        if k >= 0 and end <= segments[k][1]:
            by_segment.setdefault(k, []).append((start, end, key))
    hits: list[AdviceHit] = []
    for k in sorted(by_segment):
        lo, hi = segments[k]
        kept = []
        for start, end, key in by_segment[k]:
            target, not_before, not_after = rules.target_info[key]
            if _word(toks, start - 1, lo, hi) not in not_before and _word(toks, end, lo, hi) not in not_after:
                kept.append(_Match(start, end, target))
        targets = _longest(kept)
        if not targets:
            continue
        candidates, terms = [], []
        for start, end, key in _scan(rules.cues, toks, lo, hi):
            if key == _TERMINATOR:
                terms.append(_Match(start, end, key))
            else:
                candidates.append(_Match(start, end, rules.cue_groups[key]))
        verb_ends = frozenset(c.end for c in candidates if c.meta.imperative)
        context = _Context(targets, verb_ends, rules.not_imperative_after)
        cues = _longest(c for c in candidates if not c.meta.imperative or _is_imperative(toks, c, lo, hi, context))
        hits.extend(_segment_hits(doc, toks, lo, hi, targets, cues, terms, rules))
    return sorted(hits, key=lambda h: (h.start, h.end, h.topic, h.stance))


# ------------------------------------------------------------------------------------ conflicts


@cache
def _conflict_table() -> dict[frozenset[tuple[str, str]], str]:
    data = lexicons.load("advice")
    _check(data)
    table = {}
    for label, pairs in data["conflicts"].items():
        for a, b in pairs:
            table[frozenset({tuple(a.split("/")), tuple(b.split("/"))})] = label
    return table


def advice_conflict(a: AdviceHit | tuple[str, str], b: AdviceHit | tuple[str, str]) -> str | None:
    """The label of the disagreement between two pieces of advice from different sources, else None.

    Which pairs disagree is data (advice.json "conflicts"): "rest vs activity" for resting against
    keeping moving, "heat vs cold" for cold-first against heat-first.

    >>> advice_conflict(("rest", "limit"), ("activity", "recommend"))
    'rest vs activity'
    >>> advice_conflict(("rest", "limit"), ("rest", "limit")) is None
    True
    """
    ka = (a.topic, a.stance) if isinstance(a, AdviceHit) else (a[0], a[1])
    kb = (b.topic, b.stance) if isinstance(b, AdviceHit) else (b[0], b[1])
    if ka == kb:
        return None
    return _conflict_table().get(frozenset({ka, kb}))
