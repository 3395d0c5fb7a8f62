"""Stage 1: read every file of the raw folder and clean the accepted ones.

A file that cannot be used (empty, binary, too large, a duplicate, unreadable) is still listed,
with a status and a sentence a person can act on, and the build goes on with the rest. Raw files
are only ever opened for reading.

Cleaning is three rewrites, each mapped back exactly (``pipeline.offsets``): repair unicode and
typography, drop noise (every removal recorded with its reason), undo spinner synonyms.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.config import MAX_FILE_BYTES
from pipeline.models import Article, Dropped, Ingested, Source
from pipeline.noise import find_noise
from pipeline.normalize import spinner_edits, typography_edits, unicode_edits
from pipeline.offsets import OffsetMap, rewrite
from pipeline.structure import find_blocks

_BOM = b"\xef\xbb\xbf"
# Share of characters that may be undecodable or control characters before a file is not text.
_MAX_BAD_SHARE = 0.05
_SPINNER_PASSES = 3


def decode(data: bytes) -> str:
    """The raw text as kb-contract.md defines it: UTF-8, leading BOM removed, bad bytes → U+FFFD."""
    return data.removeprefix(_BOM).decode("utf-8", errors="replace")


def _bad_share(text: str) -> float:
    bad = sum(1 for c in text if c == "\ufffd" or (ord(c) < 32 and c not in "\n\r\t\f"))
    return bad / max(len(text), 1)


def _candidates(raw_dir: Path) -> list[Path]:
    """Every visible regular file below the folder, in a stable order."""
    return sorted(
        p for p in raw_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts)
    )


def _source_id(rel: Path, taken: set[str]) -> str:
    sid = rel.with_suffix("").as_posix().replace("/", "__")
    if sid in taken:
        sid = rel.as_posix().replace("/", "__").replace(".", "_")
    taken.add(sid)
    return sid


def read_source(path: Path, rel: str, source_id: str, seen: dict[str, str]) -> tuple[Source, str | None]:
    """Read one file: its ``Source`` record and, when it is usable, its raw text."""

    def source(status: str, detail: str, sha: str = "", n_chars: int = 0) -> Source:
        return Source(source_id, rel, sha, status, detail, None, n_chars)

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return source("too_large", f"The file has {size:,} bytes, more than the limit of "
                          f"{MAX_FILE_BYTES:,}; split it into articles or remove it."), None
        data = path.read_bytes()
    except OSError as err:
        return source("error", f"The file could not be read ({err.strerror or err}); "
                      "check that it exists and is readable."), None
    sha = hashlib.sha256(data).hexdigest()
    if sha in seen:
        return source("duplicate", f"Same bytes as {seen[sha]}; remove one of the two copies.", sha), None
    seen[sha] = rel
    text = decode(data)
    if not text.strip():
        return source("empty", "The file is empty; paste the article's text into it or remove it.", sha,
                      len(text)), None
    if b"\x00" in data or _bad_share(text) > _MAX_BAD_SHARE:
        return source("not_text", "The file is not UTF-8 text (binary or another encoding); "
                      "save the article as UTF-8 text.", sha, len(text)), None
    bad = text.count("\ufffd")
    detail = f"{bad} bytes that are not UTF-8 were replaced by U+FFFD." if bad else ""
    return source("ok", detail, sha, len(text)), text


def _layer(text: str, mapping: OffsetMap, edits_of: Callable[[str], Iterable]) -> tuple[str, OffsetMap]:
    new_text, child = rewrite(text, edits_of(text))
    return new_text, mapping.then(child)


def clean(source: Source, raw_text: str) -> Article:
    """Clean one article's raw text into an ``Article`` with its offset map and dropped spans."""
    mapping = OffsetMap.identity(len(raw_text))
    text, mapping = _layer(raw_text, mapping, unicode_edits)
    text, mapping = _layer(text, mapping, typography_edits)

    noise, title = find_noise(text)
    dropped = []
    for e in noise:
        start, end = mapping.start(e.start), mapping.end(e.end)
        dropped.append(Dropped(start, end, raw_text[start:end], e.reason or "noise"))
    text, mapping = _layer(text, mapping, lambda _t: noise)

    for _ in range(_SPINNER_PASSES):
        edits = spinner_edits(text)
        if not edits:
            break
        text, mapping = _layer(text, mapping, lambda _t, e=edits: e)

    return Article(
        source=Source(**{**source.__dict__, "title": title}),
        raw_text=raw_text,
        clean_text=text,
        offsets=mapping,
        blocks=find_blocks(text),
        dropped=tuple(dropped),
    )


def ingest(raw_dir: Path, reuse: Callable[[Source], Article | None] | None = None) -> Ingested:
    """Read and clean every file below ``raw_dir``.

    ``reuse`` may return the article already cleaned from these very bytes (a build's cache), so
    that only new or changed files are cleaned again; every file is still read and hashed.
    """
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"The raw folder {raw_dir} does not exist.")
    sources, articles = [], []
    seen: dict[str, str] = {}
    taken: set[str] = set()
    for path in _candidates(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        source, text = read_source(path, rel, _source_id(path.relative_to(raw_dir), taken), seen)
        if text is not None:
            cached = reuse(source) if reuse else None
            usable = cached is not None and cached.source.path == source.path and cached.raw_text == text
            article = cached if usable else clean(source, text)
            source = article.source
            articles.append(article)
        sources.append(source)
    return Ingested(tuple(sources), tuple(articles))
