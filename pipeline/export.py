"""Stage 6b: the KB in formats other tools read — Parquet or CSV tables, and schema.org JSON-LD.

Tables are written by DuckDB's own ``COPY … TO``, one file per contract view, so the columns and types
are the contract's and no Arrow library is needed. JSON-LD describes each exercise as a schema.org
``ExercisePlan``: a summary over all sources (the widest range any source gives) and, under
``hasPart``, one plan per source with that source's own numbers and steps, so nothing the sources
disagree on is averaged away.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from pipeline.errors import UserError
from pipeline.kb import CONTRACT_VIEWS, connect_read_only
from pipeline.vocab import AVOID, DOSE_ATTRIBUTES, FREQUENCY_ATTRIBUTES

FORMATS = ("parquet", "csv", "jsonld")
SCHEMA = "https://schema.org"


def export(kb: Path, fmt: str, out: Path) -> list[Path]:
    """Write the KB in ``fmt`` into the folder ``out``; return the files written."""
    if fmt not in FORMATS:
        raise UserError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    out.mkdir(parents=True, exist_ok=True)
    con = connect_read_only(kb)
    try:
        return export_jsonld(con, out) if fmt == "jsonld" else export_tables(con, fmt, out)
    finally:
        con.close()


def export_tables(con: duckdb.DuckDBPyConnection, fmt: str, out: Path) -> list[Path]:
    """Every contract view as ``out/<view>.<fmt>``, written by DuckDB."""
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
    written = []
    for view in CONTRACT_VIEWS:
        path = out / f"{view}.{fmt}"
        target = str(path).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM {view}) TO '{target}' ({options})")
        written.append(path)
    return written


# ---------------------------------------------------------------- JSON-LD


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _number(x: float) -> int | float:
    """``20.0`` → ``20`` so JSON shows counts as integers."""
    return int(x) if float(x).is_integer() else x


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration: ``20`` → ``PT20S``, ``90`` → ``PT1M30S``, ``2.5`` → ``PT2.5S``."""
    minutes, rest = divmod(seconds, 60)
    return "PT" + (f"{int(minutes)}M" if minutes else "") + (f"{_number(rest)}S" if rest or not minutes else "")


def span(doses: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    """The widest range the doses give: the lowest lower end and the highest upper end.

    An open end stays open: if any dose is "up to 10" the summary has no lower bound.
    """
    lows = [d["min_value"] for d in doses]
    highs = [d["max_value"] for d in doses]
    return (None if None in lows else min(lows), None if None in highs else max(highs))


def quantity(lo: float | None, hi: float | None, unit_code: str | None = None, unit_text: str | None = None) -> dict:
    """A schema.org ``QuantitativeValue`` with whichever ends are known."""
    value: dict[str, Any] = {"@type": "QuantitativeValue"}
    if lo is not None:
        value["minValue"] = _number(lo)
    if hi is not None:
        value["maxValue"] = _number(hi)
    if unit_code:
        value["unitCode"] = unit_code
    if unit_text:
        value["unitText"] = unit_text
    return value


def duration(doses: list[dict[str, Any]]) -> str | dict:
    """``activityDuration``: ``PT20S`` for one value, else a range of seconds (UN/CEFACT code SEC).

    "per side" is said only when every dose is per side; a summary mixing both keeps the numbers only.
    """
    lo, hi = span(doses)
    if lo is not None and lo == hi:
        return iso_duration(lo)
    return quantity(lo, hi, "SEC", "seconds" + (" per side" if all(d["per_side"] for d in doses) else ""))


def repetitions(doses: list[dict[str, Any]]) -> dict:
    lo, hi = span(doses)
    return quantity(lo, hi, None, "per side" if all(d["per_side"] for d in doses) else None)


def frequency(doses: list[dict[str, Any]], attribute: str) -> str:
    """``activityFrequency`` as text: ``2 times per day``, ``1–2 times per day``, ``up to 3 times per week``."""
    lo, hi = span(doses)
    if lo is not None and hi is not None:
        count = f"{_number(lo)}" if lo == hi else f"{_number(lo)}–{_number(hi)}"
        plural = "" if lo == hi == 1 else "s"
    elif hi is not None:
        count, plural = f"up to {_number(hi)}", "s"
    else:
        count, plural = f"at least {_number(lo)}", "s"
    return f"{count} time{plural} per {DOSE_ATTRIBUTES[attribute].period}"


def plan_fields(doses: list[dict[str, Any]], steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The ExercisePlan properties for some doses and one source's steps."""
    by_attr: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in doses:
        by_attr[d["attribute"]].append(d)
    fields: dict[str, Any] = {}
    if by_attr.get("hold_s"):
        fields["activityDuration"] = duration(by_attr["hold_s"])
    if by_attr.get("reps"):
        fields["repetitions"] = repetitions(by_attr["reps"])
    frequencies = [frequency(by_attr[a], a) for a in FREQUENCY_ATTRIBUTES if by_attr.get(a)]
    if frequencies:
        fields["activityFrequency"] = "; ".join(frequencies)
    if by_attr.get("sets"):
        fields["workload"] = repetitions(by_attr["sets"]) | {"unitText": "sets"}
    if steps:
        fields["step"] = [{"@type": "HowToStep", "position": i, "text": s["evidence"].strip()}
                          for i, s in enumerate(sorted(steps, key=lambda s: s["step_no"]), start=1)]
    return fields


def source_ref(source: dict[str, Any]) -> dict[str, Any]:
    """A source as a schema.org ``CreativeWork`` the plan ``isBasedOn``."""
    return {"@type": "CreativeWork", "identifier": source["source_id"], "name": source["title"] or source["path"],
            "contentUrl": source["path"]}


def exercise_plan(ex: dict[str, Any], mentions: list[dict], steps: list[dict], doses: list[dict],
                  sources: dict[str, dict]) -> dict[str, Any]:
    """One exercise as an ``ExercisePlan``: a summary over sources and one part per source.

    The summary's steps are those of the source that gives the most steps; ``warning`` quotes every
    source that says to avoid the exercise.
    """
    source_ids = sorted({m["source_id"] for m in mentions})
    steps_of = {sid: [s for s in steps if s["source_id"] == sid] for sid in source_ids}
    fullest = max(source_ids, key=lambda sid: len(steps_of[sid]), default=None)  # the first on a tie
    plan: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "ExercisePlan",
        "identifier": ex["exercise_id"],
        "name": ex["name"],
        "alternateName": list(ex["aliases"] or []),
        **plan_fields(doses, steps_of.get(fullest, [])),
        "isBasedOn": [source_ref(sources[sid]) for sid in source_ids if sid in sources],
    }
    avoid: dict[str, list[str]] = defaultdict(list)
    for m in mentions:
        if m["polarity"] == AVOID and m["source_id"] in sources and m["surface"] not in avoid[m["source_id"]]:
            avoid[m["source_id"]].append(m["surface"])
    warnings = [f"{sources[sid]['title'] or sid} advises against it: " + ", ".join(f"“{q}”" for q in quotes)
                for sid, quotes in avoid.items()]
    if warnings:
        plan["warning"] = warnings
    plan["hasPart"] = [
        {"@type": "ExercisePlan", "name": f"{ex['name']} ({sources[sid]['title'] or sid})",
         "isBasedOn": source_ref(sources[sid]),
         **plan_fields([d for d in doses if d["source_id"] == sid], steps_of[sid])}
        for sid in source_ids if sid in sources
    ]
    return plan


def _file_name(exercise_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", exercise_id) + ".jsonld"


def export_jsonld(con: duckdb.DuckDBPyConnection, out: Path) -> list[Path]:
    """One ``<exercise_id>.jsonld`` per exercise and an ``index.jsonld`` ItemList pointing to them."""
    sources = {s["source_id"]: s for s in _rows(con, "SELECT * FROM sources")}
    exercises = _rows(con, "SELECT * FROM exercises ORDER BY n_sources DESC, name, exercise_id")
    grouped = {
        view: _group(_rows(con, f"SELECT * FROM {view} ORDER BY source_id, char_start"))
        for view in ("mentions", "steps", "dosages")
    }
    written = []
    items = []
    for i, ex in enumerate(exercises, start=1):
        ex_id = ex["exercise_id"]
        plan = exercise_plan(ex, *(grouped[v].get(ex_id, []) for v in ("mentions", "steps", "dosages")), sources)
        path = out / _file_name(ex_id)
        _write_json(path, plan)
        written.append(path)
        items.append({"@type": "ListItem", "position": i, "name": ex["name"], "identifier": ex_id,
                      "url": path.name})
    index = out / "index.jsonld"
    _write_json(index, {"@context": SCHEMA, "@type": "ItemList", "name": "Exercises for lower-back spasms",
                        "numberOfItems": len(items), "itemListElement": items})
    return [*written, index]


def _group(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        grouped[r["exercise_id"]].append(r)
    return grouped


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
