"""Load the data files in ``pipeline/resources``: lexicons and patterns are data, not code.

Every rule module reads its words through ``load`` so that a change to a lexicon is a change to
data, and ``fingerprint`` gives one hash of all of them (the build records it, and a cache keyed
by it knows when extraction results are stale).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from pipeline.config import RESOURCES


@cache
def load(name: str) -> Any:
    """The parsed JSON file ``resources/<name>.json``, read once per process."""
    path = RESOURCES / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"lexicon {name!r} is missing: expected {path}") from None


def fingerprint() -> str:
    """A hash of every resource file's name and bytes."""
    h = hashlib.sha256()
    for path in sorted(RESOURCES.glob("*")):
        if path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]
