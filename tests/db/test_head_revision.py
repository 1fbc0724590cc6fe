"""The start compares the stored revision with the head named by the newest migration file,
without loading Alembic; that head must be Alembic's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.script import ScriptDirectory

from desktop_app.db.engine import make_engine
from desktop_app.db.migrate import alembic_config, head_revision, schema_status, stored_revision
from desktop_app.services.store import Store


def test_head_from_file_names_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head()


def test_a_database_at_head_reads_as_up_to_date(store: Store, db_path: Path) -> None:
    assert stored_revision(store.engine) == head_revision()
    status = schema_status(store.engine)
    assert status.up_to_date and status.known and status.current == head_revision()


def test_a_database_behind_head_is_not_taken_for_current(store: Store, db_path: Path) -> None:
    store.close()
    with sqlite3.connect(db_path) as c:
        c.execute("UPDATE alembic_version SET version_num = '0001'")
    engine = make_engine(db_path)
    try:
        status = schema_status(engine)
        assert status.current == "0001" and not status.up_to_date and status.known
    finally:
        engine.dispose()


def test_a_newer_revision_is_unknown(store: Store, db_path: Path) -> None:
    store.close()
    with sqlite3.connect(db_path) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    engine = make_engine(db_path)
    try:
        assert not schema_status(engine).known
    finally:
        engine.dispose()


def test_an_empty_database_has_no_revision(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "empty.db")
    try:
        assert stored_revision(engine) is None
    finally:
        engine.dispose()
