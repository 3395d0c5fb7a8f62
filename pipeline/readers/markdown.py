"""Markdown markup out of what the extractor reads, with headings and lists kept as layout.

Markdown files, and the text extracted from HTML, PDF and DOCX (which the readers write as
Markdown), carry their structure in markup: ``## Heading``, ``1.`` and ``-`` items, ``| a | b |``
rows. The layout finder (``pipeline.structure``) reads structure from plain lines: a heading is a
short line standing alone, an item starts with ``1.`` or ``-``. So the markup becomes edits (mapped
back exactly like every cleaning rewrite): heading marks go and the heading gets blank lines around
it, emphasis, link and image syntax, blockquote marks, rules and table borders go; the words stay.
"""

from __future__ import annotations

import re

from pipeline.offsets import Edit, merge_edits

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?=\S)(.*?)([ \t]+#+)?[ \t]*$", re.MULTILINE)
_SETEXT_OR_RULE = re.compile(r"^ {0,3}(?:=+|-{3,}|\*{3,}|_{3,}|(?:[-*_][ \t]*){3,})[ \t]*$", re.MULTILINE)
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$", re.MULTILINE)
_TABLE_ROW = re.compile(r"^([ \t]*\|[ \t]*)(?=\S).*?(?<=\S)([ \t]*\|[ \t]*)$", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(?:```|~~~).*$", re.MULTILINE)
_QUOTE = re.compile(r"^ {0,3}(?:>[ \t]?)+", re.MULTILINE)
_PLUS_BULLET = re.compile(r"^([ \t]*)\+[ \t]+(?=\S)", re.MULTILINE)
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"(\[)(?=[^\]\n]*\S)[^\]\n]*(\]\([^)\n]*\))")
_STRONG = re.compile(r"(\*\*|__)(?=\S)[^\n]*?(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])(\*)(?=[^\s*])[^*\n]*?(?<=[^\s*])\*(?![\w*])"
                       r"|(?<![\w_])(_)(?=[^\s_])[^_\n]*?(?<=[^\s_])_(?![\w_])")
_CODE = re.compile(r"`+")
_ESCAPE = re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!|>])")


def _line_bounds(text: str, start: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return line_start, len(text) if end < 0 else end


def _blank_before(text: str, line_start: int) -> bool:
    return line_start == 0 or text[: line_start - 1].rstrip(" \t").endswith("\n") or not text[:line_start].strip()


def _blank_after(text: str, line_end: int) -> bool:
    rest = text[line_end + 1 :]
    return line_end >= len(text) or not rest.strip() or rest.lstrip(" \t").startswith("\n")


def _headings(text: str) -> list[Edit]:
    """``## Title ##`` → ``Title`` standing alone between blank lines."""
    edits = []
    for m in _ATX.finditer(text):
        line_start, line_end = m.start(), m.end()
        before = "" if _blank_before(text, line_start) else "\n"
        edits.append(Edit(line_start, m.start(2), before))
        after = "" if _blank_after(text, line_end) else "\n"
        if m.group(3):
            edits.append(Edit(m.start(3), line_end, after))
        elif after:
            edits.append(Edit(line_end, line_end, after))
    return edits


def _pairs(pattern: re.Pattern[str], text: str, groups: tuple[int, ...]) -> list[Edit]:
    """Remove the given groups of every match (the delimiters), keeping what they enclose."""
    edits = []
    for m in pattern.finditer(text):
        for g in groups:
            if m.group(g) is not None:
                edits.append(Edit(m.start(g), m.end(g)))
    return edits


def _delimiters(pattern: re.Pattern[str], text: str) -> list[Edit]:
    """Remove both ends of every match of a delimiter pair (``**…**``, ``*…*``, ``_…_``)."""
    edits = []
    for m in pattern.finditer(text):
        width = len(next(g for g in m.groups() if g))
        edits += [Edit(m.start(), m.start() + width), Edit(m.end() - width, m.end())]
    return edits


def emphasis_edits(text: str) -> list[Edit]:
    """Edits that remove bold and italic marks (``**…**``, ``*…*``, ``_…_``), keeping the words."""
    return merge_edits(_delimiters(_STRONG, text), _delimiters(_EMPHASIS, text))


def markdown_edits(text: str) -> list[Edit]:
    """Edits that turn Markdown into the plain layout the extractor reads.

    >>> from pipeline.offsets import rewrite
    >>> rewrite("Intro.\\n## Bird Dog\\nHold **5 seconds**, see [the video](https://x.org/v).", markdown_edits(
    ...     "Intro.\\n## Bird Dog\\nHold **5 seconds**, see [the video](https://x.org/v)."))[0]
    'Intro.\\n\\nBird Dog\\n\\nHold 5 seconds, see the video.'
    """
    lines = [Edit(m.start(), m.end()) for p in (_TABLE_RULE, _SETEXT_OR_RULE, _FENCE) for m in p.finditer(text)]
    prefixes = [Edit(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    prefixes += [Edit(m.end(1), m.end(), "- ") for m in _PLUS_BULLET.finditer(text)]
    rows = _pairs(_TABLE_ROW, text, (1, 2))
    inline = [Edit(m.start(), m.end()) for m in _IMAGE.finditer(text)]
    inline += _pairs(_LINK, text, (1, 2))
    inline += emphasis_edits(text)
    inline += [Edit(m.start(), m.end()) for m in (*_CODE.finditer(text), *_ESCAPE.finditer(text))]
    return merge_edits(lines, _headings(text), prefixes, rows, inline)
