"""Upgrades are all or nothing: a real 0001 -> 0002, and a migration that fails on purpose."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from desktop_app.db.engine import make_engine
from desktop_app.db.migrate import (
    SchemaError,
    alembic_config,
    schema_differences,
    schema_status,
    upgrade,
)
from desktop_app.services.store import open_store


def _database_at_0001(path: Path) -> None:
    engine = make_engine(path)
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO departments (name, sort_order, active) VALUES ('外科', 1, 1)"
        )
        c.exec_driver_sql("INSERT INTO settings (key, value) VALUES ('fax', '\"0144330000\"')")
    engine.dispose()


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as c:
        return c.execute(sql).fetchall()


def _columns(path: Path, table: str) -> list[str]:
    return [row[1] for row in _rows(path, f"PRAGMA table_info({table})")]


def test_0001_database_is_copied_then_upgraded_keeping_its_data(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    _database_at_0001(db)
    assert "version" not in _columns(db, "cases")
    store = open_store(db)
    try:
        assert store.schema().up_to_date
        assert schema_differences(store.engine) == []
        backup = store.backup_made
    finally:
        store.close()
    assert _rows(db, "SELECT name, version FROM departments") == [("外科", 1)]
    assert _rows(db, "SELECT key, version FROM settings") == [("fax", 1)]
    assert backup is not None and ".before-0001-" in backup.name
    assert _rows(backup, "SELECT version_num FROM alembic_version") == [("0001",)]
    assert _rows(backup, "SELECT name FROM departments") == [("外科",)]


FAILING_MIGRATION = '''
"""fails on purpose after changing the schema and the data"""
import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("departments") as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(10), server_default="", nullable=False))
    op.execute("UPDATE departments SET name = name || '（変更）'")
    {middle}
    raise RuntimeError("this migration fails on purpose")


def downgrade():
    pass
'''


def _failing_versions(tmp_path: Path, down: str, *, commit_midway: bool = False) -> Path:
    folder = tmp_path / "extra_versions"
    folder.mkdir(exist_ok=True)
    # A migration that commits half-way imitates a step no transaction can undo (e.g. a
    # driver that auto-commits DDL): only the pre-upgrade copy can bring the file back.
    middle = (
        'op.get_bind().exec_driver_sql("COMMIT"); op.get_bind().exec_driver_sql("BEGIN")'
        if commit_midway
        else "pass"
    )
    (folder / "0099_fails.py").write_text(
        textwrap.dedent(FAILING_MIGRATION.format(down=down, middle=middle)), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("commit_midway", [False, True], ids=["rolled-back", "put-back"])
def test_a_failing_upgrade_leaves_the_file_as_it_was(tmp_path: Path, commit_midway) -> None:
    db = tmp_path / "clinic.db"
    open_store(db, create=True).close()
    with sqlite3.connect(db) as c:
        c.execute("INSERT INTO departments (name, sort_order, active) VALUES ('外科', 1, 1)")
    head = schema_status(make_engine(db)).head
    extra = _failing_versions(tmp_path, head, commit_midway=commit_midway)

    for _attempt in range(3):  # every later start meets the same, sound file
        engine = make_engine(db)
        with pytest.raises(SchemaError, match="更新前の状態に戻しました"):
            upgrade(engine, extra_versions=extra)
        engine.dispose()
        assert "code" not in _columns(db, "departments")
        assert _rows(db, "SELECT name FROM departments") == [("外科",)]
        assert _rows(db, "SELECT version_num FROM alembic_version") == [(head,)]
        assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
    # The copy taken before each attempt is removed once the file is back: no pile of copies.
    assert sorted(p.name for p in tmp_path.glob("clinic.before-*")) == []


def test_an_empty_database_that_fails_to_migrate_keeps_no_tables(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    engine = make_engine(db)
    extra = _failing_versions(tmp_path, schema_status(engine).head)
    with pytest.raises(SchemaError):
        upgrade(engine, extra_versions=extra)
    # Creating the schema and the failed step were one transaction: nothing half-made stays.
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_0003_round_trip_keeps_the_paper_trail_and_turns_no_channel_into_null(
    tmp_path: Path,
) -> None:
    """Down to 0002 (channel "" again) and back up: no channel is NULL, a real one is kept."""
    from desktop_app.services.demo import build_demo, mark_as_demo

    db = tmp_path / "clinic.db"
    store = open_store(db, create=True)
    mark_as_demo(store)
    build_demo(store, cases=12)
    store.close()
    channels = "SELECT id, channel FROM case_documents ORDER BY id"
    before = _rows(db, channels)
    assert any(c is None for _, c in before) and any(c is not None for _, c in before)

    engine = make_engine(db)
    command.downgrade(alembic_config(engine), "0002")
    engine.dispose()
    assert "waived_on" not in _columns(db, "case_documents")
    assert "notified_on" not in _columns(db, "appointments")
    assert _rows(db, "SELECT count(*) FROM case_documents WHERE channel IS NULL") == [(0,)]

    store = open_store(db)
    try:
        assert store.schema().up_to_date
        assert schema_differences(store.engine) == []
    finally:
        store.close()
    assert _rows(db, channels) == before
    assert _rows(db, "SELECT count(*) FROM cases WHERE stage_since IS NULL") == [(0,)]
    assert _rows(db, "SELECT DISTINCT quantity, waived_reason FROM case_documents") == [(1, "")]


def test_0010_puts_callers_phones_in_the_search_and_keeps_the_seals(tmp_path: Path) -> None:
    """Down to 0009 (no caller's phone in the search text) and back up: the daughter's number
    finds the case again, through the new index, and no seal is broken either way."""
    from desktop_app.db.seals import broken_seals
    from desktop_app.domain.people import Relationship
    from desktop_app.services.case_rows import search_cases
    from desktop_app.services.cases import create_case
    from desktop_app.services.dto import NewCaller, NewCase, NewPatient

    db = tmp_path / "clinic.db"
    store = open_store(db, create=True)
    patient = NewPatient(name="高橋　正", furigana="タカハシ　タダシ", phone="0144-11-2222")
    daughter = NewCaller(name="高橋　美咲", relationship=Relationship.CHILD, phone="08077778888")
    number = create_case(store, NewCase(patient=patient, caller=daughter)).case_number
    create_case(store, NewCase(patient=NewPatient(name="鈴木　一郎", furigana="スズキ")))
    store.close()
    text = "SELECT search_text FROM cases ORDER BY id"
    assert str(_rows(db, text)[0][0]).endswith("|0144112222|高橋美咲|08077778888")

    engine = make_engine(db)
    command.downgrade(alembic_config(engine), "0009")
    with engine.connect() as c:
        assert broken_seals(c) == []
    engine.dispose()
    assert str(_rows(db, text)[0][0]).endswith("|0144112222|高橋美咲")
    assert "ix_callers_phone" not in [r[1] for r in _rows(db, "PRAGMA index_list(callers)")]

    store = open_store(db)
    try:
        assert store.schema().up_to_date
        assert schema_differences(store.engine) == []
        with store.engine.connect() as c:
            assert broken_seals(c) == []
        for query in ("080-7777-8888", "7777-8888"):
            assert [r.case_number for r in search_cases(store, query).rows] == [number], query
    finally:
        store.close()
    assert "ix_callers_phone" in [r[1] for r in _rows(db, "PRAGMA index_list(callers)")]


def test_0011_seals_the_settings_and_masters_and_comes_off_again(tmp_path: Path) -> None:
    """Rows written before 0011 (one by hand) are sealed by it; down to 0010 the seal
    columns go, and back up every row is sealed again; an edit after that is named."""
    from desktop_app.db.seals import SEALED_TABLES, broken_seals

    db = tmp_path / "clinic.db"
    engine = make_engine(db)
    command.upgrade(alembic_config(engine), "0010")
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO departments (name, sort_order, active) VALUES ('外科', 1, 1)"
        )
        c.exec_driver_sql("INSERT INTO settings (key, value) VALUES ('fax', '\"0144330000\"')")
        c.exec_driver_sql("INSERT INTO clinic_closures (date, reason) VALUES ('2026-12-29', '')")
    engine.dispose()
    open_store(db).close()
    for table in ("settings", "departments", "clinic_closures", "doctors"):
        assert "seal" in _columns(db, table), table
    assert _rows(db, "SELECT count(*) FROM settings WHERE seal IS NULL") == [(0,)]
    engine = make_engine(db)
    try:
        with engine.connect() as c:
            assert broken_seals(c) == []
        command.downgrade(alembic_config(engine), "0010")
        assert "seal" not in _columns(db, "settings")
        assert "seal" in _columns(db, "payments")  # 0008's tables keep theirs
        command.upgrade(alembic_config(engine), "head")
        with engine.connect() as c:
            assert broken_seals(c) == []
        with engine.begin() as c:
            c.exec_driver_sql("UPDATE settings SET value = '\"0120000000\"' WHERE key = 'fax'")
        with engine.connect() as c:
            assert broken_seals(c) == [("settings", "fax")]
    finally:
        engine.dispose()
    assert {"settings", "clinic_closures"} <= set(SEALED_TABLES)
