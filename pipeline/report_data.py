"""What the report shows, read once from the KB, and the anchors its quotes link to in the source's text.

The KB is opened read-only. Quotes link into ``documents.source_text``, the text their offsets
index (the decoded file, or the text extracted from a web page, PDF or DOCX). A KB built before
that column existed has each raw file read back from the raw folder (by default the one the KB
was built from, which the build records) and checked against the sha256 the build recorded; the
quotes that cannot be placed are counted, so the report can say so.

Each source's label is its file name's first part ("003" for ``003_4e47….txt``, "d11" for
``d11_rdgmag.html``) when that is unique, else its whole id: the label a reviewer sees matches the
file they would open.
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

from pipeline import config
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


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


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
    sides: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # conflict id -> its sources, side a first
    positions: list[dict[str, Any]] = field(default_factory=list)
    position_rows: list[dict[str, Any]] = field(default_factory=list)
    raw_dir: Path = config.RAW_DIR


def labels(source_ids: list[str]) -> dict[str, str]:
    """Each source's label: its id up to the first ``_`` when no other source shares it, else the id.

    >>> labels(["000_ab", "001_cd", "x"])
    {'000_ab': '000', '001_cd': '001', 'x': 'x'}
    >>> labels(["a_1", "a_2"])
    {'a_1': 'a_1', 'a_2': 'a_2'}
    """
    first = {sid: sid.split("_", 1)[0] or sid for sid in source_ids}
    counts: dict[str, int] = defaultdict(int)
    for short in first.values():
        counts[short] += 1
    return {sid: short if counts[short] == 1 else sid for sid, short in first.items()}


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


def built_from(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The raw folder the KB was built from, as the build recorded it (``None`` for an older KB)."""
    try:
        row = con.execute("SELECT value FROM build_info WHERE key = 'raw_dir'").fetchone()
    except duckdb.Error:
        return None
    return Path(row[0]) if row and row[0] else None


_SIDES_FALLBACK = """
    SELECT conflict_id, 'a' AS side, source_a AS source_id, value_a AS value, evidence_a AS evidence,
           {a} AS char_start, {b} AS char_end, NULL AS cue_start, NULL AS cue_end FROM conflicts
    UNION ALL
    SELECT conflict_id, 'b', source_b, value_b, evidence_b, {c}, {d}, NULL, NULL FROM conflicts"""


def _sides(con: duckdb.DuckDBPyConnection, views: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Every conflict's sources (an older KB without ``conflict_sources``: its two named sources)."""
    if "conflict_sources" in views:
        sql = "SELECT * FROM conflict_sources"
    elif "char_start_a" in _columns(con, "conflicts"):
        sql = _SIDES_FALLBACK.format(a="char_start_a", b="char_end_a", c="char_start_b", d="char_end_b")
    else:
        sql = _SIDES_FALLBACK.format(a="NULL", b="NULL", c="NULL", d="NULL")
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(con, f"SELECT * FROM ({sql}) ORDER BY conflict_id, side, source_id"):
        out[r["conflict_id"]].append(r)
    return dict(out)


def load(kb: Path, raw_dir: Path | None = None) -> ReportData:
    """Read the views (read-only) and the raw articles they point into; ``raw_dir`` defaults to the
    folder the KB was built from (``curated/``'s ``raw/`` for a KB that does not record it)."""
    con = connect_read_only(kb)
    try:
        views = _views(con)
        raw_dir = raw_dir or built_from(con) or config.RAW_DIR
        source_rows = _rows(con, "SELECT * FROM sources ORDER BY source_id")
        stored = dict(con.execute("SELECT source_id, source_text FROM documents").fetchall()) \
            if "source_text" in _columns(con, "documents") else {}
        data = ReportData(
            kb=kb,
            sources={},
            exercises=_rows(con, "SELECT * FROM exercises ORDER BY n_sources DESC, name, exercise_id"),
            mentions=_rows(con, "SELECT * FROM mentions ORDER BY source_id, char_start"),
            steps=_rows(con, "SELECT * FROM steps ORDER BY source_id, mention_id, step_no"),
            dosages=_rows(con, "SELECT * FROM dosages ORDER BY source_id, char_start"),
            conflicts=_rows(con, "SELECT * FROM conflicts ORDER BY exercise_id IS NULL, exercise_id, topic, "
                                 "conflict_id"),
            dropped=_rows(con, "SELECT * FROM dropped ORDER BY source_id, char_start"),
            sides=_sides(con, views),
            positions=_rows(con, "SELECT * FROM positions ORDER BY question, source_id") if "positions" in views
            else [],
            position_rows=_rows(con, "SELECT * FROM position_rows ORDER BY source_id, char_start")
            if "position_rows" in views else [],
            raw_dir=raw_dir,
        )
    finally:
        con.close()
    label_of = labels([r["source_id"] for r in source_rows])
    for i, row in enumerate(source_rows):
        raw, note = _read_raw(raw_dir, row, stored.get(row["source_id"]))
        colour = SOURCE_COLOURS[i % len(SOURCE_COLOURS)]
        data.sources[row["source_id"]] = Source(row, label_of[row["source_id"]], colour, raw, note)
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
    cited: int = 0  # quotes asked for
    unplaced: int = 0  # of them, those not found in their source's text

    def cite(self, source_id: str, start: int | None, end: int | None, quote: str | None, kind: str) -> str | None:
        """The ``#anchor`` of a quote, or ``None`` when its raw text is unavailable or does not match.

        A span whose offsets do not hold the quote is looked up by its text, so a quote still lands on
        its words when a view carries no offsets.
        """
        self.cited += 1
        source = self.sources.get(source_id)
        span = None if source is None or source.raw is None else _locate(source.raw, start, end, quote)
        if source is None or span is None:
            self.unplaced += 1
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
