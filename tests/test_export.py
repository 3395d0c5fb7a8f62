"""``export``: every view as Parquet and CSV that other tools read back, and JSON-LD that is valid schema.org.

The schema.org check walks every node of every exported document and holds each property against
the table below: the properties schema.org defines for the type (its own and those it inherits, from
the type's page on schema.org, cut to those a plan could plausibly use) and the types a property's
value may have. A property not in the table fails the test, so the table grows only by looking a
property up.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import ROOT
from pipeline.errors import UserError
from pipeline.export import export
from pipeline.jsonld import iso_duration
from pipeline.queries import run

# ---------------------------------------------------------------- schema.org, as its pages define it

THING = {"additionalType", "alternateName", "description", "disambiguatingDescription", "identifier", "image",
         "mainEntityOfPage", "name", "potentialAction", "sameAs", "subjectOf", "url"}
CREATIVE_WORK = THING | {"about", "abstract", "author", "citation", "creator", "dateCreated", "dateModified",
                         "datePublished", "encoding", "hasPart", "headline", "inLanguage", "isBasedOn", "isPartOf",
                         "keywords", "license", "mainEntity", "position", "publisher", "text"}
MEDICAL_ENTITY = THING | {"code", "funding", "guideline", "legalStatus", "medicineSystem", "recognizingAuthority",
                          "relevantSpecialty", "study"}
PHYSICAL_ACTIVITY = MEDICAL_ENTITY | {"associatedAnatomy", "category", "epidemiology", "pathophysiology"}
ITEM_LIST = THING | {"itemListElement", "itemListOrder", "numberOfItems"}
LIST_ITEM = THING | {"item", "nextItem", "position", "previousItem"}
STRUCTURED_VALUE = THING

PROPERTIES: dict[str, set[str]] = {
    # ExercisePlan is a CreativeWork and a PhysicalActivity (MedicalEntity > LifestyleModification).
    "ExercisePlan": CREATIVE_WORK | PHYSICAL_ACTIVITY | {"activityDuration", "activityFrequency", "additionalVariable",
                                                        "exerciseType", "intensity", "repetitions", "restPeriods",
                                                        "workload"},
    "HowTo": CREATIVE_WORK | {"estimatedCost", "performTime", "prepTime", "step", "supply", "tool", "totalTime",
                              "yield"},
    # HowToStep is a CreativeWork, a ListItem and an ItemList.
    "HowToStep": CREATIVE_WORK | LIST_ITEM | ITEM_LIST,
    "ItemList": ITEM_LIST,
    "ListItem": LIST_ITEM,
    "QuantitativeValue": STRUCTURED_VALUE | {"additionalProperty", "maxValue", "minValue", "unitCode", "unitText",
                                             "value", "valueReference"},
    "PropertyValue": STRUCTURED_VALUE | {"maxValue", "measurementTechnique", "minValue", "propertyID", "unitCode",
                                         "unitText", "value", "valueReference"},
    "CreativeWork": CREATIVE_WORK,
    "MediaObject": CREATIVE_WORK | {"contentSize", "contentUrl", "embedUrl", "encodesCreativeWork", "encodingFormat",
                                    "uploadDate"},
    "Organization": THING | {"address", "email", "legalName", "logo"},
    "PhysicalActivity": PHYSICAL_ACTIVITY,
}
SUBTYPES = {
    "Thing": set(PROPERTIES),
    "CreativeWork": {"CreativeWork", "ExercisePlan", "HowTo", "HowToStep", "MediaObject"},
    "StructuredValue": {"QuantitativeValue", "PropertyValue"},
}
# The types a property's value may have (schema.org's "values expected to be one of these types").
RANGES: dict[str, set[str]] = {
    "activityDuration": {"Duration", "QuantitativeValue"},
    "activityFrequency": {"QuantitativeValue", "Text"},
    "additionalVariable": {"Text"},
    "repetitions": {"Number", "QuantitativeValue"},
    "step": {"CreativeWork", "HowToSection", "HowToStep", "Text"},
    "hasPart": {"CreativeWork"},
    "isBasedOn": {"CreativeWork", "Product", "URL"},
    "encoding": {"MediaObject"},
    "subjectOf": {"CreativeWork", "Event"},
    "itemListElement": {"ListItem", "Text", "Thing"},
    "item": {"Thing"},
    "additionalProperty": {"PropertyValue"},
    "identifier": {"PropertyValue", "Text", "URL"},
    "publisher": {"Organization", "Person"},
    "position": {"Integer", "Text"},
    "numberOfItems": {"Integer"},
    "minValue": {"Number"},
    "maxValue": {"Number"},
    "value": {"Boolean", "Number", "StructuredValue", "Text"},
    "unitCode": {"Text", "URL"},
    "unitText": {"Text"},
    "propertyID": {"Text", "URL"},
    "name": {"Text"},
    "alternateName": {"Text"},
    "description": {"Text"},
    "text": {"Text"},
    "url": {"URL"},
    "datePublished": {"Date", "DateTime"},
}
DATA_TYPES = {
    "Text": lambda v: isinstance(v, str),
    "URL": lambda v: isinstance(v, str),
    "Number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "Duration": lambda v: isinstance(v, str) and re.fullmatch(r"PT(\d+H)?(\d+M)?([\d.]+S)?", v) is not None,
    "Date": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None,
    "DateTime": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T.+", v) is not None,
}


def _fits(value: Any, expected: set[str]) -> bool:
    if isinstance(value, dict):
        kinds = {k for k in expected if value.get("@type") in SUBTYPES.get(k, {k})}
        return bool(kinds)
    return any(DATA_TYPES[k](value) for k in expected if k in DATA_TYPES)


def schema_errors(node: Any, where: str = "$") -> list[str]:
    """Every property used on a type that schema.org does not define for it, or with a value of the
    wrong type."""
    errors: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            errors += schema_errors(item, f"{where}[{i}]")
        return errors
    if not isinstance(node, dict):
        return errors
    kind = node.get("@type")
    if kind not in PROPERTIES:
        return [f"{where}: type {kind!r} is not in the table"]
    for prop, value in node.items():
        if prop.startswith("@"):
            continue
        if prop not in PROPERTIES[kind]:
            errors.append(f"{where}: {kind} has no property {prop!r}")
        elif prop not in RANGES:
            errors.append(f"{where}: {prop!r} has no range in the table")
        else:
            for v in value if isinstance(value, list) else [value]:
                if not _fits(v, RANGES[prop]):
                    errors.append(f"{where}.{prop}: {v!r} is not one of {sorted(RANGES[prop])}")
        errors += schema_errors(value, f"{where}.{prop}")
    return errors


@pytest.mark.parametrize(
    ("node", "error"),
    [
        ({"@type": "ExercisePlan", "step": [{"@type": "HowToStep", "position": 1, "text": "Lie down."}]},
         "ExercisePlan has no property 'step'"),
        ({"@type": "ExercisePlan", "warning": "Do not bounce."}, "ExercisePlan has no property 'warning'"),
        ({"@type": "CreativeWork", "contentUrl": "a.txt"}, "CreativeWork has no property 'contentUrl'"),
        ({"@type": "ExercisePlan", "activityDuration": "10 seconds"}, "is not one of ['Duration'"),
        ({"@type": "ExercisePlan", "workload": {"@type": "QuantitativeValue", "value": 2}}, "has no range"),
    ],
)
def test_the_schema_check_catches_what_the_old_export_did(node: dict, error: str) -> None:
    assert any(error in e for e in schema_errors(node)), schema_errors(node)


# ---------------------------------------------------------------- tables


def kb_rows(kb: Path, sql: str) -> list[tuple]:
    return run(kb, sql).rows


def all_views(kb: Path) -> set[str]:
    return {r[0] for r in kb_rows(kb, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}


@pytest.mark.model
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_view(seeds_kb: Path, tmp_path: Path, fmt: str) -> None:
    files = export(seeds_kb, fmt, tmp_path / fmt)
    assert {p.stem for p in files} == all_views(seeds_kb)
    assert {"relations", "stale_reviews", "exercises", "conflicts"} <= {p.stem for p in files}
    con = duckdb.connect()
    for path in files:
        reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
        (n,) = con.execute(f"SELECT count(*) FROM {reader}(?)", [str(path)]).fetchone()
        assert n == kb_rows(seeds_kb, f"SELECT count(*) FROM {path.stem}")[0][0], path.name
    con.close()


@pytest.mark.model
def test_csv_lists_are_json_arrays(seeds_kb: Path, tmp_path: Path) -> None:
    export(seeds_kb, "csv", tmp_path)
    expected = dict(kb_rows(seeds_kb, "SELECT exercise_id, aliases FROM exercises"))
    with (tmp_path / "exercises.csv").open(encoding="utf-8", newline="") as f:
        got = {r["exercise_id"]: json.loads(r["aliases"]) for r in csv.DictReader(f)}
    assert got == expected
    with (tmp_path / "conflicts.csv").open(encoding="utf-8", newline="") as f:
        assert all(isinstance(json.loads(r["also_a"]), list) for r in csv.DictReader(f))


def test_pyarrow_is_a_dependency() -> None:
    """``pd.read_parquet`` needs pyarrow: installed with the package, not only where someone added it."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(re.match(r"pyarrow\b", d) for d in project["dependencies"])


@pytest.mark.model
def test_pandas_reads_the_parquet(seeds_kb: Path, tmp_path: Path) -> None:
    export(seeds_kb, "parquet", tmp_path)
    df = pd.read_parquet(tmp_path / "exercises.parquet")
    assert len(df) == kb_rows(seeds_kb, "SELECT count(*) FROM exercises")[0][0]
    assert all(len(a) >= 1 for a in df["aliases"])


def test_export_refuses_unknown_format(tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    with pytest.raises(UserError, match="Unknown export format 'xml'"):
        export(kb, "xml", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_export_into_a_file_is_one_sentence(tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    duckdb.connect(str(kb)).close()
    (tmp_path / "taken").write_text("")
    result = CliRunner().invoke(app, ["export", "--format", "csv", "--kb", str(kb), "--out", str(tmp_path / "taken")])
    assert result.exit_code == 1 and "is a file; give a folder" in result.output


# ---------------------------------------------------------------- JSON-LD


@pytest.mark.parametrize(("seconds", "iso"), [(20, "PT20S"), (60, "PT1M"), (90, "PT1M30S"), (2.5, "PT2.5S")])
def test_iso_duration(seconds: float, iso: str) -> None:
    assert iso_duration(seconds) == iso


def jsonld(kb: Path, out: Path) -> dict[str, Any]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in export(kb, "jsonld", out)}


def plans(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [item["item"] for item in doc["itemListElement"]]


def values(plan: dict[str, Any], prop: str) -> list[Any]:
    value = plan.get(prop, [])
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def seeds_jsonld(seeds_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return jsonld(seeds_kb, tmp_path_factory.mktemp("jsonld"))


@pytest.mark.model
def test_every_property_is_schema_org(seeds_jsonld: dict[str, Any]) -> None:
    errors = [f"{name}: {e}" for name, doc in seeds_jsonld.items() for e in schema_errors(doc)]
    assert not errors, "\n".join(errors[:20])
    assert all(doc["@context"] == "https://schema.org" for doc in seeds_jsonld.values())


@pytest.mark.model
def test_one_plan_per_exercise_and_source(seeds_jsonld: dict[str, Any], seeds_kb: Path) -> None:
    docs = {k: v for k, v in seeds_jsonld.items() if k not in ("index", "avoid")}
    index = seeds_jsonld["index"]
    assert [i["url"] for i in index["itemListElement"]] == [f"{k}.jsonld" for k in docs]
    assert [i["position"] for i in index["itemListElement"]] == list(range(1, len(docs) + 1))
    for ex_id, doc in docs.items():
        assert doc["@type"] == "ItemList" and doc["identifier"] == ex_id
        sources = [p["isBasedOn"]["identifier"] for p in plans(doc)]
        assert len(sources) == len(set(sources)) == doc["numberOfItems"] >= 1
        for plan in plans(doc):
            assert plan["@type"] == "ExercisePlan"
            assert plan["identifier"] == f"{ex_id}/{plan['isBasedOn']['identifier']}"
            steps = plan.get("hasPart", {}).get("step", [])
            assert [s["position"] for s in steps] == list(range(1, len(steps) + 1))
            assert all(s["@type"] == "HowToStep" and s["text"] for s in steps)


@pytest.mark.model
def test_numbers_are_each_sources_own(seeds_jsonld: dict[str, Any], seeds_kb: Path) -> None:
    """5–10 reps in one source and 2–4 per leg in another stay two plans; no plan says 2–10."""
    given = {(sid, lo, hi) for sid, lo, hi in kb_rows(
        seeds_kb, "SELECT source_id, min_value, max_value FROM dosages "
                  "WHERE exercise_id = 'hamstring-stretch' AND attribute = 'reps'")}
    assert len({sid for sid, _, _ in given}) >= 2
    exported = set()
    for plan in plans(seeds_jsonld["hamstring-stretch"]):
        for q in values(plan, "repetitions"):
            lo, hi = q.get("minValue", q.get("value")), q.get("maxValue", q.get("value"))
            exported.add((plan["isBasedOn"]["identifier"], lo, hi))
    assert exported == given


@pytest.mark.model
def test_approximate_values_are_marked(seeds_jsonld: dict[str, Any], seeds_kb: Path) -> None:
    approx = kb_rows(seeds_kb, "SELECT exercise_id, source_id, min_value, max_value FROM dosages WHERE approx "
                               "AND attribute = 'hold_s' ORDER BY ALL")
    assert approx
    for ex_id, sid, lo, hi in approx:
        plan = next(p for p in plans(seeds_jsonld[ex_id]) if p["isBasedOn"]["identifier"] == sid)
        durations = [d for d in values(plan, "activityDuration") if isinstance(d, dict)
                     and (d.get("minValue", d.get("value")), d.get("maxValue", d.get("value"))) == (lo, hi)]
        assert durations, plan.get("activityDuration")
        assert {"@type": "PropertyValue", "name": "approximate", "value": True} in durations[0]["additionalProperty"]
        assert durations[0]["description"].startswith("about ")


@pytest.mark.model
def test_exercises_to_avoid_are_listed_apart(seeds_jsonld: dict[str, Any], seeds_kb: Path) -> None:
    avoided = set(kb_rows(seeds_kb, "SELECT DISTINCT exercise_id, source_id FROM mentions WHERE polarity = 'avoid'"))
    assert avoided
    listed = {(i["item"]["identifier"], i["item"]["subjectOf"]["identifier"])
              for i in seeds_jsonld["avoid"]["itemListElement"]}
    assert listed == avoided
    for ex_id, sid in avoided:
        doc = seeds_jsonld.get(ex_id)
        assert doc is None or sid not in {p["isBasedOn"]["identifier"] for p in plans(doc)}


def _with_verdict(seeds_kb: Path, tmp_path: Path, kind: str, verdict: str | None = None,
                  side_of: Any = None) -> tuple[Path, dict]:
    """A copy of the seed KB with a verdict on its first conflict of ``kind`` (``side_of(conflict)``
    picks the preferred side when given)."""
    kb = tmp_path / "kb.duckdb"
    shutil.copy(seeds_kb, kb)
    con = duckdb.connect(str(kb))
    cur = con.execute("SELECT * FROM conflicts WHERE kind = ? ORDER BY conflict_id LIMIT 1", [kind])
    conflict = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    verdict = verdict or (f"prefer-{side_of(con, conflict)}" if side_of else None)
    if verdict:
        con.execute("INSERT INTO src_reviews (conflict_id, verdict, note) VALUES (?, ?, 'checked')",
                    [conflict["conflict_id"], verdict])
    con.close()
    return kb, conflict


@pytest.mark.model
@pytest.mark.parametrize(("verdict", "loser"), [("prefer-a", "b"), ("prefer-b", "a")])
def test_a_dose_verdict_leaves_out_the_other_sides_numbers(seeds_kb: Path, tmp_path: Path, verdict: str,
                                                           loser: str) -> None:
    kb, c = _with_verdict(seeds_kb, tmp_path, "numeric_disjoint", verdict)
    winner = "a" if loser == "b" else "b"
    doc = jsonld(kb, tmp_path / "out")[c["exercise_id"]]
    by_source = {p["isBasedOn"]["identifier"]: p for p in plans(doc)}
    prop = {"reps": "repetitions", "hold_s": "activityDuration"}[c["topic"]]
    assert prop not in by_source[c[f"source_{loser}"]]
    assert prop in by_source[c[f"source_{winner}"]]


def _sides(con: duckdb.DuckDBPyConnection, c: dict) -> dict[str, tuple[str, str, str]]:
    """Per side of a polarity conflict: (polarity, exercise, source) of the mention it quotes."""
    out = {}
    for side in "ab":
        polarity, exercise = con.execute("SELECT polarity, exercise_id FROM mentions WHERE mention_id = ?",
                                         [c[f"mention_{side}"]]).fetchone()
        out[side] = (polarity, exercise, c[f"source_{side}"])
    return out


@pytest.mark.model
@pytest.mark.parametrize("preferred", [None, "avoid", "recommend"])
def test_a_polarity_verdict_is_respected(seeds_kb: Path, tmp_path: Path, preferred: str | None) -> None:
    def side_of(con: duckdb.DuckDBPyConnection, c: dict) -> str:
        return next(s for s, (polarity, _, _) in _sides(con, c).items() if polarity == preferred)

    kb, c = _with_verdict(seeds_kb, tmp_path, "polarity", side_of=side_of if preferred else None)
    con = duckdb.connect(str(kb), read_only=True)
    sides = {polarity: (exercise, source) for polarity, exercise, source in _sides(con, c).values()}
    con.close()
    docs = jsonld(kb, tmp_path / "out")
    warned = {(i["item"]["identifier"], i["item"]["subjectOf"]["identifier"]) for i in docs["avoid"]["itemListElement"]}
    planned = {(d["identifier"], p["isBasedOn"]["identifier"]) for k, d in docs.items() if k not in ("index", "avoid")
               for p in plans(d)}
    assert (sides["avoid"] in warned) == (preferred != "recommend")
    assert (sides["recommend"] in planned) == (preferred != "avoid")
    assert sides["avoid"] not in planned  # an overruled warning does not become a recommendation


@pytest.mark.model
def test_cli_export(seeds_kb: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--format", "csv", "--kb", str(seeds_kb), "--out", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert f"wrote {len(all_views(seeds_kb))} csv files" in result.output
    result = runner.invoke(app, ["export", "--format", "xml", "--kb", str(seeds_kb), "--out", str(tmp_path / "y")])
    assert result.exit_code == 1
    assert "Unknown export format" in result.output and "Traceback" not in result.output
