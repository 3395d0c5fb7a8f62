"""What a reviewer looks at: the HTML report, also in a real browser (exports: test_export.py; the notebook:
test_notebook.py)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from markupsafe import escape
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import ROOT
from pipeline.report import render, state, write_report
from pipeline.report_charts import CHAR_PX, chart, dose_text, nice_ceiling
from pipeline.report_data import Marks, ReportData, Source, labels, marked_text
from pipeline.vocab import DOSE_ATTRIBUTES, DROPPED_REASONS
from tests.kb_read import kb_rows

RAW = ROOT / "raw"
CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (1280, 800)


def esc(text: str) -> str:
    """As the templates escape it (markupsafe: ``&#34;`` for a double quote)."""
    return str(escape(text))


@pytest.fixture(scope="module")
def report_html(seeds_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(seeds_kb, tmp_path_factory.mktemp("report") / "report.html").path


def reviewed_kb(seeds_kb: Path, folder: Path, verdicts: dict[str, tuple[str, str | None]]) -> Path:
    """A copy of the seeds' KB with ``verdicts`` (by topic: verdict, note) recorded."""
    kb = folder / "kb.duckdb"
    shutil.copy(seeds_kb, kb)
    con = duckdb.connect(str(kb))
    for topic, (verdict, note) in verdicts.items():
        con.execute("INSERT INTO src_reviews (conflict_id, verdict, note) SELECT conflict_id, ?, ? FROM src_conflicts "
                    "WHERE topic = ?", [verdict, note, topic])
    con.close()
    return kb


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


@pytest.mark.parametrize(("x", "top"), [(0.5, 0.5), (2.2, 4), (11, 20), (37, 40), (66, 100), (0, 1)])
def test_nice_ceiling(x: float, top: float) -> None:
    assert nice_ceiling(x) == pytest.approx(top)


def _dose(lo: float | None, hi: float | None, per_side: bool = False, attribute: str = "per_day") -> dict:
    return {"attribute": attribute, "min_value": lo, "max_value": hi, "approx": False, "per_side": per_side,
            "evidence": "x"}


def test_chart_labels_never_run_under_the_bars_and_the_axis_end_is_not_clipped() -> None:
    rows = [(_dose(2, 4, per_side=True, attribute="reps"), "000", "#000", None),
            (_dose(None, 3, attribute="reps"), "a-long-label", "#111", None), (_dose(5, None), "002", "#222", None)]
    ch = chart("reps", rows, conflicted=True)
    widest = max(len(f"{r.label} {r.text}") for r in ch.rows) * CHAR_PX + 6
    for r in ch.rows:
        for shape in r.shapes:
            xs = [float(v) for k, v in shape.attrs.items() if k in ("x", "x1", "x2")]
            xs += [float(p.split(",")[0]) for p in shape.attrs.get("points", "").split()]
            assert min(xs) > widest and max(xs) <= ch.width
    (_x0, _, start), (_xm, _, middle), (x1, end_label, end) = ch.ticks
    assert (start, middle, end) == ("start", "middle", "end") and end_label.endswith("reps") and x1 < ch.width


@pytest.mark.parametrize(
    ("status", "expected"),
    [("open", "open"), (None, "open"), ("prefer-a", "decided"), ("both-valid", "decided"),
     ("not-a-conflict", "dismissed")],
)
def test_badge_state_follows_the_status(status: str | None, expected: str) -> None:
    assert state(status) == expected


def test_labels_are_the_first_part_of_the_file_names() -> None:
    assert labels(["000_ab", "001_cd"]) == {"000_ab": "000", "001_cd": "001"}
    assert labels(["d01_site", "d01_other", "plain"]) == {"d01_site": "d01_site", "d01_other": "d01_other",
                                                         "plain": "plain"}


def _tiny(dropped: list[dict], raw: str = "Share this page. <b>Bold</b> claims.") -> ReportData:
    row = {"source_id": "s_1", "path": "s_1.txt", "status": "ok", "n_chars": len(raw), "title": "<i>T</i>"}
    source = Source(row, "s", "#000", raw)
    return ReportData(Path("kb.duckdb"), {"s_1": source}, [], [], [], [], [], dropped)


@pytest.mark.parametrize("reason", DROPPED_REASONS)
def test_every_dropped_reason_is_explained(reason: str) -> None:
    page, _marks = render(_tiny([{"source_id": "s_1", "reason": reason, "text": "Share this page",
                                  "char_start": 0, "char_end": 15}]))
    assert f'<td class="why">{esc(DROPPED_REASONS[reason])}</td>' in page


def test_everything_from_the_articles_is_escaped() -> None:
    page, _marks = render(_tiny([]))
    assert "<i>T</i>" not in page and "&lt;i&gt;T&lt;/i&gt;" in page
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page


def test_marks_nest_overlapping_spans_and_escape() -> None:
    raw = "<b>Hold</b> for 20 seconds, then relax."
    source = Source({"source_id": "s", "path": "s.txt", "status": "ok"}, "S1", "#000", raw)
    marks = Marks({"s": source})
    step = marks.cite("s", 0, 27, raw[0:27], "step")
    dose = marks.cite("s", 12, 26, "for 20 seconds", "dose")
    crossing = marks.cite("s", None, None, "seconds, then", "conflict")  # placed by its text
    assert marks.cite("s", 0, 5, "wrong", "dose") is None  # offsets that do not hold the quote
    assert (marks.cited, marks.unplaced) == (4, 1)
    text = marked_text(raw, marks.spans["s"])
    assert "<b>" not in text and "&lt;b&gt;Hold&lt;/b&gt;" in text
    for href in (step, dose, crossing):
        assert text.count(f'id="{href[1:]}"') == 1
    assert re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">") == raw
    assert text.count("<mark") == text.count("</mark>")


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
        assert f">{esc(name)} <small>" in page
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
    assert 'class="quote unplaced"' not in page
    for (quote,) in kb_rows(seeds_kb, "SELECT evidence FROM conflict_sources WHERE cue_start IS NULL"):
        assert f">“{esc(quote)}”</a>" in page
    for (reason,) in kb_rows(seeds_kb, "SELECT DISTINCT reason FROM dropped"):
        assert f'<span class="reason">{reason}</span>' in page


@pytest.mark.model
def test_a_polarity_quote_shows_its_trigger(report_html: Path, seeds_kb: Path) -> None:
    page = report_html.read_text(encoding="utf-8")
    ((evidence, a, b),) = kb_rows(seeds_kb, "SELECT evidence, cue_start - char_start, cue_end - char_start "
                                            "FROM conflict_sources WHERE cue_start IS NOT NULL")
    shown = f"“{esc(evidence[:a])}<strong class=\"cue\">{esc(evidence[a:b])}</strong>"
    assert shown in page


@pytest.mark.model
def test_report_shows_reviewers_verdict_and_the_badges_follow_it(seeds_kb: Path, tmp_path: Path) -> None:
    kb = reviewed_kb(seeds_kb, tmp_path, {"reps": ("both-valid", "Checked <both>."),
                                          "polarity": ("not-a-conflict", None)})
    page = write_report(kb, tmp_path / "r.html").path.read_text(encoding="utf-8")
    (reps,) = kb_rows(kb, "SELECT conflict_id FROM conflicts WHERE topic = 'reps'")[0]
    card = page[page.index(f'<article class="conflict decided" id="{reps}"'):]
    card = card[: card.index("</article>")]
    assert "both-valid" in card and "Checked &lt;both&gt;." in card
    assert '<article class="conflict dismissed"' in page and '<article class="conflict open"' in page
    hamstring = page[page.index('id="ex-hamstring-stretch"'):]
    assert re.search(r'class="flag decided"[^>]*>1 conflict, 0 open<', hamstring[: hamstring.index("</h3>")])


@pytest.mark.model
def test_report_without_raw_files_links_into_the_stored_text(seeds_kb: Path, tmp_path: Path) -> None:
    written = write_report(seeds_kb, tmp_path / "r.html", tmp_path / "missing")
    page = written.path.read_text(encoding="utf-8")
    assert "raw file not readable" not in page and "<mark id=" in page and written.unplaced == 0


def _without_stored_text(seeds_kb: Path, folder: Path) -> Path:
    kb = folder / "kb.duckdb"
    shutil.copy(seeds_kb, kb)
    con = duckdb.connect(str(kb))
    con.execute("CREATE OR REPLACE VIEW documents AS SELECT source_id, clean_text FROM src_documents")
    con.close()
    return kb


@pytest.mark.model
def test_a_kb_without_stored_text_reads_the_raw_folder_it_was_built_from(seeds_kb: Path, tmp_path: Path) -> None:
    kb = _without_stored_text(seeds_kb, tmp_path)
    assert kb_rows(kb, "SELECT value FROM build_info WHERE key = 'raw_dir'") == [(str(RAW.resolve()),)]
    written = write_report(kb, tmp_path / "r.html")
    assert written.unplaced == 0 and written.quotes > 0
    assert "<mark id=" in written.path.read_text(encoding="utf-8")


@pytest.mark.model
def test_a_report_whose_quotes_cannot_be_found_says_so_and_exits_non_zero(seeds_kb: Path, tmp_path: Path) -> None:
    kb = _without_stored_text(seeds_kb, tmp_path)
    written = write_report(kb, tmp_path / "r.html", tmp_path / "missing")
    page = written.path.read_text(encoding="utf-8")
    assert "raw file not readable" in page and "<mark id=" not in page and written.unplaced == written.quotes > 0
    result = CliRunner().invoke(app, ["report", "--kb", str(kb), "--raw", str(tmp_path / "missing"),
                                      "--out", str(tmp_path / "r2.html")])
    assert result.exit_code == 1 and "quotes were not found" in result.output
    assert (tmp_path / "r2.html").is_file()


@pytest.mark.model
def test_the_advice_section_shows_every_position_with_its_quotes(report_html: Path, seeds_kb: Path) -> None:
    page = report_html.read_text(encoding="utf-8")
    advice = page[page.index('<h2 id="advice">'):page.index('<h2 id="exercises">')]
    for question, source, position in kb_rows(seeds_kb, "SELECT question, source_id, position FROM positions"):
        section = advice[advice.index(f'data-question="{question}"'):]
        section = section[: section.index("</section>")]
        assert f'class="position p-{position}" data-source="{source}"' in section
    for (quote,) in kb_rows(seeds_kb, "SELECT evidence FROM position_rows"):
        assert f"“{esc(quote)}”" in advice


@pytest.mark.model
def test_exercises_to_avoid_are_set_apart(report_html: Path, seeds_kb: Path) -> None:
    page = report_html.read_text(encoding="utf-8")
    recommended = page[page.index('<h2 id="exercises">'):page.index('<h2 id="avoid">')]
    avoided = page[page.index('<h2 id="avoid">'):page.index('<h2 id="sources">')]
    only_avoided = kb_rows(seeds_kb, "SELECT exercise_id FROM mentions GROUP BY 1 HAVING bool_and(polarity = 'avoid')")
    assert only_avoided
    for (ex,) in kb_rows(seeds_kb, "SELECT DISTINCT exercise_id FROM mentions"):
        assert (f'data-exercise="{ex}"' in avoided) == ((ex,) in only_avoided)
        assert (f'data-exercise="{ex}"' in recommended) != ((ex,) in only_avoided)


@pytest.mark.model
def test_a_name_a_source_repeats_is_shown_once(report_html: Path) -> None:
    page = report_html.read_text(encoding="utf-8")
    for row in re.findall(r'<th scope="row">Called</th>(.*?)</tr>', page, re.DOTALL):
        for cell in re.findall(r"<td>(.*?)</td>", row, re.DOTALL):
            names = [n.lower() for n in re.findall(r"“([^”]*)”", cell)]
            assert len(names) == len(set(names)), names


# ---------------------------------------------------------------- in a real browser


def chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess:
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={user_data}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def browser() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must render the report in a real browser: apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
    return CHROMIUM


# Boxes of what must not overlap, measured by the browser: per chart its texts and bars (and every text
# inside the drawing), per table of sources its header cells' contents, and the position cards.
GEOMETRY_JS = """
addEventListener("load", function () {
  function boxes(el) {
    var r = document.createRange(); r.selectNodeContents(el);
    return Array.prototype.slice.call(r.getClientRects()).filter(function (b) { return b.width > 0 && b.height > 0; });
  }
  function meet(a, b) {
    return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  }
  function clash(group, name, out) {
    for (var i = 0; i < group.length; i++) for (var j = i + 1; j < group.length; j++)
      group[i].rects.forEach(function (a) { group[j].rects.forEach(function (b) {
        if (meet(a, b)) out.push(name + ": " + group[i].text + " / " + group[j].text);
      }); });
  }
  var out = [];
  function box(el) { return el.getBoundingClientRect(); }
  document.querySelectorAll("svg.chart").forEach(function (svg) {
    var frame = box(svg), group = [];
    svg.querySelectorAll("text").forEach(function (t) {
      var b = box(t);
      if (b.left < frame.left - 0.5 || b.right > frame.right + 0.5) out.push("clipped: " + t.textContent);
      group.push({text: t.textContent, rects: [b]});
    });
    svg.querySelectorAll(":scope > a, :scope > g").forEach(function (row) {
      var bars = Array.prototype.map.call(row.querySelectorAll(".bar"), box);
      group.push({text: "bar of " + row.textContent.trim(), rects: bars});
    });
    clash(group, "chart", out);
  });
  document.querySelectorAll("table.side thead tr, .positions, ul.legend").forEach(function (row) {
    var group = [];
    Array.prototype.forEach.call(row.children, function (c) {
      group.push({text: c.textContent.trim().slice(0, 40), rects: boxes(c)});
    });
    clash(group, row.className || row.tagName, out);
  });
  var pre = document.createElement("pre"); pre.id = "overlaps"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
"""

# Everything painted white except what must not overlap: texts of charts and headers in red, bars and every
# other column's header in blue, multiplied; where a red and a blue shape meet the pixels turn black.
PIXEL_CSS = """
*, *::before, *::after { color: transparent !important; background: transparent !important;
  border-color: transparent !important; text-decoration-color: transparent !important; box-shadow: none !important; }
html, body { background: #fff !important; }
section.source, section.question, #overview { display: none !important; }
svg.chart * { fill: transparent !important; stroke: transparent !important; }
svg.chart text, svg.chart tspan { fill: #f00 !important; }
svg.chart text { mix-blend-mode: multiply; }
svg.chart .bar { fill: #00f !important; stroke: #00f !important; fill-opacity: 1 !important; mix-blend-mode: multiply; }
table.side thead th:nth-child(odd) .head, table.side thead th:nth-child(odd) .head * { color: #f00 !important; }
table.side thead th:nth-child(even) .head, table.side thead th:nth-child(even) .head * { color: #00f !important; }
table.side thead .head { mix-blend-mode: multiply; }
"""


HEIGHT_JS = """addEventListener("load", function () {
  var pre = document.createElement("pre"); pre.id = "height"; pre.textContent = document.documentElement.scrollHeight;
  document.body.appendChild(pre);
});"""


def _injected(report: Path, folder: Path, name: str, css: str = "", js: str = "") -> str:
    page = report.read_text(encoding="utf-8").replace("</head>", f"<style>{css}</style><script>{js}</script></head>", 1)
    copy = folder / name
    copy.write_text(page, encoding="utf-8")
    return copy.resolve().as_uri()


@pytest.mark.model
def test_report_renders_in_headless_chromium(browser: Path, report_html: Path, seeds_kb: Path, tmp_path: Path) -> None:
    dom = chromium("--dump-dom", report_html.resolve().as_uri(), user_data=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    out = dom.stdout
    assert 'data-ready="1"' in out  # the inline script ran
    for name in ("Hamstring stretch", "Knee-to-chest stretch"):
        assert name in out
    assert "<svg" in out
    # the advice section, with a section per question some source answers
    (n_questions,) = kb_rows(seeds_kb, "SELECT count(DISTINCT question) FROM positions")[0]
    advice = out[out.index('id="advice"'):out.index('id="exercises"')]
    assert advice.count('<section class="question"') == n_questions
    # source labels match the file names
    shown = sorted(re.findall(r'<section class="source" id="src-([^"]+)"', out))
    paths = sorted(p for (p,) in kb_rows(seeds_kb, "SELECT path FROM sources"))
    assert len(shown) == len(paths) and all(p.startswith(label + "_") for label, p in zip(shown, paths, strict=True))
    # badge states: every conflict open on the seeds' KB
    assert re.findall(r'<span class="verdict ([a-z]+)" data-status="([a-z-]+)"', out)
    assert all(s == "open" and st == "open" for s, st in re.findall(r'<span class="verdict ([a-z]+)" '
                                                                   r'data-status="([a-z-]+)"', out))


@pytest.mark.model
def test_badges_in_the_browser_follow_the_verdicts(browser: Path, seeds_kb: Path, tmp_path: Path) -> None:
    kb = reviewed_kb(seeds_kb, tmp_path, {"reps": ("prefer-a", None), "polarity": ("not-a-conflict", None)})
    report = write_report(kb, tmp_path / "r.html").path
    out = chromium("--dump-dom", report.resolve().as_uri(), user_data=tmp_path / "profile").stdout
    states = dict((st, s) for s, st in re.findall(r'<span class="verdict ([a-z]+)" data-status="([a-z-]+)"', out))
    assert states == {"prefer-a": "decided", "not-a-conflict": "dismissed", "open": "open"}
    assert re.search(r'<tr class="decided">', out) and re.search(r'<tr class="dismissed">', out)


@pytest.mark.model
@pytest.mark.parametrize("width", WIDTHS)
def test_no_labels_overlap_in_the_browser(browser: Path, report_html: Path, tmp_path: Path, width: int) -> None:
    url = _injected(report_html, tmp_path, "geometry.html", js=GEOMETRY_JS)
    out = chromium("--dump-dom", f"--window-size={width},1200", url, user_data=tmp_path / "profile").stdout
    found = re.search(r'<pre id="overlaps">(.*?)</pre>', out, re.DOTALL)
    assert found, out[-500:]
    assert json.loads(html.unescape(found.group(1))) == []


@pytest.mark.model
@pytest.mark.parametrize("width", WIDTHS)
def test_a_pixel_check_of_the_screenshot_shows_no_overlap(browser: Path, report_html: Path, tmp_path: Path,
                                                          width: int) -> None:
    from PIL import Image

    shot = tmp_path / f"shot-{width}.png"
    url = _injected(report_html, tmp_path, "pixels.html", css=PIXEL_CSS, js=HEIGHT_JS)
    dom = chromium("--dump-dom", f"--window-size={width},1200", url, user_data=tmp_path / "profile").stdout
    height = int(re.search(r'<pre id="height">(\d+)</pre>', dom).group(1))  # the whole page, in one shot
    result = chromium(f"--screenshot={shot}", f"--window-size={width},{height}", url, user_data=tmp_path / "profile")
    assert result.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert any(r > 200 and g < 60 and b < 60 for _n, (r, g, b) in colours)  # the labels were painted
    assert any(b > 200 and r < 60 and g < 60 for _n, (r, g, b) in colours)  # and the bars
    dark = sum(n for n, (r, g, b) in colours if r < 90 and b < 90)
    assert dark == 0, f"{dark} pixels where a label meets another label or a bar"

    normal = tmp_path / f"report-{width}.png"
    assert chromium(f"--screenshot={normal}", f"--window-size={width},2000", report_html.resolve().as_uri(),
                    user_data=tmp_path / "profile-2").returncode == 0
    assert normal.stat().st_size > 10_000


# ---------------------------------------------------------------- the CLI


@pytest.mark.model
def test_cli_report_finds_the_quotes_without_raw(seeds_kb: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--kb", str(seeds_kb), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and str(out) in result.output
