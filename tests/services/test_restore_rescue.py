"""Restore as the way out (issue #22 items 2-5): a live file that cannot be opened is moved
aside, a backup's WAL is restored too, a tampered or foreign backup is refused before anything
changes, and who restored is decided by the restore itself."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.roles import Role
from desktop_app.services.access import NotAllowed
from desktop_app.services.backup import backup_database, restore_database
from desktop_app.services.maintenance import check_database
from desktop_app.services.staff import sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import Store, StoreError, default_database, open_store
from tests.db_templates import copy_of
from tests.stores import CLI_PASSWORD

PW = CLI_PASSWORD
pytestmark = pytest.mark.usefixtures("quick_hashes")


def count(path: Path, table: str = "cases") -> int:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as c:
        return int(c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def last_entry(path: Path) -> AuditEntry:
    store = open_store(path)
    try:
        with store.read() as session:
            entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
            assert entry is not None
            return entry
    finally:
        store.close()


@pytest.fixture
def clinic(tmp_path: Path, tmp_path_factory) -> Path:
    """A clinic's database with its administrator and three cases."""
    return copy_of("clinic", tmp_path_factory, tmp_path / "live" / "clinic.db")


@pytest.fixture
def backup(clinic: Path, tmp_path: Path, make_case_in) -> Path:
    """A backup with the three cases; the live database has a fourth since."""
    folder = tmp_path / "usb"
    folder.mkdir()
    store = open_store(clinic)
    try:
        made = backup_database(store, folder / "clinic-backup.db").path
        make_case_in(store, 9)
    finally:
        store.close()
    return made


def admin(path: Path) -> Store:
    store = open_store(path)
    sign_in(store, "kanri", PW)
    store.close()
    return store


# Item 3: a live file that cannot be opened does not block its own rescue ---------------------


def _truncate(path: Path) -> bytes:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])
    return path.read_bytes()


def _malform(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # the schema's page, header kept
    path.write_bytes(bytes(data))
    return bytes(data)


def _zero_a_page(path: Path) -> bytes:
    """The cases table's page zeroed: the file opens, but SQLite's own check fails."""
    with closing(sqlite3.connect(path)) as c:
        page_size = c.execute("PRAGMA page_size").fetchone()[0]
        (root,) = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cases'").fetchone()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = bytes(page_size)
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.mark.parametrize("damage", [_truncate, _malform, _zero_a_page])
def test_a_live_file_that_cannot_be_opened_is_moved_aside(
    clinic: Path, backup: Path, damage
) -> None:
    broken = damage(clinic)
    Path(f"{clinic}-wal").write_bytes(b"left by a crash")
    result = restore_database(clinic, backup)
    assert result.moved_aside
    assert result.previous is not None and result.previous.read_bytes() == broken
    assert Path(f"{result.previous}-wal").read_bytes() == b"left by a crash"
    assert not Path(f"{clinic}-wal").exists() or count(clinic) == 3
    assert count(clinic) == 3
    assert result.cases == 3
    assert result.who.startswith("recovery:")
    entry = last_entry(clinic)
    assert entry.action == "database.restore"
    assert entry.staff == result.who
    assert check_database(str(clinic)).ok


def test_a_folder_or_a_picture_at_the_target_is_not_moved(tmp_path: Path, backup: Path) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    picture = tmp_path / "photo.db"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    for target in (folder, picture):
        with pytest.raises(StoreError, match="ではありません"):
            restore_database(target, backup)
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert folder.is_dir() and not list(folder.iterdir())


# Who restores: decided here, never taken from the caller -------------------------------------


def test_a_database_with_accounts_needs_its_administrator(clinic: Path, backup: Path) -> None:
    with pytest.raises(StoreError, match="管理者"):
        restore_database(clinic, backup)
    assert count(clinic) == 4
    store = open_store(clinic)
    add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, "temp-pass-1", "temp-pass-1")
    store.close()
    clerk = open_store(clinic)
    sign_in(clerk, "uketsuke", "temp-pass-1")  # a 受付, signed in
    clerk.close()
    with pytest.raises(NotAllowed):
        restore_database(clinic, backup, by=clerk)
    assert count(clinic) == 4
    result = restore_database(clinic, backup, by=admin(clinic))
    assert result.who == "kanri"
    assert last_entry(clinic).staff == "kanri"
    assert count(clinic) == 3


def test_the_signed_in_store_must_be_the_database_restored(
    clinic: Path, backup: Path, tmp_path: Path, tmp_path_factory
) -> None:
    other = copy_of("clinic", tmp_path_factory, tmp_path / "other.db")
    with pytest.raises(StoreError, match="管理者"):
        restore_database(clinic, backup, by=admin(other))
    assert count(clinic) == 4


# Item 4: the backup's WAL -------------------------------------------------------------------


def test_committed_data_in_the_backups_wal_is_restored(
    clinic: Path, tmp_path: Path, make_case_in
) -> None:
    """A copy taken with a file manager while the desk was open: the cases are in its -wal."""
    holder = sqlite3.connect(clinic)  # keeps the WAL from being folded in at close
    holder.execute("SELECT count(*) FROM cases").fetchone()
    store = open_store(clinic)
    for k in range(20):
        make_case_in(store, 100 + k)
    store.close()
    copies = tmp_path / "copies"
    copies.mkdir()
    shutil.copyfile(clinic, copies / "sodesk.db")
    shutil.copyfile(f"{clinic}-wal", copies / "sodesk.db-wal")
    holder.close()
    before = folder_files(copies)
    target = tmp_path / "new-pc" / "sodesk.db"
    result = restore_database(target, copies / "sodesk.db")
    assert count(target) == 23
    assert result.cases == 23
    assert folder_files(copies) == before, "the backup and its -wal are left as they were"


# Item 5: the same checks as `sodesk check`, before anything changes -------------------------


def _tamper(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as c, c:
        c.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        c.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            c.execute(statement)


@pytest.mark.parametrize(
    ("statement", "needle"),
    [
        ("UPDATE audit_log SET staff = '院長' WHERE id = 2", "変更履歴"),
        ("UPDATE patients SET name = '改ざん　太郎' WHERE id = 1", "書き換え"),
    ],
)
def test_a_tampered_backup_is_refused_naming_the_first_problem(
    clinic: Path, backup: Path, statement: str, needle: str
) -> None:
    _tamper(backup, statement)
    signed = admin(clinic)
    before = folder_files(clinic.parent)
    with pytest.raises(StoreError, match=needle):
        restore_database(clinic, backup, by=signed)
    assert folder_files(clinic.parent) == before
    result = restore_database(clinic, backup, by=admin(clinic), accept_problems=True)
    assert result.problems and needle in result.problems[0]
    entry = last_entry(clinic)
    assert entry.action == "database.restore"
    assert entry.after is not None and entry.after["problems"] == list(result.problems)


# Item 2: a backup belongs to one database ---------------------------------------------------


def test_a_demo_backup_never_replaces_a_clinic_database(
    clinic: Path, tmp_path: Path, tmp_path_factory, monkeypatch
) -> None:
    demo = open_store(copy_of("demo", tmp_path_factory, tmp_path / "demo.db"))
    demo_backup = backup_database(demo, tmp_path / "demo-backup.db").path
    demo.close()
    for other in (False, True):
        with pytest.raises(StoreError, match="デモ"):
            restore_database(clinic, demo_backup, by=admin(clinic), other_database=other)
    assert count(clinic) == 3
    # Nor onto the clinic's own file on a new machine, where none is yet.
    monkeypatch.setenv("SODESK_DATABASE_URL", str(tmp_path / "fresh" / "sodesk.db"))
    with pytest.raises(StoreError, match="デモ"):
        restore_database(None, demo_backup)
    assert not Path(default_database()).exists()
    # Onto a demo file, or a new file of its own, it goes.
    assert restore_database(tmp_path / "demo.db", demo_backup, other_database=False).cases == 3
    assert restore_database(tmp_path / "elsewhere.db", demo_backup).cases == 3


def test_another_databases_backup_needs_other_database(
    clinic: Path, tmp_path: Path, tmp_path_factory
) -> None:
    second = open_store(copy_of("other", tmp_path_factory, tmp_path / "branch.db"))
    foreign = backup_database(second, tmp_path / "branch-backup.db").path
    second.close()
    with pytest.raises(StoreError, match="--other-database"):
        restore_database(clinic, foreign, by=admin(clinic))
    assert count(clinic) == 3
    result = restore_database(clinic, foreign, by=admin(clinic), other_database=True)
    assert result.cases == 1
    assert last_entry(clinic).after["other_database"] is True  # type: ignore[index]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_dangling_link_is_refused_and_nothing_made_at_its_far_end(
    backup: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link.db"
    far = tmp_path / "nowhere" / "sodesk.db"
    link.symlink_to(far)
    with pytest.raises(StoreError, match="リンク"):
        restore_database(link, backup)
    assert not far.exists() and not far.parent.exists()


def test_an_older_backup_is_brought_up_to_date_in_the_copy_and_checked(
    clinic: Path, backup: Path
) -> None:
    from alembic import command

    from desktop_app.db.engine import make_engine, writer
    from desktop_app.db.migrate import alembic_config, head_revision

    engine = make_engine(backup)
    try:
        command.downgrade(alembic_config(writer(engine)), "-1")
    finally:
        engine.dispose()
    older = backup.read_bytes()
    result = restore_database(clinic, backup, by=admin(clinic))
    assert result.upgraded and result.revision < head_revision()
    assert result.cases == 3
    assert check_database(str(clinic)).ok
    assert backup.read_bytes() == older
    assert [p.name for p in clinic.parent.iterdir() if p.name.startswith(".")] == []
