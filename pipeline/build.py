"""Run the stages in order and load the result: raw folder in, KB file out."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from pipeline import __version__, lexicons
from pipeline.cache import ExtractionCache
from pipeline.conflicts import Conflict, find_conflicts
from pipeline.errors import NoUsableArticles, UserError
from pipeline.extract import extract_each, merge
from pipeline.ingest import ingest
from pipeline.kb import frame, write_kb
from pipeline.models import (
    Advice,
    Article,
    Dosage,
    Dropped,
    Exercise,
    Extraction,
    Ingested,
    Link,
    Mention,
    Relation,
    Resolution,
    Source,
    Step,
)
from pipeline.nlp import load_nlp
from pipeline.resolve import resolve
from pipeline.review import Review, load_reviews

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What a build did, for the person who ran it."""

    n_files: int = 0
    n_ok: int = 0
    n_words: int = 0
    n_extracted: int = 0
    n_cached: int = 0
    rejected: list[Source] = field(default_factory=list)
    stale_reviews: list[Review] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def timed(self, stage: str):
        t0 = time.perf_counter()
        yield
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t0


def _ingest_tables(ingested: Ingested) -> dict[str, pd.DataFrame]:
    dropped = pd.DataFrame(
        [{"source_id": a.source_id, **d.__dict__} for a in ingested.articles for d in a.dropped],
        columns=["source_id", *Dropped.__dataclass_fields__],
    )
    documents = pd.DataFrame(
        [{"source_id": a.source_id, "source_text": a.raw_text, "clean_text": a.clean_text} for a in ingested.articles],
        columns=["source_id", "source_text", "clean_text"],
    )
    return {"src_sources": frame(ingested.sources, Source), "src_documents": documents, "src_dropped": dropped}


def tables_of(ingested: Ingested, extraction: Extraction, resolution: Resolution,
              conflicts: tuple[Conflict, ...], reviews: tuple[Review, ...]) -> dict[str, pd.DataFrame]:
    """Every base table, as DataFrames (the only place records become frames)."""
    return {
        **_ingest_tables(ingested),
        "src_mentions": frame(extraction.mentions, Mention),
        "src_steps": frame(extraction.steps, Step),
        "src_dosages": frame(extraction.dosages, Dosage),
        "src_advice": frame(extraction.advice, Advice),
        "src_exercises": frame(resolution.exercises, Exercise),
        "src_links": frame(resolution.links, Link),
        "src_relations": frame(resolution.relations, Relation),
        "src_conflicts": frame(conflicts, Conflict),
        "src_reviews": frame(reviews, Review),
        "build_info": pd.DataFrame(
            [{"key": "version", "value": __version__}, {"key": "lexicons", "value": lexicons.fingerprint()}]
        ),
    }


def default_jobs(n_articles: int) -> int:
    """Worker processes worth starting: one per core, but none for a handful of articles."""
    return max(1, min(os.cpu_count() or 1, n_articles // 100))


@contextmanager
def build_lock(kb_path: Path, wait_seconds: float, say: Progress):
    """Hold the KB's lock: a second build waits for the first (up to ``wait_seconds``), then gives up."""
    lock = FileLock(kb_path.with_name(kb_path.name + ".lock"))
    kb_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"waiting for another build of {kb_path} to finish (up to {wait_seconds:g} s)")
        try:
            lock.acquire(timeout=wait_seconds)
        except Timeout:
            raise UserError(f"Another build of {kb_path} is still running (lock {lock.lock_file}); "
                            "try again when it has finished.") from None
    try:
        yield
    finally:
        lock.release()


def _extract(ingested: Ingested, report: BuildReport, cache: ExtractionCache | None, jobs: int | None,
             cached: dict[str, Extraction], say: Progress) -> Extraction:
    """Extraction of every article, from ``cached`` where the cache held the article's current bytes."""
    todo = [a for a in ingested.articles if cached.get(a.source_id) is None]
    report.n_cached, report.n_extracted = len(ingested.articles) - len(todo), len(todo)
    fresh: dict[str, Extraction] = {}
    if todo:
        shown = {-1}

        def tick(done: int, total: int) -> None:
            tenth = done * 10 // total
            if tenth not in shown:
                shown.add(tenth)
                say(f"extract: {done} of {total} articles")

        results = extract_each(todo, load_nlp(), jobs or default_jobs(len(todo)), tick)
        for article, extraction in zip(todo, results, strict=True):
            fresh[article.source_id] = extraction
            if cache:
                cache.put(article.source, (article, extraction))
    return merge(cached.get(a.source_id) or fresh[a.source_id] for a in ingested.articles)


def build(raw_dir: Path, kb_path: Path, reviews_path: Path | None = None, progress: Progress | None = None, *,
          cache_dir: Path | None = None, jobs: int | None = None, wait_seconds: float = 600) -> BuildReport:
    """Build the KB at ``kb_path`` from the articles in ``raw_dir``, applying the verdicts in ``reviews_path``.

    ``cache_dir`` keeps per-article extraction results between builds; ``jobs`` is the number of
    extraction processes (default: by the number of articles and cores). Two builds of one KB never
    run at once: the second waits up to ``wait_seconds``. Raises ``NoUsableArticles`` (and leaves any
    existing KB untouched) when no file is usable.
    """
    say = progress or (lambda _msg: None)
    report = BuildReport()
    reviews = load_reviews(reviews_path) if reviews_path else ()
    with build_lock(kb_path, wait_seconds, say):
        cache = ExtractionCache(cache_dir) if cache_dir else None
        if cache:
            cache.prune()
        entries: dict[str, tuple[Article, Extraction]] = {}

        def reuse(source: Source) -> Article | None:
            entry = cache.get(source) if cache else None
            if entry is not None:
                entries[source.source_id] = entry
            return entry[0] if entry else None

        with report.timed("ingest"):
            ingested = ingest(raw_dir, reuse)
        # an extraction is reused only where ingest took its cached article (same path and bytes)
        cached = {a.source_id: entries[a.source_id][1] for a in ingested.articles
                  if a.source_id in entries and entries[a.source_id][0] is a}
        report.n_files = len(ingested.sources)
        report.n_ok = len(ingested.articles)
        report.rejected = [s for s in ingested.sources if s.status != "ok"]
        report.n_words = sum(len(a.clean_text.split()) for a in ingested.articles)
        say(f"ingest: {report.n_ok} of {report.n_files} files usable")
        if not ingested.articles:
            raise NoUsableArticles(
                f"No usable article in {raw_dir} ({report.n_files} files found); the previous KB was kept."
            )
        with report.timed("extract"):
            extraction = _extract(ingested, report, cache, jobs, cached, say)
        say(f"extract: {len(extraction.mentions)} mentions, {len(extraction.dosages)} doses "
            f"({report.n_extracted} articles extracted, {report.n_cached} from the cache)")
        with report.timed("resolve"):
            resolution = resolve(extraction.mentions)
            conflicts = find_conflicts(extraction, resolution)
        say(f"resolve: {len(resolution.exercises)} exercises, {len(conflicts)} conflicts")
        live = {c.conflict_id for c in conflicts}
        report.stale_reviews = [r for r in reviews if r.conflict_id not in live]
        tables = tables_of(ingested, extraction, resolution, conflicts, reviews)
        with report.timed("load"):
            write_kb(kb_path, tables)
    report.counts = {name.removeprefix("src_"): len(df) for name, df in tables.items() if name.startswith("src_")}
    return report
