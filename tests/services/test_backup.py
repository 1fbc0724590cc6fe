"""Backups of the SQLite store: a checked copy, its folder, retention and the record of it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
import stat
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.backup_retention import backup_file_name, parse_backup_name
from desktop_app.services import sqlite_copy
from desktop_app.services.backup import (
    BackupInfo,
    backup_database,
    backup_due,
    backup_is_stale,
    default_backup_folder,
    is_file_database,
    last_backup,
    open_existing_store,
)
from desktop_app.services.case_rows import search_cases
from desktop_app.services.db_identity import store_identity
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import StoreError

POSIX = os.name == "posix"


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def use_folder(store, folder: Path) -> None:
    update_settings(store, dataclasses.replace(get_settings(store), backup_folder=str(folder)))


def test_default_backup_is_a_checked_private_copy_and_is_recorded(store, make_case) -> None:
    case = make_case()
    now = dt.datetime(2026, 11, 24, 15, 30, 5)  # naive: local time
    result = backup_database(store, now=now)
    owner = store_identity(store)[:8]  # type: ignore[index]
    assert result.path == default_backup_folder() / f"sodesk-{owner}-20261124-153005.db"
    assert result.kind == "sqlite"
    assert result.size == result.path.stat().st_size > 0
    assert result.created_at == now.astimezone(dt.UTC)
    # A single self-contained file: no WAL, sound, with the case in it.
    assert result.path.read_bytes()[18:20] == b"\x01\x01"
    assert rows(result.path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(result.path, "SELECT case_number FROM cases") == [(case.case_number,)]
    # Beside it only its witness of the audit chain's head (services/audit_witness.py).
    sidecar = f"{result.path.name}.witness.json"
    assert sorted(p.name for p in result.path.parent.iterdir()) == [result.path.name, sidecar]
    if POSIX:
        assert mode(result.path) == 0o600
        assert mode(result.path.parent) == 0o700
    assert last_backup(store) == BackupInfo(at=result.created_at, path=str(result.path))
    with store.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "backup.create")
        ).one()
    assert entry.summary == f"バックアップを作成：{result.path}"
    assert entry.staff == "テスト担当"


def test_copy_is_taken_while_another_desk_holds_a_write_transaction(
    store, db_path: Path, tmp_path: Path, make_case
) -> None:
    make_case()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings (key, value) VALUES ('uncommitted', '1')")
    try:
        target = tmp_path / "copy.db"
        sqlite_copy.copy_database(db_path, target, verify=True)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert rows(target, "SELECT count(*) FROM cases") == [(1,)]
    assert rows(target, "SELECT key FROM settings WHERE key='uncommitted'") == []


def test_backup_waits_for_the_other_desk_to_record_itself(store, db_path: Path, make_case) -> None:
    make_case()
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings (key, value) VALUES ('later', '1')")
    # The other desk commits a little later; the copy does not wait for it, the record does.
    release = threading.Timer(1.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        result = backup_database(store)
    finally:
        release.join()
        other.close()
    assert rows(result.path, "SELECT key FROM settings WHERE key='later'") == []
    assert rows(result.path, "SELECT count(*) FROM cases") == [(1,)]
    assert last_backup(store) is not None


def test_failed_integrity_check_leaves_nothing(store, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_copy, "integrity_errors", lambda _c: ["*** in database main ***"])
    with pytest.raises(StoreError, match="整合性チェック"):
        backup_database(store)
    assert list(default_backup_folder().iterdir()) == []
    assert last_backup(store) is None


def test_a_chosen_folder_is_used_and_its_last_level_created(store, tmp_path: Path) -> None:
    folder = tmp_path / "usb" / "SODesk"
    (tmp_path / "usb").mkdir()
    use_folder(store, folder)
    result = backup_database(store)
    assert result.path.parent == folder
    assert not default_backup_folder().exists()


def test_an_unplugged_drive_is_a_clear_error(store, tmp_path: Path) -> None:
    folder = tmp_path / "unplugged" / "SODesk"
    use_folder(store, folder)
    with pytest.raises(StoreError, match=r"見つかりません.*USB"):
        backup_database(store)
    assert not (tmp_path / "unplugged").exists()
    assert last_backup(store) is None


def test_a_file_where_the_folder_should_be_is_refused(store, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    use_folder(store, blocker)
    with pytest.raises(StoreError, match="フォルダではありません"):
        backup_database(store)


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_an_unwritable_folder_is_a_clear_error(store, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    use_folder(store, folder)
    try:
        with pytest.raises(StoreError, match="書き込めません"):
            backup_database(store)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_output_file_folder_and_refusals(store, db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "mine.db"
    with pytest.raises(StoreError, match="フォルダがありません"):
        backup_database(store, target)
    target.parent.mkdir()
    assert backup_database(store, target).path == target
    with pytest.raises(StoreError, match="既にあります"):
        backup_database(store, target)
    with pytest.raises(StoreError, match="既にあります"):
        backup_database(store, db_path)
    into_folder = backup_database(store, target.parent, now=dt.datetime(2026, 1, 2, 3, 4, 5))
    owner = store_identity(store)[:8]  # type: ignore[index]
    assert into_folder.path == target.parent / f"sodesk-{owner}-20260102-030405.db"
    again = backup_database(store, target.parent, now=dt.datetime(2026, 1, 2, 3, 4, 5))
    assert again.path.name == f"sodesk-{owner}-20260102-030405-1.db"
    assert into_folder.path.exists()


def test_retention_over_four_hundred_days(store, make_case) -> None:
    make_case()
    folder = default_backup_folder()
    folder.mkdir(parents=True)
    start = dt.datetime(2025, 1, 1, 9, 0, 0)
    old = [
        backup_file_name(start + dt.timedelta(days=d, hours=h)) for d in range(400) for h in (0, 8)
    ]
    for name in old:
        (folder / name).write_bytes(b"")
    strangers = ["notes.txt", "sodesk.db", "sodesk-20250101-090000.db.bak"]
    for name in strangers:
        (folder / name).write_text("keep me")
    now = start + dt.timedelta(days=400)
    result = backup_database(store, now=now)
    left = sorted(p.name for p in folder.iterdir())
    ours = [n for n in left if parse_backup_name(n) is not None]
    assert result.path.name in ours
    assert len(ours) <= 26
    assert len(result.removed) == len(old) + 1 - len(ours)
    assert all(name in left for name in strangers)
    # Yesterday's last backup (a daily one) and the oldest kept month's last one survive.
    assert backup_file_name(start + dt.timedelta(days=399, hours=8)) in ours
    taken = sorted(parse_backup_name(n).taken for n in ours)  # type: ignore[union-attr]
    assert now - taken[0] < dt.timedelta(days=366)


def test_an_output_file_does_not_thin_out_the_folder(store, tmp_path: Path) -> None:
    folder = tmp_path / "manual"
    folder.mkdir()
    for day in range(1, 30):
        (folder / backup_file_name(dt.datetime(2026, 1, day, 12))).write_bytes(b"")
    result = backup_database(store, folder)
    assert result.removed == ()
    assert len(list(folder.iterdir())) == 30


def test_staleness() -> None:
    now = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
    fresh = BackupInfo(at=now - dt.timedelta(hours=30), path="x")
    old = BackupInfo(at=now - dt.timedelta(days=2, minutes=1), path="x")
    assert not backup_is_stale(fresh, now)
    assert backup_is_stale(old, now)
    assert backup_is_stale(None, now)
    assert backup_due(fresh, now, max_age=dt.timedelta(hours=24))
    assert not backup_due(fresh, now, max_age=dt.timedelta(days=2))


def test_open_existing_store_never_creates_a_database(tmp_path: Path, store) -> None:
    missing = tmp_path / "none.db"
    with pytest.raises(StoreError, match="ありません"):
        open_existing_store(missing)
    assert not missing.exists()
    assert is_file_database(store)


def test_last_backup_ignores_a_damaged_record(store, db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.execute("INSERT INTO settings (key, value) VALUES ('last_backup', '\"x\"')")
    assert last_backup(store) is None
    assert search_cases(store).total == 0


@pytest.mark.parametrize("side", ["-journal", "-wal", "-shm", ".lock"])
def test_a_database_side_file_name_is_refused(
    store, db_path: Path, tmp_path: Path, side: str
) -> None:
    """SQLite would take a file named like the database's journal (or the window its lock) for
    its own: a copy there is refused even before the live database has made one."""
    for base in (db_path, tmp_path / "other.db"):
        target = Path(f"{base}{side}")
        with pytest.raises(StoreError, match=r"付属ファイル|既にあります"):
            backup_database(store, target)
        if base != db_path:  # the live database's -wal and -shm are SQLite's own
            assert not target.exists()
