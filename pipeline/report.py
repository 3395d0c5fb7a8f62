"""Stage 6a: one HTML page a reviewer opens in any browser, with no server and no network.

Editors would rather look than read SQL output. Per exercise (most-cited first) the page puts what each
source says side by side, draws every dose as a range bar on an axis the sources share (so
disagreement shows at a glance), and shows each conflict with both quotes and the reviewer's verdict.
Every quote links to its place in the raw article, embedded below with the cited span marked, and
each source lists what cleaning removed and why.

The page is self-contained on purpose: CSS and JS are inlined from ``templates/``, charts are inline
SVG, and everything taken from the KB or the articles is escaped, because the articles are scraped
web pages and may hold markup of their own. What the page shows is read by ``report_data``.
"""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import config
from pipeline.report_data import Marks, ReportData, Source, load, marked_text
from pipeline.vocab import AVOID, DOSE_ATTRIBUTES, DROPPED_REASONS, EXTRACTED_FORMATS, OPEN, SOURCE_OK

TEMPLATES = config.PACKAGE / "templates"

# ---------------------------------------------------------------- small pieces


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _anchor_id(value: str) -> str:
    """A safe HTML id from a KB key (ids are slugs already; this only guards the page)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)


def _number(x: float) -> str:
    """``20.0`` → ``20``, ``2.5`` → ``2.5``."""
    return f"{x:g}"


def dose_text(d: dict[str, Any]) -> str:
    """A dose as a person writes it: ``5–10 reps``, ``up to 10 s``, ``3 s or more``, ``about 30 s per side``."""
    known = DOSE_ATTRIBUTES.get(d["attribute"])
    unit = known.unit if known else ""
    lo, hi = d["min_value"], d["max_value"]
    if lo is not None and hi is not None:
        value = _number(lo) if lo == hi else f"{_number(lo)}–{_number(hi)}"
    elif hi is not None:
        value = f"up to {_number(hi)}"
    elif lo is not None:
        value = f"{_number(lo)} or more"
    else:
        value = "?"
    text = f"{value} {unit}".strip()
    if d.get("approx"):
        text = "about " + text
    if d.get("per_side"):
        text += " per side"
    return text


def _link(href: str | None, text: str, cls: str = "quote") -> str:
    """A quote linked to its place in the raw article; plain text when it cannot be placed."""
    if href is None:
        return f'<span class="{cls} unplaced" title="not found in the raw article">{esc(text)}</span>'
    return f'<a class="{cls}" href="{href}">{esc(text)}</a>'


def _badge(source: Source | None, source_id: str) -> str:
    if source is None:
        return f'<span class="src">{esc(source_id)}</span>'
    return (f'<a class="src" href="#src-{source.label}" style="--c:{source.colour}" '
            f'title="{esc(source.title)}">{esc(source.label)}</a>')


def _is_open(status: str | None) -> bool:
    """A conflict without a verdict (an older KB may have no status at all)."""
    return (status or OPEN) == OPEN


def _state(status: str | None) -> str:
    return "open" if _is_open(status) else "decided"


def _status(status: str | None) -> str:
    return f'<span class="verdict {_state(status)}">{esc(status or OPEN)}</span>'


def _group(rows: Iterable[dict[str, Any]], *keys: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        grouped[r[keys[0]] if len(keys) == 1 else tuple(r[k] for k in keys)].append(r)
    return grouped


# ---------------------------------------------------------------- dose range bars


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 4, 5 × 10^k at or above ``x``, so the axis end and its middle are round (37 → 40)."""
    if x <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 4, 5, 10) if m * power >= x - 1e-9)


@dataclass(frozen=True)
class Axis:
    """A shared horizontal axis: values 0..``top`` drawn from ``x0`` to ``x1`` pixels."""

    top: float
    x0: float = 150
    x1: float = 400

    def x(self, value: float) -> float:
        return self.x0 + (self.x1 - self.x0) * min(max(value, 0.0), self.top) / self.top


def _axis_for(doses: Sequence[dict[str, Any]]) -> Axis:
    values = [v for d in doses for v in (d["min_value"], d["max_value"]) if v is not None]
    top = max(values, default=1.0)
    open_ended = any(d["max_value"] is None for d in doses)
    return Axis(nice_ceiling(top * (1.5 if open_ended else 1.1)))


def _bar(d: dict[str, Any], axis: Axis, y: float, colour: str) -> str:
    """One source's range: solid between known ends, faded with an arrowhead towards an open end."""
    lo, hi, h = d["min_value"], d["max_value"], 12
    dash = ' stroke-dasharray="3 2"' if d.get("approx") else ""
    if lo is not None and hi is not None:
        x_lo, x_hi = axis.x(lo), axis.x(hi)
        if x_hi - x_lo < 6:  # a single value: a diamond on the axis
            cx, cy = (x_lo + x_hi) / 2, y + h / 2
            return (f'<polygon class="point" points="{cx - 6},{cy} {cx},{cy - 7} {cx + 6},{cy} {cx},{cy + 7}" '
                    f'fill="{colour}" stroke="{colour}"{dash}/>')
        return f'<rect x="{x_lo:.1f}" y="{y}" width="{x_hi - x_lo:.1f}" height="{h}" rx="3" fill="{colour}" ' \
               f'stroke="{colour}"{dash}/>'
    if lo is not None:  # "3 or more": open to the right
        return _open_bar(axis.x(lo), axis.x1, y, h, colour, dash)
    if hi is not None:  # "up to 10": open to the left
        return _open_bar(axis.x(hi), axis.x0, y, h, colour, dash)
    return ""


def dose_chart(attribute: str, doses: Sequence[dict[str, Any]], sources: dict[str, Source], marks: Marks,
               conflicted: bool) -> str:
    """An SVG of one attribute: one row per source's dose on one axis, each row linked to its quote."""
    known = DOSE_ATTRIBUTES.get(attribute)
    label, unit = (known.label, known.unit) if known else (attribute, "")
    axis = _axis_for(doses)
    row_h, top_pad = 24, 22
    height = top_pad + row_h * len(doses) + 6
    parts = [f'<svg class="chart" viewBox="0 0 430 {height}" width="430" height="{height}" role="img" '
             f'aria-label="{esc(label)} per source">']
    for frac in (0, 0.5, 1):
        x = axis.x(axis.top * frac)
        parts.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad - 6}" y2="{height - 4}"/>'
                     f'<text class="tick" x="{x:.1f}" y="{top_pad - 9}" text-anchor="middle">'
                     f'{esc(_number(axis.top * frac))}{" " + esc(unit) if frac == 1 else ""}</text>')
    for i, d in enumerate(doses):
        source = sources.get(d["source_id"])
        colour = source.colour if source else "#888"
        y = top_pad + i * row_h + 4
        href = marks.cite(d["source_id"], d["char_start"], d["char_end"], d["evidence"], "dose")
        row = (f'<title>{esc(source.label if source else d["source_id"])}: {esc(dose_text(d))} — '
               f'“{esc(d["evidence"])}”</title>'
               f'<text class="lab" x="4" y="{y + 10}"><tspan fill="{colour}" font-weight="bold">'
               f'{esc(source.label if source else "?")}</tspan> {esc(dose_text(d))}</text>{_bar(d, axis, y, colour)}')
        parts.append(f'<a href="{href}">{row}</a>' if href else f"<g>{row}</g>")
    parts.append("</svg>")
    cls = "dose conflicted" if conflicted else "dose"
    flag = ' <span class="flag">sources disagree</span>' if conflicted else ""
    return f'<figure class="{cls}"><figcaption>{esc(label)}{flag}</figcaption>{"".join(parts)}</figure>'


# ---------------------------------------------------------------- exercises


def _side_by_side(ex_id: str, data: ReportData, marks: Marks, source_ids: list[str]) -> str:
    """A table with one column per source and one row per facet, so the same facet lines up across sources."""
    mentions = _group((m for m in data.mentions if m["exercise_id"] == ex_id), "source_id")
    steps = _group((s for s in data.steps if s["exercise_id"] == ex_id), "source_id")
    doses = _group((d for d in data.dosages if d["exercise_id"] == ex_id), "source_id", "attribute")

    def stance(sid: str) -> str:
        polarities = sorted({m["polarity"] for m in mentions.get(sid, [])})
        return " ".join(f'<span class="pol {esc(p)}">{esc(p)}</span>' for p in polarities)

    def called(sid: str) -> str:
        return ", ".join(_link(marks.cite(sid, m["char_start"], m["char_end"], m["surface"], "mention"), m["surface"])
                         for m in mentions.get(sid, []))

    def dose_cell(attrs: Sequence[str]) -> Callable[[str], str]:
        def quoted(d: dict[str, Any]) -> str:
            href = marks.cite(d["source_id"], d["char_start"], d["char_end"], d["evidence"], "dose")
            return f'{esc(dose_text(d))} <span class="ev">{_link(href, "“" + d["evidence"] + "”")}</span>'

        def cell(sid: str) -> str:
            return "<br>".join(quoted(d) for a in attrs for d in doses.get((sid, a), []))
        return cell

    def step_cell(sid: str) -> str:
        items = "".join(
            f'<li value="{s["step_no"]}">'
            f'{_link(marks.cite(sid, s["char_start"], s["char_end"], s["evidence"], "step"), s["evidence"])}</li>'
            for s in steps.get(sid, []))
        return f"<ol>{items}</ol>" if items else ""

    by_facet: dict[str, list[str]] = defaultdict(list)
    for a in DOSE_ATTRIBUTES.values():
        by_facet[a.facet].append(a.name)
    facets = [("Says", stance), ("Called", called),
              *((facet, dose_cell(attrs)) for facet, attrs in by_facet.items()), ("Steps", step_cell)]
    head = "".join(f'<th style="--c:{data.sources[s].colour if s in data.sources else "#888"}">'
                   f'{_badge(data.sources.get(s), s)} {esc(data.sources[s].title if s in data.sources else s)}</th>'
                   for s in source_ids)
    rows = []
    for name, render in facets:
        cells = [render(s) for s in source_ids]
        if any(cells):
            rows.append(f'<tr><th scope="row">{esc(name)}</th>{"".join(f"<td>{c}</td>" for c in cells)}</tr>')
    return f'<table class="side"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def conflict_card(c: dict[str, Any], data: ReportData, marks: Marks, names: dict[str, str]) -> str:
    """A conflict with both values and quotes, each quote linked into its article, and the verdict."""
    sides = []
    for side in ("a", "b"):
        sid = c[f"source_{side}"]
        source = data.sources.get(sid)
        href = marks.cite(sid, c[f"char_start_{side}"], c[f"char_end_{side}"], c[f"evidence_{side}"], "conflict")
        sides.append(f'<blockquote class="side-{side}" style="--c:{source.colour if source else "#888"}">'
                     f'<p class="who">{_badge(source, sid)} {esc(source.title if source else sid)}</p>'
                     f'<p class="val">{esc(c[f"value_{side}"])}</p>'
                     f'<p>{_link(href, "“" + (c[f"evidence_{side}"] or "") + "”")}</p></blockquote>')
    about = names.get(c["exercise_id"], "Advice") if c["exercise_id"] else "Advice"
    status = c["status"] or OPEN
    state = _state(status)
    note = f'<p class="note"><b>Reviewer’s note:</b> {esc(c["note"])}</p>' if c.get("note") else ""
    return (f'<article class="conflict {state}" id="{_anchor_id(c["conflict_id"])}">'
            f'<header><code>{esc(c["conflict_id"])}</code> <b>{esc(about)}</b> · {esc(c["topic"])} '
            f'<span class="kind">{esc(c["kind"])}</span> {_status(status)}</header>'
            f'<div class="pair">{"".join(sides)}</div>{note}</article>')


def exercise_section(ex: dict[str, Any], data: ReportData, marks: Marks, names: dict[str, str]) -> str:
    """One exercise: aliases, the sources side by side, a range chart per dose attribute, its conflicts."""
    ex_id = ex["exercise_id"]
    source_ids = sorted({m["source_id"] for m in data.mentions if m["exercise_id"] == ex_id})
    doses = _group((d for d in data.dosages if d["exercise_id"] == ex_id), "attribute")
    conflicts = [c for c in data.conflicts if c["exercise_id"] == ex_id]
    disputed = {c["topic"] for c in conflicts}
    charts = "".join(dose_chart(a, doses[a], data.sources, marks, a in disputed)
                     for a in [*DOSE_ATTRIBUTES, *sorted(set(doses) - set(DOSE_ATTRIBUTES))] if a in doses)
    aliases = ", ".join(esc(a) for a in ex.get("aliases") or [])
    n_open = sum(1 for c in conflicts if _is_open(c["status"]))
    flags = f' <span class="flag">{len(conflicts)} conflict{"s" if len(conflicts) != 1 else ""}, {n_open} open</span>' \
        if conflicts else ""
    avoid = any(m["polarity"] == AVOID for m in data.mentions if m["exercise_id"] == ex_id)
    return (f'<section class="exercise{" avoid" if avoid else ""}" id="ex-{_anchor_id(ex_id)}" '
            f'data-exercise="{esc(ex_id)}"><h3>{esc(ex["name"])} <small>{esc(ex_id)}</small>{flags}</h3>'
            f'<p class="meta">{ex["n_sources"]} source{"s" if ex["n_sources"] != 1 else ""}'
            f'{" · also called " + aliases if aliases else ""}</p>'
            f'{_side_by_side(ex_id, data, marks, source_ids)}'
            f'{"<div class=charts>" + charts + "</div>" if charts else ""}'
            f'{"".join(conflict_card(c, data, marks, names) for c in conflicts)}</section>')


# ---------------------------------------------------------------- sources, noise and raw text


def dropped_table(source: Source, rows: Sequence[dict[str, Any]], marks: Marks) -> str:
    """What cleaning removed from one article and why, each stretch linked to where it sat in the raw text.

    Scraped pages repeat their noise (a banner, the title stuffed after every heading), so identical
    stretches share a row with a link to each occurrence.
    """
    if not rows:
        return '<p class="meta">Cleaning removed nothing from this article.</p>'
    counts: dict[str, int] = defaultdict(int)
    same: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        counts[r["reason"]] += 1
        same[(r["reason"], r["text"])].append(r)
    summary = ", ".join(f'{n} <span class="reason">{esc(k)}</span>' for k, n in sorted(counts.items()))
    body = []
    for (reason, text), group in same.items():
        hrefs = [marks.cite(source.source_id, r["char_start"], r["char_end"], r["text"], "dropped") for r in group]
        shown = text if len(text) <= 300 else text[:299] + "…"
        more = " ".join(_link(h, f"#{i}", "noise") for i, h in enumerate(hrefs[1:], start=2))
        times = f' <span class="times">×{len(group)}: {more}</span>' if len(group) > 1 else ""
        body.append(f'<tr><td><span class="reason">{esc(reason)}</span></td>'
                    f'<td class="why">{esc(DROPPED_REASONS.get(reason, ""))}</td>'
                    f'<td>{_link(hrefs[0], shown, "noise")}{times}</td></tr>')
    return (f'<details class="noise" open><summary>Removed as noise: {len(rows)} stretches ({summary})</summary>'
            f'<table><thead><tr><th>reason</th><th>why</th><th>removed text</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></details>')


def origin(source: Source) -> str:
    """Where the article came from, for citing it: "Site · 2023-11-14 · url" (a link), or nothing when unknown."""
    site, published, url = source.origin
    parts = [esc(site) if site else "", esc(published) if published else "",
             f'<a class="url" href="{esc(url)}" rel="noreferrer">{esc(url)}</a>' if url else ""]
    shown = " · ".join(p for p in parts if p)
    return f'<span class="origin">{shown}</span>' if shown else ""


def source_section(source: Source, dropped: Sequence[dict[str, Any]], marks: Marks) -> str:
    """One article: its facts and origin, the dropped noise, and its text with every cited span marked."""
    row = source.row
    where = origin(source)
    fmt = f' ({esc(row["format"])})' if row.get("format") else ""
    head = (f'<section class="source" id="src-{source.label}" style="--c:{source.colour}">'
            f'<h3>{_badge(source, source.source_id)} {esc(source.title)}</h3>'
            + (f'<p class="meta">{where}</p>' if where else "")
            + f'<p class="meta"><code>{esc(row["path"])}</code>{fmt} · {esc(row["status"])} · '
            f'{row["n_chars"]} characters{" · " + esc(row["status_detail"]) if row.get("status_detail") else ""}</p>')
    noise = dropped_table(source, dropped, marks)
    if source.raw is None:
        return f'{head}{noise}<p class="meta">No raw text: {esc(source.raw_note)}.</p></section>'
    text = marked_text(source.raw, marks.spans.get(source.source_id, {}))
    extracted = row.get("format") in EXTRACTED_FORMATS
    what = "Text extracted from the file" if extracted else "Raw article"
    return (f'{head}{noise}<details class="raw"><summary>{what}, cited spans marked, removed noise struck '
            f'through</summary><pre>{text}</pre></details></section>')


# ---------------------------------------------------------------- the page


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _overview(data: ReportData, names: dict[str, str]) -> str:
    """Counts and a table of every conflict, linking to its card."""
    n_open = sum(1 for c in data.conflicts if _is_open(c["status"]))
    rows = "".join(
        f'<tr class="{_state(c["status"])}">'
        f'<td><a href="#{_anchor_id(c["conflict_id"])}"><code>{esc(c["conflict_id"])}</code></a></td>'
        f'<td>{esc(names.get(c["exercise_id"], "Advice") if c["exercise_id"] else "Advice")}</td>'
        f'<td>{esc(c["topic"])}</td><td>{_badge(data.sources.get(c["source_a"]), c["source_a"])} '
        f'{esc(c["value_a"])}</td><td>{_badge(data.sources.get(c["source_b"]), c["source_b"])} {esc(c["value_b"])}</td>'
        f'<td>{_status(c["status"])}</td></tr>' for c in data.conflicts)
    legend = "".join(f'<li>{_badge(s, s.source_id)} {esc(s.title)} <code>{esc(s.row["path"])}</code> {origin(s)}</li>'
                     for s in data.sources.values())
    return (f'<section id="overview"><p class="meta">{len(data.exercises)} exercises from '
            f'{sum(1 for s in data.sources.values() if s.row["status"] == SOURCE_OK)} of {len(data.sources)} sources · '
            f'{len(data.conflicts)} conflicts, {n_open} open</p><ul class="legend">{legend}</ul>'
            f'<h2 id="conflicts">Conflicts</h2>'
            + (f'<table class="overview"><thead><tr><th>id</th><th>exercise</th><th>topic</th><th>A</th><th>B</th>'
               f'<th>verdict</th></tr></thead><tbody>{rows}</tbody></table>' if rows else "<p>No conflicts.</p>")
            + "</section>")


def render(data: ReportData) -> str:
    """The whole page as a string. Raw texts come last, after every quote has registered its anchor."""
    marks = Marks(data.sources)
    names = {e["exercise_id"]: e["name"] for e in data.exercises}
    overview = _overview(data, names)
    exercises = "".join(exercise_section(e, data, marks, names) for e in data.exercises)
    advice = [c for c in data.conflicts if not c["exercise_id"] or c["exercise_id"] not in names]
    advice_html = "".join(conflict_card(c, data, marks, names) for c in advice)
    dropped = _group(data.dropped, "source_id")
    sources = "".join(source_section(s, dropped.get(sid, []), marks) for sid, s in data.sources.items())
    nav = "".join(f'<li><a href="#ex-{_anchor_id(e["exercise_id"])}">{esc(e["name"])}</a> '
                  f'<small>{e["n_sources"]}</small></li>' for e in data.exercises)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>backkb: exercises for lower-back spasms, source by source</title>
<style>{_template("report.css")}</style></head>
<body><header class="top"><h1>Exercises for lower-back spasms, source by source</h1>
<p class="meta">From <code>{esc(data.kb.name)}</code>. Bars share one axis per dose so disagreement shows;
a faded bar with an arrow is open-ended, a dashed outline is approximate. Every quote links to the raw article.</p>
</header>
<nav><b>Exercises</b> (by number of sources)<ol>{nav}</ol>
<a href="#conflicts">Conflicts</a> · <a href="#advice">Advice conflicts</a> · <a href="#sources">Sources</a></nav>
<main>{overview}
<h2 id="exercises">Exercises</h2>{exercises}
<h2 id="advice">Advice conflicts</h2>{advice_html or "<p>None.</p>"}
<h2 id="sources">Sources, removed noise and raw text</h2>{sources}
</main>
<script>{_template("report.js")}</script>
</body></html>
"""


def write_report(kb: Path, out: Path, raw_dir: Path = config.RAW_DIR) -> Path:
    """Write the report for ``kb`` to ``out`` (quotes linked into the articles of ``raw_dir``)."""
    page = render(load(kb, raw_dir))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def _open_bar(x_known: float, x_end: float, y: float, h: float, colour: str, dash: str) -> str:
    """A faded bar from the known bound to the axis end, a stroke at the bound and an arrow at the end."""
    left, width = min(x_known, x_end), abs(x_end - x_known)
    tip = x_end + (9 if x_end > x_known else -9)
    return (f'<rect class="open" x="{left:.1f}" y="{y}" width="{width:.1f}" height="{h}" fill="{colour}" '
            f'fill-opacity="0.3" stroke="{colour}"{dash}/><line x1="{x_known:.1f}" x2="{x_known:.1f}" y1="{y - 2}" '
            f'y2="{y + h + 2}" stroke="{colour}" stroke-width="3"/><polygon points="{x_end},{y - 3} '
            f'{tip},{y + h / 2} {x_end},{y + h + 3}" fill="{colour}"/>')
