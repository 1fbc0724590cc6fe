"""Migration 0014: 受付日 and 終了日 filled from the stamps the statistics used before (the
local day a case was written, the day it reached its end), seals kept, the search index's
triggers put back after SQLite copies the table."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command

from desktop_app.db.engine import make_engine
from desktop_app.db.migrate import alembic_config, schema_differences
from desktop_app.db.seals import broken_seals, seal_rows
from desktop_app.db.search_index import TRIGGERS, index_problems
from desktop_app.domain.stages import Stage
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import create_case, move_stage
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.store import open_store


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as c:
        return c.execute(sql).fetchall()


@pytest.fixture
def in_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The desk's time zone is the clinic's, UTC+9, whatever the machine's."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("in_tokyo")
def test_0014_fills_the_clinic_dates_from_the_old_stamps(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    store = open_store(db, create=True)
    for name in ("高橋　正", "佐藤　花子", "鈴木　一郎"):
        create_case(store, NewCase(patient=NewPatient(name=name, furigana="テスト")))
    move_stage(store, 2, Stage.CANCELLED, reason="ご本人の都合")
    store.close()

    engine = make_engine(db)
    try:
        command.downgrade(alembic_config(engine), "0013")
        columns = [r[1] for r in _rows(db, "PRAGMA table_info(cases)")]
        assert "received_on" not in columns and "ended_on" not in columns
        # Written as an older program would have: stamps in UTC, one case late at night
        # (the next day in UTC is not the clinic's day), one ended a week after.
        with engine.begin() as c:
            c.exec_driver_sql("UPDATE cases SET created_at = '2026-03-31 16:30:00' WHERE id = 1")
            c.exec_driver_sql("UPDATE cases SET stage_since = '2026-04-07 01:00:00' WHERE id = 2")
        with engine.begin() as c:
            seal_rows(c, "cases", [1, 2])
            c.exec_driver_sql("UPDATE cases SET diagnosis = '書き換え' WHERE id = 3")  # by hand
        command.upgrade(alembic_config(engine), "head")
        with engine.connect() as c:
            assert broken_seals(c) == [("cases", 3)], "a row broken before stays broken"
            assert index_problems(c) == []
    finally:
        engine.dispose()

    dates = _rows(db, "SELECT id, received_on, ended_on FROM cases ORDER BY id")
    assert dates[0][1] == "2026-04-01", "16:30 UTC is the next morning at the clinic"
    assert dates[1][2] == "2026-04-07"
    assert dates[0][2] is None and dates[2][2] is None
    assert set(TRIGGERS) <= {r[0] for r in _rows(db, "SELECT name FROM sqlite_master")}

    store = open_store(db)
    try:
        assert schema_differences(store.engine) == []
        found = [r.case_number for r in search_cases(store, "佐藤").rows]
        assert found == ["SO-2026-0002"], "the search index still follows the cases"
        new = create_case(store, NewCase(patient=NewPatient(name="新規　患者", furigana="シンキ")))
        assert [r.case_number for r in search_cases(store, "新規").rows] == [new.case_number]
    finally:
        store.close()
