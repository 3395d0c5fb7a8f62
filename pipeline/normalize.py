"""Repairs that change what the extractor reads but never where a fact points.

Each function returns ``Edit``s over its input text (see ``pipeline.offsets``); ``ingest`` applies
them as separate layers so that offsets always map back to the raw file:

- ``line_edits``: Windows (CRLF) and old Mac (CR) line endings, form feeds and Unicode line
  separators become ``\n``, and stray control bytes (NUL, BEL) go, so every later rule sees one
  kind of line and a file saved on Windows reads exactly like one saved elsewhere.
- ``unicode_edits``: mojibake ("â€™") repaired with ftfy, line by line, only where ftfy finds it.
- ``typography_edits``: curly quotes, dashes, odd spaces, bullets and list numbers ("1-", "1)")
  made plain, and words a scraper glued together ("stretchThis") split again.
- ``split_word_edits``: words a PDF's layout broke with a stray space ("c hest", "s tand") joined
  again, where the joined word is a word and the pieces are not (``pipeline.words``).
- ``spinner_edits``: article-spinner synonyms ("reduced back", "secs") back to the domain's words.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache

import ftfy
from ftfy.badness import is_bad

from pipeline import lexicons, words
from pipeline.offsets import Edit, merge_edits
from pipeline.readers.plain import CONTROL

_LINE_BREAK = re.compile("\r\n|[\r\v\f\u2028\u2029]")


def line_edits(text: str) -> list[Edit]:
    r"""Every line ending as ``\n``, and control bytes removed.

    >>> [(e.start, e.end, e.replacement) for e in line_edits("Hold\r\n10 s\x00\rnow")]
    [(4, 6, '\n'), (10, 11, ''), (11, 12, '\n')]
    """
    breaks = [Edit(m.start(), m.end(), "\n") for m in _LINE_BREAK.finditer(text)]
    controls = [Edit(m.start(), m.end()) for m in CONTROL.finditer(text)]
    return merge_edits(breaks, controls)


def unicode_edits(text: str) -> list[Edit]:
    """Repair mojibake such as "itâ€™s" → "it’s" where ftfy detects it, as minimal edits."""
    edits: list[Edit] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if is_bad(line):
            fixed = ftfy.fix_text(line, uncurl_quotes=False, normalization=None)
            matcher = SequenceMatcher(None, line, fixed, autojunk=False)
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op != "equal":
                    edits.append(Edit(pos + i1, pos + i2, fixed[j1:j2]))
        pos += len(line)
    return edits


@cache
def _typography_rules() -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = lexicons.load("typography")
    chars = data["chars"]
    char_re = re.compile("|".join(re.escape(c) for c in sorted(chars, key=len, reverse=True)))
    bullet_re = re.compile(
        r"^[ \t]*(" + "|".join(re.escape(b) for b in data["bullets"]) + r")[ \t]*(?=\S)", re.MULTILINE
    )
    number_re = re.compile(r"^[ \t]*(?:step[ \t]*)?\d{1,2}(?:[-):][ \t]+|\.(?=[A-Za-z]))(?=\S)",
                           re.MULTILINE | re.IGNORECASE)
    glue_re = re.compile(r"(?<=[a-z]{2})(?=(?:" + "|".join(data["glued_right_words"]) + r")\b)")
    return chars, char_re, bullet_re, number_re, glue_re


def typography_edits(text: str) -> list[Edit]:
    """Plain quotes and dashes, '-' bullets, "N. " list numbers, and glued words split.

    >>> [(e.start, e.end, e.replacement) for e in typography_edits("1- Hold 20–30 s")]
    [(0, 3, '1. '), (10, 11, '-')]
    """
    chars, char_re, bullet_re, number_re, glue_re = _typography_rules()
    markers: list[Edit] = []
    for m in number_re.finditer(text):
        digits = re.search(r"\d+", m.group()).group()
        indent = m.group()[: len(m.group()) - len(m.group().lstrip())]
        markers.append(Edit(m.start(), m.end(), f"{indent}{digits}. "))
    for m in bullet_re.finditer(text):
        if m.group(1) == "-" and re.match(r"-[ \t]", text[m.start(1) : m.start(1) + 2]):
            continue  # already plain
        markers.append(Edit(m.start(1), m.end(), "- "))
    singles = [Edit(m.start(), m.end(), chars[m.group()]) for m in char_re.finditer(text)]
    glued = [Edit(m.start(), m.start(), " ") for m in glue_re.finditer(text)]
    return merge_edits(markers, singles, glued)


@cache
def _spinner_rules() -> tuple[dict[str, str], re.Pattern[str]]:
    phrases = {k.lower(): v for k, v in lexicons.load("spinner")["phrases"].items()}
    alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return phrases, re.compile(rf"(?<![\w'])(?:{alternation})(?![\w'])", re.IGNORECASE)


def spinner_edits(text: str) -> list[Edit]:
    """Undo spinner synonyms from the lexicon, keeping a leading capital.

    >>> [e.replacement for e in spinner_edits("Hold 30 secs. Reduced back muscular tissues")]
    ['seconds', 'Lower back', 'muscles']
    """
    phrases, pattern = _spinner_rules()
    edits = []
    for m in pattern.finditer(text):
        replacement = phrases[m.group().lower()]
        if m.group()[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        if replacement != m.group():
            edits.append(Edit(m.start(), m.end(), replacement))
    return edits


# A piece of a broken word: letters, not after a letter, digit or apostrophe ("don't" keeps its "t").
_PIECE = re.compile(r"(?<![\w'’-])[A-Za-z]+(?![\w'’-])")


def _same_case(left: str, right: str) -> bool:
    """"c hest", "K nee", "S TAND": the right piece continues the left one's case."""
    if right.islower():
        return left.islower() or (left[0].isupper() and (len(left) == 1 or left[1:].islower()))
    return left.isupper() and right.isupper()


def split_word_edits(text: str) -> list[Edit]:
    """Remove a stray space inside a word: two pieces one space apart that are a word joined and not apart.

    >>> [(e.start, e.end) for e in split_word_edits("Knee to c hest, then s tand up")]
    [(9, 10), (22, 23)]
    """
    pieces = list(_PIECE.finditer(text))
    edits: list[Edit] = []
    k = 0
    while k < len(pieces) - 1:
        left, right = pieces[k], pieces[k + 1]
        if (right.start() == left.end() + 1 and text[left.end()] == " " and _same_case(left.group(), right.group())
                and words.should_join(left.group(), right.group())):
            edits.append(Edit(left.end(), right.start()))
            k += 2
        else:
            k += 1
    return edits
