"""A trained pipeline's attribute ruler, applied with array operations instead of a ``Matcher``.

spaCy's ``AttributeRuler`` maps fine tags to parts of speech and features, and sets the lemmas of
some words, with a ``Matcher`` of some two hundred one- and two-token patterns; it tests every
pattern's predicates on every token, and costs about as much as the tagger and the parser's
decisions together. Its patterns only compare token attributes with values ("TAG" is "NN",
"LOWER" in a list, "DEP" not in a list, a regular expression on "LOWER"), so each one is a boolean
mask over the batch's tokens; the ruler's rule — among the patterns that match a token, the one
added last sets each attribute — is applying the masks in the order the patterns were added.
``AttributeLookup`` does that, and gives the token attributes the ruler gives
(``tests/test_gate.py`` compares the two). A pattern of another form (an operator, a predicate on
another attribute) makes ``from_ruler`` return None, and the ruler is used as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LOWER, ORTH, TAG
from spacy.pipeline import AttributeRuler
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.util import minibatch

_READ = {"TAG": TAG, "LOWER": LOWER, "ORTH": ORTH, "DEP": DEP, "IS_SPACE": IS_SPACE}
Test = tuple[int, str, Any]  # column of the read array, kind ("eq", "in", "not_in", "regex"), value


@dataclass(frozen=True)
class _Rule:
    """One pattern of the ruler: a test per token position, the position it sets, and what it sets."""

    tests: tuple[tuple[Test, ...], ...]
    index: int
    attrs: tuple[tuple[int, int], ...]  # (attribute id, value), as the ruler normalised them


def _test(key: str, value: Any, strings: StringStore) -> Test | None:
    if key not in _READ:
        return None
    column = list(_READ).index(key)
    if isinstance(value, bool) and key == "IS_SPACE":
        return column, "eq", int(value)
    if isinstance(value, str):
        return column, "eq", strings.add(value)
    if isinstance(value, dict) and len(value) == 1:
        [(op, arg)] = value.items()
        if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            return column, op.lower(), np.array([strings.add(a) for a in arg], dtype=np.uint64)
        if op == "REGEX" and isinstance(arg, str) and key in ("LOWER", "ORTH"):
            return column, "regex", re.compile(arg)
    return None


def _rules(ruler: AttributeRuler, strings: StringStore) -> list[_Rule] | None:
    """The ruler's patterns in the order it added them, or None when one has a form not handled here."""
    rules = []
    for i, (attrs, index) in enumerate(zip(ruler.attrs, ruler.indices, strict=True)):
        _on_match, patterns = ruler.matcher.get(str(i))
        for pattern in patterns:
            tests = [[_test(k, v, strings) for k, v in spec.items()] for spec in pattern]
            if any(t is None for spec in tests for t in spec) or not -len(pattern) <= index < len(pattern):
                return None
            rules.append(_Rule(tuple(tuple(spec) for spec in tests), index % len(pattern),  # type: ignore[misc]
                               tuple(attrs.items())))
    return rules


class AttributeLookup:
    """Applies an attribute ruler's patterns to docs with array operations (see the module's docstring)."""

    def __init__(self, rules: Sequence[_Rule], strings: StringStore) -> None:
        self.rules, self.strings = list(rules), strings
        self.written = sorted({a for r in rules for a, _v in r.attrs})

    @classmethod
    def from_ruler(cls, ruler: AttributeRuler) -> AttributeLookup | None:
        rules = _rules(ruler, ruler.vocab.strings)
        return cls(rules, ruler.vocab.strings) if rules is not None else None

    def __call__(self, doc: Doc) -> Doc:
        return self._apply([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from self._apply(list(batch))

    def _apply(self, docs: list[Doc]) -> list[Doc]:
        docs_with = [d for d in docs if len(d)]
        if not docs_with:
            return docs
        read = np.concatenate([d.to_array(list(_READ.values())) for d in docs_with])
        values = np.concatenate([d.to_array(self.written) for d in docs_with])
        sizes = [len(d) for d in docs_with]
        last = np.zeros(len(read), dtype=bool)  # a doc's last token: no pattern runs over into the next doc
        last[np.cumsum(sizes) - 1] = True
        for rule in self.rules:
            at = self._matches(rule, read, last)
            if at.size:
                for attr, value in rule.attrs:
                    values[at, self.written.index(attr)] = value
        for doc, part in zip(docs_with, np.split(values, np.cumsum(sizes)[:-1]), strict=True):
            doc.from_array(self.written, part)  # rewrites unmatched tokens' values as they were
        return docs

    def _matches(self, rule: _Rule, read: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Indexes of the tokens the rule sets: where its first position matches and the rest follow."""
        n, span = len(read), len(rule.tests)
        ok = np.ones(n - span + 1 if n >= span else 0, dtype=bool)
        for offset, tests in enumerate(rule.tests):
            column = np.ones(n, dtype=bool)
            for test in tests:
                column &= self._mask(test, read)
            ok &= column[offset : offset + len(ok)]
            if offset < span - 1:
                ok &= ~last[offset : offset + len(ok)]
        return np.flatnonzero(ok) + rule.index

    def _mask(self, test: Test, read: np.ndarray) -> np.ndarray:
        column, kind, value = test
        values = read[:, column]
        if kind == "eq":
            return values == value
        if kind == "in":
            return np.isin(values, value)
        if kind == "not_in":
            return ~np.isin(values, value)
        keys = np.unique(values)
        hits = [k for k in keys.tolist() if value.search(self.strings[k])]
        return np.isin(values, np.array(hits, dtype=np.uint64))
