"""One test article (ours, in ``tests/data/article``) in every form a user saves: the generators.

``article.txt``, ``article.md`` and ``article.html`` are files; the CRLF, CR and UTF-16 texts are
made from the ``.txt`` bytes, and the two-column PDF and the DOCX from the ``.md``'s blocks, here,
so the tests need no binary fixtures.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
from fpdf import FPDF

ARTICLE = Path(__file__).parent / "data" / "article"

# (kind, text, number): kind is "title", "heading", "item" or "paragraph"
Blocks = list[tuple[str, str, int | None]]


def article_blocks() -> Blocks:
    """The ``.md`` article as blocks, emphasis removed."""
    out: Blocks = []
    for line in (ARTICLE / "article.md").read_text(encoding="utf-8").splitlines():
        text = line.replace("**", "").strip()
        if not text:
            continue
        if m := re.match(r"^(#+)\s+(.*)$", text):
            out.append(("title" if len(m.group(1)) == 1 else "heading", m.group(2), None))
        elif m := re.match(r"^(\d+)\.\s+(.*)$", text):
            out.append(("item", m.group(2), int(m.group(1))))
        else:
            out.append(("paragraph", text, None))
    return out


def text_bytes(line_ending: str = "\n", encoding: str = "utf-8") -> bytes:
    """``article.txt`` with other line endings or in UTF-16 with its byte-order mark."""
    text = (ARTICLE / "article.txt").read_text(encoding="utf-8").replace("\n", line_ending)
    return text.encode("utf-16") if encoding == "utf-16" else text.encode(encoding)


def pdf_bytes(blocks: Blocks | None = None, columns: int = 2, *, image_only: bool = False,
              password: str | None = None) -> bytes:
    """A leaflet: the title across the page, then the text in balanced columns (Helvetica, 10 pt)."""
    pdf = FPDF(format="A4")
    pdf.set_title("Easing a Lower Back Spasm")
    if password:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    pdf.add_page()
    if image_only:
        from PIL import Image

        scan = io.BytesIO()
        Image.new("L", (200, 280), 230).save(scan, format="PNG")
        pdf.image(scan, x=10, y=10, w=190)
        return bytes(pdf.output())
    blocks = article_blocks() if blocks is None else blocks
    title = [b for b in blocks if b[0] == "title"]
    for _kind, text, _n in title:
        pdf.set_font("helvetica", "B", 18)
        pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    with pdf.text_columns(ncols=columns, gutter=8, balance=True, text_align="LEFT") as cols:
        for kind, text, number in blocks:
            if kind == "title":
                continue
            size, style, before = {"heading": (13, "B", 3), "item": (10, "", 0)}.get(kind, (10, "", 2))
            pdf.set_font("helvetica", style, size)
            para = cols.paragraph(top_margin=before, bottom_margin=1)
            para.write(text=f"{number}. {text}" if number else text)
            cols.end_paragraph()
    return bytes(pdf.output())


def pdf_lines_bytes(*pages: list[str], footer: str | None = None) -> bytes:
    """A one-column PDF with exactly these lines on each page, and a footer line ending in the page number."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for lines in pages:
        pdf.add_page()
        pdf.set_font("helvetica", "", 11)
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        if footer:
            pdf.set_xy(10, 285)
            pdf.cell(0, 5, f"{footer} {pdf.page_no()}")
    return bytes(pdf.output())


def docx_bytes(blocks: Blocks | None = None, table: list[list[str]] | None = None) -> bytes:
    """A Word handout: Title and Heading 2 styles, "List Number" steps, plain paragraphs, an optional table."""
    document = docx.Document()
    for kind, text, _number in article_blocks() if blocks is None else blocks:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "heading":
            document.add_heading(text, level=2)
        elif kind == "item":
            document.add_paragraph(text, style="List Number")
        else:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_forms(folder: Path) -> dict[str, Path]:
    """Every form of the article in ``folder``, by the form's name."""
    folder.mkdir(parents=True, exist_ok=True)
    forms = {
        "txt": ("article.txt", text_bytes()),
        "crlf": ("article_crlf.txt", text_bytes("\r\n")),
        "utf16": ("article_utf16.txt", text_bytes(encoding="utf-16")),
        "md": ("article.md", (ARTICLE / "article.md").read_bytes()),
        "html": ("article.html", (ARTICLE / "article.html").read_bytes()),
        "pdf": ("article.pdf", pdf_bytes()),
        "docx": ("article.docx", docx_bytes()),
    }
    paths = {}
    for form, (name, data) in forms.items():
        (folder / name).write_bytes(data)
        paths[form] = folder / name
    return paths
