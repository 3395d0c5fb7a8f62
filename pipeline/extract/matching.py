"""One phrase language, one fast phrase matcher and one way to get word forms, for every rule file.

**The phrase language** (the rules of ``context_rules.jsonl`` and the targets of ``advice.json``):
a phrase is words separated by spaces, each word one slot. ``a|b`` are alternatives; ``_`` joins
the words of one alternative (``over_the_counter``); a leading ``?`` makes the slot optional; a
trailing ``+`` matches the word's inflections (``lift+`` = lift, lifts, lifted, lifting; also its
LEMMA when the doc has lemmas); ``#`` is a number ("3", "three"); ``*`` is a gap of up to three
words. Matching is on lower-cased tokens as spaCy's tokenizer splits them ("don't" is "do" + "n't").
``phrase_patterns`` turns a phrase into spaCy ``Matcher`` patterns.

**The matcher.** Running a ``Matcher`` with a few hundred such patterns over every token of an
article costs ~80 ms (its state machine tests every pattern's predicates on every token). The
patterns use only token-local tests ("LOWER"/"LEMMA" in a set, "LIKE_NUM", "not punctuation or
space") and the repeat counts ``?`` and ``{m,n}``, so each one is a finite set of token sequences.
``trie`` puts them in one trie, indexed at every node by the lower-cased word (and lemma) that can
come next: ``scan`` tries only the tokens that can begin a phrase, reads per-token attributes from
one ``Doc.to_array`` call (``Tokens``), and finds exactly the (start, end) pairs the Matcher finds
(``tests/test_matching.py`` checks this against a real Matcher). A doc in which no word can begin
a phrase costs one dictionary lookup per token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import Any

import spacy
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER
from spacy.strings import StringStore
from spacy.tokens import Doc

TokenSpec = dict[str, Any]
Pattern = list[TokenSpec]
Tokenize = Callable[[str], list[str]]
Match = tuple[int, int, Any]  # (start, end, key): token offsets into the doc and the phrase's key


def inflections(word: str) -> list[str]:
    """The regular forms of a verb or noun: the ``+`` of the phrase language.

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
    """Matcher patterns for one phrase of the phrase language.

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
def tokenizer(lang: str) -> Tokenize:
    """Lower-cased token texts as the docs' tokenizer splits them ("don't" → "do", "n't")."""
    tokenizer = spacy.blank(lang).tokenizer
    return lambda text: [t.lower_ for t in tokenizer(text)]


# ------------------------------------------------------------------------------------ the trie

_REPEAT = re.compile(r"\{(\d+),(\d+)\}")


class Node:
    """A trie node: the keys of the phrases that end here and the nodes the next token can reach."""

    __slots__ = ("by_lemma", "by_lower", "edges", "keys", "num", "word")

    def __init__(self) -> None:
        self.edges: dict[tuple, Node] = {}  # predicate -> child, while building
        self.keys: list[Any] = []
        self.by_lower: dict[int, list[Node]] = {}
        self.by_lemma: dict[int, list[Node]] = {}
        self.num: list[Node] = []  # children reached by a LIKE_NUM token
        self.word: list[Node] = []  # children reached by any token that is neither punctuation nor space


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
        raise ValueError(f"matching: unsupported operator in token spec {spec!r}")
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
    raise ValueError(f"matching: unsupported token spec {spec!r}")


def _sequences(pattern: Pattern, strings: StringStore) -> Iterable[tuple[tuple, ...]]:
    """Every token sequence a pattern matches, as predicates (empty ones dropped, as the Matcher does)."""
    steps = [_predicate(spec, strings) for spec in pattern]
    choices = [[(pred,) * n for n in range(least, most + 1)] for pred, least, most in steps]
    for combo in product(*choices):
        seq = tuple(pred for part in combo for pred in part)
        if seq:
            yield seq


def trie(entries: Iterable[tuple[Any, list[Pattern]]], strings: StringStore) -> Node:
    """One trie of all patterns; each pattern's final node holds its key (hashes go into ``strings``)."""
    root = Node()
    for key, patterns in entries:
        for pattern in patterns:
            for seq in _sequences(pattern, strings):
                node = root
                for pred in seq:
                    child = node.edges.get(pred)
                    if child is None:
                        child = node.edges[pred] = Node()
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
class Tokens:
    """The per-token attributes the rules read, taken from the doc in one ``to_array`` call."""

    lower: list[int]
    lemma: list[int]
    num: list[int]
    word: list[bool]  # neither punctuation nor space
    punct: list[int]
    space: list[int]

    @classmethod
    def of(cls, doc: Doc, use_lemma: bool) -> Tokens:
        n = len(doc)
        if not n:
            return cls([], [], [], [], [], [])
        attrs = [LOWER, LIKE_NUM, IS_PUNCT, IS_SPACE, LEMMA] if use_lemma else [LOWER, LIKE_NUM, IS_PUNCT, IS_SPACE]
        arr = doc.to_array(attrs)
        word = ((arr[:, 2] == 0) & (arr[:, 3] == 0)).tolist()
        lower, num, punct, space, *lemma = arr.T.tolist()
        return cls(lower, lemma[0] if lemma else [0] * n, num, word, punct, space)


def _walk(firsts: list[Node], toks: Tokens, start: int, hi: int, found: set[Match]) -> None:
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


def scan(root: Node, toks: Tokens, lo: int, hi: int) -> set[Match]:
    """(start, end, key) of every phrase within tokens ``lo:hi``: what ``Matcher`` gives on ``doc[lo:hi]``."""
    found: set[Match] = set()
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
