"""What the report shows, read once from the KB, and the anchors its quotes link to in the source's text.

The KB is opened read-only. Quotes link into ``documents.source_text``, the text their offsets
index (the decoded file, or the text extracted from a web page, PDF or DOCX). A KB built before
that column existed has each raw file read back and checked against the sha256 the build recorded.
"""

from __future__ import annotations

import hashlib
import html
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb

from pipeline.kb import connect_read_only
from pipeline.readers import decode
from pipeline.vocab import SOURCE_OK

SOURCE_COLOURS = ("#1f77b4", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#666666")


# ---------------------------------------------------------------- reading the KB


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts, so rendering code reads ``r["name"]`` and NULL stays ``None``."""
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> set[str]:
    return {d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description}


@dataclass
class Source:
    """One article: its row in ``sources``, a short label and colour, and its raw text if readable."""

    row: dict[str, Any]
    label: str
    colour: str
    raw: str | None
    raw_note: str = ""

    @property
    def source_id(self) -> str:
        return self.row["source_id"]

    @property
    def title(self) -> str:
        return self.row.get("title") or self.row["path"]

    @property
    def origin(self) -> tuple[str | None, str | None, str | None]:
        """Where the article came from: ``(site_name, published, url)``, each ``None`` when unknown."""
        published = self.row.get("published")
        return (self.row.get("site_name"), published.isoformat() if hasattr(published, "isoformat") else published,
                self.row.get("url"))


@dataclass
class ReportData:
    """Everything the page shows, read once from the KB."""

    kb: Path
    sources: dict[str, Source]
    exercises: list[dict[str, Any]]
    mentions: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    dosages: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    dropped: list[dict[str, Any]]


def _read_raw(raw_dir: Path, row: dict[str, Any], stored: str | None) -> tuple[str | None, str]:
    """The text offsets index, or ``None`` and why (missing, unusable, or changed since the build)."""
    if row["status"] != SOURCE_OK:
        return None, f"not used by the build: {row['status']} ({row.get('status_detail') or 'no detail'})"
    if stored is not None:
        return stored, ""
    path = raw_dir / row["path"]
    try:
        data = path.read_bytes()
    except OSError as err:
        return None, f"raw file not readable at {path}: {err.strerror or err}"
    if row.get("sha256") and hashlib.sha256(data).hexdigest() != row["sha256"]:
        return None, f"{path} changed since the KB was built; rebuild to link quotes to it"
    return decode(data), ""


def load(kb: Path, raw_dir: Path) -> ReportData:
    """Read the contract views (read-only) and the raw articles they point into."""
    con = connect_read_only(kb)
    try:
        source_rows = _rows(con, "SELECT * FROM sources ORDER BY source_id")
        stored = dict(con.execute("SELECT source_id, source_text FROM documents").fetchall()) \
            if "source_text" in _columns(con, "documents") else {}
        conflict_cols = _columns(con, "conflicts")
        spans = "char_start_a, char_end_a, char_start_b, char_end_b" if "char_start_a" in conflict_cols else \
            "NULL AS char_start_a, NULL AS char_end_a, NULL AS char_start_b, NULL AS char_end_b"
        data = ReportData(
            kb=kb,
            sources={},
            exercises=_rows(con, "SELECT * FROM exercises ORDER BY n_sources DESC, name, exercise_id"),
            mentions=_rows(con, "SELECT * FROM mentions ORDER BY source_id, char_start"),
            steps=_rows(con, "SELECT * FROM steps ORDER BY source_id, mention_id, step_no"),
            dosages=_rows(con, "SELECT * FROM dosages ORDER BY source_id, char_start"),
            conflicts=_rows(con, f"""
                SELECT conflict_id, exercise_id, topic, kind, source_a, source_b, value_a, value_b,
                       evidence_a, evidence_b, status, note, {spans}
                FROM conflicts ORDER BY exercise_id IS NULL, exercise_id, topic, conflict_id"""),
            dropped=_rows(con, "SELECT * FROM dropped ORDER BY source_id, char_start"),
        )
    finally:
        con.close()
    for i, row in enumerate(source_rows):
        raw, note = _read_raw(raw_dir, row, stored.get(row["source_id"]))
        data.sources[row["source_id"]] = Source(row, f"S{i + 1}", SOURCE_COLOURS[i % len(SOURCE_COLOURS)], raw, note)
    return data


# ---------------------------------------------------------------- anchors into the raw text


@dataclass
class Marks:
    """The cited spans of each raw text, each with one anchor id however often it is cited.

    ``cite`` is called while the exercises and conflicts are rendered; the raw texts are rendered
    last, with a ``<mark id=…>`` around every span that was cited.
    """

    sources: dict[str, Source]
    spans: dict[str, dict[tuple[int, int], tuple[str, set[str]]]] = field(default_factory=lambda: defaultdict(dict))

    def cite(self, source_id: str, start: int | None, end: int | None, quote: str | None, kind: str) -> str | None:
        """The ``#anchor`` of a quote, or ``None`` when its raw text is unavailable or does not match.

        A span whose offsets do not hold the quote is looked up by its text, so a quote still lands on
        its words when a view carries no offsets.
        """
        source = self.sources.get(source_id)
        if source is None or source.raw is None:
            return None
        span = _locate(source.raw, start, end, quote)
        if span is None:
            return None
        known = self.spans[source_id]
        if span not in known:
            known[span] = (f"q-{source.label}-{span[0]}-{span[1]}", set())
        anchor, kinds = known[span]
        kinds.add(kind)
        return "#" + anchor


def _locate(raw: str, start: int | None, end: int | None, quote: str | None) -> tuple[int, int] | None:
    offsets_hold = start is not None and end is not None and 0 <= start < end <= len(raw)
    if offsets_hold and (quote is None or raw[start:end] == quote):
        return int(start), int(end)
    if quote:
        found = raw.find(quote)
        if found >= 0:
            return found, found + len(quote)
    return None


def marked_text(text: str, spans: dict[tuple[int, int], tuple[str, set[str]]]) -> str:
    """The escaped text with nested ``<mark>``s; a span's first piece carries its id.

    Spans may overlap (a dose inside a step), so the text is cut at every span boundary and each piece
    is wrapped in one mark per span covering it, shortest innermost. The marks of one span share a
    ``data-span`` so the script can light up all its pieces when it is the link's target.
    """
    bounds = sorted({0, len(text), *(p for span in spans for p in span)})
    out = []
    for a, b in pairwise(bounds):
        piece = html.escape(text[a:b])
        covering = sorted((s for s in spans if s[0] <= a and b <= s[1]), key=lambda s: s[1] - s[0])
        for s in covering:
            anchor, kinds = spans[s]
            id_attr = f' id="{anchor}"' if s[0] == a else ""
            classes = " ".join(f"k-{k}" for k in sorted(kinds))
            piece = f'<mark{id_attr} class="{classes}" data-span="{anchor}">{piece}</mark>'
        out.append(piece)
    return "".join(out)
