from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from desktop_app.db.engine import database_url, make_engine
from desktop_app.db.migrate import (
    SchemaError,
    alembic_config,
    schema_differences,
    schema_status,
    upgrade,
)
from desktop_app.services.store import StoreError, open_store


def test_migrations_from_empty_match_the_models(db_path: Path) -> None:
    engine = make_engine(db_path)
    upgrade(engine)
    assert schema_differences(engine) == []
    assert schema_status(engine).up_to_date


def test_sqlite_connections_have_wal_full_sync_and_foreign_keys(db_path: Path) -> None:
    engine = make_engine(db_path)
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_foreign_keys_are_enforced(store) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), store.transaction() as session:
        session.execute(
            text(
                "INSERT INTO callers (patient_id, name, furigana, relationship, phone) VALUES (999, 'x', '', 'self', '')"
            )
        )


def test_database_at_an_older_revision_is_upgraded_on_open(db_path: Path) -> None:
    engine = make_engine(db_path)
    command.upgrade(alembic_config(engine), "head")
    command.downgrade(alembic_config(engine), "base")
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()
    store = open_store(db_path)
    assert store.schema().up_to_date


def test_newer_database_is_refused_with_a_clear_message(db_path: Path) -> None:
    engine = make_engine(db_path)
    upgrade(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(StoreError, match="新しいバージョン"):
        open_store(db_path)


def test_foreign_database_is_refused(db_path: Path) -> None:
    with sqlite3.connect(db_path) as c:
        c.execute("CREATE TABLE something (x)")
    with pytest.raises(StoreError, match="SO Desk のものではありません"):
        open_store(db_path)
    with pytest.raises(SchemaError):
        schema_status(make_engine(db_path))


def test_urls() -> None:
    assert database_url("/tmp/a.db").drivername == "sqlite+pysqlite"
    assert database_url("postgresql://u:p@localhost/sodesk").drivername == "postgresql+psycopg"
    assert database_url("sqlite:///x.db").database == "x.db"


def test_enum_columns_store_the_same_text_as_before(store, make_case, db_path: Path) -> None:
    """Typed columns (Mapped[Stage] …) keep the plain values in the file: no data migration."""
    from desktop_app.domain.stages import Stage

    case = make_case()
    assert case.stage is Stage.INQUIRY
    with sqlite3.connect(db_path) as c:
        row = c.execute("SELECT stage, attendance, decision, mail_channel FROM cases").fetchone()
        kinds = {r[0] for r in c.execute("SELECT kind FROM case_documents")}
        action = c.execute("SELECT action FROM audit_log").fetchone()
    assert row == ("inquiry", "patient", "pending", "mail")
    assert "application" in kinds and "referral_letter" in kinds
    assert action == ("case.create",)
