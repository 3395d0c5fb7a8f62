"""PDF leaflets: text in reading order, column by column, with headings and list items.

pdfminer.six's layout analysis groups characters into lines and lines into text boxes, and gives
every character's font and size. From that:

- reading order: boxes that span the page (a title) cut it into bands; inside a band the boxes of
  the left column come before those of the next one, each column top to bottom, so a two-column
  leaflet is never read across its gutter;
- headings: lines set larger than the body text, or a short line set wholly in bold;
- list items: lines that start with ``1.``, ``1)`` or a bullet;
- paragraphs: a box's lines joined with spaces, split where a short line ends a sentence or the
  gap between lines widens, and joined across boxes where one ends mid-sentence and the next
  starts in lowercase (a column or page break); a hyphen at the end of a line is undone where
  the joined word is a word ("stret-" / "ching"), kept otherwise ("knee-" / "to-chest");
- page furniture: lines that are only a page number, and short lines repeated on several pages
  (running headers and footers), are left out.

The result is written as Markdown (``pipeline.readers.render``) and stored whole as the source's
text. A PDF without a text layer (a scan), a locked one and a damaged one are refused with their
own status. OCR is out of scope.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce
from io import BytesIO
from itertools import pairwise

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTFigure, LTImage, LTPage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.psexceptions import PSException
from pdfminer.utils import decode_text

from pipeline import words
from pipeline.readers.document import Document, Unreadable
from pipeline.readers.render import HEADING, ITEM, PARAGRAPH, Block, to_markdown
from pipeline.vocab import DAMAGED, ENCRYPTED, NO_TEXT_LAYER, PDF

# A box wider than this share of the page spans the columns (a title, a full-width paragraph).
_SPANNING = 0.6
# Boxes are put in columns by where they start: the page in thirds covers two and three columns.
_COLUMN_SLOTS = 3
_HEADING_SIZE = 1.15  # times the body text's size
_MAX_BOLD_HEADING_WORDS = 12
# A line ending a sentence this far short of its box's right edge ends its paragraph.
_SHORT_LINE = 0.85
_PARAGRAPH_GAP = 1.5  # times the usual distance between lines
_MARKER = re.compile(r"^(?:(\d{1,2})[.)]|[•·▪●◦‣∙■□–*-])\s+(?=\S)")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$", re.IGNORECASE)
_MAX_FURNITURE_WORDS = 10
_MARGIN = 0.08  # share of the page's height at its top and bottom where headers and footers sit
# "Microsoft Word - leaflet.docx", "untitled": a title the PDF's maker filled in from a file name
_FILE_TITLE = re.compile(r"^(?:microsoft \w+ - |untitled)|\.(?:docx?|pdf|odt|pages|indd|rtf|txt)$", re.IGNORECASE)
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_DAMAGE = (PSException, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError,
           ZeroDivisionError, RecursionError, OverflowError, EOFError)


@dataclass(frozen=True)
class _Line:
    text: str
    size: float
    bold: bool
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True)
class _Box:
    lines: tuple[_Line, ...]
    x0: float
    x1: float
    top: float


def _line(line: LTTextLine, page_height: float) -> _Line | None:
    chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
    text = line.get_text().strip()
    if not chars or not text:
        return None
    return _Line(text, round(statistics.median(c.size for c in chars), 1), all(_BOLD.search(c.fontname) for c in chars),
                 line.x0, line.x1, page_height - line.y1, page_height - line.y0)


def _boxes(page: LTPage) -> list[_Box]:
    out = []
    for element in page:
        if isinstance(element, LTTextBox):
            lines = tuple(ln for ln in (_line(x, page.height) for x in element if isinstance(x, LTTextLine)) if ln)
            if lines:
                out.append(_Box(lines, element.x0, element.x1, page.height - element.y1))
    return out


def reading_order(boxes: list[_Box], page_width: float) -> list[_Box]:
    """Bands between spanning boxes; in each band, column by column, each top to bottom."""
    ordered: list[_Box] = []
    band: list[_Box] = []

    def flush() -> None:
        slot = page_width / _COLUMN_SLOTS
        ordered.extend(sorted(band, key=lambda b: (min(int(b.x0 // slot), _COLUMN_SLOTS - 1), b.top)))
        band.clear()

    for box in sorted(boxes, key=lambda b: b.top):
        if box.x1 - box.x0 > _SPANNING * page_width:
            flush()
            ordered.append(box)
        else:
            band.append(box)
    flush()
    return ordered


def join_lines(left: str, right: str) -> str:
    """Two lines of one paragraph as one, undoing a hyphen that only broke a word across them.

    >>> join_lines("then stret-", "ching slowly"), join_lines("the knee-", "to-chest stretch")
    ('then stretching slowly', 'the knee-to-chest stretch')
    """
    m = re.search(r"([A-Za-z]+)-$", left)
    if m and (n := re.match(r"[a-z]+", right)):
        if words.is_joined_word(m.group(1) + n.group()) and not (
                words.is_word(m.group(1)) and words.is_word(n.group(), ending=True)):
            return left[:-1] + right
        return left + right
    return f"{left} {right}"


def _is_heading(line: _Line, body_size: float) -> bool:
    if _MARKER.match(line.text):
        return False
    if line.size >= body_size * _HEADING_SIZE:
        return True
    return line.bold and len(line.text.split()) <= _MAX_BOLD_HEADING_WORDS and not line.text.endswith((".", ","))


def _box_blocks(box: _Box, body_size: float) -> list[Block]:
    """A box's lines grouped into headings, list items and paragraphs."""
    gaps = [b.top - a.top for a, b in pairwise(box.lines) if b.top > a.top]
    pitch = statistics.median(gaps) if gaps else 0.0
    groups: list[list[_Line]] = []
    for line in box.lines:
        if groups and _continues(groups[-1], line, box, body_size, pitch):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [_block(group, body_size) for group in groups]


def _continues(group: list[_Line], line: _Line, box: _Box, body_size: float, pitch: float) -> bool:
    """Whether ``line`` goes on with the block whose lines so far are ``group``."""
    previous = group[-1]
    if _is_heading(group[0], body_size):
        return _is_heading(line, body_size) and line.size == previous.size
    return not (_is_heading(line, body_size) or _MARKER.match(line.text) or _ends_paragraph(previous, line, box, pitch))


def _block(group: list[_Line], body_size: float) -> Block:
    text = reduce(join_lines, (ln.text for ln in group))
    if _is_heading(group[0], body_size):
        return Block(HEADING, text)
    if m := _MARKER.match(text):
        return Block(ITEM, text[m.end() :], number=int(m.group(1)) if m.group(1) else None)
    return Block(PARAGRAPH, text)


def _mend(blocks: list[Block]) -> list[Block]:
    """Join a paragraph or item broken across boxes (a column or page break): it ends mid-sentence and
    the next paragraph starts in lowercase."""
    out: list[Block] = []
    for block in blocks:
        last = out[-1] if out else None
        if (last and last.kind != HEADING and block.kind == PARAGRAPH and block.text[:1].islower()
                and not last.text.endswith((".", "!", "?", ":", ";"))):
            out[-1] = Block(last.kind, join_lines(last.text, block.text), last.level, last.number)
        else:
            out.append(block)
    return out


def _ends_paragraph(previous: _Line, line: _Line, box: _Box, pitch: float) -> bool:
    short = previous.x1 < box.x0 + _SHORT_LINE * (box.x1 - box.x0)
    return (short and previous.text.endswith((".", "!", "?", ":"))) or (
        pitch > 0 and line.top - previous.top > _PARAGRAPH_GAP * pitch)


def _masked(line: _Line) -> str:
    return re.sub(r"\d+", "#", line.text)


def _in_margin(line: _Line, height: float) -> bool:
    return line.top < _MARGIN * height or line.bottom > (1 - _MARGIN) * height


def _furniture(pages: list[tuple[list[_Box], float]]) -> set[str]:
    """Short lines in the top or bottom margin of more than one page, digits masked: running headers, footers."""
    seen: Counter[str] = Counter()
    for boxes, height in pages:
        seen.update({_masked(ln) for b in boxes for ln in b.lines
                     if len(ln.text.split()) <= _MAX_FURNITURE_WORDS and _in_margin(ln, height)})
    return {text for text, n in seen.items() if n > 1}


def _open(data: bytes) -> PDFDocument:
    try:
        return PDFDocument(PDFParser(BytesIO(data)))
    except PDFEncryptionError:
        raise Unreadable(ENCRYPTED, "The PDF is locked with a password; open it with its password, save an "
                         "unprotected copy (Print to PDF), and put that in the folder instead.") from None
    except _DAMAGE as err:
        raise _damaged(err) from None


def _damaged(err: Exception) -> Unreadable:
    return Unreadable(DAMAGED, f"The PDF is damaged and cannot be read ({type(err).__name__}: {err}); "
                      "download it again, or open it in a PDF viewer and save a new copy.")


def _title(doc: PDFDocument) -> str | None:
    """The document's Title, unless it is only the name of the file it was made from."""
    for info in doc.info:
        title = resolve1(info.get("Title"))
        if isinstance(title, bytes | str):
            text = (decode_text(title) if isinstance(title, bytes) else title).strip()
            if text and not _FILE_TITLE.search(text):
                return text
    return None


def read_pdf(data: bytes) -> Document:
    """The PDF's text as Markdown, in reading order, or ``Unreadable`` (scan, locked, damaged).

    pdfminer logs a warning for each flaw it works around in a damaged file; the file's status
    says what matters, so those warnings are held back while it reads.
    """
    with _quiet("pdfminer"):
        return _read_pdf(data)


@contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_pdf(data: bytes) -> Document:
    doc = _open(data)
    resources = PDFResourceManager()
    device = PDFPageAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    pages: list[tuple[list[_Box], float]] = []
    images = 0
    try:
        for page in PDFPage.create_pages(doc):
            interpreter.process_page(page)
            layout = device.get_result()
            pages.append((reading_order(_boxes(layout), layout.width), layout.height))
            images += sum(1 for element in layout if isinstance(element, LTImage | LTFigure))
    except _DAMAGE as err:
        raise _damaged(err) from None
    lines = [ln for boxes, _h in pages for b in boxes for ln in b.lines]
    if not lines:
        n = len(pages)
        pages_hold = f"The PDF's {n} page{'s' if n != 1 else ''} hold{'s' if n == 1 else ''}"
        if not images:
            raise Unreadable(NO_TEXT_LAYER, f"{pages_hold} no text and no images: it may be blank or damaged; "
                             "download it again, or paste the article's text into a .txt file.")
        raise Unreadable(NO_TEXT_LAYER, f"{pages_hold} images but no text layer (a scan); run it through OCR (for "
                         "example ocrmypdf) and add the result, or paste the article's text into a .txt file.")
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[ln.size] += len(ln.text)
    body = sizes.most_common(1)[0][0]
    furniture = _furniture(pages)
    blocks = []
    for boxes, height in pages:
        for box in boxes:
            kept = tuple(ln for ln in box.lines if not (_in_margin(ln, height) and (
                _PAGE_NUMBER.match(ln.text) or _masked(ln) in furniture)))
            if kept:
                blocks += _box_blocks(_Box(kept, box.x0, box.x1, box.top), body)
    return Document(to_markdown(_mend(blocks)), PDF, title=_title(doc))
