"""Stage 6a: one HTML page a reviewer opens in any browser, with no server and no network.

Editors would rather look than read SQL output. The page shows, per typed advice question (rest or
keep moving, heat or cold first, …), every source's position side by side with its quotes; per
exercise (recommended ones first, those sources only warn against set apart) what each source
says side by side, every dose as a range bar on an axis the sources share (so disagreement shows at
a glance), and each conflict with every source on each side, its quote and the reviewer's verdict.
Every quote links to its place in the article, embedded below with the cited span marked, and each
source lists what cleaning removed and why. Source labels are the first part of the file names.

The page is built from jinja2 templates (``templates/*.j2``) with autoescape on, because the articles
are scraped web pages and may hold markup of their own; CSS and JS are inlined from ``templates/``
and charts are inline SVG, so the page is self-contained. What the page shows is read by
``report_data``; the charts' geometry is ``report_charts``. This module turns both into the plain
records the templates draw: quotes are cited (and so anchored) first, the marked texts made last.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipeline import config
from pipeline.positions import questions
from pipeline.report_charts import chart, dose_text
from pipeline.report_data import Marks, ReportData, Source, load, marked_text
from pipeline.vocab import AVOID, DOSE_ATTRIBUTES, DROPPED_REASONS, EXTRACTED_FORMATS, OPEN, SOURCE_OK

TEMPLATES = config.PACKAGE / "templates"
DISMISSED = "not-a-conflict"
POSITION_ORDER = ("for", "bounded", "against", "mixed", "conditional", "unstated")


@dataclass(frozen=True)
class Written:
    """A written report: its path, how many quotes it cites and how many of them were not found."""

    path: Path
    quotes: int
    unplaced: int
    raw_note: str  # why quotes were not found (the first source's reason), or ""


@dataclass(frozen=True)
class Quote:
    """A quote linked into its article (``href`` None: not found), its ConText trigger apart."""

    before: str
    cue: str
    after: str
    href: str | None


def anchor_id(value: str) -> str:
    """A safe HTML id from a KB key (ids are slugs already; this only guards the page)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)


def state(status: str | None) -> str:
    """The badge state of a status: ``open`` (red), ``dismissed`` (grey) or ``decided`` (green)."""
    status = status or OPEN
    return "open" if status == OPEN else "dismissed" if status == DISMISSED else "decided"


def _group(rows: Iterable[dict[str, Any]], *keys: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        grouped[r[keys[0]] if len(keys) == 1 else tuple(r[k] for k in keys)].append(r)
    return grouped


class _Page:
    """Builds the records the templates draw, citing every quote it shows in ``marks``."""

    def __init__(self, data: ReportData) -> None:
        self.data, self.marks = data, Marks(data.sources)
        self.names = {e["exercise_id"]: e["name"] for e in data.exercises}

    def source(self, source_id: str) -> Source | None:
        return self.data.sources.get(source_id)

    def quote(self, source_id: str, start: int | None, end: int | None, text: str, kind: str,
              cue: tuple[int | None, int | None] = (None, None)) -> Quote:
        href = self.marks.cite(source_id, start, end, text, kind)
        if cue[0] is None or cue[1] is None or start is None:
            return Quote(text, "", "", href)
        a, b = cue[0] - start, cue[1] - start
        return Quote(text[:a], text[a:b], text[b:], href)

    # -------------------------------------------------------------- conflicts

    def conflict(self, c: dict[str, Any]) -> dict[str, Any]:
        sides: dict[str, list[dict[str, Any]]] = {"a": [], "b": []}
        for s in self.data.sides.get(c["conflict_id"], []):
            sides[s["side"]].append({
                "source": self.source(s["source_id"]), "source_id": s["source_id"], "value": s["value"],
                "quote": self.quote(s["source_id"], s["char_start"], s["char_end"], s["evidence"] or "", "conflict",
                                    (s["cue_start"], s["cue_end"]))})
        about = self.names.get(c["exercise_id"], "Advice") if c["exercise_id"] else "Advice"
        return {**c, "anchor": anchor_id(c["conflict_id"]), "about": about, "status": c["status"] or OPEN,
                "state": state(c["status"]), "sides": sides}

    # -------------------------------------------------------------- advice

    def advice(self, conflicts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """One record per typed question some source speaks to: the positions side by side, its conflicts."""
        rows = _group(self.data.position_rows, "source_id", "question")
        by_question = _group(self.data.positions, "question")
        out = []
        for q in questions():
            held = sorted(by_question.get(q.name, []), key=lambda p: (POSITION_ORDER.index(p["position"])
                                                                      if p["position"] in POSITION_ORDER else 9,
                                                                      p["source_id"]))
            if not held:
                continue
            positions = [{**p, "source": self.source(p["source_id"]), "rows": [
                {**r, "quote": self.quote(r["source_id"], r["char_start"], r["char_end"], r["evidence"], "advice")}
                for r in rows.get((p["source_id"], q.name), [])]} for p in held]
            out.append({"name": q.name, "ask": q.ask, "label": q.label, "conflicts_possible": q.conflicts,
                        "positions": positions, "conflicts": [c for c in conflicts if c.get("question") == q.name]})
        return out

    # -------------------------------------------------------------- exercises

    def exercise(self, ex: dict[str, Any], conflicts: Sequence[dict[str, Any]]) -> dict[str, Any]:
        ex_id = ex["exercise_id"]
        mentions = [m for m in self.data.mentions if m["exercise_id"] == ex_id]
        source_ids = sorted({m["source_id"] for m in mentions})
        doses = [d for d in self.data.dosages if d["exercise_id"] == ex_id]
        own = [c for c in conflicts if c["exercise_id"] == ex_id]
        n_open = sum(1 for c in own if c["state"] == "open")
        return {**ex, "anchor": anchor_id(ex_id), "avoided": not any(m["polarity"] != AVOID for m in mentions),
                "columns": [{"source": self.source(s), "source_id": s} for s in source_ids],
                "facets": self.facets(source_ids, mentions, doses, ex_id),
                "charts": self.charts(doses, {c["topic"] for c in own}), "conflicts": own,
                "flag": {"n": len(own), "open": n_open, "state": "open" if n_open else "decided"} if own else None}

    def facets(self, source_ids: Sequence[str], mentions: Sequence[dict[str, Any]],
               doses: Sequence[dict[str, Any]], ex_id: str) -> list[dict[str, Any]]:
        """The rows of the sources-side-by-side table: what each says, what it calls it, its doses, its steps."""
        by_source = _group(mentions, "source_id")
        by_dose = _group(doses, "source_id", "attribute")
        steps = _group((s for s in self.data.steps if s["exercise_id"] == ex_id), "source_id")

        def called(sid: str) -> list[dict[str, Any]]:
            names: dict[str, dict[str, Any]] = {}
            for m in by_source.get(sid, []):
                key = " ".join(m["surface"].lower().split())
                if key in names:
                    names[key]["times"] += 1
                else:
                    names[key] = {"times": 1, "quote": self.quote(sid, m["char_start"], m["char_end"], m["surface"],
                                                                   "mention")}
            return list(names.values())

        def dosed(attrs: Sequence[str]) -> list[list[dict[str, Any]]]:
            return [[{"text": dose_text(d), "quote": self.quote(sid, d["char_start"], d["char_end"], d["evidence"],
                                                                 "dose")}
                     for a in attrs for d in by_dose.get((sid, a), [])] for sid in source_ids]

        by_facet: dict[str, list[str]] = defaultdict(list)
        for a in DOSE_ATTRIBUTES.values():
            by_facet[a.facet].append(a.name)
        rows = [{"name": "Says", "kind": "says",
                 "cells": [sorted({m["polarity"] for m in by_source.get(s, [])}) for s in source_ids]},
                {"name": "Called", "kind": "called", "cells": [called(s) for s in source_ids]},
                *({"name": facet, "kind": "doses", "cells": dosed(attrs)} for facet, attrs in by_facet.items()),
                {"name": "Steps", "kind": "steps", "cells": [
                    [{"no": st["step_no"], "quote": self.quote(s, st["char_start"], st["char_end"], st["evidence"],
                                                                "step")} for st in steps.get(s, [])]
                    for s in source_ids]}]
        return [r for r in rows if any(r["cells"])]

    def charts(self, doses: Sequence[dict[str, Any]], disputed: set[str]) -> list[Any]:
        by_attribute = _group(doses, "attribute")
        order = [*DOSE_ATTRIBUTES, *sorted(set(by_attribute) - set(DOSE_ATTRIBUTES))]
        out = []
        for a in (a for a in order if a in by_attribute):
            rows = []
            for d in by_attribute[a]:
                source = self.source(d["source_id"])
                href = self.marks.cite(d["source_id"], d["char_start"], d["char_end"], d["evidence"], "dose")
                rows.append((d, source.label if source else d["source_id"], source.colour if source else "#888", href))
            out.append(chart(a, rows, a in disputed))
        return out

    # -------------------------------------------------------------- sources

    def noise(self, source: Source, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """What cleaning removed from one article; identical stretches share a row with a link to each."""
        counts: dict[str, int] = defaultdict(int)
        same: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            counts[r["reason"]] += 1
            same[(r["reason"], r["text"])].append(r)
        groups = []
        for (reason, text), group in same.items():
            hrefs = [self.marks.cite(source.source_id, r["char_start"], r["char_end"], r["text"], "dropped")
                     for r in group]
            groups.append({"reason": reason, "why": DROPPED_REASONS.get(reason, ""), "hrefs": hrefs,
                           "text": text if len(text) <= 300 else text[:299] + "…"})
        return {"n": len(rows), "counts": sorted(counts.items()), "groups": groups}

    def source_card(self, source: Source, dropped: Sequence[dict[str, Any]]) -> dict[str, Any]:
        return {"source": source, "noise": self.noise(source, dropped),
                "extracted": source.row.get("format") in EXTRACTED_FORMATS}


@cache
def _env() -> Environment:
    """The templates, autoescaped; the CSS and JS are our own files, inlined as they are."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["assets"] = {name: Markup((TEMPLATES / name).read_text(encoding="utf-8"))
                             for name in ("report.css", "report.js")}
    return env


def render(data: ReportData) -> tuple[str, Marks]:
    """The whole page, and the marks of every quote it cites (their counts say how many were not found)."""
    page = _Page(data)
    conflicts = [page.conflict(c) for c in data.conflicts]
    advice = page.advice(conflicts)
    exercises = [page.exercise(e, conflicts) for e in data.exercises]
    dropped = _group(data.dropped, "source_id")
    sources = [page.source_card(s, dropped.get(sid, [])) for sid, s in data.sources.items()]
    for card in sources:  # last: every quote has registered its anchor by now
        s = card["source"]
        card["text"] = Markup(marked_text(s.raw, page.marks.spans.get(s.source_id, {}))) if s.raw else None
    html = _env().get_template("report.html.j2").render(
        kb_name=data.kb.name, conflicts=conflicts, advice=advice, sources=sources,
        recommended=[e for e in exercises if not e["avoided"]], avoided=[e for e in exercises if e["avoided"]],
        n_ok=sum(1 for s in data.sources.values() if s.row["status"] == SOURCE_OK),
        n_open=sum(1 for c in conflicts if c["state"] == "open"), legend=list(data.sources.values()))
    return html, page.marks


def write_report(kb: Path, out: Path, raw_dir: Path | None = None) -> Written:
    """Write the report for ``kb`` to ``out``; quotes link into the KB's stored texts, or the articles of
    ``raw_dir`` (default: the folder the KB was built from)."""
    data = load(kb, raw_dir)
    html, marks = render(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    note = next((s.raw_note for s in data.sources.values() if s.raw is None and s.row["status"] == SOURCE_OK), "")
    return Written(out, marks.cited, marks.unplaced, note)
