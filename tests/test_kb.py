"""Loading: the contract views exist, rows quote the raw text, and a failed build keeps the old KB.

None of this reads what extraction found, so the builds here use a blank pipeline and need no model.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline import kb as kb_module
from pipeline.build import build
from pipeline.errors import NoUsableArticles
from pipeline.kb import CONTRACT_VIEWS, connect_read_only

pytestmark = pytest.mark.usefixtures("blank_model")


def test_build_writes_every_contract_view(raw_copy: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    build(raw_copy, kb)
    con = connect_read_only(kb)
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert set(CONTRACT_VIEWS) <= views
    assert con.execute("SELECT count(*) FROM sources WHERE status = 'ok'").fetchone() == (5,)
    rows = con.execute("SELECT d.source_id, s.path, d.char_start, d.char_end, d.text FROM dropped d "
                       "JOIN sources s USING (source_id)").fetchall()
    assert rows
    for _sid, path, start, end, text in rows:
        assert (raw_copy / path).read_text(encoding="utf-8")[start:end] == text


def test_rejected_files_are_in_sources(raw_copy: Path, tmp_path: Path) -> None:
    (raw_copy / "empty.txt").write_bytes(b"")
    kb = tmp_path / "kb.duckdb"
    build(raw_copy, kb)
    con = connect_read_only(kb)
    assert con.execute("SELECT status FROM sources WHERE source_id = 'empty'").fetchone() == ("empty",)
    assert con.execute("SELECT count(*) FROM documents").fetchone() == (5,)


def test_no_usable_article_is_an_error_and_keeps_the_old_kb(raw_copy: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    build(raw_copy, kb)
    before = kb.read_bytes()
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "blank.txt").write_text("   ")
    with pytest.raises(NoUsableArticles, match="No usable article"):
        build(empty, kb)
    assert kb.read_bytes() == before


def test_a_failing_load_leaves_the_last_good_kb(raw_copy: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    kb = tmp_path / "kb.duckdb"
    build(raw_copy, kb)
    before = kb.read_bytes()
    real = kb_module.sql_file

    def broken(name: str) -> str:
        return "CREATE VIEW broken AS SELECT * FROM missing_table;" if name == "views.sql" else real(name)

    monkeypatch.setattr(kb_module, "sql_file", broken)
    with pytest.raises(duckdb.Error):
        build(raw_copy, kb)
    assert kb.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_missing_kb_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make build-kb"):
        connect_read_only(tmp_path / "none.duckdb")
