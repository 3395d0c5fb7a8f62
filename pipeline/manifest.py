"""The raw folder's manifest, ``sources.csv``: where each article came from, for citing it.

One row per article file: ``file,url,site_name,published,retrieved,licence`` (``file`` relative to
the raw folder; dates as ``YYYY-MM-DD``; every column but ``file`` may be empty or missing). A
value in the manifest wins over what a file says about itself (an HTML page's metadata). The
manifest is not an article: it is listed in ``sources`` with status ``manifest``, and whatever
in it could not be used (a row naming a missing file, a date that is not a date) is said in its
``status_detail``; the build goes on.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from pipeline.readers.document import Unreadable
from pipeline.vocab import MANIFEST

MANIFEST_NAME = "sources.csv"
COLUMNS = ("file", "url", "site_name", "published", "retrieved", "licence")
_SPELLINGS = {"license": "licence", "site": "site_name", "sitename": "site_name", "date": "published", "path": "file"}
_DATES = ("published", "retrieved")


@dataclass(frozen=True)
class Origin:
    """What the manifest says of one file."""

    url: str | None = None
    site_name: str | None = None
    published: str | None = None  # ISO date
    retrieved: str | None = None
    licence: str | None = None


@dataclass(frozen=True)
class Manifest:
    origins: dict[str, Origin]  # by path relative to the raw folder
    problems: tuple[str, ...]  # sentences a person can act on

    def detail(self, missing: list[str]) -> str:
        """The manifest's ``status_detail``: what was read, and each problem (with files it names but lacks)."""
        problems = [*self.problems, *(f"It names {f}, which is not in the folder." for f in missing)]
        n = len(self.origins)
        return " ".join([f"Where {n} article{'s' if n != 1 else ''} came from (read, not an article).", *problems])


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _path(value: str) -> str:
    return value.strip().replace("\\", "/").removeprefix("./")


def read_manifest(text: str) -> Manifest:
    """The manifest's rows (from its decoded text), or ``Unreadable`` when it has no ``file`` column."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    names = {h: _SPELLINGS.get(h.strip().lower(), h.strip().lower()) for h in reader.fieldnames or []}
    if "file" not in names.values():
        raise Unreadable(MANIFEST, f"{MANIFEST_NAME} has no 'file' column, so it was not used; its first line must "
                         f"name the columns: {','.join(COLUMNS)}.")
    unknown = sorted(set(names.values()) - set(COLUMNS))
    problems = [f"Columns {', '.join(unknown)} are not known and were ignored."] if unknown else []
    origins: dict[str, Origin] = {}
    for line, row in enumerate(reader, start=2):
        values = {names[k]: (v or "").strip() for k, v in row.items() if k in names and isinstance(v, str)}
        file = _path(values.get("file", ""))
        if not file:
            problems.append(f"Line {line} names no file.")
            continue
        for column in _DATES:
            if values.get(column) and _iso_date(values[column]) is None:
                problems.append(f"Line {line}: {column} {values[column]!r} is not a date (YYYY-MM-DD); left empty.")
                values[column] = ""
            elif values.get(column):
                values[column] = _iso_date(values[column]).isoformat()
        if file in origins:
            problems.append(f"Line {line} names {file} again; the later line is used.")
        origins[file] = Origin(**{c: values.get(c) or None for c in COLUMNS[1:]})
    return Manifest(origins, tuple(problems))
