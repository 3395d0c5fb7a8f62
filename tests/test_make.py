"""``make build-kb`` sees every change to raw/: a removed article, and a new one with an old timestamp.

make compares timestamps, which miss both (a removed file leaves nothing newer than the KB; ``cp -p``,
``tar`` and ``unzip`` keep old ones), so the Makefile always asks the build, which compares the
articles' bytes and leaves the KB untouched when nothing changed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from pipeline.config import ROOT
from tests.conftest import RAW

pytestmark = pytest.mark.model  # make runs the real build, with the trained model


def make_build(raw: Path, kb: Path) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "build-kb",
         f"RAW={raw}", f"KB={kb}", f"REVIEWS={raw.parent / 'reviews.csv'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def sources(kb: Path) -> set[str]:
    con = duckdb.connect(str(kb), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT path FROM sources").fetchall()}
    finally:
        con.close()


def test_make_build_kb_sees_removed_and_old_timestamped_articles(raw_copy: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    make_build(raw_copy, kb)
    everything = sources(kb)
    assert len(everything) == 5

    assert "nothing new" in make_build(raw_copy, kb)

    gone = sorted(raw_copy.iterdir())[0]
    gone.unlink()
    assert "Nothing to be done" not in make_build(raw_copy, kb)
    assert sources(kb) == everything - {gone.name}

    old = raw_copy / "from-an-archive.txt"  # an article unpacked with its old timestamp
    old.write_bytes(gone.read_bytes() if gone.exists() else (RAW / gone.name).read_bytes())
    os.utime(old, (946_684_800, 946_684_800))  # 2000-01-01, older than the KB
    make_build(raw_copy, kb)
    assert "from-an-archive.txt" in sources(kb)
