"""The vocabulary: one list per enumerated value, and every document and data file agrees with it."""

from __future__ import annotations

import re

import duckdb
import pytest

from pipeline import lexicons, vocab
from pipeline.config import ROOT
from pipeline.extract.doses import fields
from pipeline.kb import sql_file
from tests.conftest import SHARED

README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTRACT = SHARED / "kb-contract.md"


def first_table(text: str) -> dict[str, str]:
    """The rows ``| `code` | text |`` of the first table in ``text``."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table: dict[str, str] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        m = re.match(r"^\| `([^`]+)` \| (.*) \|$", line)
        if m:
            table[m.group(1)] = m.group(2)
    return table


def readme_section(heading: str) -> str:
    return README.split(f"### {heading}\n", 1)[1]


def test_readme_lists_the_source_statuses() -> None:
    assert tuple(first_table(readme_section("Files the build will not use"))) == vocab.SOURCE_STATUSES


def test_readme_lists_the_dropped_reasons_with_the_reports_glosses() -> None:
    assert first_table(readme_section("Dropped reasons")) == vocab.DROPPED_REASONS


def test_readme_lists_the_review_verdicts() -> None:
    listed = re.search(r"--verdict\s+([a-z-]+(?:\|[a-z-]+)+)", README).group(1)
    assert tuple(listed.split("|")) == vocab.REVIEW_VERDICTS


@pytest.mark.skipif(not CONTRACT.is_file(), reason="needs ../shared/kb-contract.md")
@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("attribute", tuple(vocab.DOSE_ATTRIBUTES)),
        ("polarity", vocab.POLARITIES),
        ("status", vocab.SOURCE_STATUSES),
    ],
)
def test_the_kb_contract_lists_the_same_values(column: str, values: tuple[str, ...]) -> None:
    """The contract names the statuses every build knows; the project appends its own (README.md lists all)."""
    row = next(line for line in CONTRACT.read_text(encoding="utf-8").splitlines() if line.startswith(f"| {column} |"))
    listed = tuple(re.findall(r"`([^`]+)`", row))
    assert (values[: len(listed)] if column == "status" else values) == listed


@pytest.mark.parametrize("key", vocab.ACCEPTED_VALUES)
def test_value_lists_have_no_repeats(key: str) -> None:
    values = vocab.ACCEPTED_VALUES[key]
    assert values and len(set(values)) == len(values)


def test_every_attribute_reads_as_a_number_of_something() -> None:
    for name, a in vocab.DOSE_ATTRIBUTES.items():
        assert a.name == name and a.label and a.unit and a.conflict_unit and a.facet


def test_frequencies_are_never_per_side() -> None:
    assert all(vocab.DOSE_ATTRIBUTES[a].period for a in vocab.FREQUENCY_ATTRIBUTES)
    assert not vocab.SIDED_ATTRIBUTES & set(vocab.FREQUENCY_ATTRIBUTES)


def test_sets_and_totals_count_the_whole_exercise() -> None:
    assert {"hold_s", "reps", "hold_target_s", "reps_target"} == vocab.SIDED_ATTRIBUTES


def test_the_quantity_lexicon_fills_only_known_attributes() -> None:
    data = lexicons.load("quantities")
    # a "Frequency:" label holds a schedule that the sentence rules read into per_day/per_week
    assert set(data["fields"]["labels"].values()) <= {*vocab.DOSE_ATTRIBUTES, fields.FREQUENCY}
    assert tuple(data["periods"]) == vocab.FREQUENCY_ATTRIBUTES


def test_the_noise_lexicon_records_only_known_reasons() -> None:
    data = lexicons.load("noise")
    assert {*data["line_patterns"], *data["sentence_patterns"]} <= set(vocab.DROPPED_REASONS)


def test_the_exercise_lexicon_relates_only_by_known_kinds() -> None:
    assert {relation for _a, _b, relation in lexicons.load("exercises")["related"]} <= set(vocab.RELATION_KINDS)


def test_the_advice_lexicon_uses_only_known_topics_and_stances() -> None:
    data = lexicons.load("advice")
    assert set(data["targets"]) <= set(vocab.ADVICE_TOPICS)


def test_a_caution_is_a_span_polarity_not_a_kb_one() -> None:
    assert vocab.CAUTION in vocab.SPAN_POLARITIES and vocab.CAUTION not in vocab.POLARITIES


def test_accepted_values_catch_an_undocumented_value() -> None:
    """The rendered data test runs on the KB's schema and reports the column and the value."""
    con = duckdb.connect()
    con.execute(sql_file("schema.sql"))
    con.execute(sql_file("views.sql"))
    assert con.execute(vocab.accepted_values_sql()).fetchall() == []
    con.execute("INSERT INTO src_sources (source_id, path, sha256, status, status_detail, title, n_chars) "
                "VALUES ('a', 'a.txt', '0', 'ok', NULL, NULL, 1), "
                "('b', 'b.txt', '1', 'unreadable', NULL, NULL, 1)")
    con.execute("INSERT INTO src_relations VALUES ('x', 'y', 'variant'), ('x', 'z', 'cousin')")
    assert sorted(con.execute(vocab.accepted_values_sql()).fetchall()) == [
        ("relations.relation", "cousin"), ("sources.status", "unreadable")]
