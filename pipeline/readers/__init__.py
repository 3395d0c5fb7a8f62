"""Readers, one per format: a file's bytes in, a ``Document`` (the text offsets index) out.

The format is the file's extension, as kb-contract.md and the scorer read it: ``.html``/``.htm``/
``.xhtml`` are web pages, ``.pdf`` and ``.docx`` documents whose text is extracted, ``.md`` and
``.markdown`` Markdown, and every other file text.
"""

from __future__ import annotations

from pathlib import PurePath

from pipeline.readers.document import Document, Unreadable
from pipeline.readers.plain import decode, read_text
from pipeline.vocab import DOCX, HTML, MARKDOWN, PDF, TEXT

SUFFIX_FORMATS = {".html": HTML, ".htm": HTML, ".xhtml": HTML, ".pdf": PDF, ".docx": DOCX,
                  ".md": MARKDOWN, ".markdown": MARKDOWN}

__all__ = ["SUFFIX_FORMATS", "Document", "Unreadable", "decode", "format_of", "read"]


def format_of(path: str) -> str:
    """``vocab.SOURCE_FORMATS`` value of a file, by its extension."""
    return SUFFIX_FORMATS.get(PurePath(path).suffix.lower(), TEXT)


def read(data: bytes, fmt: str) -> Document:
    """The file's ``Document``, or ``Unreadable`` with a status and what to do about it.

    The readers of extracted formats load their libraries only when a folder holds such a file.
    """
    if fmt == HTML:
        from pipeline.readers.webpage import read_html

        return read_html(data)
    if fmt == PDF:
        from pipeline.readers.pdf import read_pdf

        return read_pdf(data)
    if fmt == DOCX:
        from pipeline.readers.word import read_docx

        return read_docx(data)
    return read_text(data, fmt)
