"""Run the stages in order and load the result: raw folder in, KB file out."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from filelock import FileLock, Timeout

from pipeline import __version__, lexicons, paths
from pipeline.cache import ExtractionCache
from pipeline.config import shown
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
from pipeline.positions import Position, positions
from pipeline.resolve import resolve
from pipeline.review import Review, load_reviews

Progress = Callable[[str], None]
Tick = Callable[[int, int], None]
# Where the per-article work runs: this machine's processes (the default), or Ray Data (the scale extra).
ENGINES = ("local", "ray")


@dataclass
class BuildReport:
    """What a build did, for the person who ran it."""

    n_files: int = 0
    n_ok: int = 0
    n_words: int = 0
    n_extracted: int = 0
    n_cached: int = 0
    up_to_date: bool = False  # nothing new since the KB was built: it was left as it was
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
              conflicts: tuple[Conflict, ...], reviews: tuple[Review, ...],
              inputs: str = "", raw_dir: str = "") -> dict[str, pd.DataFrame]:
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
        "src_positions": frame(positions(extraction.advice), Position),
        "src_reviews": frame(reviews, Review),
        "build_info": pd.DataFrame(
            [{"key": "version", "value": __version__}, {"key": "lexicons", "value": lexicons.fingerprint()},
             {"key": "inputs", "value": inputs}, {"key": "raw_dir", "value": raw_dir}]
        ),
    }


def default_jobs(n_articles: int) -> int:
    """Worker processes worth starting: one per core, but none for a handful of articles."""
    return max(1, min(os.cpu_count() or 1, n_articles // 100))


def lock_path(kb_path: Path) -> Path:
    """The lock beside the KB: it guards the KB and the temporary file a build writes beside it."""
    return kb_path.with_name(kb_path.name + ".lock")


@contextmanager
def build_lock(kb_path: Path, wait_seconds: float, say: Progress):
    """Hold the KB's lock: a second build waits for the first (up to ``wait_seconds``), then gives up.

    The lock file is created first, so a place where it cannot be made is an error at once, not a
    wait for a build that does not exist (``FileLock`` reads any failure to lock as a lock held).
    """
    lock = FileLock(paths.creatable(lock_path(kb_path), "--kb"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"waiting for another build of {shown(kb_path)} to finish (up to {wait_seconds:g} s)")
        try:
            lock.acquire(timeout=wait_seconds)
        except Timeout:
            raise UserError(f"Another build of {shown(kb_path)} is still running (lock {shown(lock_path(kb_path))}); "
                            "try again when it has finished.") from None
    try:
        yield
    finally:
        lock.release()


def check_paths(raw_dir: Path, kb_path: Path, reviews_path: Path | None, cache_dir: Path | None) -> None:
    """Every path mistake as one sentence, before any work is done. Only the lock and the cache's
    folder are created, and only once everything else is known to be right."""
    paths.input_folder(raw_dir, "--raw")
    paths.kb_target(kb_path)
    if reviews_path is not None:
        paths.optional_input_file(reviews_path, "--reviews")
    if cache_dir is not None:
        paths.output_folder(cache_dir, "--cache-dir", create=False)
    paths.creatable(lock_path(kb_path), "--kb")
    if cache_dir is not None:
        paths.output_folder(cache_dir, "--cache-dir")


def inputs_digest(sources: Sequence[Source], reviews: Sequence[Review], fingerprint: str) -> str:
    """A hash of everything a KB is made from: the files found (with their bytes' hashes), the
    verdicts, and the pipeline's ``fingerprint`` (code, lexicons, model). Equal digests make equal KBs."""
    h = hashlib.sha256(f"{__version__}|{fingerprint}".encode())
    for s in sorted(sources, key=lambda s: s.source_id):
        h.update(repr(s).encode())
    h.update(repr(tuple(reviews)).encode())
    return h.hexdigest()


def previous_build(kb_path: Path) -> tuple[str, set[str]] | None:
    """The inputs digest of the KB already at ``kb_path`` and its conflict ids; ``None`` when there
    is no readable KB (missing, from an older version, or held open for writing elsewhere)."""
    if not paths.is_duckdb_file(kb_path):
        return None
    try:
        con = duckdb.connect(str(kb_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT value FROM build_info WHERE key = 'inputs'").fetchone()
        live = {r[0] for r in con.execute("SELECT conflict_id FROM conflicts").fetchall()}
    except duckdb.Error:
        return None
    finally:
        con.close()
    return (row[0], live) if row else None


def check_engine(engine: str, address: str | None) -> None:
    """An engine that is not one of ``ENGINES``, or one that cannot run here, as one sentence before any work."""
    if engine not in ENGINES:
        raise UserError(f"--engine must be {' or '.join(ENGINES)}, not {engine!r}.")
    if address is not None and engine != "ray":
        raise UserError("--address joins a Ray cluster, so it needs --engine ray.")
    if engine == "ray":
        from pipeline.ray_engine import check

        check(address)


def _fresh(todo: Sequence[Article], engine: str, address: str | None, jobs: int | None,
           tick: Tick) -> Iterable[tuple[Article, Extraction]]:
    """Each new article with its extraction, from the chosen engine (the ``ray`` one in the order they finish)."""
    if engine == "ray":
        from pipeline.ray_engine import extract_ray

        return extract_ray(todo, jobs, address, tick)
    return zip(todo, extract_each(todo, load_nlp(), jobs or default_jobs(len(todo)), tick), strict=True)


def _extract(ingested: Ingested, report: BuildReport, cache: ExtractionCache | None, jobs: int | None,
             cached: dict[str, Extraction], say: Progress, tick: Tick | None, engine: str,
             address: str | None) -> Extraction:
    """Extraction of every article, from ``cached`` where the cache held the article's current bytes."""
    todo = [a for a in ingested.articles if cached.get(a.source_id) is None]
    report.n_cached, report.n_extracted = len(ingested.articles) - len(todo), len(todo)
    fresh: dict[str, Extraction] = {}
    if todo:
        said = {-1}

        def tenths(done: int, total: int) -> None:
            tenth = done * 10 // total
            if tenth not in said:
                said.add(tenth)
                say(f"extract: {done} of {total} articles")

        for article, extraction in _fresh(todo, engine, address, jobs, tick or tenths):
            fresh[article.source_id] = extraction
            if cache:
                cache.put(article.source, (article, extraction))
    return merge(cached.get(a.source_id) or fresh[a.source_id] for a in ingested.articles)


def build(raw_dir: Path, kb_path: Path, reviews_path: Path | None = None, progress: Progress | None = None, *,
          cache_dir: Path | None = None, jobs: int | None = None, wait_seconds: float = 600,
          tick: Tick | None = None, engine: str = "local", address: str | None = None) -> BuildReport:
    """Build the KB at ``kb_path`` from the articles in ``raw_dir``, applying the verdicts in ``reviews_path``.

    ``cache_dir`` keeps per-article extraction results between builds, and with it a build whose
    inputs (files, verdicts, pipeline) are those the KB was built from leaves the KB as it is
    (``report.up_to_date``). ``jobs`` is the number of extraction processes (default: by the number
    of articles and cores); ``tick(done, total)`` follows extraction (default: a message every
    tenth). ``engine`` ``"ray"`` extracts on Ray Data instead of this machine's processes: on the
    cluster at ``address``, or on a local instance of ``jobs`` CPUs started for the build
    (``pipeline.ray_engine``); everything else is the same. Two builds of one KB never run at once:
    the second waits up to ``wait_seconds``. Raises ``UserError`` for a path or engine mistake
    before any work, and ``NoUsableArticles`` (leaving any existing KB untouched) when no file is
    usable.
    """
    say = progress or (lambda _msg: None)
    report = BuildReport()
    check_engine(engine, address)
    check_paths(raw_dir, kb_path, reviews_path, cache_dir)
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
        inputs = inputs_digest(ingested.sources, reviews, cache.fingerprint if cache else "")
        previous = previous_build(kb_path) if cache else None
        if previous and previous[0] == inputs:
            report.up_to_date, report.n_cached = True, report.n_ok
            report.stale_reviews = [r for r in reviews if r.conflict_id not in previous[1]]
            return report
        with report.timed("extract"):
            extraction = _extract(ingested, report, cache, jobs, cached, say, tick, engine, address)
        say(f"extract: {len(extraction.mentions)} mentions, {len(extraction.dosages)} doses "
            f"({report.n_extracted} articles extracted, {report.n_cached} from the cache)")
        with report.timed("resolve"):
            resolution = resolve(extraction.mentions)
            conflicts = find_conflicts(extraction, resolution)
        say(f"resolve: {len(resolution.exercises)} exercises, {len(conflicts)} conflicts")
        live = {c.conflict_id for c in conflicts}
        report.stale_reviews = [r for r in reviews if r.conflict_id not in live]
        tables = tables_of(ingested, extraction, resolution, conflicts, reviews, inputs, str(raw_dir.resolve()))
        with report.timed("load"):
            write_kb(kb_path, tables)
    report.counts = {name.removeprefix("src_"): len(df) for name, df in tables.items() if name.startswith("src_")}
    return report
