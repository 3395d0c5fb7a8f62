"""Text files (``.txt``, ``.md`` and any other text): decode them as kb-contract.md says, or say what they are.

Offsets of a text file index its decoded bytes: UTF-8 (a leading BOM removed), or UTF-16 when the
file starts with its byte-order mark (Notepad's "Unicode"); undecodable bytes become U+FFFD.
Line endings and stray control bytes stay in that text (cleaning maps them away), so a scrape with
a NUL byte is read, not lost. Only a file that is mostly not text, or starts like a PDF, an
Office file, an image or an archive, is refused, with what it looks like: a PDF or image under
the wrong name, UTF-16 without its mark, or text in another encoding.
"""

from __future__ import annotations

import re
from collections import Counter

from charset_normalizer import from_bytes

from pipeline.readers.document import Document, Unreadable

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters that are not whitespace; a bad copy or scrape leaves a few (NUL, BEL).
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 0x1B: "ESC", 0x7F: "DEL"}
# Share of characters that may be undecodable or control characters before a file is not text.
MAX_BAD_SHARE = 0.05
# In UTF-16 without a BOM, every other byte of Latin text is NUL.
_UTF16_NUL_SHARE = 0.3

# (leading bytes, what the file looks like, what to do)
_MAGIC = (
    (b"%PDF-", "a PDF document", "give it the extension .pdf"),
    (b"PK\x03\x04", "a ZIP package (a Word .docx, an OpenDocument file or an archive)",
     "give a Word document the extension .docx; save other documents as .docx, PDF, HTML or text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc) or a password-protected one",
     "save it as .docx without a password, or as text"),
    (b"\x89PNG", "a PNG image", "remove it, or add the article's text instead"),
    (b"\xff\xd8\xff", "a JPEG image", "remove it, or add the article's text instead"),
    (b"GIF8", "a GIF image", "remove it, or add the article's text instead"),
    (b"\x1f\x8b", "a gzip archive", "unpack it and add the articles inside"),
)


def decode(data: bytes) -> str:
    """The raw text as kb-contract.md defines it: UTF-16 by its BOM, else UTF-8 without a BOM; bad bytes → U+FFFD."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    return data.removeprefix(_UTF8_BOM).decode("utf-8", errors="replace")


def _bad_share(text: str) -> float:
    return (text.count("\ufffd") + len(CONTROL.findall(text))) / max(len(text), 1)


def _looks_like(data: bytes) -> tuple[str, str]:
    """What a file that is not text seems to be, and what to do about it."""
    for magic, what, advice in _MAGIC:
        if data.startswith(magic):
            return what, advice
    sample = data[:4000]
    if len(sample) >= 8 and max(sample[0::2].count(0), sample[1::2].count(0)) >= _UTF16_NUL_SHARE * len(sample) / 2:
        return "UTF-16 text without a byte-order mark", "save it as UTF-8 (or as UTF-16 with its byte-order mark)"
    encoding = _western(sample) or _detected(data)
    if encoding:
        return (f"text in another encoding (probably {encoding})",
                "save it as UTF-8 text (Save As, encoding UTF-8) and build again")
    return "binary content", "if it is an article, save it as text, HTML, PDF or DOCX; otherwise remove it"


def _western(sample: bytes) -> str | None:
    """Windows-1252 or Latin-1 text: accented letters one or two at a time among ASCII ("R\xe9p\xe9tez").

    Detectors guess short Western European text badly, while Cyrillic, Greek or East Asian text
    in its code pages has whole words of high bytes; so a sample without control bytes, without
    runs of three high bytes, that decodes as Windows-1252, is told here.
    """
    if not re.search(rb"[\x80-\xff]", sample) or re.search(rb"[\x00-\x08\x0e-\x1f]|[\x80-\xff]{3,}", sample):
        return None
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "Windows-1252 or Latin-1, Western European"


def _detected(data: bytes) -> str | None:
    match = from_bytes(data[:20000]).best()
    if match is None or match.encoding in {"utf_8", "ascii"}:
        return None
    return f"{match.encoding}, {match.language}" if match.language and match.language != "Unknown" else match.encoding


def _notes(text: str, utf16: bool) -> tuple[str, ...]:
    notes = []
    if utf16:
        notes.append("Read as UTF-16 (the file starts with its byte-order mark).")
    if bad := text.count("\ufffd"):
        notes.append(f"{bad} bytes that are not {'UTF-16' if utf16 else 'UTF-8'} were replaced by U+FFFD.")
    controls = Counter(ord(c) for c in CONTROL.findall(text))
    if controls:
        names = ", ".join(_CONTROL_NAMES.get(c, f"U+{c:04X}") for c in sorted(controls))
        n = sum(controls.values())
        notes.append(f"{n} control byte{'s' if n > 1 else ''} ({names}) {'were' if n > 1 else 'was'} dropped "
                     "from the text the extractor reads.")
    return tuple(notes)


def read_text(data: bytes, fmt: str) -> Document:
    """A text file's decoded text, or ``Unreadable`` when it is blank or mostly not text."""
    text = decode(data)
    if not text.strip():
        raise Unreadable("empty", "The file is empty; paste the article's text into it or remove it.")
    if data.startswith(tuple(magic for magic, _what, _advice in _MAGIC)) or _bad_share(text) > MAX_BAD_SHARE:
        what, advice = _looks_like(data)
        raise Unreadable("not_text", f"The file is not UTF-8 text: it looks like {what}; {advice}.")
    return Document(text, fmt, notes=_notes(text, data.startswith(_UTF16_BOMS)))
