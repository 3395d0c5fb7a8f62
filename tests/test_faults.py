"""Hard to break: the build lock, a build killed mid-way, the cache, parallel extraction, and fuzzing."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.corpus import generate
from pipeline import cache as cache_module
from pipeline.build import build
from pipeline.errors import UserError
from pipeline.extract import extract_article, extract_each
from pipeline.ingest import clean, ingest
from pipeline.kb import connect_read_only
from pipeline.models import Source
from tests.conftest import RAW

ROOT = Path(__file__).resolve().parents[1]


def many_articles(folder: Path, copies: int) -> Path:
    """``copies`` times as many articles as the seeds, recombined from their sections (a seed with a line
    of its own added would be a near-duplicate of the seed, and not be extracted)."""
    generate(RAW, copies * len(list(RAW.iterdir())), folder, seed=0)
    return folder


# --- the lock -------------------------------------------------------------------------------------

@pytest.mark.model
def test_a_second_build_gives_up_with_a_reason(raw_copy: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    with FileLock(str(kb) + ".lock"), pytest.raises(UserError, match="still running"):
        build(raw_copy, kb, wait_seconds=0.2)
    assert not kb.exists()


@pytest.mark.model
def test_a_second_build_waits_for_the_first(raw_copy: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    held = threading.Event()

    def hold_for_a_second() -> None:
        with FileLock(str(kb) + ".lock"):
            held.set()
            time.sleep(1.0)

    threading.Thread(target=hold_for_a_second).start()
    held.wait(5)
    messages: list[str] = []
    report = build(raw_copy, kb, progress=messages.append, wait_seconds=30)
    assert report.n_ok == 5 and kb.is_file()
    assert any(m.startswith("waiting for another build") for m in messages)


def test_a_lock_that_cannot_be_created_fails_at_once(raw_copy: Path, tmp_path: Path) -> None:
    """``FileLock`` takes any failure to lock for a lock held by someone else, and would wait ``wait_seconds``."""
    if not Path("/proc/self").exists():
        pytest.skip("needs /proc")
    started = time.monotonic()
    with pytest.raises(UserError, match=r"cannot create /proc/kb\.duckdb\.lock"):
        build(raw_copy, Path("/proc/kb.duckdb"), wait_seconds=30)
    assert time.monotonic() - started < 5


# --- a build killed mid-way -----------------------------------------------------------------------

@pytest.mark.model
@pytest.mark.slow
def test_a_killed_build_leaves_the_last_good_kb_readable(tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    build(RAW, kb)
    before = kb.read_bytes()
    raw = many_articles(tmp_path / "many", copies=30)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "--raw", str(raw), "--kb", str(kb), "--no-cache", "--jobs", "1"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.startswith("ingest:"), line
    time.sleep(1.0)
    # a query during the build reads the last good KB
    con = connect_read_only(kb)
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (5,)
    con.close()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert kb.read_bytes() == before
    assert connect_read_only(kb).execute("SELECT count(*) FROM mentions").fetchone()[0] > 0
    build(RAW, kb)  # the next build takes over the lock and clears what the killed one left
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# --- the cache ------------------------------------------------------------------------------------

@pytest.mark.model
def test_rebuild_extracts_only_new_or_changed_articles(raw_copy: Path, tmp_path: Path) -> None:
    kb, cache = tmp_path / "kb.duckdb", tmp_path / "cache"
    assert build(raw_copy, kb, cache_dir=cache).n_extracted == 5
    first = connect_read_only(kb).execute("SELECT * FROM mentions ORDER BY ALL").fetchall()
    again = build(raw_copy, kb, cache_dir=cache)
    assert (again.n_extracted, again.n_cached) == (0, 5)
    assert connect_read_only(kb).execute("SELECT * FROM mentions ORDER BY ALL").fetchall() == first
    target = raw_copy / "001_138faa212ac3308a.txt"
    target.write_bytes(target.read_bytes() + b"\nWall Sits\n\nRepeat 8 to 12 times.\n")
    # a new article of its own: a seed with a line added would be a near-duplicate of the seed
    (raw_copy / "005_new.txt").write_bytes(b"Bird Dog\n\nKneel on all fours, lift one arm and the other leg.\n"
                                           b"Hold for 5 seconds and repeat 10 times on each side.\n")
    changed = build(raw_copy, kb, cache_dir=cache)
    assert (changed.n_extracted, changed.n_cached) == (2, 4)


@pytest.mark.model
def test_a_new_pipeline_version_invalidates_the_cache(raw_copy: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    kb, cache = tmp_path / "kb.duckdb", tmp_path / "cache"
    build(raw_copy, kb, cache_dir=cache)
    monkeypatch.setattr(cache_module, "pipeline_fingerprint", lambda: "another-version")
    report = build(raw_copy, kb, cache_dir=cache)
    assert report.n_extracted == 5
    assert [p.name for p in cache.iterdir()] == ["another-version"]


def test_the_fingerprint_follows_code_and_lexicons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pipeline"
    shutil.copytree(cache_module.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_module, "PACKAGE", package)
    monkeypatch.setattr(cache_module, "model_name", lambda: "a-model")
    cache_module.pipeline_fingerprint.cache_clear()
    try:
        base = cache_module.pipeline_fingerprint()
        lexicon = package / "resources" / "spinner.json"
        lexicon.write_text(lexicon.read_text().replace('"secs": "seconds"', '"secs": "seconds", "hr": "hour"'))
        cache_module.pipeline_fingerprint.cache_clear()
        assert cache_module.pipeline_fingerprint() != base
    finally:
        cache_module.pipeline_fingerprint.cache_clear()


def test_an_unreadable_cache_entry_is_a_miss(tmp_path: Path) -> None:
    store = cache_module.ExtractionCache(tmp_path, fingerprint="v")
    source = Source("a", "a.txt", "ab" * 32, "ok", "", None, 3)
    store.folder.mkdir(parents=True)
    store._path(source).write_bytes(b"not a pickle")
    assert store.get(source) is None


# --- parallel extraction --------------------------------------------------------------------------

@pytest.mark.model
def test_parallel_extraction_equals_one_process(trained_nlp) -> None:
    """``nlp.pipe(n_process=2)`` sends each Doc back through ``Doc.to_bytes``: the spans and extensions survive."""
    articles = list(ingest(RAW).articles) * 2
    assert extract_each(articles, trained_nlp, jobs=2) == extract_each(articles, trained_nlp, jobs=1)


# --- fuzzing --------------------------------------------------------------------------------------

_ADVERSARIAL = st.one_of(
    st.text(min_size=0, max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=80),
    st.text(alphabet="0123456789 .-/\n", max_size=300),
    st.builds(lambda n: "Hold " * n + "\n", st.integers(0, 3000)),
    st.builds(lambda n: "Pin On Ideas\n" * n + "error: Content is protected !!\n" * n, st.integers(0, 50)),
    st.builds(lambda n: ("x" * 5000 + " ") * n, st.integers(1, 5)),
    st.builds(lambda n: "1. Avoid Toe Touches\n\n- Repeat 8 to 12 times, for each leg.\n" * n, st.integers(0, 40)),
    st.builds(lambda n: "â€™ ’ “ ” – — • \u200b\ufeff" * n, st.integers(0, 30)),
)


def assert_exact(raw: str) -> None:
    article = clean(Source("f", "f.txt", "", "ok", "", None, len(raw)), raw)
    for d in article.dropped:
        assert raw[d.char_start : d.char_end] == d.text
    for start in range(0, len(article.clean_text), max(1, len(article.clean_text) // 50)):
        rs, re_ = article.raw_span(start, min(start + 7, len(article.clean_text)))
        assert 0 <= rs <= re_ <= len(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(_ADVERSARIAL, min_size=1, max_size=4))
def test_ingestion_survives_adversarial_text(parts: list[str]) -> None:
    assert_exact("\n".join(parts))


@pytest.mark.model
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_ADVERSARIAL, min_size=1, max_size=3))
def test_extraction_survives_adversarial_text(parts: list[str], trained_nlp) -> None:
    raw = "\n".join(parts)
    article = clean(Source("f", "f.txt", "", "ok", "", None, len(raw)), raw)
    extraction = extract_article(article, trained_nlp(article.clean_text))
    for m in extraction.mentions:
        assert raw[m.char_start : m.char_end] == m.surface
    for row in (*extraction.dosages, *extraction.steps, *extraction.advice):
        assert raw[row.char_start : row.char_end] == row.evidence



@pytest.mark.model
def test_a_cached_rebuild_cleans_nothing_again(raw_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.ingest as ingest_module

    kb, cache = tmp_path / "kb.duckdb", tmp_path / "cache"
    build(raw_copy, kb, cache_dir=cache)
    first = connect_read_only(kb).execute("SELECT * FROM documents ORDER BY ALL").fetchall()
    calls: list[str] = []
    real = ingest_module.clean
    monkeypatch.setattr(ingest_module, "clean", lambda source, text: calls.append(source.source_id) or real(source,
                                                                                                           text))
    build(raw_copy, kb, cache_dir=cache)
    assert calls == []
    assert connect_read_only(kb).execute("SELECT * FROM documents ORDER BY ALL").fetchall() == first
