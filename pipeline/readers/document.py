"""What a reader makes of a file: the text offsets will index, with what the file says about itself.

Every reader (``plain``, ``webpage``, ``pdf``, ``word``) returns a ``Document`` or raises
``Unreadable`` with a status from ``vocab.SOURCE_STATUSES`` and a sentence a person can act on, so
ingest lists the file and goes on with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """A file's text and metadata.

    ``text`` is what offsets index: the decoded file for text formats, the extracted text (as
    Markdown: ``#`` headings, ``1.`` and ``-`` list items, ``|`` table rows) for HTML, PDF and DOCX.
    ``notes`` are sentences for ``status_detail`` ("2 control bytes (NUL, BEL) were dropped.").
    """

    text: str
    format: str  # vocab.SOURCE_FORMATS
    title: str | None = None
    url: str | None = None
    site_name: str | None = None
    published: str | None = None  # ISO date
    notes: tuple[str, ...] = ()


class Unreadable(Exception):
    """The file cannot be used: ``status`` says why in one word, ``detail`` what to do about it."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
