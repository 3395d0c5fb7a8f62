"""The gate's first pass: which layout blocks hold a word that can start a name, a dose or advice.

Every rule reads the words of its own resource file; this pass reads the same files and the same
matchers with the tokenizer's attributes alone (lower-cased text, prefixes), so it costs a few
dictionary lookups per token. It must never miss a block a rule would act on, so it errs wide:

- **name**: a lexicon name (``lexicon_scan``), a head word of the name rule (``mention_rules.json``:
  "stretch", "exercise"), a heading word whose lemma may be a head ("Rolling your knees"), a heading
  after a label heading ("EXERCISE 3"), or an unnamed description (``descriptions.json``);
- **dose**: a token the dose reader starts a quantity at (a digit, a number word, "once", "minute"),
  or a labelled field ("Reps: 10");
- **advice**: a target of ``advice.json`` ("bed rest", "ice pack"), its ``+`` words in any form the
  lemmatizer could bring back to them ("kept" for ``keep+``).

Rules that read lemmas match them in the trained model's output; here a lemma is replaced by every
form that the model's lemmatizer tables (exceptions, suffix rules) and attribute ruler could give
that lemma, so the first pass needs no model and still finds what the rules would find.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from spacy.attrs import LOWER, PREFIX
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from pipeline import lexicons
from pipeline.extract.advice import GROUP as ADVICE_GROUP
from pipeline.extract.advice import target_patterns
from pipeline.extract.doses.fields import field_quantities
from pipeline.extract.doses.patterns import rules as dose_rules
from pipeline.extract.lexicon_scan import lexicon_spans
from pipeline.extract.matching import Node, Pattern, Tokens, inflections, scan, tokenizer, trie
from pipeline.extract.mention_rules import MentionRules, mention_rules
from pipeline.extract.mentions import find_descriptions
from pipeline.extract.scope import AVOID, LIMIT, RECOMMEND, load_rules

STANCES = (LIMIT, AVOID, RECOMMEND)  # the ConText categories that give an advice target its stance

LemmaForms = dict[str, frozenset[str]]  # lemma -> every lower-cased form that may have it


def lemma_forms(lemmas: Iterable[str], lookups: Any = None, ruler_patterns: Sequence[dict] = ()) -> LemmaForms:
    """Every lower-cased form a token may have when the model gives it one of ``lemmas``.

    A regular inflection ("lifted") and the lemma itself always count; ``lookups`` (a rule
    lemmatizer's tables) adds the exceptions ("kept" for keep) and the forms its suffix rules
    reduce to the lemma; ``ruler_patterns`` (an attribute ruler's) adds the words it sets the lemma
    of ("got" for get).

    >>> sorted(lemma_forms(["lie"])["lie"])[:4]
    ['lie', 'lied', 'lies', 'lieing']
    """
    exceptions = lookups.get_table("lemma_exc", {}) if lookups is not None else {}
    suffixes = lookups.get_table("lemma_rules", {}) if lookups is not None else {}
    out: LemmaForms = {}
    for lemma in lemmas:
        forms = {lemma, *inflections(lemma)}
        for table in exceptions.values():
            forms.update(form for form, found in table.items() if lemma in found)
        for rules in suffixes.values():
            forms.update(lemma[: len(lemma) - len(new)] + old for old, new in rules if lemma.endswith(new) and old)
        for entry in ruler_patterns:
            if entry.get("attrs", {}).get("LEMMA") == lemma:
                forms.update(_words_of(entry["patterns"]))
        out[lemma] = frozenset(f.lower() for f in forms)
    return out


def _words_of(patterns: Sequence[Sequence[dict]]) -> set[str]:
    """The words that token patterns name outright (``LOWER``/``ORTH`` as a string or an ``IN`` list)."""
    words: set[str] = set()
    for pattern in patterns:
        for spec in pattern:
            for key in ("LOWER", "ORTH"):
                value = spec.get(key)
                if isinstance(value, str):
                    words.add(value)
                elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                    words.update(value["IN"])
    return words


def without_lemmas(patterns: Sequence[Pattern], forms: LemmaForms) -> list[Pattern]:
    """``patterns`` with each ``LEMMA`` test replaced by a ``LOWER`` test of the lemma's forms."""
    out = []
    for pattern in patterns:
        specs = []
        for spec in pattern:
            lemma = spec.get("LEMMA")
            if lemma is None:
                specs.append(spec)
                continue
            wanted = lemma["IN"] if isinstance(lemma, dict) else [lemma]
            rest = {k: v for k, v in spec.items() if k != "LEMMA"}
            specs.append({**rest, "LOWER": {"IN": sorted({f for w in wanted for f in forms.get(w, {w})})}})
        out.append(specs)
    return out


def _lemmas(patterns: Iterable[Pattern]) -> set[str]:
    return {lemma for pattern in patterns for spec in pattern if "LEMMA" in spec for lemma in spec["LEMMA"]["IN"]}


def advice_patterns(context_rules: str | None) -> tuple[list[list[Pattern]], list[list[Pattern]]]:
    """The patterns of the advice targets, and of the ConText cues that can give one a stance
    (recommend, avoid, limit: without one of them a target is no advice), lemmas included."""
    tokenize = tokenizer("en")
    targets = [patterns for _, patterns in target_patterns(lexicons.load("advice"), tokenize, True)]
    cues = [r.patterns(True, "en") for r in load_rules(context_rules)
            if r.in_group(ADVICE_GROUP) and r.category in STANCES]
    return targets, cues


def gate_lemmas(context_rules: str | None) -> set[str]:
    """The lemmas the first pass must find in any form: those of the advice targets and cues, and
    the head words (a heading's gerund names an exercise by its lemma: "Rolling your knees")."""
    targets, cues = advice_patterns(context_rules)
    return {*(lemma for group in (*targets, *cues) for lemma in _lemmas(group)), *mention_rules().strong_heads}


@dataclass(frozen=True)
class CueWords:
    """The first pass compiled for one vocab: hashes of the words it looks for, and the advice tries."""

    heads: np.ndarray  # LOWER of the name rule's head words
    heading_heads: np.ndarray  # LOWER of the forms whose lemma may be a head word (in headings)
    digits: np.ndarray  # PREFIX of a token that may start a number
    number_words: np.ndarray  # LOWER of the words the dose reader starts a quantity at
    name_words: np.ndarray  # LOWER of the words that say which exercise ("knee", "cat")
    advice: Node  # the advice targets
    advice_cues: Node | None  # the cues that give a target a stance (None: rules the trie cannot hold)


@lru_cache(maxsize=8)
def cue_words(vocab: Vocab, forms: tuple[tuple[str, frozenset[str]], ...], context_rules: str | None) -> CueWords:
    """Compile the cues for ``vocab``; ``forms`` are the ``lemma_forms`` of ``gate_lemmas``."""
    by_lemma, strings, w = dict(forms), vocab.strings, mention_rules()

    def hashes(words: Iterable[str]) -> np.ndarray:
        return np.array(sorted({strings.add(x) for x in words}), dtype=np.uint64)

    def compiled(groups: list[list[Pattern]]) -> Node:
        return trie(((i, without_lemmas(p, by_lemma)) for i, p in enumerate(groups)), strings)

    doses = dose_rules(vocab)
    targets, cues = advice_patterns(context_rules)
    try:
        advice_cues: Node | None = compiled(cues)
    except ValueError:  # a rule written as a spaCy token pattern the trie cannot hold: any block may have a cue
        advice_cues = None
    heading_forms = {f for head in w.strong_heads for f in by_lemma.get(head, {head})}
    return CueWords(hashes(w.strong_heads | w.weak_heads), hashes(heading_forms), doses.digit_prefixes,
                    doses.trigger_words, hashes(w.name_words), compiled(targets), advice_cues)


class FirstPass:
    """The first pass over one doc: its text, blocks and token attributes read once, and each kind
    of cue looked for only in the blocks asked about (a block kept for one reason needs no other)."""

    def __init__(self, doc: Doc, blocks: Sequence[Span], cues: CueWords) -> None:
        self.doc, self.blocks, self.cues = doc, blocks, cues
        self.text = doc.text  # Doc.text joins every token on each call
        self.starts = np.array([b.start for b in blocks], dtype=np.int64)
        self.ends = np.array([b.end for b in blocks], dtype=np.int64)
        attrs = doc.to_array([LOWER, PREFIX])
        self.lower, self.prefix = attrs[:, 0], attrs[:, 1]
        self._fields: list[int] | None = None  # where labelled fields start ("Reps: 10"), found once

    def block_of(self, tokens: Iterable[int]) -> set[int]:
        """The indexes of the blocks that hold the given tokens (tokens between blocks are in none)."""
        found = set()
        for i in tokens:
            b = int(np.searchsorted(self.starts, i, side="right")) - 1
            if b >= 0 and i < self.ends[b]:
                found.add(b)
        return found

    def names(self) -> set[int]:
        """Blocks where a name may be found: a lexicon name, a head word that a heading's name, a
        lead-in ("Donkey kicks. Kneel …") or the name rule could end with, a heading after a label."""
        doc, cues, w = self.doc, self.cues, mention_rules()
        found = self.block_of(s.start for s in lexicon_spans(doc)) | self._after_label()
        for i in np.flatnonzero(np.isin(self.lower, cues.heads) | np.isin(self.lower, cues.heading_heads)).tolist():
            b = int(np.searchsorted(self.starts, i, side="right")) - 1
            if b < 0 or i >= self.ends[b] or b in found:
                continue
            block = self.blocks[b]
            words = doc.char_span(block._.text_start, block.end_char, alignment_mode="expand")
            lo = words.start if words is not None else block.start
            if block.label_ == "heading":
                named = self._could_end_heading_name(i, lo, block.end)
            else:
                named = doc[i].lower_ in w.strong_heads | w.weak_heads and (
                    _could_end_lead_in(doc, i, lo, block, w) or _could_end_name(doc, i, block.start, w))
            if named:
                found.add(b)
        return found

    def descriptions(self, among: Iterable[int]) -> set[int]:
        """The blocks (of ``among``) that describe an exercise without naming it."""
        return {i for i in among if self.blocks[i].label_ != "heading" and find_descriptions(
            self.text, self.blocks[i]._.text_start, self.blocks[i].end_char)}

    def doses(self, among: Iterable[int]) -> set[int]:
        """The blocks (of ``among``) in which the dose reader's patterns match (they read no tags):
        only those with a number are tried; and the labelled fields ("Reps: 10")."""
        among = set(among)
        numbers = np.flatnonzero(np.isin(self.prefix, self.cues.digits) | np.isin(self.lower, self.cues.number_words))
        compiled = dose_rules(self.doc.vocab)
        found = {b for b in self.block_of(numbers.tolist()) & among
                 if compiled.quantities(self.blocks[b]) or compiled.targets(self.blocks[b])}
        if self._fields is None:
            self._fields = [q.start for q in field_quantities(self.text)]
        for start in self._fields:
            found |= {i for i in among if self.blocks[i].start_char <= start < self.blocks[i].end_char}
        return found

    def advice(self, among: Iterable[int]) -> set[int]:
        """The blocks (of ``among``) with an advice target and a cue that could give it a stance."""
        toks = Tokens.of(self.doc, use_lemma=False)
        targets = self.block_of(s for s, _e, _k in scan(self.cues.advice, toks, 0, len(self.doc))) & set(among)
        if not targets or self.cues.advice_cues is None:
            return targets
        return targets & self.block_of(s for s, _e, _k in scan(self.cues.advice_cues, toks, 0, len(self.doc)))

    def _could_end_heading_name(self, i: int, lo: int, end: int) -> bool:
        """A heading's name ends in a strong head after a modifier ("Lower Back Twist"), or opens with
        the gerund of one and names a body part ("Rolling your knees")."""
        tok, w = self.doc[i], mention_rules()
        if tok.lower_ in w.strong_heads and _modifier_before(self.doc, i, lo, w):
            return True
        return tok.lower_.endswith("ing") and bool(np.isin(self.lower[i + 1 : end], self.cues.name_words).any())

    def _after_label(self) -> set[int]:
        """Headings after a heading that only numbers an exercise ("EXERCISE 3"): a name, whatever their words."""
        label, blocks = mention_rules().heading_label, self.blocks
        return {i for i in range(1, len(blocks)) if blocks[i].label_ == "heading" == blocks[i - 1].label_
                and label.fullmatch(self.text[blocks[i - 1]._.text_start : blocks[i - 1].end_char].strip())}


def _modifier_before(doc: Doc, head: int, lo: int, w: MentionRules) -> bool:
    """The token before ``head`` is in the block's words and could modify it: not a stop word (unless
    joined by a hyphen, "knee-to-chest") nor punctuation other than a hyphen or slash."""
    if head - 1 < lo:
        return False
    tok = doc[head - 1]
    if tok.lower_ in w.stop:
        return head - 2 >= lo and doc[head - 2].text == "-"
    return not (tok.is_punct and tok.text not in {"-", "/"})


def _could_end_lead_in(doc: Doc, head: int, lo: int, block: Span, w: MentionRules) -> bool:
    """A strong head after a modifier, just before a full stop or colon (or ending a numbered item)."""
    ends = doc[head + 1].text in {".", ":"} if head + 1 < block.end else block._.block_number is not None
    return doc[head].lower_ in w.strong_heads and ends and _modifier_before(doc, head, lo, w)


def _could_end_name(doc: Doc, head: int, lo: int, w: MentionRules) -> bool:
    """Whether the name rule could take a run of modifiers ending at ``head`` as a name, whatever the
    tags say: the tags only ever shorten the run or reject it, so the run here is the longest the
    rule could read, and it must hold a word that says which exercise ("hamstring", "Donkey")."""
    if head + 1 < len(doc) and doc[head + 1].lower_ in {"of", "by"}:
        return False
    start = head
    while start > lo and not _ends_run(doc[start - 1], w):
        start -= 1
    weak = doc[head].lower_ in w.weak_heads
    if weak and not any(doc[j].lower_ in w.weak_dets for j in range(max(start - 1, 0), head)):
        return False
    return any(t.is_alpha and t.lower_ not in w.generic and t.lower_ not in w.trim
               and (t.lower_ in w.name_words or (t.text[0].isupper() and not t.is_sent_start))
               for t in doc[start:head])


def _ends_run(tok: Token, w: MentionRules) -> bool:
    """A token that is never part of a name's modifiers: a stop word, punctuation other than "-", a number."""
    return tok.lower_ in w.stop or (tok.is_punct and tok.text != "-") or tok.like_num
