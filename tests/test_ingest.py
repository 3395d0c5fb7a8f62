"""Stage 1 end to end: every file listed with a status, noise gone, instructions and offsets intact."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import ingest as ingest_module
from pipeline.ingest import clean, decode, ingest
from pipeline.models import Source
from pipeline.structure import find_blocks
from pipeline.vocab import DROPPED_REASONS, SOURCE_STATUSES
from tests.conftest import RAW, SHARED

GOLD = json.loads((SHARED / "eval" / "seeds_gold.json").read_text()) if SHARED.is_dir() else None
needs_gold = pytest.mark.skipif(GOLD is None, reason="../shared/eval is not beside the repo")


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def seeds():
    return ingest(RAW)


def test_every_seed_is_accepted_and_raw_is_untouched(seeds) -> None:
    assert [s.status for s in seeds.sources] == ["ok"] * 5
    for article in seeds.articles:
        raw = decode((RAW / article.source.path).read_bytes())
        assert article.raw_text == raw
        assert article.source.n_chars == len(raw)


@needs_gold
def test_gold_noise_is_dropped(seeds) -> None:
    for article in seeds.articles:
        gold = GOLD["sources"][article.source_id]
        for noise in gold.get("noise_must_drop", []):
            assert noise.lower() not in article.clean_text.lower(), noise
        if phrase := gold.get("seo_phrase"):
            assert article.clean_text.count(phrase) <= 1


def test_dropped_rows_quote_the_raw_text_exactly(seeds) -> None:
    for article in seeds.articles:
        for d in article.dropped:
            assert article.raw_text[d.char_start : d.char_end] == d.text
            assert d.reason in DROPPED_REASONS


_DOSE = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty)\b[^.\n]{0,12}?"
    r"\b(seconds?|secs?|minutes?|mins?|times|reps|repetitions)\b",
    re.IGNORECASE,
)
_STEP = re.compile(r"^[ \t]*(?:\d{1,2}[.)-]|[•*-])[ \t]+\S.*$", re.MULTILINE)


def instruction_spans(raw: str) -> list[tuple[int, int]]:
    """Every numbered or bulleted line, and every sentence with a hold time or repetition count."""
    spans = [(m.start(), m.end()) for m in _STEP.finditer(raw)]
    for m in _DOSE.finditer(raw):
        start = max(raw.rfind(". ", 0, m.start()) + 2, raw.rfind("\n", 0, m.start()) + 1)
        end = min(i for i in (raw.find(". ", m.end()), raw.find("\n", m.end()), len(raw)) if i >= 0)
        spans.append((start, end))
    return spans


def test_no_instruction_line_is_lost(seeds) -> None:
    """Noise inside an instruction (a stuffed title phrase) may go, the instruction itself may not."""
    checked = 0
    for article in seeds.articles:
        for start, end in instruction_spans(article.raw_text):
            kept = list(article.raw_text[start:end])
            for d in article.dropped:
                if min(end, d.char_end) > max(start, d.char_start):
                    assert d.reason in {"seo_stuffing", "url"}, (article.raw_text[start:end], d)
                    for i in range(max(start, d.char_start), min(end, d.char_end)):
                        kept[i - start] = " "
            words = re.findall(r"[A-Za-z0-9']+", "".join(kept))
            assert words, article.raw_text[start:end]
            for n in re.findall(r"\d+", "".join(kept)):
                assert n in article.clean_text
            checked += 1
    assert checked > 40


def test_structure_finds_headings_and_numbered_steps(seeds) -> None:
    by_id = {a.source_id[:3]: a for a in seeds.articles}
    a = by_id["001"]
    headings = [a.clean_text[b.text_start : b.end] for b in find_blocks(a.clean_text) if b.kind == "heading"]
    assert "Pelvic Tilt Stretch" in headings and "Hamstring Stretch" in headings
    items = [b for b in find_blocks(a.clean_text) if b.kind == "item" and b.number]
    assert [b.number for b in items[:5]] == [1, 2, 3, 4, 5]
    numbered_headings = [b.number for b in find_blocks(by_id["003"].clean_text) if b.kind == "heading" and b.number]
    assert numbered_headings == list(range(1, 12))


# --- bad input -------------------------------------------------------------------------------------

def statuses(folder: Path) -> dict[str, tuple[str, str]]:
    result = ingest(folder)
    built = {a.source_id[:3] for a in result.articles}
    assert built >= {"000", "001", "002", "003", "004"}, "the good articles must still be built"
    assert {s.status for s in result.sources} <= set(SOURCE_STATUSES)
    return {s.path: (s.status, s.status_detail) for s in result.sources}


@pytest.mark.parametrize(
    ("name", "data", "status", "detail"),
    [
        ("empty.txt", b"", "empty", "empty"),
        ("blank.txt", b"  \n\n \t\n", "empty", "empty"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "not_text", "UTF-8"),
        ("latin1.txt", "Étirement à genoux répété dix fois ".encode("cp1252") * 3 + b"\xff\xfe" * 40, "not_text",
         "UTF-8"),
    ],
)
def test_unusable_files_are_listed_and_the_rest_built(raw_copy: Path, name: str, data: bytes, status: str,
                                                      detail: str) -> None:
    (raw_copy / name).write_bytes(data)
    before = tree_digest(raw_copy)
    got = statuses(raw_copy)
    assert got[name][0] == status
    assert detail in got[name][1]
    assert tree_digest(raw_copy) == before


def test_a_few_bad_bytes_are_replaced_not_rejected(raw_copy: Path) -> None:
    (raw_copy / "mostly.txt").write_bytes(b"Hold the stretch for 20 seconds and breathe.\n" * 5 + b"caf\xe9\n")
    status, detail = statuses(raw_copy)["mostly.txt"]
    assert status == "ok" and "U+FFFD" in detail


def test_duplicate_names_its_twin(raw_copy: Path) -> None:
    (raw_copy / "zzz_copy.txt").write_bytes((raw_copy / "001_138faa212ac3308a.txt").read_bytes())
    status, detail = statuses(raw_copy)["zzz_copy.txt"]
    assert status == "duplicate" and "001_138faa212ac3308a.txt" in detail


def test_too_large(raw_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "MAX_FILE_BYTES", 20_000)
    (raw_copy / "huge.txt").write_bytes(b"Stretch gently. " * 2_000)
    status, detail = statuses(raw_copy)["huge.txt"]
    assert status == "too_large" and "20,000" in detail


def test_documents_may_be_larger_than_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF or a saved page carries fonts, images and markup besides its text: it has its own limit."""
    from tests.article_forms import pdf_bytes

    leaflet = pdf_bytes()
    (tmp_path / "leaflet.pdf").write_bytes(leaflet)
    monkeypatch.setattr(ingest_module, "MAX_FILE_BYTES", len(leaflet) - 1)
    assert ingest(tmp_path).sources[0].status == "ok"
    monkeypatch.setattr(ingest_module, "MAX_DOCUMENT_BYTES", len(leaflet) - 1)
    assert ingest(tmp_path).sources[0].status == "too_large"


def test_unreadable(raw_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (raw_copy / "locked.txt").write_text("Hold for 10 seconds.")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    status, detail = statuses(raw_copy)["locked.txt"]
    assert status == "error" and "Permission denied" in detail


def test_bom_is_removed() -> None:
    assert decode(b"\xef\xbb\xbfHold") == "Hold"


# --- the offset map on generated articles ----------------------------------------------------------

_NOISE_LINES = [
    "Pin On Back Care Ideas",
    "error: Content is protected !!",
    "Link to next post: Easy Core Workouts",
    "https://example.com/stretch-guide",
    "Click here to get the plan",
]
_words = st.lists(st.sampled_from(["hold", "knees", "slowly", "breathe", "the", "back", "lower", "stretch",
                                   "repeat", "floor", "gently", "20", "times", "seconds"]), min_size=3, max_size=12)
_spun = st.sampled_from(["reduced back", "muscular tissues", "secs", "it’s", "20–30", "“fine”", "stretchThis"])


@settings(max_examples=150, deadline=None)
@given(
    paragraphs=st.lists(st.tuples(_words, st.lists(_spun, max_size=2)), min_size=1, max_size=8),
    noise=st.lists(st.tuples(st.integers(0, 8), st.sampled_from(_NOISE_LINES)), max_size=4),
)
def test_clean_to_raw_map_is_exact_with_noise_inserted(paragraphs, noise) -> None:
    lines = [" ".join(words + spun).capitalize() + "." for words, spun in paragraphs]
    for pos, line in sorted(noise, reverse=True):
        lines.insert(min(pos, len(lines)), line)
    raw = "\n".join(lines) + "\n"
    article = clean(Source("g", "g.txt", "", "ok", "", None, len(raw)), raw)
    for line in _NOISE_LINES:
        assert line not in article.clean_text
    for d in article.dropped:
        assert raw[d.char_start : d.char_end] == d.text
    for m in re.finditer(r"[a-z0-9]+", article.clean_text):
        start, end = article.raw_span(m.start(), m.end())
        original = raw[start:end]
        if original.lower() == m.group():
            continue
        # a word changed by cleaning points at exactly the raw words it came from
        assert original.lower() in {"reduced back", "muscular tissues", "secs", "stretchthis", "it’s"} or (
            m.group() in original.lower()), (m.group(), original)


@pytest.mark.parametrize(
    ("line", "kind"),
    [("Reps: 10 per side", "field"), ("Frequency: Twice A Day", "field"),
     ("Exercise #2: Glute Bridge", "heading"), ("Wall Sits", "heading"), ("3. Bird Dog", "heading"),
     ("3. Kneel on all fours and lift one arm.", "item")],
)
def test_field_lines_are_not_headings(line: str, kind: str) -> None:
    article = clean(Source("s", "s.txt", "", "ok", "", None, 0), f"Intro text here.\n\n{line}\n\nMore text follows.\n")
    assert [b.kind for b in find_blocks(article.clean_text)][1] == kind


# --- line endings, stray bytes and broken words -------------------------------------------------------

_ARTICLE_LF = ("Cat-Cow Stretch\n\n1. Kneel on all fours.\n2. Round your back and hold for 5 seconds.\n\n"
               "Repeat 8 times.\n")


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings_clean_like_unix_ones(ending: str) -> None:
    lf = clean(Source("a", "a.txt", "", "ok", "", None, len(_ARTICLE_LF)), _ARTICLE_LF)
    raw = _ARTICLE_LF.replace("\n", ending)
    other = clean(Source("a", "a.txt", "", "ok", "", None, len(raw)), raw)
    assert other.clean_text == lf.clean_text
    start = other.clean_text.index("hold for 5 seconds")
    assert raw[slice(*other.raw_span(start, start + len("hold for 5 seconds")))] == "hold for 5 seconds"


def test_stray_control_bytes_are_read_counted_and_cleaned_away(raw_copy: Path) -> None:
    (raw_copy / "scraped.txt").write_bytes(_ARTICLE_LF.replace("Kneel", "Kn\x00eel").replace("8 times", "8 times\x07")
                                           .encode())
    result = ingest(raw_copy)
    source = next(s for s in result.sources if s.path == "scraped.txt")
    assert source.status == "ok" and "2 control bytes (NUL, BEL) were dropped" in source.status_detail
    article = next(a for a in result.articles if a.source.path == "scraped.txt")
    assert "\x00" in article.raw_text and "\x07" not in article.clean_text
    assert "Kneel on all fours" in article.clean_text


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Knee to c hest stretch", "Knee to chest stretch"),
        ("Then s tand up slowly", "Then stand up slowly"),
        ("K nee rolls, both sides", "Knee rolls, both sides"),
        ("Hold the bri dge for 5 seconds", "Hold the bridge for 5 seconds"),
        ("KNEE TO C HEST", "KNEE TO CHEST"),
    ],
)
def test_a_word_broken_by_a_stray_space_is_joined(raw: str, cleaned: str) -> None:
    article = clean(Source("s", "s.txt", "", "ok", "", None, len(raw)), raw)
    assert article.clean_text == cleaned
    for word in re.finditer(r"\w+", cleaned):  # a joined word points at both its pieces in the raw text
        assert raw[slice(*article.raw_span(word.start(), word.end()))].replace(" ", "") == word.group()


@pytest.mark.parametrize(
    "raw",
    ["I did a lot of stretching", "Breathe in to the belly", "Take vitamin D is the advice", "Plan B is fine",
     "Don\u2019t press down", "Do it 3 x per day", "One per son in the family", "Use a ham string tie",
     "Stretch ing is fine", "Read the Rx wiki"],
)
def test_words_that_are_words_apart_are_not_joined(raw: str) -> None:
    assert clean(Source("s", "s.txt", "", "ok", "", None, len(raw)), raw).clean_text == raw.replace("\u2019", "'")


# --- files the build sets aside ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["article.txt~", ".article.txt.swp", ".DS_Store", "Thumbs.db", "~$handout.docx",
                                  "#draft.md#", "desktop.ini", "notes.bak"])
def test_editor_and_system_files_are_ignored(raw_copy: Path, name: str) -> None:
    (raw_copy / name).write_bytes((raw_copy / "004_bbbfca6aaf4fdbc9.txt").read_bytes() + b"\n")
    status, detail = statuses(raw_copy)[name]
    assert status == "ignored" and "not an article" in detail


def test_hidden_folders_are_not_read(raw_copy: Path) -> None:
    (raw_copy / ".git").mkdir()
    (raw_copy / ".git" / "config").write_text("[core]\n")
    assert not any(p.startswith(".git/") for p in statuses(raw_copy))


def test_pdfs_docx_and_pages_that_cannot_be_read_get_a_status_and_the_rest_builds(raw_copy: Path) -> None:
    from tests.article_forms import docx_bytes, pdf_bytes

    (raw_copy / "scan.pdf").write_bytes(pdf_bytes(image_only=True))
    (raw_copy / "locked.pdf").write_bytes(pdf_bytes(password="back"))
    (raw_copy / "broken.docx").write_bytes(docx_bytes()[:800])
    (raw_copy / "menu.html").write_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    got = statuses(raw_copy)
    assert {name: got[name][0] for name in ("scan.pdf", "locked.pdf", "broken.docx", "menu.html")} == {
        "scan.pdf": "no_text_layer", "locked.pdf": "encrypted", "broken.docx": "damaged", "menu.html": "no_article"}
    assert all(got[name][1].endswith(".") and len(got[name][1].split()) > 8
               for name in ("scan.pdf", "locked.pdf", "broken.docx", "menu.html"))


def _edited(text: str) -> str:
    lines = text.split("\n")
    k = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].strip())
    lines[k] = "An editor rewrote this one line to say something rather different about the spine."
    return "\n".join(lines)


def test_near_duplicates_name_the_kept_file_and_are_not_articles(raw_copy: Path) -> None:
    original = (raw_copy / "003_4e4701830405f3be.txt").read_text(encoding="utf-8")
    (raw_copy / "zz_edited.txt").write_text(_edited(original), encoding="utf-8")
    (raw_copy / "zz_windows.txt").write_bytes(original.replace("\n", "\r\n").encode("utf-8"))
    (raw_copy / "zz_spaced.txt").write_text(original.replace("\n", "\n\n"), encoding="utf-8")
    result = ingest(raw_copy)
    got = {s.path: (s.status, s.status_detail) for s in result.sources}
    for name in ("zz_edited.txt", "zz_windows.txt", "zz_spaced.txt"):
        assert got[name][0] == "near_duplicate" and "003_4e4701830405f3be.txt" in got[name][1], name
    assert [s.status for s in result.sources if s.path[0] == "0"] == ["ok"] * 5
    assert not {a.source.path for a in result.articles} & {"zz_edited.txt", "zz_windows.txt", "zz_spaced.txt"}


def test_a_page_saved_as_html_and_as_text_counts_once(tmp_path: Path) -> None:
    from tests.article_forms import ARTICLE

    for name in ("article.html", "article.txt"):
        shutil.copy(ARTICLE / name, tmp_path / name)
    result = ingest(tmp_path)
    assert [(s.path, s.status) for s in result.sources] == [("article.html", "ok"), ("article.txt", "near_duplicate")]
    assert len(result.articles) == 1


def test_different_articles_are_not_near_duplicates(seeds) -> None:
    assert [s.status for s in seeds.sources] == ["ok"] * 5


# --- the manifest --------------------------------------------------------------------------------------

def test_the_manifest_says_where_articles_came_from_and_wins_over_metadata(raw_copy: Path) -> None:
    from tests.article_forms import ARTICLE

    shutil.copy(ARTICLE / "article.html", raw_copy / "clinic.html")
    (raw_copy / "sources.csv").write_text(
        "file,url,site_name,published,retrieved,licence\n"
        "001_138faa212ac3308a.txt,https://example.org/spasms,Example Health,2021-06-01,2024-02-03,CC BY 4.0\n"
        "clinic.html,,Quiet Spine (manifest),,2024-02-03,\n"
        "gone.txt,https://example.org/gone,,,,\n"
        "002_c8606641dfa96497.txt,,,last spring,,\n", encoding="utf-8")
    result = ingest(raw_copy)
    by_path = {s.path: s for s in result.sources}
    seed = by_path["001_138faa212ac3308a.txt"]
    assert (seed.url, seed.site_name, seed.published, seed.retrieved, seed.licence) == (
        "https://example.org/spasms", "Example Health", "2021-06-01", "2024-02-03", "CC BY 4.0")
    page = by_path["clinic.html"]
    assert (page.url, page.site_name, page.published) == (
        "https://quietspine.example.org/advice/easing-a-back-spasm", "Quiet Spine (manifest)", "2023-11-14")
    manifest = by_path["sources.csv"]
    assert manifest.status == "manifest"
    assert "gone.txt, which is not in the folder" in manifest.status_detail
    assert "'last spring' is not a date" in manifest.status_detail
    assert by_path["002_c8606641dfa96497.txt"].published is None
    assert "sources" not in {a.source_id for a in result.articles}


def test_a_manifest_without_a_file_column_is_an_error_and_the_rest_builds(raw_copy: Path) -> None:
    (raw_copy / "sources.csv").write_text("url,site\nhttps://example.org,Example\n", encoding="utf-8")
    status, detail = statuses(raw_copy)["sources.csv"]
    assert status == "error" and "'file' column" in detail
