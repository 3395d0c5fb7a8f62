"""The phrase language and the trie matcher: the trie finds exactly what spaCy's Matcher finds.

The trie is kept only because it is much faster than a Matcher with the same few hundred patterns
(``test_the_trie_is_faster_than_the_matcher``); its answers must not differ.
"""

from __future__ import annotations

import doctest
import random
import time

import pytest
import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline import lexicons
from pipeline.extract import advice, matching
from pipeline.extract.matching import Pattern, Tokens, phrase_patterns, scan, tokenizer, trie
from pipeline.extract.scope import load_rules
from tests.test_advice import SHOULD_FIND, SHOULD_NOT_FIND


def _entries(use_lemma: bool) -> list[tuple[str, list[Pattern]]]:
    """Every pattern of the advice targets and of the ConText rules, keyed as the reference matcher keys them."""
    data = lexicons.load("advice")
    targets = advice.target_patterns(data, tokenizer("en"), use_lemma)
    return [(f"target {i}", patterns) for i, (_, patterns) in enumerate(targets)] + [
        (f"rule {i}", rule.patterns(use_lemma, "en")) for i, rule in enumerate(load_rules())
    ]


def _reference(vocab: Vocab, entries: list[tuple[str, list[Pattern]]]) -> Matcher:
    matcher = Matcher(vocab)
    for key, patterns in entries:
        matcher.add(key, patterns)
    return matcher


def _words(entries: list[tuple[str, list[Pattern]]]) -> tuple[list[str], list[str]]:
    """The words and lemmas the patterns test for: the random texts are made of them."""
    words, lemmas = set(), set()
    for _, patterns in entries:
        for spec in (spec for p in patterns for spec in p):
            for attr, pool in (("LOWER", words), ("LEMMA", lemmas)):
                value = spec.get(attr)
                if value is not None:
                    pool.update(value["IN"] if isinstance(value, dict) else [value])
    return sorted(words), sorted(lemmas)


@pytest.mark.parametrize("use_lemma", [False, True])
def test_scan_finds_what_the_matcher_finds(use_lemma: bool) -> None:
    """The trie scan gives the same (key, start, end) as spaCy's Matcher on the same patterns: on the
    advice test sentences and on random runs of rule words (optional slots, gaps, numbers, lemmas, edges)."""
    vocab = spacy.blank("en").vocab
    entries = _entries(use_lemma)
    matcher = _reference(vocab, entries)
    root = trie(entries, vocab.strings)
    words, lemmas = _words(entries)
    extra = ["3", "three", ",", ".", ";", "-", "\n", " ", "the", "Rest", "HEAT", "xyz"]
    rng = random.Random(7)
    blank = spacy.blank("en")
    docs = [blank.make_doc(text) for text in [t for t, _ in SHOULD_FIND] + SHOULD_NOT_FIND]
    for _ in range(300):
        ws = [rng.choice(words) if rng.random() < 0.8 else rng.choice(extra) for _ in range(rng.randint(1, 30))]
        docs.append(Doc(vocab, words=ws))
    for doc in docs:
        if use_lemma:
            lemma = [rng.choice(lemmas) if rng.random() < 0.3 else t.lower_ for t in doc]
            doc = Doc(vocab, words=[t.text for t in doc], lemmas=lemma)
        toks = Tokens.of(doc, use_lemma)
        got = {(vocab.strings[k], s, e) for k, s, e in matcher(doc)}
        assert {(k, s, e) for s, e, k in scan(root, toks, 0, len(doc))} == got, doc.text
        lo, hi = sorted(rng.sample(range(len(doc) + 1), 2)) if len(doc) > 1 else (0, len(doc))
        in_span = {(vocab.strings[k], s + lo, e + lo) for k, s, e in matcher(doc[lo:hi])}
        assert {(k, s, e) for s, e, k in scan(root, toks, lo, hi)} == in_span, (doc.text, lo, hi)


def test_the_trie_is_faster_than_the_matcher() -> None:
    """The reason the trie exists: on an article-sized doc it beats the Matcher by far (measured ~50×)."""
    blank = spacy.blank("en")
    entries = _entries(False)
    matcher = _reference(blank.vocab, entries)
    root = trie(entries, blank.vocab.strings)
    doc = blank(" ".join(t for t, _ in SHOULD_FIND) * 3)

    def best(fn) -> float:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    assert best(lambda: scan(root, Tokens.of(doc, False), 0, len(doc))) * 5 < best(lambda: matcher(doc))


def test_unsupported_token_specs_fail() -> None:
    vocab = spacy.blank("en").vocab
    with pytest.raises(ValueError, match="unsupported"):
        trie([("k", [[{"POS": "VERB"}]])], vocab.strings)
    with pytest.raises(ValueError, match="unsupported operator"):
        trie([("k", [[{"LOWER": "a", "OP": "+"}]])], vocab.strings)


def test_lemma_patterns_only_when_asked() -> None:
    assert not any("LEMMA" in spec for p in phrase_patterns("keep+ moving") for spec in p)
    assert any("LEMMA" in spec for p in phrase_patterns("keep+ moving", use_lemma=True) for spec in p)


@pytest.mark.parametrize(
    ("word", "forms"),
    [("lift", {"lift", "lifts", "lifted", "lifting"}), ("carry", {"carries", "carried"}),
     ("move", {"moved", "moving"}), ("stop", {"stopped", "stopping"})],
)
def test_inflections(word: str, forms: set[str]) -> None:
    assert forms <= set(matching.inflections(word))


def test_doctests() -> None:
    assert doctest.testmod(matching).failed == 0
