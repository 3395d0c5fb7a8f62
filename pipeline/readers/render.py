"""Write the blocks a reader found (headings, paragraphs, list items, table rows) as Markdown.

PDF and DOCX readers know a document's structure from fonts, styles and numbering; writing it as
Markdown keeps that structure in the stored text (``documents.source_text``) in a form a person can
read and the cleaning layer for Markdown understands: a heading stands alone between blank lines,
items and rows of one list or table follow each other line by line.
"""

from __future__ import annotations

from dataclasses import dataclass

HEADING, PARAGRAPH, ITEM, ROW = "heading", "paragraph", "item", "row"


@dataclass(frozen=True)
class Block:
    """One unit of a document: ``level`` is a heading's level, ``number`` a numbered item's number, and a
    row's ``text`` its cells joined by `` | ``."""

    kind: str
    text: str
    level: int = 2
    number: int | None = None


def _line(block: Block) -> str:
    if block.kind == HEADING:
        return "#" * max(1, min(block.level, 6)) + " " + block.text
    if block.kind == ITEM:
        return (f"{block.number}. " if block.number is not None else "- ") + block.text
    if block.kind == ROW:
        return f"| {block.text} |"
    return block.text


def to_markdown(blocks: list[Block]) -> str:
    """Blocks as Markdown, blank lines between blocks except inside a run of items or of rows.

    >>> to_markdown([Block(HEADING, "Bridge"), Block(ITEM, "Lie down.", number=1), Block(ITEM, "Lift.", number=2)])
    '## Bridge\\n\\n1. Lie down.\\n2. Lift.\\n'
    """
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        text = " ".join(block.text.split())
        if not text:
            continue
        block = Block(block.kind, text, block.level, block.number)
        if previous is not None:
            same_run = block.kind == previous.kind and block.kind in (ITEM, ROW)
            out.append("\n" if same_run else "\n\n")
        out.append(_line(block))
        previous = block
    return "".join(out) + "\n" if out else ""
