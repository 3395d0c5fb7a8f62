"""The Ray engine: the same KB as the local engine, the cache under it, and Ray kept optional.

Builds with ``--engine ray`` start a local Ray instance of two CPUs (two extraction actors), as a
user's machine would; each takes some seconds to start, so they are marked ``slow``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import ray_engine
from pipeline.build import BuildReport, build
from pipeline.cli import app
from pipeline.kb import CONTRACT_VIEWS
from tests.conftest import DEV, RAW

runner = CliRunner()
needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="Ray is not installed (the scale extra, which make test installs)")


def views_of(kb: Path) -> dict[str, list[tuple]]:
    """Every view's rows, sorted, lists as tuples: two KBs are the same when these are equal."""
    con = duckdb.connect(str(kb), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
        rows = {v: con.execute(f"SELECT * FROM {v}").fetchall() for v in names}
    finally:
        con.close()
    plain = {v: [tuple(tuple(x) if isinstance(x, list) else x for x in r) for r in rs] for v, rs in rows.items()}
    return {v: sorted(rs, key=repr) for v, rs in plain.items()}


def assert_same_kb(ray_kb: Path, local_kb: Path) -> None:
    ray_views, local_views = views_of(ray_kb), views_of(local_kb)
    assert set(CONTRACT_VIEWS) <= set(local_views)
    assert ray_views.keys() == local_views.keys()
    for view, rows in local_views.items():
        assert ray_views[view] == rows, f"the view {view} differs between the engines"


def ray_build(raw: Path, kb: Path, **kwargs) -> BuildReport:
    return build(raw, kb, engine="ray", jobs=2, **kwargs)


# ---------------------------------------------------------------- same KB from both engines

@pytest.mark.slow
@needs_ray
def test_ray_builds_the_seeds_kb_of_the_local_engine(seeds_kb: Path, tmp_path: Path) -> None:
    kb = tmp_path / "ray.duckdb"
    report = ray_build(RAW, kb)
    assert report.n_extracted == 5
    assert_same_kb(kb, seeds_kb)


@pytest.mark.slow
@needs_ray
@pytest.mark.model
def test_ray_builds_the_dev_kb_of_the_local_engine(tmp_path: Path) -> None:
    local, ray = tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    build(DEV / "texts", local)
    ray_build(DEV / "texts", ray)
    assert_same_kb(ray, local)


# ---------------------------------------------------------------- the cache under Ray

@pytest.mark.slow
@needs_ray
@pytest.mark.model
def test_cached_articles_are_not_sent_to_ray(raw_copy: Path, tmp_path: Path) -> None:
    cache, kb = tmp_path / "cache", tmp_path / "ray.duckdb"
    assert ray_build(raw_copy, kb, cache_dir=cache).n_extracted == 5
    changed = sorted(raw_copy.iterdir())[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nRest if the pain gets worse.\n", encoding="utf-8")
    report = ray_build(raw_copy, kb, cache_dir=cache)
    assert (report.n_extracted, report.n_cached) == (1, 4)
    local = tmp_path / "local.duckdb"
    build(raw_copy, local)
    assert_same_kb(kb, local)


@pytest.mark.usefixtures("blank_model")
def test_nothing_new_to_extract_starts_no_ray(raw_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every article in the cache (here from a local build), a Ray build extracts nothing and starts no Ray."""
    cache = tmp_path / "cache"
    build(raw_copy, tmp_path / "kb.duckdb", cache_dir=cache)
    sorted(raw_copy.iterdir())[0].unlink()

    def no_ray(*_args: object) -> None:
        raise AssertionError("Ray was started with nothing to extract")

    monkeypatch.setattr(ray_engine, "session", no_ray)
    report = build(raw_copy, tmp_path / "kb.duckdb", cache_dir=cache, engine="ray")
    assert (report.n_extracted, report.n_cached, report.up_to_date) == (0, 4, False)


# ---------------------------------------------------------------- Ray stays optional; mistakes are one sentence

def test_the_package_and_a_local_build_import_no_ray() -> None:
    code = ("import sys, pipeline, pipeline.build, pipeline.cli; "
            "sys.exit('ray' in sys.modules or 'pipeline.ray_engine' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "dask"], "--engine must be local or ray, not 'dask'."),
        (["--address", "127.0.0.1:6379"], "--address joins a Ray cluster, so it needs --engine ray."),
        (["--engine", "ray", "--address", "headnode"], "--address must be the Ray cluster's host:port"),
        (["--engine", "ray", "--address", "127.0.0.1:1"], "No Ray cluster answers at --address 127.0.0.1:1"),
    ],
)
def test_engine_mistakes_are_one_sentence_before_any_work(args: list[str], message: str, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    result = runner.invoke(app, ["build", "--raw", str(RAW), "--kb", str(kb), *args])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {message}")
    assert "ingest" not in result.output and not kb.exists()


def test_ray_missing_is_one_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = ray_engine.importlib.util.find_spec
    monkeypatch.setattr(ray_engine.importlib.util, "find_spec", lambda name: None if name == "ray" else real(name))
    result = runner.invoke(app, ["build", "--raw", str(RAW), "--kb", str(tmp_path / "kb.duckdb"), "--engine", "ray"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: --engine ray needs Ray, which is not installed; {ray_engine.INSTALL_HINT}."]


def test_the_scale_extra_is_what_make_test_installs() -> None:
    root = RAW.parent
    assert "scale = [" in (root / "pyproject.toml").read_text(encoding="utf-8")
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    assert "'.[dev,scale]'" in makefile and "test: $(SCALE_STAMP)" in makefile
    assert shutil.which("ray", path=str(Path(sys.executable).parent))


@pytest.mark.slow
@pytest.mark.model
@needs_ray
def test_bench_reports_ray_against_local(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    done = subprocess.run([sys.executable, str(RAW.parent / "bench" / "run.py"), "--sizes", "5", "--ray-at", "5",
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    ray_row = next(r for r in rows if r.startswith("| 5 (ray) |"))
    assert len(ray_row.strip("|").split("|")) == len(rows[0].strip("|").split("|"))
    line = next(r for r in rows if r.startswith("| Ray / local wall time"))
    assert re.search(r"\| \d+\.\d\d× at N=5 \(ray [\d.]+ s, local [\d.]+ s;", line), line


# A Ray head on this machine's loopback interface, as `ray start --head` would run one on a cluster's
# head node; it stops when its stdin closes.
HEAD = """
import sys, ray
ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=256 * 1024**2,
         logging_level="ERROR")
print(ray.get_runtime_context().gcs_address, flush=True)
sys.stdin.read()
ray.shutdown()
"""


@pytest.mark.slow
@pytest.mark.model
@needs_ray
def test_ray_joins_a_running_cluster(seeds_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
    head = subprocess.Popen([sys.executable, "-c", HEAD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env)
    try:
        address = head.stdout.readline().strip()
        assert address.startswith("127.0.0.1:"), address
        monkeypatch.setenv("RAY_AUTH_MODE", "token")  # the head made a token; a driver joining it must use it
        kb = tmp_path / "ray.duckdb"
        assert build(RAW, kb, engine="ray", address=address).n_extracted == 5
        assert_same_kb(kb, seeds_kb)
    finally:
        head.stdin.close()
        head.wait(timeout=120)
