"""Stage 1: read every file of the raw folder and clean the accepted ones.

A file that cannot be used (empty, binary, too large, a duplicate, a scanned or locked PDF, an
editor's backup) is still listed, with a status and a sentence a person can act on, and the build
goes on with the rest. Raw files are only ever opened for reading.

Each format has its reader (``pipeline.readers``): text files are decoded, web pages, PDFs and
Word files have their text extracted (as Markdown). Cleaning is a stack of rewrites, each mapped
back exactly (``pipeline.offsets``): line endings and control bytes, Markdown markup (for formats
that carry it), unicode and typography, words broken by a stray space, noise (every removal
recorded with its reason), spinner synonyms. After cleaning, an article that repeats an earlier
one with trivial differences is set aside as a near-duplicate (``pipeline.deduplication``), and
the folder's manifest (``pipeline.manifest``) says where each article came from.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline import readers
from pipeline.config import MAX_DOCUMENT_BYTES, MAX_FILE_BYTES
from pipeline.deduplication import find_near_duplicates
from pipeline.manifest import MANIFEST_NAME, Manifest, read_manifest
from pipeline.models import Article, Dropped, Ingested, Source
from pipeline.noise import find_noise
from pipeline.normalize import line_edits, spinner_edits, split_word_edits, typography_edits, unicode_edits
from pipeline.offsets import OffsetMap, rewrite
from pipeline.readers import Document, Unreadable, decode
from pipeline.readers.markdown import markdown_edits
from pipeline.vocab import EXTRACTED_FORMATS, IGNORED, MANIFEST, NEAR_DUPLICATE, SOURCE_OK, TEXT

__all__ = ["clean", "decode", "ingest", "read_source"]

_SPINNER_PASSES = 3
# Files editors and operating systems leave beside documents; hidden folders (.git) are not read.
IGNORED_PATTERNS = ("*~", ".*", "#*#", "~$*", "*.swp", "*.swo", "*.tmp", "*.bak", "Thumbs.db", "desktop.ini")


def _candidates(raw_dir: Path) -> list[Path]:
    """Every regular file below the folder that is not in a hidden folder, in a stable order."""
    return sorted(
        p for p in raw_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parent.parts)
    )


def _is_ignored(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED_PATTERNS)


def _source_id(rel: Path, taken: set[str]) -> str:
    sid = rel.with_suffix("").as_posix().replace("/", "__")
    if sid in taken:
        sid = rel.as_posix().replace("/", "__").replace(".", "_")
    taken.add(sid)
    return sid


def read_source(path: Path, rel: str, source_id: str, seen: dict[str, str]) -> tuple[Source, Document | None]:
    """Read one file: its ``Source`` record and, when it is usable, its ``Document``."""
    fmt = readers.format_of(rel)

    def source(status: str, detail: str, sha: str = "", n_chars: int = 0) -> Source:
        return Source(source_id, rel, sha, status, detail, None, n_chars, fmt)

    if _is_ignored(path.name):
        return source(IGNORED, "An editor's or the system's file, not an article; nothing to do "
                      "(delete it to keep the folder tidy)."), None
    try:
        size = path.stat().st_size
        limit = MAX_DOCUMENT_BYTES if fmt in EXTRACTED_FORMATS else MAX_FILE_BYTES
        if size > limit:
            return source("too_large", f"The file has {size:,} bytes, more than the limit of "
                          f"{limit:,}; split it into articles or remove it."), None
        data = path.read_bytes()
    except OSError as err:
        return source("error", f"The file could not be read ({err.strerror or err}); "
                      "check that it exists and is readable."), None
    sha = hashlib.sha256(data).hexdigest()
    if sha in seen:
        return source("duplicate", f"Same bytes as {seen[sha]}; remove one of the two copies.", sha), None
    seen[sha] = rel
    if not data.strip():
        return source("empty", "The file is empty; paste the article's text into it or remove it.", sha), None
    try:
        doc = readers.read(data, fmt)
    except Unreadable as refusal:
        return source(refusal.status, refusal.detail, sha), None
    except Exception as err:  # a parser's failure on one odd file must not stop the build
        return source("error", f"Reading it as {fmt} failed ({type(err).__name__}: {err}); save it again "
                      "(or as text) and build again.", sha), None
    return dataclasses.replace(source(SOURCE_OK, " ".join(doc.notes), sha, len(doc.text)), title=doc.title,
                               url=doc.url, site_name=doc.site_name, published=doc.published), doc


def _layer(text: str, mapping: OffsetMap, edits_of: Callable[[str], Iterable]) -> tuple[str, OffsetMap]:
    new_text, child = rewrite(text, edits_of(text))
    return new_text, mapping.then(child)


def clean(source: Source, raw_text: str) -> Article:
    """Clean one article's text (the text offsets index) into an ``Article`` with its offset map and dropped spans.

    Markdown markup is read as layout for every format but plain text; a title the file gives
    (an HTML page's) wins over the first title-like line.
    """
    mapping = OffsetMap.identity(len(raw_text))
    text, mapping = _layer(raw_text, mapping, line_edits)
    if source.format != TEXT:
        text, mapping = _layer(text, mapping, markdown_edits)
    text, mapping = _layer(text, mapping, unicode_edits)
    text, mapping = _layer(text, mapping, typography_edits)
    text, mapping = _layer(text, mapping, split_word_edits)

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
        source=dataclasses.replace(source, title=source.title or title),
        raw_text=raw_text,
        clean_text=text,
        offsets=mapping,
        dropped=tuple(dropped),
    )


def _with_origin(source: Source, manifest: Manifest | None) -> Source:
    """The source with the manifest's values, which win over the file's own."""
    origin = manifest.origins.get(source.path) if manifest else None
    if origin is None:
        return source
    given = {k: v for k, v in dataclasses.asdict(origin).items() if v is not None}
    return dataclasses.replace(source, **given)


def _manifest(raw_dir: Path, taken: set[str], seen: dict[str, str]) -> tuple[Source | None, Manifest | None]:
    path = raw_dir / MANIFEST_NAME
    if not path.is_file():
        return None, None
    source, doc = read_source(path, MANIFEST_NAME, _source_id(Path(MANIFEST_NAME), taken), seen)
    if doc is None:
        return source, None
    try:
        manifest = read_manifest(doc.text)
    except Unreadable as refusal:
        return dataclasses.replace(source, status="error", status_detail=refusal.detail), None
    return dataclasses.replace(source, status=MANIFEST), manifest


def ingest(raw_dir: Path, reuse: Callable[[Source], Article | None] | None = None) -> Ingested:
    """Read and clean every file below ``raw_dir``.

    ``reuse`` may return the article already cleaned from these very bytes (a build's cache), so
    that only new or changed files are cleaned again; every file is still read and hashed.
    ``Ingested.sources`` carries the manifest's values; an article's own ``source`` what its file said.
    """
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"The raw folder {raw_dir} does not exist.")
    seen: dict[str, str] = {}
    taken: set[str] = set()
    manifest_source, manifest = _manifest(raw_dir, taken, seen)
    sources, articles = [], []
    for path in _candidates(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        if rel == MANIFEST_NAME:
            continue
        source, doc = read_source(path, rel, _source_id(path.relative_to(raw_dir), taken), seen)
        if doc is not None:
            cached = reuse(source) if reuse else None
            usable = (cached is not None and cached.source.path == source.path
                      and cached.source.format == source.format and cached.raw_text == doc.text)
            article = cached if usable else clean(source, doc.text)
            source = article.source
            articles.append(article)
        sources.append(source)
    sources, articles = _set_aside_near_duplicates(sources, articles)
    if manifest_source is not None:
        missing = sorted(set(manifest.origins) - {s.path for s in sources}) if manifest else []
        sources.insert(0, dataclasses.replace(manifest_source, status_detail=manifest.detail(missing))
                       if manifest else manifest_source)
    return Ingested(tuple(_with_origin(s, manifest) for s in sources), tuple(articles))


def _set_aside_near_duplicates(sources: list[Source], articles: list[Article]) -> tuple[list[Source], list[Article]]:
    """Sources with each near-duplicate's status and the file it repeats, and the articles that remain."""
    repeats = {d.source_id: d for d in find_near_duplicates(articles)}
    paths = {s.source_id: s.path for s in sources}

    def status(s: Source) -> Source:
        if (d := repeats.get(s.source_id)) is None:
            return s
        return dataclasses.replace(s, status=NEAR_DUPLICATE, status_detail=(
            f"Nearly the same text as {paths[d.kept]} ({d.similarity:.0%} of their five-word sequences in "
            "common), which was kept; remove one of the two."))

    return [status(s) for s in sources], [a for a in articles if a.source_id not in repeats]
