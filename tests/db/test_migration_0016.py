"""Migration 0016: a FAX number for patients and callers (patients.fax, callers.fax); rows
stored before it get '' and keep their seals (a row already broken stays broken), and down
again the numbers go and the seals still hold."""

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


def _columns(path: Path, table: str) -> list[str]:
    return [row[1] for row in _rows(path, f"PRAGMA table_info({table})")]


def _case(store, name: str, kana: str, *, fax: str = "", caller_fax: str = "") -> int:
    patient = NewPatient(name=name, furigana=kana, phone="0144-11-2233", fax=fax)
    caller = NewCaller(
        name="高橋　美咲", relationship=Relationship.CHILD, relation="娘", fax=caller_fax
    )
    return create_case(store, NewCase(patient=patient, caller=caller)).id


def test_0016_round_trip_keeps_the_seals_and_the_rows(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    store = open_store(db, create=True)
    _case(store, "高橋　正", "タカハシ　タダシ", fax="0144-11-2234", caller_fax="011-222-3344")
    _case(store, "高橋　誠", "タカハシ　マコト")
    store.close()

    engine = make_engine(db)
    try:
        # Down: the numbers go, every seal still holds (the rows are resealed without them).
        command.downgrade(alembic_config(engine), "0015")
        assert "fax" not in _columns(db, "patients") and "fax" not in _columns(db, "callers")
        assert _rows(db, "SELECT name, phone FROM patients ORDER BY id") == [
            ("高橋　正", "0144112233"),
            ("高橋　誠", "0144112233"),
        ]
        assert _rows(db, "SELECT count(*) FROM callers") == [(2,)]
        with engine.connect() as c:
            assert broken_seals(c) == []
        # Rows changed with another tool while at 0015: the upgrade must not hide them.
        with engine.begin() as c:
            c.exec_driver_sql("UPDATE patients SET address = '苫小牧市' WHERE id = 2")
            c.exec_driver_sql("UPDATE callers SET name = '高橋　美咲子' WHERE id = 1")
        command.upgrade(alembic_config(engine), "head")
        assert "fax" in _columns(db, "patients") and "fax" in _columns(db, "callers")
        assert _rows(db, "SELECT id, fax FROM patients ORDER BY id") == [(1, ""), (2, "")]
        assert _rows(db, "SELECT id, fax FROM callers ORDER BY id") == [(1, ""), (2, "")]
        with engine.connect() as c:
            assert broken_seals(c) == [("patients", 2), ("callers", 1)]
    finally:
        engine.dispose()

    store = open_store(db)
    try:
        assert schema_differences(store.engine) == []
        old = get_case(store, 1)
        assert old.patient.fax == "" and old.caller is not None and old.caller.fax == ""
        new = get_case(store, _case(store, "高橋　進", "タカハシ　ススム", fax="0144112299"))
        assert new.patient.fax == "0144112299"
    finally:
        store.close()
