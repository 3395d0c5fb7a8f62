"""Reviewers' verdicts on conflicts, kept in a reviews file beside the KB they belong to (in git,
editable by hand): ``curated/reviews.csv`` for the project's KB, ``NAME.reviews.csv`` beside any other
KB ``NAME.duckdb`` (``reviews_for``), so a verdict on a scratch KB never reaches another build.

Every build reads the file and applies the verdicts to the ``conflicts`` view; a verdict whose
conflict no longer exists (the sources changed) stays in the file and is reported by the build and
the ``stale_reviews`` view — never dropped silently. A malformed file is an error naming the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import config
from pipeline.errors import UserError
from pipeline.vocab import REVIEW_VERDICTS

COLUMNS = ("conflict_id", "verdict", "note", "reviewed_at")


@dataclass(frozen=True)
class Review:
    conflict_id: str
    verdict: str
    note: str | None
    reviewed_at: str | None


def load_reviews(path: Path) -> tuple[Review, ...]:
    """The verdicts in ``path`` (none when the file does not exist); the last verdict on a conflict wins."""
    if not path.is_file():
        return ()
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return ()
        if tuple(h.strip() for h in header) != COLUMNS:
            raise UserError(f"{path}, line 1: the header must be {','.join(COLUMNS)} (found {','.join(header)}).")
        reviews: dict[str, Review] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(COLUMNS):
                raise UserError(f"{path}, line {line}: expected {len(COLUMNS)} fields, found {len(row)}.")
            cid, verdict, note, when = (cell.strip() for cell in row)
            if not cid:
                raise UserError(f"{path}, line {line}: the conflict_id is empty.")
            if verdict not in REVIEW_VERDICTS:
                raise UserError(f"{path}, line {line}: verdict {verdict!r} is not one of {', '.join(REVIEW_VERDICTS)}.")
            reviews[cid] = Review(cid, verdict, note or None, when or None)
    return tuple(reviews.values())


def reviews_for(kb: Path) -> Path:
    """The reviews file of ``kb``: ``curated/reviews.csv`` for the project's KB, else ``NAME.reviews.csv`` beside it.

    >>> reviews_for(Path("/tmp/dev.duckdb"))
    PosixPath('/tmp/dev.reviews.csv')
    """
    if kb.resolve() == config.KB_PATH.resolve():
        return config.REVIEWS_PATH
    return kb.with_name(kb.stem + ".reviews.csv")


def _write(path: Path, reviews: Sequence[Review]) -> None:
    """Replace the reviews file with ``reviews`` (created with its header), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for r in reviews:
            writer.writerow([r.conflict_id, r.verdict, r.note or "", r.reviewed_at or ""])
    os.replace(tmp, path)


def record_reviews(path: Path, conflict_ids: Sequence[str], verdict: str, note: str | None) -> list[Review]:
    """Record one verdict on each of ``conflict_ids`` in the reviews file, replacing earlier ones."""
    if verdict not in REVIEW_VERDICTS:
        raise UserError(f"Verdict {verdict!r} is not one of {', '.join(REVIEW_VERDICTS)}.")
    ids = list(dict.fromkeys(conflict_ids))
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    recorded = [Review(cid, verdict, note, when) for cid in ids]
    _write(path, [*(r for r in load_reviews(path) if r.conflict_id not in ids), *recorded])
    return recorded


def clear_reviews(path: Path, conflict_ids: Sequence[str]) -> list[Review]:
    """Remove the verdicts on ``conflict_ids`` from the reviews file; the verdicts that were removed."""
    kept, removed = [], []
    for r in load_reviews(path):
        (removed if r.conflict_id in conflict_ids else kept).append(r)
    if removed:
        _write(path, kept)
    return removed
