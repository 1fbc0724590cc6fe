"""Backups belong to one database (issue #22 item 2): named by the identity of the database
they copy, rotated only among that database's own, and a demo mark grants nothing unless the
database was created as a demo and has no staff of its own."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from desktop_app.domain.backup_retention import backup_file_name, parse_backup_name
from desktop_app.services.backup import backup_database, default_backup_folder
from desktop_app.services.demo_mark import DEMO_MARK, is_demo_store
from desktop_app.services.maintenance import check_database
from desktop_app.services.store import Store, open_store
from tests.db_templates import copy_of

START = dt.datetime(2026, 10, 1, 9, 0, 0)  # naive: local time


@pytest.fixture
def clinic(tmp_path: Path, tmp_path_factory) -> Iterator[Store]:
    store = open_store(copy_of("clinic", tmp_path_factory, tmp_path / "clinic.db"))
    yield store
    store.close()


@pytest.fixture
def demo(tmp_path: Path, tmp_path_factory) -> Iterator[Store]:
    store = open_store(copy_of("demo", tmp_path_factory, tmp_path / "demo.db"))
    yield store
    store.close()


def _sql(path: Path, statement: str, *params: object) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(statement, params)


def test_backups_are_named_by_the_database_they_copy(clinic: Store, demo: Store) -> None:
    from desktop_app.services.db_identity import file_identity, store_identity

    ours = store_identity(clinic)
    theirs = store_identity(demo)
    assert ours and theirs and ours != theirs
    taken = dt.datetime(2026, 11, 24, 15, 30, 5)
    made = backup_database(clinic, now=taken).path
    demo_made = backup_database(demo, now=taken).path
    assert made == default_backup_folder() / f"sodesk-{ours[:8]}-20261124-153005.db"
    assert demo_made.name == f"sodesk-demo-{theirs[:8]}-20261124-153005.db"
    assert file_identity(made) == ours, "a copy keeps the identity of its source"
    assert file_identity(demo_made) == theirs
    parsed = parse_backup_name(demo_made.name)
    assert parsed is not None and parsed.demo and parsed.owner == theirs[:8]


def test_the_demos_rotation_never_deletes_the_clinics_backups(clinic: Store, demo: Store) -> None:
    made = [backup_database(clinic, now=START + dt.timedelta(days=d)).path for d in range(3)]
    removed: list[Path] = []
    for d in range(15):
        removed += backup_database(demo, now=START + dt.timedelta(days=20 + d)).removed
    assert all(p.exists() for p in made), "the demo deleted the clinic's backups"
    assert removed and all(parse_backup_name(p.name).demo for p in removed)  # type: ignore[union-attr]


def test_old_style_names_stay_the_clinics(clinic: Store, demo: Store) -> None:
    folder = default_backup_folder()
    folder.mkdir(parents=True)
    old = [folder / backup_file_name(dt.datetime(2025, 1, day, 12)) for day in range(1, 29)]
    for path in old:
        path.write_bytes(b"")
    assert backup_database(demo, now=START).removed == ()
    assert all(p.exists() for p in old), "a demo never rotates names it cannot tell apart"
    removed = backup_database(clinic, now=START).removed
    assert removed and set(removed) <= set(old), "the clinic still thins out its old names"


def test_a_mark_without_its_audit_row_grants_nothing(clinic: Store, tmp_path: Path) -> None:
    _sql(tmp_path / "clinic.db", "INSERT INTO settings (key, value) VALUES (?, 'true')", DEMO_MARK)
    assert not is_demo_store(clinic)


def test_a_demo_with_a_staff_account_of_its_own_is_no_longer_a_demo(
    demo: Store, tmp_path: Path
) -> None:
    assert is_demo_store(demo)
    _sql(
        tmp_path / "demo.db",
        "INSERT INTO staff_users (login, display_name, password_hash, active, role, "
        "must_change_password, created_at, version) "
        "VALUES ('suzuki', '鈴木 一郎', 'x', 1, 'admin', 0, '2026-12-01 00:00:00', 1)",
    )
    assert not is_demo_store(demo)


def test_a_demo_mark_written_after_the_database_was_in_use_grants_nothing(
    clinic: Store, tmp_path: Path
) -> None:
    with closing(sqlite3.connect(tmp_path / "clinic.db")) as connection, connection:
        # emptied by hand, so that mark_as_demo's own refusals let it pass
        for table in ("cases", "callers", "patients", "staff_users"):
            connection.execute(f"DELETE FROM {table}")
    from desktop_app.services.demo import mark_as_demo

    mark_as_demo(clinic)  # the demo.mark row exists, but it is not the chain's first
    assert not is_demo_store(clinic)


def test_check_reports_a_mark_without_its_row(clinic: Store, tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    _sql(db, "INSERT INTO settings (key, value) VALUES (?, 'true')", DEMO_MARK)
    report = check_database(str(db))
    assert any("デモ" in p for p in report.problems), report.problems


def test_a_real_demo_passes_the_check(demo: Store, tmp_path: Path) -> None:
    report = check_database(str(tmp_path / "demo.db"))
    assert report.ok, report.problems


def test_the_demo_accounts_are_the_ones_demo_mark_knows() -> None:
    from desktop_app.services.demo_data import DEMO_ACCOUNTS
    from desktop_app.services.demo_mark import DEMO_ACCOUNT_ROLES

    assert {(login, role) for login, _name, role, _pw, _hash in DEMO_ACCOUNTS} == DEMO_ACCOUNT_ROLES
