"""Polarity of an exercise mention: recommended, or to be avoided — decided as medspaCy's ConText does.

Triggers have a direction ("avoid X" looks forward, "X should be avoided" looks back), their scope
ends at a terminator ("but", "however", ";") or the sentence's end, pseudo-triggers ("do not force
the stretch") are not triggers, and a trigger inside a conditional ("if the pain worsens, do not do
the bridge") makes a caution, not an avoid. Keyword-in-sentence would call every exercise in "Avoid
sit-ups, but do the bridge" avoided; scope does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from pipeline import lexicons

AVOID, RECOMMEND, CAUTION = "avoid", "recommend", "caution"


@dataclass(frozen=True)
class _Rules:
    matcher: PhraseMatcher
    terminators: frozenset[str]
    conditionals: frozenset[str]


@cache
def _rules(vocab: Vocab) -> _Rules:
    data = lexicons.load("context")
    matcher = PhraseMatcher(vocab, attr="LOWER")
    for label in ("forward_triggers", "backward_triggers", "pseudo_triggers", "all_exercises"):
        matcher.add(label, [_phrase_doc(vocab, p) for p in data[label]])
    return _Rules(matcher, frozenset(data["terminators"]), frozenset(data["conditionals"]))


def _phrase_doc(vocab: Vocab, phrase: str) -> Doc:
    """A phrase as spaCy tokenizes it: words split on spaces, "don't" as "do" + "n't"."""
    words = []
    for w in phrase.split():
        if w.endswith("n't") and len(w) > 3:
            words.extend([w[:-3], "n't"])
        else:
            words.append(w)
    return Doc(vocab, words=words)


def _triggers(sent: Span) -> tuple[list[tuple[str, int, int]], list[tuple[int, int]]]:
    rules = _rules(sent.doc.vocab)
    # a matcher called on a span answers in offsets of the whole doc
    found = [(sent.doc.vocab.strings[k], s, e) for k, s, e in rules.matcher(sent)]
    pseudo = [(s, e) for label, s, e in found if label == "pseudo_triggers"]
    real = [(label, s, e) for label, s, e in found
            if label in ("forward_triggers", "backward_triggers")
            and not any(ps <= s < pe or ps < e <= pe for ps, pe in pseudo)]
    return real, pseudo


def _blocked(doc: Doc, lo: int, hi: int, terminators: frozenset[str]) -> bool:
    return any(doc[i].lower_ in terminators for i in range(lo, hi))


def polarity(doc: Doc, start: int, end: int) -> str:
    """``avoid``, ``caution`` or ``recommend`` for the exercise named by tokens ``[start, end)``."""
    sent = doc[start].sent if doc.has_annotation("SENT_START") else doc[:]
    rules = _rules(doc.vocab)
    triggers, _ = _triggers(sent)
    for label, s, e in triggers:
        forward = label == "forward_triggers" and e <= start and not _blocked(doc, e, start, rules.terminators)
        backward = label == "backward_triggers" and s >= end and not _blocked(doc, end, s, rules.terminators)
        if forward or backward:
            return CAUTION if sent[0].lower_ in rules.conditionals and sent.start < s else AVOID
    return RECOMMEND


def states_for_all(sent: Span) -> bool:
    """The sentence states something for every exercise of the article ("do each exercise twice a day")."""
    rules = _rules(sent.doc.vocab)
    return any(sent.doc.vocab.strings[k] == "all_exercises" for k, _s, _e in rules.matcher(sent.as_doc()))
