"""Migration 0013: callers.relation, the caller's own 続柄 beside the category; callers stored
before it get '' and keep their seals (a row already broken stays broken)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from desktop_app.db.engine import make_engine
from desktop_app.db.migrate import alembic_config, schema_differences
from desktop_app.db.seals import broken_seals
from desktop_app.domain.people import Relationship
from desktop_app.services.cases import create_case, get_case
from desktop_app.services.dto import NewCaller, NewCase, NewPatient
from desktop_app.services.store import open_store


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as c:
        return c.execute(sql).fetchall()


def _columns(path: Path) -> list[str]:
    return [row[1] for row in _rows(path, "PRAGMA table_info(callers)")]


def test_0013_adds_the_relation_empty_for_old_callers_and_keeps_the_seals(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    store = open_store(db, create=True)
    patient = NewPatient(name="高橋　正", furigana="タカハシ　タダシ")
    for name in ("高橋　美咲", "高橋　誠"):
        caller = NewCaller(name=name, relationship=Relationship.CHILD, relation="娘")
        create_case(store, NewCase(patient=patient, caller=caller))
    store.close()

    engine = make_engine(db)
    try:
        command.downgrade(alembic_config(engine), "0012")
        assert "relation" not in _columns(db)
        with engine.connect() as c:
            assert broken_seals(c) == []
        # One row changed with another tool while at 0012: the upgrade must not hide it.
        with engine.begin() as c:
            c.exec_driver_sql("UPDATE callers SET name = '高橋　誠二' WHERE id = 2")
        command.upgrade(alembic_config(engine), "head")
        assert "relation" in _columns(db)
        assert _rows(db, "SELECT id, relation FROM callers ORDER BY id") == [(1, ""), (2, "")]
        with engine.connect() as c:
            assert broken_seals(c) == [("callers", 2)]
    finally:
        engine.dispose()

    store = open_store(db)
    try:
        assert schema_differences(store.engine) == []
        case = get_case(store, 1)
        assert case.caller is not None and case.caller.relation == ""
        assert case.caller.relation_label == "子", "unknown: the category's label, as before"
        new = NewCaller(name="高橋　美咲", relationship=Relationship.CHILD, relation="娘")
        number = create_case(store, NewCase(patient=patient, caller=new)).id
        stored = get_case(store, number).caller
        assert stored is not None and (stored.relation, stored.relation_label) == ("娘", "娘")
    finally:
        store.close()
