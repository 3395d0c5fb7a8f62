"""The exploration notebook: committed without outputs, runs read-only on a KB, draws dose ranges as the
report does, and ``make notebook`` opens it in JupyterLab from the venv."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from pipeline.config import ROOT

matplotlib.use("Agg")
import matplotlib.pyplot as plt

NOTEBOOK = ROOT / "notebooks" / "01-explore-kb.ipynb"


def tree_hashes(*folders: Path) -> dict[str, str]:
    """Every file below the folders with its sha256, to prove nothing was written."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders if folder.exists() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_committed_notebook_has_no_outputs() -> None:
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.model
def test_notebook_runs_read_only(seeds_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    before = tree_hashes(ROOT / "raw", ROOT / "curated", seeds_kb.parent)
    monkeypatch.setenv("BACKKB_KB", str(seeds_kb))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the dose-range plot was not shown"
    assert any("knee-to-chest-stretch" in str(o.get("data", {})) for o in outputs)
    assert any("stale_reviews" in str(o.get("data", {})) for o in outputs), "every view is counted"
    assert tree_hashes(ROOT / "raw", ROOT / "curated", seeds_kb.parent) == before


# ---------------------------------------------------------------- the plot


@pytest.fixture(scope="module")
def plot_ranges():
    """The notebook's own ``plot_ranges``, taken from the cell that defines it."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def plot_ranges" in c.source)
    namespace = {"plt": plt, "pd": pd}
    exec(compile(cell.source, str(NOTEBOOK), "exec"), namespace)
    return namespace["plot_ranges"]


def bars(fig) -> list:
    return sorted(fig.axes[0].patches, key=lambda p: p.get_y())


def test_open_and_approximate_ranges_are_drawn_as_the_report_does(plot_ranges) -> None:
    doses = pd.DataFrame([
        {"name": "Bridge", "source_id": "s1", "attribute": "reps", "min_value": None, "max_value": 10.0,
         "per_side": False, "approx": False},  # up to 10
        {"name": "Bridge", "source_id": "s2", "attribute": "reps", "min_value": 3.0, "max_value": None,
         "per_side": False, "approx": False},  # 3 or more
        {"name": "Bridge", "source_id": "s3", "attribute": "reps", "min_value": 5.0, "max_value": 8.0,
         "per_side": False, "approx": False},  # 5 to 8
        {"name": "Bridge", "source_id": "s4", "attribute": "reps", "min_value": 6.0, "max_value": 6.0,
         "per_side": True, "approx": True},  # about 6 per side
    ])
    fig = plot_ranges(doses)
    try:
        up_to, or_more, closed, about = bars(fig)
        assert up_to.get_facecolor()[3] == pytest.approx(0.3), "'up to 10' is not a solid 0–10 bar"
        assert or_more.get_facecolor()[3] == pytest.approx(0.3)
        assert closed.get_facecolor()[3] == pytest.approx(1.0) and closed.get_linestyle() == "-"
        assert about.get_linestyle() == "--" and about.get_hatch() == "//"
        arrows = [a for a in fig.axes[0].texts if getattr(a, "arrow_patch", None) is not None]
        assert len(arrows) == 2  # one per open end
        _, right = fig.axes[0].get_xlim()
        assert up_to.get_x() == pytest.approx(0) and up_to.get_width() == pytest.approx(10)
        assert or_more.get_x() == pytest.approx(3) and or_more.get_x() + or_more.get_width() == pytest.approx(right)
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- make notebook


def test_make_notebook_opens_jupyterlab_from_the_venv() -> None:
    """The target installs the notebook extra (JupyterLab) into the venv and starts it there."""
    def dry_run(*args: str) -> str:
        return subprocess.run(["make", "-n", "-o", ".venv/.installed", "-o", "curated/kb.duckdb", *args],
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout

    assert "-m pip install --quiet -e '.[dev,notebook]'" in dry_run("-B", ".venv/.notebook-installed")
    start = dry_run("notebook")
    assert ".venv/bin/python -m jupyter lab" in start and "notebooks/01-explore-kb.ipynb" in start
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    notebook_extra = pyproject[pyproject.index("notebook = ["):]
    assert "jupyterlab" in notebook_extra[: notebook_extra.index("]")]
