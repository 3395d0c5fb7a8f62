"""What a reviewer looks at: the HTML report, also in a real browser (exports: test_export.py; the notebook:
test_notebook.py)."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import ROOT
from pipeline.report import dose_text, dropped_table, nice_ceiling, write_report
from pipeline.report_data import Marks, Source, marked_text
from pipeline.vocab import DOSE_ATTRIBUTES, DROPPED_REASONS

RAW = ROOT / "raw"
NOTEBOOK = ROOT / "notebooks" / "01-explore-kb.ipynb"
CHROMIUM = Path("/usr/bin/chromium")


def kb_rows(kb: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(kb), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def report_html(seeds_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(seeds_kb, tmp_path_factory.mktemp("report") / "report.html", RAW)


# ---------------------------------------------------------------- pieces, no model needed


@pytest.mark.parametrize(
    ("lo", "hi", "approx", "per_side", "expected"),
    [
        (5, 10, False, False, "5–10 reps"),
        (20, 20, False, False, "20 reps"),
        (None, 10, False, False, "up to 10 reps"),
        (3, None, False, False, "3 or more reps"),
        (30, 30, True, True, "about 30 reps per side"),
    ],
)
def test_dose_text(lo, hi, approx, per_side, expected) -> None:
    d = {"attribute": "reps", "min_value": lo, "max_value": hi, "approx": approx, "per_side": per_side}
    assert dose_text(d) == expected


@pytest.mark.parametrize(("attribute", "expected"), [(a.name, f"2–3 {a.unit}") for a in DOSE_ATTRIBUTES.values()])
def test_every_attribute_has_a_unit(attribute: str, expected: str) -> None:
    d = {"attribute": attribute, "min_value": 2, "max_value": 3, "approx": False, "per_side": False}
    assert dose_text(d) == expected


@pytest.mark.parametrize("reason", DROPPED_REASONS)
def test_every_dropped_reason_is_explained(reason: str) -> None:
    source = Source({"source_id": "s", "path": "s.txt", "status": "ok"}, "S1", "#000", "Share this page")
    row = {"reason": reason, "text": "Share this page", "char_start": 0, "char_end": 15}
    page = dropped_table(source, [row], Marks({"s": source}))
    assert f'<td class="why">{html.escape(DROPPED_REASONS[reason])}</td>' in page


@pytest.mark.parametrize(("x", "top"), [(0.5, 0.5), (2.2, 4), (11, 20), (37, 40), (66, 100), (0, 1)])
def test_nice_ceiling(x: float, top: float) -> None:
    assert nice_ceiling(x) == pytest.approx(top)


def test_marks_nest_overlapping_spans_and_escape() -> None:
    raw = "<b>Hold</b> for 20 seconds, then relax."
    source = Source({"source_id": "s", "path": "s.txt", "status": "ok"}, "S1", "#000", raw)
    marks = Marks({"s": source})
    step = marks.cite("s", 0, 27, raw[0:27], "step")
    dose = marks.cite("s", 12, 26, "for 20 seconds", "dose")
    crossing = marks.cite("s", None, None, "seconds, then", "conflict")  # placed by its text
    assert marks.cite("s", 0, 5, "wrong", "dose") is None  # offsets that do not hold the quote
    html = marked_text(raw, marks.spans["s"])
    assert "<b>" not in html and "&lt;b&gt;Hold&lt;/b&gt;" in html
    for href in (step, dose, crossing):
        assert html.count(f'id="{href[1:]}"') == 1
    assert re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">") == raw
    assert html.count("<mark") == html.count("</mark>")


# ---------------------------------------------------------------- the report


@pytest.mark.model
def test_report_is_self_contained_and_complete(report_html: Path, seeds_kb: Path) -> None:
    page = report_html.read_text(encoding="utf-8")
    assert not re.search(r"""<(?:script|img|iframe|link|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?https?:""",
                         page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"<script[^>]*\bsrc", page, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page)
    for (name,) in kb_rows(seeds_kb, "SELECT name FROM exercises"):
        assert f">{name} <small>" in page.replace("&#x27;", "'")
    for (conflict_id,) in kb_rows(seeds_kb, "SELECT conflict_id FROM conflicts"):
        assert f'id="{conflict_id}"' in page
        assert f'href="#{conflict_id}"' in page
    assert kb_rows(seeds_kb, "SELECT count(*) FROM conflicts")[0][0] > 0


@pytest.mark.model
def test_report_quotes_link_to_marked_spans(report_html: Path, seeds_kb: Path) -> None:
    page = report_html.read_text(encoding="utf-8")
    hrefs = set(re.findall(r'href="#(q-[^"]+)"', page))
    ids = set(re.findall(r'<mark id="(q-[^"]+)"', page))
    assert hrefs and hrefs <= ids
    # every conflict quote lands on a mark holding exactly that quote
    for ev_a, ev_b in kb_rows(seeds_kb, "SELECT evidence_a, evidence_b FROM conflicts"):
        for quote in (ev_a, ev_b):
            assert f">“{_html(quote)}”</a>" in page
    # a reviewer's verdict and note show up
    assert "verdict open" in page
    # dropped noise is listed per source with its reason
    for (reason,) in kb_rows(seeds_kb, "SELECT DISTINCT reason FROM dropped"):
        assert f'<span class="reason">{reason}</span>' in page


@pytest.mark.model
def test_report_shows_reviewers_verdict(seeds_kb: Path, tmp_path: Path) -> None:
    (conflict_id,) = kb_rows(seeds_kb, "SELECT conflict_id FROM conflicts ORDER BY conflict_id LIMIT 1")[0]
    kb = tmp_path / "kb.duckdb"
    shutil.copy(seeds_kb, kb)
    con = duckdb.connect(str(kb))
    con.execute("INSERT INTO src_reviews (conflict_id, verdict, note) VALUES (?, 'both-valid', 'Checked <both>.')",
                [conflict_id])
    con.close()
    page = write_report(kb, tmp_path / "r.html", RAW).read_text(encoding="utf-8")
    card = page[page.index(f'id="{conflict_id}"'):]
    card = card[: card.index("</article>")]
    assert "both-valid" in card and "Checked &lt;both&gt;." in card


@pytest.mark.model
def test_report_without_raw_files_links_into_the_stored_text(seeds_kb: Path, tmp_path: Path) -> None:
    page = write_report(seeds_kb, tmp_path / "r.html", tmp_path / "missing").read_text(encoding="utf-8")
    assert "raw file not readable" not in page and "<mark id=" in page


@pytest.mark.model
def test_report_of_a_kb_without_stored_text_and_raw_files_still_renders(seeds_kb: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    shutil.copy(seeds_kb, kb)
    con = duckdb.connect(str(kb))
    con.execute("CREATE OR REPLACE VIEW documents AS SELECT source_id, clean_text FROM src_documents")
    con.close()
    page = write_report(kb, tmp_path / "r.html", tmp_path / "missing").read_text(encoding="utf-8")
    assert "raw file not readable" in page and "<mark id=" not in page


def _html(text: str) -> str:
    import html

    return html.escape(text)


# ---------------------------------------------------------------- in a real browser


def chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess:
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={user_data}",
               *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.model
def test_report_renders_in_headless_chromium(report_html: Path, seeds_kb: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must render the report in a real browser: apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
    url = report_html.resolve().as_uri()
    dom = chromium("--dump-dom", url, user_data=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-ready="1"' in dom.stdout  # the inline script ran
    for name in ("Hamstring stretch", "Knee-to-chest stretch"):
        assert name in dom.stdout
    (conflict_id,) = kb_rows(seeds_kb, "SELECT conflict_id FROM conflicts WHERE exercise_id IS NOT NULL LIMIT 1")[0]
    assert f'id="{conflict_id}"' in dom.stdout
    assert "<svg" in dom.stdout

    shot = tmp_path / "shot.png"
    result = chromium(f"--screenshot={shot}", "--window-size=1280,2000", url, user_data=tmp_path / "profile-shot")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000


# ---------------------------------------------------------------- the CLI


@pytest.mark.model
def test_cli_report(seeds_kb: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--kb", str(seeds_kb), "--raw", str(RAW), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and str(out) in result.output
