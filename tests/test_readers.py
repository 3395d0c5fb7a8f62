"""Reading real-world formats: each reader on files the tests make, and one article in seven forms.

The article (``tests/data/article``) is ours. Built one form at a time, every form must give the
exercises, doses, steps and polarity of the ``.txt``, with every quote exactly at its offsets in
the text the KB stores for it.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build import build
from pipeline.offsets import rewrite
from pipeline.readers import Unreadable, decode, format_of, read
from pipeline.readers.markdown import markdown_edits
from pipeline.readers.pdf import _Box, _Line, join_lines, reading_order
from pipeline.readers.render import HEADING, ITEM, ROW, Block, to_markdown
from tests.article_forms import ARTICLE, article_blocks, docx_bytes, pdf_bytes, pdf_lines_bytes, text_bytes, write_forms

# --- text files: decoding, and what a file that is not text looks like ------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_its_byte_order_mark_is_decoded(encoding: str) -> None:
    text = "Hold the bridge for 5 seconds.\r\nRepeat 10 times.\r\n"
    data = text.encode(encoding) if encoding == "utf-16" else "\ufeff".encode(encoding) + text.encode(encoding)
    doc = read(data, "text")
    assert doc.text == text == decode(data)
    assert "UTF-16" in doc.notes[0]


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (pdf_lines_bytes(["Hold for 10 seconds."]), "a PDF document"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "a PNG image"),
        ("Rest your knees on a pillow and breathe out slowly.\n".encode("utf-16-le") * 3,
         "UTF-16 text without a byte-order mark"),
        ("Répétez l'étirement à gauche et à droite, élevez le genou, gardez le côté détendu. ".encode("cp1252") * 4,
         "Windows-1252"),
        ("Лягте на спину и согните колени, держите двадцать секунд.".encode("cp1251"), "cp1251"),
        (bytes(range(256)) * 4, "binary content"),
    ],
)
def test_a_file_that_is_not_text_says_what_it_looks_like(data: bytes, found: str) -> None:
    with pytest.raises(Unreadable) as refusal:
        read(data, "text")
    assert refusal.value.status == "not_text"
    assert found in refusal.value.detail and "UTF-8" in refusal.value.detail


def test_a_few_control_bytes_are_read_and_counted() -> None:
    doc = read(b"Hold the stretch\x00 for 20 seconds.\x07\nRepeat 3 times.\n" * 2, "text")
    assert "\x00" in doc.text  # offsets index the decoded file; cleaning drops them
    assert doc.notes == ("4 control bytes (NUL, BEL) were dropped from the text the extractor reads.",)


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("a.txt", "text"), ("notes", "text"), ("a.MD", "markdown"), ("a.markdown", "markdown"), ("p.htm", "html"),
     ("p.XHTML", "html"), ("leaflet.pdf", "pdf"), ("handout.docx", "docx"), ("old.doc", "text")],
)
def test_the_extension_says_the_format(path: str, fmt: str) -> None:
    assert format_of(path) == fmt


# --- Markdown markup -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("Intro.\n## Wall Sit\nLean on a wall.\n", "Intro.\n\nWall Sit\n\nLean on a wall.\n"),
        ("# Title #\n\nText.\n", "Title\n\nText.\n"),
        ("Hold **20 seconds** and *breathe*.", "Hold 20 seconds and breathe."),
        ("See [the guide](https://example.org/g) or ![a photo](p.jpg) here.", "See the guide or  here."),
        ("> Keep your back flat.", "Keep your back flat."),
        ("+ Tuck your chin\n+ Lift one arm", "- Tuck your chin\n- Lift one arm"),
        ("| Exercise | Hold |\n|---|---|\n| Bridge | 5 s |", "Exercise | Hold\n\nBridge | 5 s"),
        ("Title\n=====\nText", "Title\n\nText"),
        ("Use `snake_case` and 3*4 and file_name_here", "Use snake_case and 3*4 and file_name_here"),
    ],
)
def test_markdown_markup_becomes_plain_layout(markdown: str, plain: str) -> None:
    assert rewrite(markdown, markdown_edits(markdown))[0] == plain


def test_markdown_is_left_alone_in_plain_text() -> None:
    """A ``.txt`` keeps its asterisks and hashes: only Markdown and extracted formats are read as Markdown."""
    from pipeline.ingest import clean
    from pipeline.models import Source

    text = "## Not a heading\nHold **5** seconds.\n"
    article = clean(Source("t", "t.txt", "", "ok", "", None, len(text)), text)
    assert "## Not a heading" in article.clean_text and "**5**" in article.clean_text


# --- web pages -------------------------------------------------------------------------------------


def test_a_web_page_gives_its_article_and_where_it_came_from() -> None:
    doc = read((ARTICLE / "article.html").read_bytes(), "html")
    for boilerplate in ("Book an appointment", "cookies", "CloudRest", "Most read", "All rights reserved",
                        "Harbour Road", "Posted by"):
        assert boilerplate not in doc.text
    assert "## Knee-to-Chest Stretch\n\n1. Lie on your back" in doc.text
    assert "Hold for 20 seconds" in doc.text  # bold marks are not stored
    assert (doc.title, doc.url, doc.site_name, doc.published) == (
        "Easing a Lower Back Spasm: Five Gentle Exercises",
        "https://quietspine.example.org/advice/easing-a-back-spasm", "Quiet Spine Clinic", "2023-11-14")


def test_a_page_without_an_article_is_no_article() -> None:
    page = (b"<html><head><title>Shop</title></head><body><nav><a href='/'>Home</a> <a href='/s'>Shop</a></nav>"
            b"<form><input name='q'><button>Search</button></form><footer>Terms</footer></body></html>")
    with pytest.raises(Unreadable) as refusal:
        read(page, "html")
    assert refusal.value.status == "no_article" and "no article text" in refusal.value.detail


# --- PDF -------------------------------------------------------------------------------------------


def _box(x0: float, x1: float, top: float, text: str) -> _Box:
    return _Box((_Line(text, 10, False, x0, x1, top, top + 10),), x0, x1, top)


def test_reading_order_is_column_by_column_below_a_spanning_title() -> None:
    boxes = [_box(30, 560, 20, "title"), _box(310, 560, 60, "right top"), _box(30, 280, 60, "left top"),
             _box(30, 280, 300, "left bottom"), _box(310, 560, 200, "right bottom"), _box(30, 560, 700, "footer")]
    assert [b.lines[0].text for b in reading_order(boxes, 595)] == [
        "title", "left top", "left bottom", "right top", "right bottom", "footer"]


def test_a_two_column_leaflet_reads_column_by_column() -> None:
    data = pdf_bytes()
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextBox

    page = next(iter(extract_pages(io.BytesIO(data))))
    assert any(isinstance(b, LTTextBox) and b.x0 > page.width / 2 for b in page), "the leaflet has two columns"
    text = read(data, "pdf").text
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings[1:] == [t for kind, t, _n in article_blocks() if kind == "heading"]
    for _kind, block_text, number in article_blocks():
        assert (f"{number}. {block_text}" if number else block_text) in text


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [("then stret-", "ching slowly", "then stretching slowly"), ("keep the knee-", "to-chest stretch",
     "keep the knee-to-chest stretch"), ("twenty-", "five seconds", "twenty-five seconds"),
     ("Hold it", "for a while", "Hold it for a while"), ("a dash -", "then more", "a dash - then more")],
)
def test_a_hyphen_at_a_line_end_is_undone_only_inside_a_word(left: str, right: str, joined: str) -> None:
    assert join_lines(left, right) == joined


def test_lines_of_a_pdf_paragraph_are_joined_and_hyphens_undone() -> None:
    text = read(pdf_lines_bytes(["Lie down and bend your knees, then begin the stret-", "ching movement slowly.",
                                 "1. Lift your hips.", "2. Lower them again."]), "pdf").text
    assert "Lie down and bend your knees, then begin the stretching movement slowly.\n\n1. Lift your hips.\n" \
           "2. Lower them again.\n" in text


def test_running_footers_and_page_numbers_are_left_out() -> None:
    text = read(pdf_lines_bytes(["Bridge", "Lift your hips and hold for 5 seconds."],
                                ["Wall Sit", "Slide down the wall and hold for 10 seconds."],
                                footer="Back care leaflet, page"), "pdf").text
    assert "leaflet" not in text and "hold for 5 seconds." in text and "hold for 10 seconds." in text


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        (pdf_bytes(image_only=True), "no_text_layer", "OCR"),
        (pdf_lines_bytes([]), "no_text_layer", "blank or damaged"),
        (pdf_bytes(password="spasm"), "encrypted", "password"),
        (pdf_bytes()[:700], "damaged", "download it again"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "damaged", "cannot be read"),
    ],
)
def test_a_pdf_that_cannot_be_read_says_why(data: bytes, status: str, says: str) -> None:
    with pytest.raises(Unreadable) as refusal:
        read(data, "pdf")
    assert refusal.value.status == status and says in refusal.value.detail


# --- DOCX ------------------------------------------------------------------------------------------


def test_a_word_handout_keeps_headings_lists_and_tables() -> None:
    blocks = [("title", "Desk Breaks", None), ("heading", "Seated Twist", None), ("item", "Sit tall.", 1),
              ("item", "Turn to the left.", 2), ("heading", "Standing Extension", None), ("item", "Stand up.", 1),
              ("paragraph", "Do both every hour.", None)]
    text = read(docx_bytes(blocks, table=[["Exercise", "Hold"], ["Seated Twist", "10 s"]]), "docx").text
    assert text == ("# Desk Breaks\n\n## Seated Twist\n\n1. Sit tall.\n2. Turn to the left.\n\n## Standing Extension"
                    "\n\n1. Stand up.\n\nDo both every hour.\n\n| Exercise | Hold |\n| Seated Twist | 10 s |\n")


def test_bulleted_items_in_word_are_bullets() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Keep your feet flat.", style="List Bullet")
    document.add_paragraph("Breathe out as you lift.", style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    assert read(out.getvalue(), "docx").text == "- Keep your feet flat.\n- Breathe out as you lift.\n"


@pytest.mark.parametrize(
    ("data", "status"),
    [(b"PK\x03\x04" + b"\x00" * 200, "damaged"), (docx_bytes()[:900], "damaged"),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "encrypted")],
)
def test_a_word_file_that_cannot_be_read_says_why(data: bytes, status: str) -> None:
    with pytest.raises(Unreadable) as refusal:
        read(data, "docx")
    assert refusal.value.status == status and "Word" in refusal.value.detail


def test_blocks_are_written_as_markdown() -> None:
    blocks = [Block(HEADING, "Bird Dog", level=3), Block(ITEM, "Kneel.", number=1), Block(ITEM, "Reach  out."),
              Block(ROW, "a | b"), Block(ROW, "c | d")]
    assert to_markdown(blocks) == "### Bird Dog\n\n1. Kneel.\n- Reach out.\n\n| a | b |\n| c | d |\n"


# --- one article in seven forms, built one at a time ------------------------------------------------


def _facts(kb: Path) -> dict[str, list]:
    """What the article says, by exercise: its mentions, doses and number of steps (markup left out of quotes)."""
    con = duckdb.connect(str(kb), read_only=True)
    plain = "regexp_replace(evidence, '[*\\r]', '', 'g')"
    return {
        "mentions": sorted(con.execute("SELECT exercise_id, polarity, named, surface FROM mentions").fetchall()),
        "doses": sorted(con.execute(f"SELECT exercise_id, attribute, min_value, max_value, per_side, approx, {plain} "
                                    "FROM dosages").fetchall()),
        "steps": sorted(con.execute("SELECT exercise_id, count(*) FROM steps GROUP BY ALL").fetchall()),
    }


def _provenance_errors(kb: Path, raw: Path) -> list[tuple]:
    """Spans whose offsets do not hold their quote: in ``source_text``, and in the decoded file for text formats."""
    con = duckdb.connect(str(kb), read_only=True)
    stored = dict(con.execute("SELECT source_id, source_text FROM documents").fetchall())
    paths = dict(con.execute("SELECT source_id, path FROM sources").fetchall())
    formats = dict(con.execute("SELECT source_id, format FROM sources").fetchall())
    spans = con.execute("SELECT source_id, surface, char_start, char_end FROM mentions WHERE named UNION ALL "
                        "SELECT source_id, evidence, char_start, char_end FROM dosages UNION ALL "
                        "SELECT source_id, evidence, char_start, char_end FROM steps").fetchall()
    assert spans
    bad = [s for s in spans if stored[s[0]][s[2] : s[3]] != s[1]]
    bad += [s for s in spans if formats[s[0]] in {"text", "markdown"}
            and decode((raw / paths[s[0]]).read_bytes())[s[2] : s[3]] != s[1]]
    return bad


@pytest.fixture(scope="module")
def built_forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each form of the article in a folder of its own, built: form → (raw folder, KB)."""
    root = tmp_path_factory.mktemp("forms")
    built = {}
    for form, path in write_forms(root / "all").items():
        folder = root / form
        folder.mkdir()
        shutil.copy(path, folder)
        build(folder, root / f"{form}.duckdb")
        built[form] = (folder, root / f"{form}.duckdb")
    return built


@pytest.mark.model
def test_the_text_form_gives_the_article_as_written(built_forms) -> None:
    facts = _facts(built_forms["txt"][1])
    assert {m[0] for m in facts["mentions"]} >= {"knee-to-chest-stretch", "pelvic-tilt", "lower-trunk-rotation",
                                                 "cat-cow", "standing-toe-touch"}
    assert ("standing-toe-touch", "avoid", True, "toe touches") in facts["mentions"]
    assert ("knee-to-chest-stretch", "hold_s", 20.0, 20.0, True, False, "Hold for 20 seconds") in facts["doses"]
    assert ("lower-trunk-rotation", "reps", 10.0, 10.0, True, False, "repeat 10 times on each side") in facts["doses"]
    assert ("pelvic-tilt", 3) in facts["steps"]  # "Repeat 10 times." states the reps, it is no step


@pytest.mark.model
@pytest.mark.parametrize("form", ["crlf", "utf16", "md", "html", "pdf", "docx"])
def test_every_form_gives_what_the_text_gives(built_forms, form: str) -> None:
    folder, kb = built_forms[form]
    assert _facts(kb) == _facts(built_forms["txt"][1])
    assert _provenance_errors(kb, folder) == []


@pytest.mark.model
def test_windows_and_old_mac_line_endings_extract_like_unix_ones(tmp_path: Path) -> None:
    for name, ending in (("lf", "\n"), ("cr", "\r")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "article.txt").write_bytes(text_bytes(ending))
        build(tmp_path / name, tmp_path / f"{name}.duckdb")
    assert _facts(tmp_path / "cr.duckdb") == _facts(tmp_path / "lf.duckdb")
    assert _provenance_errors(tmp_path / "cr.duckdb", tmp_path / "cr") == []


@pytest.mark.model
def test_an_article_with_a_nul_and_a_bel_builds_with_its_doses(built_forms, tmp_path: Path) -> None:
    data = text_bytes().replace(b"Hold for 20", b"Hold for\x00 20").replace(b"8 times.", b"8 times.\x07")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "article.txt").write_bytes(data)
    build(tmp_path / "raw", tmp_path / "kb.duckdb")
    con = duckdb.connect(str(tmp_path / "kb.duckdb"), read_only=True)
    assert con.execute("SELECT status, status_detail FROM sources").fetchone() == (
        "ok", "2 control bytes (NUL, BEL) were dropped from the text the extractor reads.")
    doses = {d[:6] for d in _facts(tmp_path / "kb.duckdb")["doses"]}
    assert doses == {d[:6] for d in _facts(built_forms["txt"][1])["doses"]}
    assert _provenance_errors(tmp_path / "kb.duckdb", tmp_path / "raw") == []


@pytest.mark.model
def test_near_duplicates_and_an_html_text_pair_count_once(raw_copy: Path, tmp_path: Path) -> None:
    """The same article as a page, as text, as an edited copy and with Windows line endings: one source."""
    shutil.copy(ARTICLE / "article.txt", raw_copy / "article.txt")
    build(raw_copy, tmp_path / "once.duckdb")
    shutil.copy(ARTICLE / "article.html", raw_copy / "article.html")
    (raw_copy / "article_edited.txt").write_text((ARTICLE / "article.txt").read_text(encoding="utf-8").replace(
        "Tighten your stomach and press", "Pull your belly in and press"), encoding="utf-8")
    (raw_copy / "article_windows.txt").write_bytes(text_bytes("\r\n"))
    build(raw_copy, tmp_path / "copies.duckdb")

    def counts(kb: Path) -> tuple:
        con = duckdb.connect(str(kb), read_only=True)
        return (con.execute("SELECT exercise_id, n_sources FROM exercises ORDER BY ALL").fetchall(),
                con.execute("SELECT count(*) FROM conflicts").fetchone(),
                con.execute("SELECT count(*) FROM sources WHERE status = 'ok'").fetchone())

    assert counts(tmp_path / "copies.duckdb") == counts(tmp_path / "once.duckdb")
    statuses = dict(duckdb.connect(str(tmp_path / "copies.duckdb"), read_only=True).execute(
        "SELECT path, status FROM sources WHERE path LIKE 'article%'").fetchall())
    assert statuses == {"article.html": "ok", "article.txt": "near_duplicate", "article_edited.txt": "near_duplicate",
                        "article_windows.txt": "near_duplicate"}


@pytest.mark.usefixtures("blank_model")
def test_where_sources_came_from_is_in_the_kb_and_the_report(raw_copy: Path, tmp_path: Path) -> None:
    from pipeline.report import write_report

    shutil.copy(ARTICLE / "article.html", raw_copy / "clinic.html")
    (raw_copy / "sources.csv").write_text("file,url,site_name,published\n"
                                          "004_bbbfca6aaf4fdbc9.txt,https://example.org/spasm-notes,Example Notes,"
                                          "2020-02-29\n", encoding="utf-8")
    kb = tmp_path / "kb.duckdb"
    build(raw_copy, kb)
    con = duckdb.connect(str(kb), read_only=True)
    rows = con.execute("SELECT path, format, url, site_name, CAST(published AS VARCHAR) FROM sources "
                       "WHERE url IS NOT NULL ORDER BY path").fetchall()
    assert rows == [("004_bbbfca6aaf4fdbc9.txt", "text", "https://example.org/spasm-notes", "Example Notes",
                     "2020-02-29"),
                    ("clinic.html", "html", "https://quietspine.example.org/advice/easing-a-back-spasm",
                     "Quiet Spine Clinic", "2023-11-14")]
    assert con.execute("SELECT status FROM sources WHERE path = 'sources.csv'").fetchone() == ("manifest",)
    page = write_report(kb, tmp_path / "report.html", raw_copy).path.read_text(encoding="utf-8")
    for shown in ("Example Notes · 2020-02-29", "https://example.org/spasm-notes", "Quiet Spine Clinic · 2023-11-14",
                  "Text extracted from the file"):
        assert shown in page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form=st.sampled_from(["pdf", "docx", "html"]), cut=st.floats(0, 1), flips=st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=12))
def test_a_damaged_file_is_read_or_refused_never_a_crash(form: str, cut: float, flips: list[tuple[float, int]]) -> None:
    data = bytearray(_ORIGINALS[form][: max(1, int(len(_ORIGINALS[form]) * cut))])
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    try:
        read(bytes(data), form)
    except Unreadable as refusal:
        assert refusal.status in {"damaged", "no_text_layer", "no_article", "encrypted"}


_ORIGINALS = {"pdf": pdf_bytes(), "docx": docx_bytes(), "html": (ARTICLE / "article.html").read_bytes()}
