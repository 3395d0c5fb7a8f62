"""Word handouts (``.docx``): paragraphs, headings, numbered and bulleted lists and tables, in order.

python-docx walks the body's paragraphs and tables in document order. A paragraph is a heading by
its style ("Title", "Heading 2") or, as handouts often do it, by being a short line set wholly in
bold. A list item is a paragraph with numbering (its own or its style's, "List Number"); the
numbering definition says whether it is numbered or bulleted. Numbers count per list and level and
restart after a heading, as a handout's steps do under each exercise. Table rows become ``|``
rows. The result is written as Markdown (``pipeline.readers.render``).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from pipeline.readers.document import Document, Unreadable
from pipeline.readers.render import HEADING, ITEM, PARAGRAPH, ROW, Block, to_markdown
from pipeline.vocab import DAMAGED, DOCX, ENCRYPTED

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office encrypts a .docx into this container
_MAX_BOLD_HEADING_WORDS = 12
_DAMAGE = (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, XMLSyntaxError, ValueError)
_HEADING_STYLE = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)


def _numbering(doc: DocxDocument, paragraph: Paragraph) -> tuple[str, int, bool] | None:
    """``(list id, level, numbered)`` of a list paragraph, from its own numbering or its style's."""
    holders = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None:
        holders.append(style.element.pPr)
        style = style.base_style
    num_pr = next((h.numPr for h in holders if h is not None and h.numPr is not None), None)
    if num_pr is None or num_pr.numId is None:
        return None
    num_id, level = str(num_pr.numId.val), int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
    if num_id == "0":  # numbering switched off
        return None
    return num_id, level, _format(doc, num_id, level) != "bullet"


def _format(doc: DocxDocument, num_id: str, level: int) -> str | None:
    try:
        numbering = doc.part.numbering_part.element
    except (NotImplementedError, KeyError):
        return None
    for num in numbering.iterchildren(qn("w:num")):
        if num.get(qn("w:numId")) == num_id:
            abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            for lvl in numbering.xpath(f'w:abstractNum[@w:abstractNumId="{abstract}"]/w:lvl[@w:ilvl="{level}"]'):
                fmt = lvl.find(qn("w:numFmt"))
                return fmt.get(qn("w:val")) if fmt is not None else None
    return None


def _heading_level(paragraph: Paragraph, text: str) -> int | None:
    m = _HEADING_STYLE.match(paragraph.style.name if paragraph.style is not None else "")
    if m:
        return int(m.group(1)) if m.group(1) else 1
    runs = [r for r in paragraph.runs if r.text.strip()]
    if runs and all(r.bold for r in runs) and len(text.split()) <= _MAX_BOLD_HEADING_WORDS and not text.endswith("."):
        return 3
    return None


def _blocks(doc: DocxDocument) -> list[Block]:
    blocks: list[Block] = []
    counters: dict[tuple[str, int], int] = {}
    for part in doc.iter_inner_content():
        if isinstance(part, Table):
            for row in part.rows:
                cells = {id(c._tc): c for c in row.cells}  # a merged cell once
                texts = [" ".join(c.text.split()) for c in cells.values()]
                if any(texts):
                    blocks.append(Block(ROW, " | ".join(texts)))
            continue
        text = part.text.strip()
        if not text:
            continue
        if (level := _heading_level(part, text)) is not None:
            counters.clear()
            blocks.append(Block(HEADING, text, level=level))
        elif (numbering := _numbering(doc, part)) is not None:
            num_id, depth, numbered = numbering
            for key in [k for k in counters if k[0] == num_id and k[1] > depth]:
                del counters[key]
            counters[num_id, depth] = counters.get((num_id, depth), 0) + 1
            blocks.append(Block(ITEM, text, number=counters[num_id, depth] if numbered else None))
        else:
            blocks.append(Block(PARAGRAPH, text))
    return blocks


def read_docx(data: bytes) -> Document:
    """The document's text as Markdown, or ``Unreadable`` when it is locked or damaged."""
    if data.startswith(_OLE2):
        raise Unreadable(ENCRYPTED, "The Word file is password-protected (or an old .doc renamed .docx); open "
                         "it in Word and save it as .docx without a password.")
    try:
        doc = docx.Document(BytesIO(data))
        blocks = _blocks(doc)
    except _DAMAGE as err:
        raise Unreadable(DAMAGED, f"The Word file is damaged and cannot be read ({type(err).__name__}: {err}); "
                         "open it in Word and save it again, or download it again.") from None
    title = (doc.core_properties.title or "").strip() or None
    return Document(to_markdown(blocks), DOCX, title=title)
