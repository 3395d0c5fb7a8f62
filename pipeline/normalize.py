"""Repairs that change what the extractor reads but never where a fact points.

Each function returns ``Edit``s over its input text (see ``pipeline.offsets``); ``ingest`` applies
them as separate layers so that offsets always map back to the raw file:

- ``unicode_edits``: mojibake ("â€™") repaired with ftfy, line by line, only where ftfy finds it.
- ``typography_edits``: curly quotes, dashes, odd spaces, bullets and list numbers ("1-", "1)")
  made plain, and words a scraper glued together ("stretchThis") split again.
- ``spinner_edits``: article-spinner synonyms ("reduced back", "secs") back to the domain's words.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache

import ftfy
from ftfy.badness import is_bad

from pipeline import lexicons
from pipeline.offsets import Edit, merge_edits


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
