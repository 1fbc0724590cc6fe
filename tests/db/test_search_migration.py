"""Migration 0009: the search index is filled from existing cases, kept by triggers, undone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from desktop_app.db.migrate import alembic_config, schema_differences
from desktop_app.db.search_index import INDEX_TABLES, TRIGGERS, index_problems
from desktop_app.services.case_rows import search_cases
from desktop_app.services.store import open_store


def _names(path: Path, kind: str) -> set[str]:
    with sqlite3.connect(path) as c:
        rows = c.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,)).fetchall()
    return {r[0] for r in rows}


def test_downgrade_removes_the_index_and_upgrade_fills_it_again(tmp_path: Path, make_case_in):
    db = tmp_path / "clinic.db"
    store = open_store(db, create=True)
    try:
        numbers = [make_case_in(store, k).case_number for k in range(3)]
        command.downgrade(alembic_config(store.engine), "0008")
        assert not _names(db, "table") & INDEX_TABLES
        assert not _names(db, "trigger") & set(TRIGGERS)
        # Written while there is no index (by the program of the day: a copy of the first
        # row with another number and name): the upgrade must find this one too.
        with sqlite3.connect(db) as c:
            skip = ("id", "case_number", "search_text")
            columns = [r[1] for r in c.execute("PRAGMA table_info(cases)") if r[1] not in skip]
            copied = ", ".join(columns)
            c.execute(
                f"INSERT INTO cases (case_number, search_text, {copied})"
                f" SELECT 'SO-2026-0099', 'so-2026-0099|患者3|カンジャサン', {copied}"
                " FROM cases WHERE id = 1"
            )
    finally:
        store.close()
    store = open_store(db)  # upgrades to head, as the program does at start
    try:
        assert store.backup_made is not None and ".before-0008-" in store.backup_made.name
        assert schema_differences(store.engine) == []
        with store.engine.connect() as connection:
            assert index_problems(connection) == []
        assert set(TRIGGERS) <= _names(db, "trigger")
        found = [r.case_number for r in search_cases(store, "かんじゃ").rows]
        assert len(found) == 4 and set(numbers) < set(found)
        assert [r.case_number for r in search_cases(store, "患者3").rows] == [found[0]]
    finally:
        store.close()
