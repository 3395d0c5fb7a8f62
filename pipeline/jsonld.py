"""The KB as schema.org JSON-LD: what each source recommends, as that source says it.

A source's advice is the fact, so nothing is summed up across sources: each exercise is an
``ItemList`` of ``ExercisePlan``s, one per source that recommends it, each with only that source's
numbers and ``isBasedOn`` that source. No number is made from two sources' numbers (a summary of
"5–10 in all" and "2–4 per leg" would say "2–10", which nobody wrote).

- Doses: the hold is ``activityDuration`` (an ISO 8601 duration such as ``PT20S`` when the source
  gives one exact value, else a ``QuantitativeValue`` in seconds), repetitions ``repetitions``,
  times per day or week ``activityFrequency``, each a ``QuantitativeValue`` whose ``description``
  says it as a person would ("about 10 s per side") and whose ``additionalProperty`` marks it
  ``approximate`` or ``per side``. Sets, total time and goals, which ExercisePlan has no property
  for, are ``additionalVariable`` texts.
- Steps: the plan ``hasPart`` a ``HowTo`` whose ``step``s are ``HowToStep``s. ``hasPart`` (a
  CreativeWork that is part of this one) is used rather than ``about``: the steps are part of the
  plan, not its subject.
- Reviewers' verdicts: where a reviewer preferred one side of a conflict, the other side's doses
  (or its recommendation, or its warning) are left out. Open conflicts keep both sides.
- Exercises to avoid are not plans: ``avoid.jsonld`` lists them, per source, with the quote.

Only properties schema.org defines for each type are used (tests/test_export.py checks them).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline.report import dose_text
from pipeline.vocab import AVOID, DOSE_ATTRIBUTES, FREQUENCY_ATTRIBUTES

SCHEMA = "https://schema.org"
Row = dict[str, Any]
# The ExercisePlan property each dose attribute goes to; the others become additionalVariable texts.
PROPERTY = {"hold_s": "activityDuration", "reps": "repetitions",
            **{a: "activityFrequency" for a in FREQUENCY_ATTRIBUTES}}
UNITS = {"hold_s": ("SEC", "seconds"), "reps": (None, "repetitions"),
         **{a: (None, f"times per {DOSE_ATTRIBUTES[a].period}") for a in FREQUENCY_ATTRIBUTES}}


def _number(x: float) -> int | float:
    """``20.0`` → ``20`` so JSON shows counts as integers."""
    return int(x) if float(x).is_integer() else x


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration: ``20`` → ``PT20S``, ``90`` → ``PT1M30S``, ``2.5`` → ``PT2.5S``."""
    minutes, rest = divmod(seconds, 60)
    return "PT" + (f"{int(minutes)}M" if minutes else "") + (f"{_number(rest)}S" if rest or not minutes else "")


def _flag(name: str) -> dict[str, Any]:
    return {"@type": "PropertyValue", "name": name, "value": True}


def quantity(dose: Row) -> dict[str, Any]:
    """One dose as a ``QuantitativeValue``: the ends the source gave, its unit, and how it was said."""
    code, text = UNITS[dose["attribute"]]
    lo, hi = dose["min_value"], dose["max_value"]
    value: dict[str, Any] = {"@type": "QuantitativeValue"}
    if lo is not None and lo == hi:
        value["value"] = _number(lo)
    else:
        value |= {k: _number(v) for k, v in (("minValue", lo), ("maxValue", hi)) if v is not None}
    if code:
        value["unitCode"] = code
    value["unitText"] = text
    value["description"] = dose_text(dose)
    flags = [_flag(name) for name, on in (("approximate", dose["approx"]), ("per side", dose["per_side"])) if on]
    if flags:
        value["additionalProperty"] = flags
    return value


def dose_value(dose: Row) -> str | dict[str, Any]:
    """A hold of one exact value is a plain ISO duration; anything else keeps its range and marks."""
    exact = dose["min_value"] is not None and dose["min_value"] == dose["max_value"]
    if dose["attribute"] == "hold_s" and exact and not dose["approx"] and not dose["per_side"]:
        return iso_duration(dose["min_value"])
    return quantity(dose)


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def plan_doses(doses: list[Row]) -> dict[str, Any]:
    """The ExercisePlan properties for one source's doses of one exercise, in the reader's order."""
    by_property: dict[str, list[Any]] = defaultdict(list)
    for d in sorted(doses, key=lambda d: (list(DOSE_ATTRIBUTES).index(d["attribute"]), d["char_start"])):
        prop = PROPERTY.get(d["attribute"])
        if prop:
            by_property[prop].append(dose_value(d))
        else:
            by_property["additionalVariable"].append(f"{DOSE_ATTRIBUTES[d['attribute']].label}: {dose_text(d)}")
    return {prop: _one_or_many(values) for prop, values in by_property.items()}


def how_to(name: str, steps: list[Row]) -> dict[str, Any]:
    ordered = sorted(steps, key=lambda s: (s["char_start"], s["step_no"]))
    return {"@type": "HowTo", "name": f"How to do it: {name}",
            "step": [{"@type": "HowToStep", "position": i, "text": " ".join(s["evidence"].split())}
                     for i, s in enumerate(ordered, start=1)]}


def source_ref(source: Row) -> dict[str, Any]:
    """A source as the ``CreativeWork`` a plan ``isBasedOn``; its raw file is the ``MediaObject`` that
    ``encoding``s it, identified by the sha256 of its bytes."""
    ref: dict[str, Any] = {"@type": "CreativeWork", "identifier": source["source_id"],
                           "name": source["title"] or source["path"]}
    if source.get("url"):
        ref["url"] = source["url"]
    if source.get("published"):
        ref["datePublished"] = str(source["published"])
    if source.get("site_name"):
        ref["publisher"] = {"@type": "Organization", "name": source["site_name"]}
    ref["encoding"] = {"@type": "MediaObject", "name": source["path"],
                       "identifier": {"@type": "PropertyValue", "propertyID": "sha256", "value": source["sha256"]}}
    return ref


@dataclass
class Overruled:
    """What reviewers' verdicts take out: doses by (exercise, source, attribute), and (exercise,
    source) recommendations and warnings."""

    doses: set[tuple[str, str, str]] = field(default_factory=set)
    plans: set[tuple[str, str]] = field(default_factory=set)
    warnings: set[tuple[str, str]] = field(default_factory=set)


def overruled(conflicts: list[Row], mentions: list[Row]) -> Overruled:
    """The side each ``prefer-a``/``prefer-b`` verdict did not prefer (with the sources grouped with it)."""
    by_id = {m["mention_id"]: m for m in mentions}
    out = Overruled()
    for c in conflicts:
        side = {"prefer-a": "b", "prefer-b": "a"}.get(c["status"])
        if side is None or c["exercise_id"] is None:
            continue
        sources = [c[f"source_{side}"], *(c[f"also_{side}"] or [])]
        if c["kind"] == "numeric_disjoint":
            out.doses |= {(c["exercise_id"], s, c["topic"]) for s in sources}
            continue
        mention = by_id.get(c[f"mention_{side}"])  # the mention a polarity side is about
        if c["kind"] == "polarity" and mention is not None:
            target = out.warnings if mention["polarity"] == AVOID else out.plans
            target |= {(mention["exercise_id"], s) for s in sources}
    return out


@dataclass(frozen=True)
class Catalogue:
    """The rows JSON-LD is made from, grouped by (exercise, source)."""

    exercises: list[Row]
    sources: dict[str, Row]
    mentions: dict[tuple[str, str], list[Row]]
    steps: dict[tuple[str, str], list[Row]]
    doses: dict[tuple[str, str], list[Row]]
    overruled: Overruled
    mentioned_by: dict[str, list[str]]  # exercise → the sources that mention it, in source order


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _by_pair(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    grouped: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        grouped[(r["exercise_id"], r["source_id"])].append(r)
    return grouped


def catalogue(con: duckdb.DuckDBPyConnection) -> Catalogue:
    mentions = _rows(con, "SELECT * FROM mentions ORDER BY source_id, char_start")
    sources = {s["source_id"]: s for s in _rows(con, "SELECT * FROM sources")}
    mentioned_by: dict[str, list[str]] = defaultdict(list)
    for m in mentions:  # in source order, so a source already listed is the last one
        listed = mentioned_by[m["exercise_id"]]
        if m["source_id"] in sources and (not listed or listed[-1] != m["source_id"]):
            listed.append(m["source_id"])
    return Catalogue(
        exercises=_rows(con, "SELECT * FROM exercises ORDER BY n_sources DESC, name, exercise_id"),
        sources=sources,
        mentions=_by_pair(mentions),
        steps=_by_pair(_rows(con, "SELECT * FROM steps ORDER BY source_id, char_start")),
        doses=_by_pair(_rows(con, "SELECT * FROM dosages ORDER BY source_id, char_start")),
        overruled=overruled(_rows(con, "SELECT * FROM conflicts"), mentions),
        mentioned_by=mentioned_by,
    )


def says_avoid(cat: Catalogue, exercise_id: str, source_id: str) -> bool:
    """The source advises against the exercise (in any mention of it)."""
    return any(m["polarity"] == AVOID for m in cat.mentions[(exercise_id, source_id)])


def recommends(cat: Catalogue, exercise_id: str, source_id: str) -> bool:
    """The source recommends the exercise and no verdict preferred a source that says to avoid it."""
    return not says_avoid(cat, exercise_id, source_id) and (exercise_id, source_id) not in cat.overruled.plans


def warns(cat: Catalogue, exercise_id: str, source_id: str) -> bool:
    """The source advises against the exercise and no verdict preferred a source that recommends it.
    (An overruled warning is not turned into a recommendation: that source gets neither.)"""
    return says_avoid(cat, exercise_id, source_id) and (exercise_id, source_id) not in cat.overruled.warnings


def exercise_plan(cat: Catalogue, ex: Row, source_id: str) -> dict[str, Any]:
    """What one source recommends for one exercise, as an ``ExercisePlan``."""
    key = (ex["exercise_id"], source_id)
    surfaces = sorted({m["surface"] for m in cat.mentions[key]} - {ex["name"]})
    doses = [d for d in cat.doses.get(key, []) if (*key, d["attribute"]) not in cat.overruled.doses]
    plan: dict[str, Any] = {"@type": "ExercisePlan", "identifier": f"{ex['exercise_id']}/{source_id}",
                            "name": ex["name"]}
    if surfaces:
        plan["alternateName"] = surfaces
    plan |= plan_doses(doses)
    if cat.steps.get(key):
        plan["hasPart"] = how_to(ex["name"], cat.steps[key])
    plan["isBasedOn"] = source_ref(cat.sources[source_id])
    return plan


def exercise_list(cat: Catalogue, ex: Row) -> dict[str, Any] | None:
    """An exercise as an ``ItemList`` of its plans, one per recommending source; ``None`` when no
    source recommends it (it is then only in the avoid list)."""
    ex_id = ex["exercise_id"]
    recommending = [sid for sid in cat.mentioned_by.get(ex_id, []) if recommends(cat, ex_id, sid)]
    if not recommending:
        return None
    plans = [exercise_plan(cat, ex, sid) for sid in recommending]
    doc = {"@context": SCHEMA, "@type": "ItemList", "identifier": ex_id, "name": ex["name"]}
    if ex["aliases"]:
        doc["alternateName"] = list(ex["aliases"])
    return doc | {
        "description": f"What each source recommends for {ex['name']}: one ExercisePlan per source, with that "
                       "source's own numbers and steps.",
        "numberOfItems": len(plans),
        "itemListElement": [{"@type": "ListItem", "position": i, "item": p} for i, p in enumerate(plans, start=1)],
    }


def avoid_list(cat: Catalogue) -> dict[str, Any]:
    """Every (exercise, source) where the source advises against the exercise, with its words."""
    items = []
    for ex in cat.exercises:
        for sid in cat.mentioned_by.get(ex["exercise_id"], []):
            if not warns(cat, ex["exercise_id"], sid):
                continue
            mentions = cat.mentions[(ex["exercise_id"], sid)]
            quotes = list(dict.fromkeys(m["surface"] for m in mentions if m["polarity"] == AVOID))
            items.append({"@type": "PhysicalActivity", "identifier": ex["exercise_id"], "name": ex["name"],
                          "description": "Advised against: " + ", ".join(f"“{q}”" for q in quotes),
                          "subjectOf": source_ref(cat.sources[sid])})
    return {"@context": SCHEMA, "@type": "ItemList", "name": "Exercises the sources advise against",
            "description": "One entry per exercise and source that says to avoid it; these are not published "
                           "as ExercisePlans.",
            "numberOfItems": len(items),
            "itemListElement": [{"@type": "ListItem", "position": i, "item": item}
                                for i, item in enumerate(items, start=1)]}


def file_name(exercise_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", exercise_id) + ".jsonld"


def export_jsonld(con: duckdb.DuckDBPyConnection, out: Path) -> list[Path]:
    """``<exercise_id>.jsonld`` per recommended exercise, ``index.jsonld`` (an ItemList of them) and
    ``avoid.jsonld``."""
    cat = catalogue(con)
    written, entries = [], []
    for ex in cat.exercises:
        doc = exercise_list(cat, ex)
        if doc is None:
            continue
        path = out / file_name(ex["exercise_id"])
        write_json(path, doc)
        written.append(path)
        entries.append({"@type": "ListItem", "position": len(entries) + 1, "name": ex["name"],
                        "identifier": ex["exercise_id"], "url": path.name})
    index, avoid = out / "index.jsonld", out / "avoid.jsonld"
    write_json(index, {"@context": SCHEMA, "@type": "ItemList", "name": "Exercises for lower-back spasms",
                       "description": f"Each exercise some source recommends; those to avoid are in {avoid.name}.",
                       "numberOfItems": len(entries), "itemListElement": entries})
    write_json(avoid, avoid_list(cat))
    return [*written, index, avoid]


def write_json(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
