"""The layout of a cleaned article: headings, list items (with their numbers), fields, table rows and paragraphs.

Exercise articles carry much of their meaning in layout: a heading names the exercise its section
describes, and a numbered list gives its steps in order. A listicle numbers its headings too
("3. Wall Sits"), so a numbered line is a heading when it is short Title-Case words without closing
punctuation, and a list item otherwise. Bullets are always list items.
"""

from __future__ import annotations

import re
from functools import cache

from pipeline import lexicons
from pipeline.models import Block
from pipeline.noise import is_title_like

# "3. Wall Sits", and "1Lumbar Extension": a list number whose full stop and space a page lost
_NUMBERED = re.compile(r"^(\d{1,2})(?:\.\s+|(?=[A-Z][a-z]))")
_BULLET = re.compile(r"^-\s+")
_MAX_NUMBERED_HEADING_WORDS = 8
_MAX_HEADING_WORDS = 10


@cache
def _field_line() -> re.Pattern[str]:
    labels = lexicons.load("structure")["field_labels"]
    return re.compile(r"^(?:" + "|".join(re.escape(x) for x in sorted(labels, key=len, reverse=True)) + r")\s*:",
                      re.IGNORECASE)


def _capitalised_share(text: str) -> float:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", text) if len(w) > 3]
    return sum(w[0].isupper() for w in words) / len(words) if words else 0.0


def _is_heading(text: str, numbered: bool, isolated: bool) -> bool:
    words = text.split()
    if not is_title_like(text) or not words or _field_line().match(text):
        return False
    if numbered:
        return len(words) <= _MAX_NUMBERED_HEADING_WORDS and _capitalised_share(text) >= 0.5
    return len(words) <= _MAX_HEADING_WORDS and (isolated or _capitalised_share(text) >= 0.5)


def line_kind(words: str, kind: str) -> str:
    """``row`` for a table row, a line of three or more cells ("Bridge | 10 sec | 12", even when it
    looks like a heading); ``field`` for a labelled line ("Sets: 2", "- Hold: 10-20 seconds",
    "Tempo: slow"), which states a property of the exercise above it rather than an instruction;
    else ``kind``."""
    if words.count("|") >= 2:
        return "row"
    return "field" if kind != "heading" and _field_line().match(words) else kind


def find_blocks(clean_text: str) -> tuple[Block, ...]:
    """Split the cleaned text into blocks, one per non-empty line."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in clean_text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            lines.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1

    def blank_before(k: int) -> bool:
        return k == 0 or "\n\n" in clean_text[lines[k - 1][1] : lines[k][0]].replace(" ", "").replace("\t", "")

    def blank_after(k: int) -> bool:
        return k == len(lines) - 1 or blank_before(k + 1)

    blocks = []
    for k, (start, end) in enumerate(lines):
        text = clean_text[start:end]
        number = bullet = None
        body = start
        if m := _NUMBERED.match(text):
            number, body = int(m.group(1)), start + m.end()
        elif m := _BULLET.match(text):
            bullet, body = True, start + m.end()
        words = clean_text[body:end]
        if bullet:
            kind = "item"
        elif _is_heading(words, number is not None, blank_before(k) and blank_after(k)):
            kind = "heading"
        else:
            kind = "item" if number is not None else "paragraph"
        blocks.append(Block(line_kind(words, kind), start, end, body, number, bool(bullet)))
    return tuple(blocks)
