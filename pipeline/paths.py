"""Path mistakes found before any work starts, each as one sentence (a ``UserError``).

A build that has read and extracted every article and only then finds that ``--kb`` names a folder,
or that a lock cannot be made where the KB should go, wastes the user's time and ends in a
traceback; so every command checks its paths first. A check may create a missing folder (the
build would create it anyway), never a file the user has not asked for.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from pipeline.config import shown
from pipeline.errors import UserError

# The first bytes of a DuckDB database file: 8 bytes of checksum, then the magic "DUCK".
DUCKDB_MAGIC = b"DUCK"


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` that is not a folder, if there is one."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def input_folder(path: Path, option: str) -> Path:
    """A folder to read (``--raw``): it must exist and be a folder."""
    if path.is_file():
        raise UserError(f"{option} {shown(path)} is a file; give the folder that holds the articles "
                        f"(e.g. {option} {shown(path.parent)}).")
    if not path.is_dir():
        raise UserError(f"The folder {shown(path)} given to {option} does not exist.")
    return path


def input_file(path: Path, option: str) -> Path:
    """A file to read (``--file``): it must exist and be a file."""
    if path.is_dir():
        raise UserError(f"{option} {shown(path)} is a folder; give a file.")
    if not path.is_file():
        raise UserError(f"The file {shown(path)} given to {option} does not exist.")
    return path


def optional_input_file(path: Path, option: str) -> Path:
    """A file that may be missing (``--reviews`` before the first verdict), but is not a folder."""
    if path.is_dir():
        raise UserError(f"{option} {shown(path)} is a folder; give the file's path.")
    return path


def output_folder(path: Path, option: str, create: bool = True) -> Path:
    """A folder to write into (``--out``, ``--cache-dir``), created when missing (unless ``create``
    is false: then only what is in its way is checked)."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} {shown(path)} is a file; give a folder.")
    _make_folder(path, path, option, create)
    return path


def output_file(path: Path, option: str) -> Path:
    """A file to write (``-o``, ``--out`` of the report): not a folder, and its folder can be made."""
    if path.is_dir():
        raise UserError(f"{option} {shown(path)} is a folder; give a file's path.")
    _make_folder(path.parent, path, option)
    return path


def _make_folder(folder: Path, given: Path, option: str, create: bool = True) -> None:
    """Create ``folder`` (for the path the user ``given``), or say why it cannot be."""
    blocker = _file_in_the_way(folder) or (folder if folder.exists() and not folder.is_dir() else None)
    if blocker is not None:
        raise UserError(f"{option} {shown(given)} cannot be created: {shown(blocker)} is a file, not a folder.")
    if not create:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{option} {shown(given)} cannot be created ({err.strerror}).") from None


def creatable(path: Path, option: str) -> Path:
    """Create ``path`` if missing and open it for appending, so that a file that cannot be made
    (a read-only place such as ``/proc``) is an error now rather than a lock that is never had."""
    try:
        with path.open("a"):
            pass
    except OSError as err:
        raise UserError(f"{option}: cannot create {shown(path)} ({err.strerror}).") from None
    return path


def kb_target(kb: Path, option: str = "--kb") -> Path:
    """The KB a build will write: a file path, in a folder that can be written, and not some other
    file that a build would replace."""
    if kb.is_dir():
        raise UserError(f"{option} {shown(kb)} is a folder; give the KB file's path (e.g. {option} "
                        f"{shown(kb / 'kb.duckdb')}).")
    _make_folder(kb.parent, kb, option)
    if kb.is_file() and kb.stat().st_size and not is_duckdb_file(kb):
        raise UserError(f"{option} {shown(kb)} is not a DuckDB file; a build would replace it, so give "
                        "another path or remove the file.")
    return kb


def is_duckdb_file(path: Path) -> bool:
    with contextlib.suppress(OSError), path.open("rb") as f:
        return f.read(12)[8:12] == DUCKDB_MAGIC
    return False


def existing_kb(kb: Path, build_hint: str, option: str = "--kb") -> Path:
    """A KB to read: an existing file (``build_hint`` says how to make it when it is missing)."""
    if kb.is_dir():
        raise UserError(f"{option} {shown(kb)} is a folder; give the KB file's path.")
    if not kb.is_file():
        raise UserError(f"No knowledge base at {shown(kb)}; build it first with `{build_hint}`.")
    if not os.access(kb, os.R_OK):
        raise UserError(f"{option} {shown(kb)} cannot be read (permission denied).")
    return kb
