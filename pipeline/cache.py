"""A per-article cache of cleaning and extraction, so a rebuild redoes only new or changed articles.

An entry is keyed by the article's source id and sha256, under a folder named for the pipeline's
fingerprint: a hash of the package's code, its lexicons and the spaCy model. Changing any of them
(a lexicon entry, a rule) starts a new folder, so every result the change could affect is made
again; the old folders are removed. Entries are pickles written atomically; an unreadable entry is
treated as missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
from functools import cache
from pathlib import Path

import spacy

from pipeline.config import PACKAGE
from pipeline.models import Article, Extraction, Source
from pipeline.nlp import model_name


@cache
def pipeline_fingerprint() -> str:
    """A hash of everything extraction depends on: code, resources, model and spaCy version."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json", ".sql"} and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    h.update(f"{model_name()}|{spacy.__version__}".encode())
    return h.hexdigest()[:16]


Entry = tuple[Article, Extraction]


class ExtractionCache:
    """The cleaned article and its extraction, per article, stored below ``root``."""

    def __init__(self, root: Path, fingerprint: str | None = None) -> None:
        self.root = root
        self.fingerprint = fingerprint or pipeline_fingerprint()
        self.folder = root / self.fingerprint

    def _path(self, source: Source) -> Path:
        key = hashlib.sha256(f"{source.source_id}\0{source.sha256}".encode()).hexdigest()[:32]
        return self.folder / f"{key}.pkl"

    def get(self, source: Source) -> Entry | None:
        try:
            with self._path(source).open("rb") as f:
                value = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        ok = (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Article)
              and isinstance(value[1], Extraction))
        return value if ok else None

    def put(self, source: Source, entry: Entry) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(source)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(entry, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    def prune(self) -> None:
        """Remove the entries of other pipeline versions."""
        if not self.root.is_dir():
            return
        for child in self.root.iterdir():
            if child.is_dir() and child.name != self.fingerprint:
                shutil.rmtree(child, ignore_errors=True)
            elif child.is_file():
                with contextlib.suppress(OSError):
                    child.unlink()
