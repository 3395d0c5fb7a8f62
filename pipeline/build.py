"""Run the stages in order and load the result: raw folder in, KB file out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import __version__, lexicons
from pipeline.errors import NoUsableArticles
from pipeline.ingest import ingest
from pipeline.kb import frame, write_kb
from pipeline.models import Dropped, Ingested, Source

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What a build did, for the person who ran it."""

    n_files: int = 0
    n_ok: int = 0
    rejected: list[Source] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _ingest_tables(ingested: Ingested) -> dict[str, pd.DataFrame]:
    dropped = pd.DataFrame(
        [{"source_id": a.source_id, **d.__dict__} for a in ingested.articles for d in a.dropped],
        columns=["source_id", *Dropped.__dataclass_fields__],
    )
    documents = pd.DataFrame(
        [{"source_id": a.source_id, "clean_text": a.clean_text} for a in ingested.articles],
        columns=["source_id", "clean_text"],
    )
    return {"src_sources": frame(ingested.sources, Source), "src_documents": documents, "src_dropped": dropped}


def build(raw_dir: Path, kb_path: Path, progress: Progress | None = None) -> BuildReport:
    """Build the KB at ``kb_path`` from the articles in ``raw_dir``.

    Raises ``NoUsableArticles`` (and leaves any existing KB untouched) when no file is usable.
    """
    say = progress or (lambda _msg: None)
    report = BuildReport()
    t0 = time.perf_counter()
    ingested = ingest(raw_dir)
    report.seconds["ingest"] = time.perf_counter() - t0
    report.n_files = len(ingested.sources)
    report.n_ok = len(ingested.articles)
    report.rejected = [s for s in ingested.sources if s.status != "ok"]
    say(f"ingest: {report.n_ok} of {report.n_files} files usable")
    if not ingested.articles:
        raise NoUsableArticles(
            f"No usable article in {raw_dir} ({report.n_files} files found); the previous KB was kept."
        )

    tables = _ingest_tables(ingested)
    tables["build_info"] = pd.DataFrame(
        [{"key": "version", "value": __version__}, {"key": "lexicons", "value": lexicons.fingerprint()}]
    )
    t0 = time.perf_counter()
    write_kb(kb_path, tables)
    report.seconds["load"] = time.perf_counter() - t0
    report.counts = {name.removeprefix("src_"): len(df) for name, df in tables.items() if name.startswith("src_")}
    return report
