"""Benchmark the build at several corpus sizes against a bare spaCy pass over the same text (`make bench`).

    python bench/run.py --sizes 100 1000 5000 --out bench/out/results.md

For each N it makes a corpus with ``bench/corpus.py``, builds the KB in a temporary folder, and
runs spaCy alone over the same cleaned texts. The build runs the trained model only on the blocks
its gate keeps (``backkb_gate``), so the ratio build/floor weighs what the model skips against
what our own code costs; the share of tokens skipped is shown beside it, and issue 14 asks for a
ratio of at most 1.0 (issue 6 bounds the rest). After the largest build, one new article is added
and the KB rebuilt, to show what the per-article cache saves.

Every measurement runs in its own process, started by a fresh measuring process, because
``ru_maxrss`` of ``RUSAGE_CHILDREN`` is the largest of all children a process ever waited for: a
measuring process per run is what makes each size's peak its own. That figure is one process's
peak; with extraction workers the machine holds several at once, so the measuring process also
samples the proportional set size (PSS, shared pages counted once) of the whole process tree, and
the memory target is judged on the larger of the two.

Build time depends on how many processes extract (the build starts a second one only from a few
hundred articles), so linearity is judged on CPU seconds per article, which do not; wall seconds
per article are shown beside them. The floor uses the build's model, disabled components, batch
size and number of processes, and times only the pipe. Progress goes to stderr; the table goes to
stdout and ``--out``.

Where Ray is installed (the scale extra), the corpus of ``--ray-at`` articles (default 1,000) is
built a second time with ``--engine ray`` on a local Ray instance of the same number of CPUs: its
row, and the Ray/local ratio of wall times among the targets, are what the engine costs on one
machine (starting Ray and its actors, and moving articles and records through its object store).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    from bench.corpus import default_sources, generate
except ImportError:  # run as a script, `python bench/run.py`: this folder is on sys.path
    from corpus import default_sources, generate

ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = ROOT / "raw"
DEFAULT_OUT = ROOT / "bench" / "out" / "results.md"
STAGES = ("ingest", "extract", "resolve", "load")
SAMPLE_SECONDS = 1.0  # reading a large process's smaps costs milliseconds of CPU the build could use

# The targets of issue 6, with those of issue 14 for the floor (at every N from RATIO_FROM_N) and memory.
MAX_FLOOR_RATIO = 1.0
RATIO_FROM_N = 1000
MAX_RESOLVE_SHARE = 0.10
MAX_PEAK_MB = 1024
MEMORY_AT_N = 5000
MAX_LINEARITY = 1.5
MAX_INCREMENTAL_SHARE = 0.15

COLUMNS = ("N", "jobs", "articles/s", "words/s", *(f"{s} s" for s in STAGES), "total s", "peak MB (1 proc)",
           "peak MB (all procs)", "spaCy floor s", "build/floor", "model skipped", "resolve share", "s/article",
           "CPU s/article")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- what runs in the measured processes ---------------------------------------------------------------

def _build_accepts(name: str) -> bool:
    """Whether ``build`` takes the keyword ``name`` (the cache and jobs arrive with issue 6)."""
    from pipeline.build import build

    return name in inspect.signature(build).parameters


def task_build(task: dict[str, Any]) -> dict[str, Any]:
    """One build, timed as a whole (model loading included: a user waits for it too)."""
    from pipeline.build import build

    kwargs: dict[str, Any] = {}
    if task.get("cache") and _build_accepts("cache_dir"):
        kwargs["cache_dir"] = Path(task["cache"])
    if task.get("jobs") and _build_accepts("jobs"):
        kwargs["jobs"] = task["jobs"]
    if task.get("engine"):
        kwargs["engine"] = task["engine"]
    label = task["label"]
    t0 = time.perf_counter()
    report = build(Path(task["raw"]), Path(task["kb"]), progress=lambda m: say(f"  [{label}] {m}"), **kwargs)
    total = time.perf_counter() - t0
    return {
        "seconds": {s: report.seconds.get(s, 0.0) for s in STAGES},
        "total": total,
        "n_ok": report.n_ok,
        "n_words": report.n_words,
        "n_extracted": getattr(report, "n_extracted", None),
        "n_cached": getattr(report, "n_cached", None),
        "counts": dict(getattr(report, "counts", {})),
    }


def task_floor(task: dict[str, Any]) -> dict[str, Any]:
    """Time a bare ``nlp.pipe`` of the trained model over the cleaned texts, as the build runs it.

    Same batch size and number of processes (``n_process``) as the build's extraction, so the floor
    pays the same start-up and hand-over costs, and nothing else.
    """
    from pipeline import extract
    from pipeline.ingest import ingest
    from pipeline.nlp import load_model

    texts = [a.clean_text for a in ingest(Path(task["raw"])).articles]
    nlp = load_model()
    t0 = time.perf_counter()
    docs = nlp.pipe(texts, batch_size=extract.BATCH_SIZE, n_process=task.get("jobs") or 1)
    n_tokens = sum(len(doc) for doc in docs)
    return {"floor": time.perf_counter() - t0, "n_tokens": n_tokens, "skipped": model_skipped(texts)}


def model_skipped(texts: list[str]) -> float | None:
    """The share of the texts' tokens the build's trained components never read (None: no gate).

    The gate alone decides it, so it is measured here, untimed, by running only the layout and the
    gate and asking ``backkb_model`` which token ranges it would read."""
    from pipeline.nlp import GATE, load_nlp

    nlp = load_nlp()
    if GATE[1] not in nlp.pipe_names:
        return None
    model = nlp.get_pipe(GATE[1])
    read = total = 0
    with nlp.select_pipes(enable=["backkb_layout", GATE[0]]):
        for doc in nlp.pipe(texts, batch_size=64):
            read += sum(r.end - r.start for r in model.ranges(doc))
            total += len(doc)
    return 1 - read / total if total else None


TASKS = {"build": task_build, "floor": task_floor}


def run_task(task: dict[str, Any]) -> None:
    result = TASKS[task["kind"]](task)
    Path(task["result"]).write_text(json.dumps(result))


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (empty where there is no /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, ()))
    return tree


def _pss_mb(pid: int) -> float:
    """The process's proportional set size: its private pages plus its share of pages it shares."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def measure_task(task: dict[str, Any]) -> None:
    """Run ``task`` in a child and add its CPU time and peak memory; this process waits for no other child."""
    child = subprocess.Popen([sys.executable, __file__, "--task", json.dumps(task)])
    sampling = Path("/proc/self/smaps_rollup").exists()
    tree_peak = 0.0
    while child.poll() is None:
        if sampling:
            tree_peak = max(tree_peak, sum(_pss_mb(p) for p in _process_tree(child.pid)))
        time.sleep(SAMPLE_SECONDS)
    if child.returncode:
        sys.exit(child.returncode)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(Path(task["result"]).read_text())
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    result["tree_mb"] = tree_peak if sampling else None
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    Path(task["result"]).write_text(json.dumps(result))


def measured(task: dict[str, Any], work: Path) -> dict[str, Any]:
    """Run ``task`` two processes down (see the module's docstring) and return its result."""
    task = {**task, "result": str(work / f"{task['label']}-{task['kind']}.json")}
    subprocess.run([sys.executable, __file__, "--measure", json.dumps(task)], check=True)
    return json.loads(Path(task["result"]).read_text())


# -- the benchmark ------------------------------------------------------------------------------------

@dataclass
class Row:
    """The measurements of one build, and of the floor over the same texts."""

    n: int
    jobs: int
    build: dict[str, Any]
    floor: float | None = None
    skipped: float | None = None  # share of tokens the trained components did not read
    engine: str = "local"

    @property
    def total(self) -> float:
        return self.build["total"]

    @property
    def ratio(self) -> float | None:
        return self.total / self.floor if self.floor else None

    @property
    def resolve_share(self) -> float:
        return self.build["seconds"]["resolve"] / self.total

    @property
    def per_article(self) -> float:
        return self.total / max(self.build["n_ok"], 1)

    @property
    def cpu_per_article(self) -> float:
        return self.build["cpu_s"] / max(self.build["n_ok"], 1)

    @property
    def memory_mb(self) -> float:
        """The figure the memory target is judged on: the larger of one process's peak and the tree's."""
        return max(self.build["peak_mb"], self.build["tree_mb"] or 0.0)


def default_jobs(n: int) -> int:
    """The build's own choice of processes for ``n`` new articles (1 when it does not choose)."""
    import pipeline.build as build

    return build.default_jobs(n) if hasattr(build, "default_jobs") and _build_accepts("jobs") else 1


def bench_size(n: int, args: argparse.Namespace, work: Path, cache: bool) -> tuple[Row, Path]:
    """Make a corpus of ``n`` articles, build it, and time the floor over it."""
    folder = work / f"n{n}"
    raw = folder / "raw"
    t0 = time.perf_counter()
    generate(args.raw, n, raw, args.seed)
    say(f"N={n}: corpus made in {time.perf_counter() - t0:.1f} s; building")
    jobs = args.jobs or default_jobs(n)
    task = {"label": f"N={n}", "raw": str(raw), "kb": str(folder / "kb.duckdb"), "jobs": jobs,
            "cache": str(folder / "cache") if cache else None}
    build = measured({**task, "kind": "build"}, work)
    say(f"N={n}: built in {build['total']:.1f} s, peak {build['peak_mb']:,.0f} MB in one process, "
        f"{build['tree_mb'] or 0:,.0f} MB in all; {build['counts']}; timing bare spaCy")
    floor = measured({**task, "kind": "floor"}, work)
    say(f"N={n}: spaCy alone {floor['floor']:.1f} s, peak {floor['peak_mb']:,.0f} MB in one process")
    return Row(n, jobs, build, floor["floor"], floor.get("skipped")), folder


def bench_ray(local: Row, folder: Path, work: Path, cache: bool) -> Row:
    """Build the same corpus again with ``--engine ray`` (a local Ray instance of as many CPUs as the
    local build's processes), into its own KB and cache, so that it extracts every article too."""
    say(f"N={local.n}: building again with --engine ray ({local.jobs} CPUs)")
    task = {"label": f"N={local.n}-ray", "kind": "build", "raw": str(folder / "raw"), "kb": str(folder / "ray.duckdb"),
            "jobs": local.jobs, "engine": "ray", "cache": str(folder / "ray-cache") if cache else None}
    build = measured(task, work)
    say(f"N={local.n}: Ray built in {build['total']:.1f} s (local {local.total:.1f} s), peak "
        f"{build['tree_mb'] or 0:,.0f} MB in all processes")
    return Row(local.n, local.jobs, build, local.floor, engine="ray")


def bench_incremental(full: Row, folder: Path, args: argparse.Namespace, work: Path) -> Row:
    """Add article N+1 (the generator's next one) to the largest corpus and rebuild with the warm cache."""
    extra = work / "extra"
    new = generate(args.raw, full.n + 1, extra, args.seed)[-1]
    shutil.copy2(new, folder / "raw" / new.name)
    say(f"N={full.n}+1: rebuilding with the cache")
    task = {"label": f"N={full.n}+1", "kind": "build", "raw": str(folder / "raw"), "kb": str(folder / "kb.duckdb"),
            "cache": str(folder / "cache")}
    build = measured(task, work)
    shutil.rmtree(extra)
    say(f"N={full.n}+1: rebuilt in {build['total']:.1f} s ({build['n_extracted']} extracted, "
        f"{build['n_cached']} from the cache)")
    return Row(full.n + 1, 1, build)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _num(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def _mb(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def row_cells(row: Row) -> list[str]:
    b = row.build
    local = row.engine == "local"  # Ray's workers are not children the build waits for: no rusage of theirs
    return [
        f"{row.n:,}" + ("" if row.engine == "local" else f" ({row.engine})"),
        str(row.jobs),
        _num(b["n_ok"] / row.total, 1),
        f"{b['n_words'] / row.total:,.0f}",
        *(_num(b["seconds"][s]) for s in STAGES),
        _num(row.total),
        _mb(b["peak_mb"]) if local else "—",
        f"{_mb(b['tree_mb'])} {verdict(row.memory_mb < MAX_PEAK_MB)}",
        _num(row.floor) if row.floor else "—",
        f"{row.ratio:.2f}× {verdict(row.ratio <= MAX_FLOOR_RATIO)}" if row.ratio else "—",
        f"{row.skipped:.1%}" if row.skipped is not None else "—",
        f"{row.resolve_share:.1%} {verdict(row.resolve_share < MAX_RESOLVE_SHARE)}",
        f"{row.per_article:.4f}",
        f"{row.cpu_per_article:.4f}" if local else "—",
    ]


def incremental_cells(inc: Row | None, full: Row, note: str) -> list[str]:
    label = f"{full.n:,} + 1 (incremental)"
    if inc is None:
        return [label, *(["—"] * (len(COLUMNS) - 2)), note]
    b = inc.build
    share = inc.total / full.total
    return [label, "—", "—", "—", *(_num(b["seconds"][s]) for s in STAGES),
            f"{_num(inc.total)} = {share:.1%} of full {verdict(share < MAX_INCREMENTAL_SHARE)}",
            _mb(b["peak_mb"]), _mb(b["tree_mb"]), "—", "—", "—", f"{inc.resolve_share:.1%}",
            f"{b['n_extracted']} extracted", f"{b['n_cached']:,} cached"]


def ray_line(ray: Row | None, rows: list[Row], note: str) -> str:
    """Ray against local wall time on one machine: measured, with no target (what the engine costs here)."""
    what = "Ray / local wall time, same corpus and CPUs (the engine's overhead on one machine)"
    local = next((r for r in rows if ray and r.n == ray.n), None)
    if ray is None or local is None:
        return f"| {what} | {note} | — |"
    return (f"| {what} | {ray.total / local.total:.2f}× at N={ray.n:,} (ray {ray.total:.1f} s, local "
            f"{local.total:.1f} s; extract {ray.build['seconds']['extract']:.1f} s against "
            f"{local.build['seconds']['extract']:.1f} s) | — |")


def target_lines(rows: list[Row], inc: Row | None, inc_note: str) -> list[str]:
    """One line per target of issues 6 and 14: what it asks, what was measured, PASS or FAIL."""
    largest = rows[-1]
    judged = [r for r in rows if r.n >= RATIO_FROM_N] or [largest]
    ratio = max(r.ratio or float("inf") for r in judged)
    where_ratio = ", ".join(f"{r.ratio or float('inf'):.2f}× at N={r.n:,}" for r in judged)
    share = largest.resolve_share
    at = next((r for r in rows if r.n == MEMORY_AT_N), largest)
    where = f"N={at.n:,}" + ("" if at.n == MEMORY_AT_N else f" (no N={MEMORY_AT_N:,} in this run)")
    lines = [
        f"| build ≤ {MAX_FLOOR_RATIO}× bare spaCy (every N from {RATIO_FROM_N:,}, else the largest) | {where_ratio} "
        f"| {verdict(ratio <= MAX_FLOOR_RATIO)} |",
        f"| resolution < {MAX_RESOLVE_SHARE:.0%} of build time (at the largest N) | {share:.1%} at "
        f"N={largest.n:,} | {verdict(share < MAX_RESOLVE_SHARE)} |",
        f"| peak memory < {MAX_PEAK_MB / 1024:.0f} GB at N={MEMORY_AT_N:,} | {at.build['peak_mb']:,.0f} MB in one "
        f"process, {_mb(at.build['tree_mb'])} MB in all at {where} | {verdict(at.memory_mb < MAX_PEAK_MB)} |",
    ]
    if len(rows) > 1:
        cpu = [r.cpu_per_article for r in rows]
        wall = [r.per_article for r in rows]
        spread = max(cpu) / min(cpu)
        lines.append(f"| linear: CPU s/article max/min ≤ {MAX_LINEARITY} | {spread:.2f} ({min(cpu):.4f}–{max(cpu):.4f}"
                     f" s; wall s/article {max(wall) / min(wall):.2f}) | {verdict(spread <= MAX_LINEARITY)} |")
    else:
        lines.append(f"| linear: CPU s/article max/min ≤ {MAX_LINEARITY} | n/a (one size) | — |")
    if inc is None:
        lines.append(f"| incremental: +1 article < {MAX_INCREMENTAL_SHARE:.0%} of a full build | {inc_note} | — |")
    else:
        part = inc.total / largest.total
        lines.append(f"| incremental: +1 article < {MAX_INCREMENTAL_SHARE:.0%} of a full build | {inc.total:.2f} s "
                     f"= {part:.1%} of {largest.total:.2f} s at N={largest.n:,} | "
                     f"{verdict(part < MAX_INCREMENTAL_SHARE)} |")
    return lines


def render(rows: list[Row], inc: Row | None, inc_note: str, args: argparse.Namespace, ray: Row | None = None,
           ray_note: str = "") -> str:
    """The Markdown report: the table, then each target with its verdict."""
    import spacy

    from pipeline.nlp import model_name

    made_of = " and ".join(f"the {sum(p.is_file() for p in folder.iterdir())} files of `{folder.name}/`"
                           for folder in args.raw)
    return "\n".join([
        "# backkb build benchmark",
        "",
        f"Corpus: `bench/corpus.py`, seed {args.seed}, made from {made_of}, with filler around the exercises. "
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, spaCy {spacy.__version__}, "
        f"model `{model_name()}`. Total = wall time of `build()` in a fresh process, model loading included; "
        "floor = bare `nlp.pipe` of the trained model (without backkb's components) over the same cleaned "
        "texts, with the same batch size and `n_process` (pipe only). Model skipped = share of those texts' "
        "tokens the build's trained components never read (the gate's choice). "
        "Peak MB (1 proc) = largest resident set of any of the build's processes; "
        "(all procs) = sampled PSS of all of them at once. CPU s = user + system time of all of them. "
        "A `(ray)` row is the same corpus built with `--engine ray` on a local Ray instance of `jobs` CPUs; "
        "its one-process peak and CPU time are not known (Ray's workers are not processes the build waits "
        "for), and its memory is the PSS of every process, Ray's own included.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---:" for _ in COLUMNS) + "|",
        *("| " + " | ".join(row_cells(r)) + " |" for r in rows),
        "| " + " | ".join(incremental_cells(inc, rows[-1], inc_note)) + " |",
        *(["| " + " | ".join(row_cells(ray)) + " |"] if ray else []),
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *target_lines(rows, inc, inc_note),
        ray_line(ray, rows, ray_note),
    ]) + "\n"


def ray_skipped(ray_at: int, sizes: list[int]) -> str:
    """Why the Ray build is not run (``""`` when it is)."""
    if not ray_at:
        return "n/a (--ray-at 0)"
    if ray_at not in sizes:
        return f"n/a (no N={ray_at:,} in this run)"
    if importlib.util.find_spec("ray") is None:
        return "n/a (Ray is not installed: the scale extra)"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000], help="corpus sizes N")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"Markdown file to write (default {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--raw", type=Path, nargs="+", default=default_sources(),
                        help=f"folders of articles to make the corpus of (default {RAW_DIR} and the dev texts)")
    parser.add_argument("--jobs", type=int, default=None, help="extraction processes (default: the build's choice)")
    parser.add_argument("--ray-at", type=int, default=1000, metavar="N",
                        help="also build the corpus of N articles with --engine ray, where Ray is installed "
                             "(default 1000; 0: never)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        run_task(json.loads(args.task))
        return 0
    if args.measure:
        measure_task(json.loads(args.measure))
        return 0

    sizes = sorted(set(args.sizes))
    if sizes[0] < 1:
        parser.error("every size must be at least 1")
    cache = _build_accepts("cache_dir")
    rows: list[Row] = []
    inc: Row | None = None
    ray: Row | None = None
    ray_note = ray_skipped(args.ray_at, sizes)
    with tempfile.TemporaryDirectory(prefix="backkb-bench-") as tmp:
        work = Path(tmp)
        for n in sizes:
            row, folder = bench_size(n, args, work, cache)
            rows.append(row)
            if n == args.ray_at and not ray_note:
                ray = bench_ray(row, folder, work, cache)
            if n == sizes[-1] and cache:
                inc = bench_incremental(row, folder, args, work)
            shutil.rmtree(folder)
    table = render(rows, inc, "" if cache else "n/a (no cache)", args, ray, ray_note)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    print(table)
    say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
