"""Opening and creating databases: only on purpose, privately, and with one clear message."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from desktop_app.services.maintenance import check_database
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import StoreError, data_dir, default_database, open_store
from tests.stores import write_not_a_database

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _sound_database(path: Path) -> None:
    open_store(path, create=True).close()


def test_a_missing_database_is_not_created_unless_asked(tmp_path: Path, folder_snapshot) -> None:
    target = tmp_path / "typo" / "sodesk.db"
    with pytest.raises(StoreError, match="データベースがありません") as error:
        open_store(target)
    assert "sodesk init --db" in str(error.value)
    assert folder_snapshot(tmp_path) == {}
    with pytest.raises(StoreError, match="データベースがありません"):
        open_store(f"sqlite:///{target}")
    assert folder_snapshot(tmp_path) == {}
    with pytest.raises(StoreError, match="データベースがありません"):
        open_store(None)
    assert not data_dir().exists(), "not even the data folder is made"


def test_create_leaves_only_the_database(tmp_path: Path) -> None:
    target = tmp_path / "new" / "sodesk.db"
    store = open_store(target, create=True)
    assert store.schema().up_to_date
    store.close()
    assert [p.name for p in target.parent.iterdir()] == ["sodesk.db"]
    header = target.read_bytes()[:100]
    assert header.startswith(b"SQLite format 3\x00")
    assert header[18:20] == b"\x02\x02", "WAL is set once, in the file itself"
    reopened = open_store(target, create=True)  # init on an existing database opens it
    reopened.close()


@posix_only
def test_new_databases_and_folders_are_private(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "sodesk.db"
    store = open_store(target, create=True)
    update_settings(store, dataclasses.replace(get_settings(store), fax="0144-33-0000"))
    assert _mode(tmp_path / "a") == 0o700
    assert _mode(tmp_path / "a" / "b") == 0o700
    assert _mode(target) == 0o600
    wal = Path(f"{target}-wal")
    if wal.exists():
        assert _mode(wal) == 0o600
    store.close()
    store = open_store(None, create=True)
    store.close()
    assert _mode(data_dir()) == 0o700
    assert _mode(Path(default_database())) == 0o600


@posix_only
def test_the_default_data_folder_is_tightened_on_open(tmp_path: Path) -> None:
    open_store(None, create=True).close()
    clinic = Path(default_database())
    os.chmod(data_dir(), 0o755)
    os.chmod(clinic, 0o644)
    open_store(None).close()
    assert _mode(data_dir()) == 0o700
    assert _mode(clinic) == 0o600


@posix_only
def test_files_outside_the_data_folder_keep_their_mode(tmp_path: Path) -> None:
    target = tmp_path / "shared.db"
    _sound_database(target)
    os.chmod(target, 0o660)
    os.chmod(tmp_path, 0o770)
    open_store(target).close()
    assert _mode(target) == 0o660
    assert _mode(tmp_path) == 0o770


@pytest.mark.parametrize("create", [False, True])
@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("folder", "データベースではありません"),
        ("png", "データベースではありません"),
        ("empty", "空のファイル"),
        ("truncated", "壊れています"),
        ("garbage", "データベースではありません"),
    ],
)
def test_what_is_not_a_database_is_refused_and_left_alone(
    tmp_path: Path, kind: str, needle: str, create: bool, folder_snapshot
) -> None:
    target = tmp_path / "x.db"
    if kind == "truncated":
        _sound_database(tmp_path / "whole.db")
    write_not_a_database(target, kind, sound=tmp_path / "whole.db")
    before = folder_snapshot(tmp_path)
    with pytest.raises(StoreError, match=needle) as error:
        open_store(target, create=create)
    assert "\n" not in str(error.value)
    assert folder_snapshot(tmp_path) == before
    with pytest.raises(StoreError, match=needle):
        check_database(str(target))
    assert folder_snapshot(tmp_path) == before


def test_a_broken_symlink_is_not_followed_to_create(tmp_path: Path, folder_snapshot) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "elsewhere.db")
    before = folder_snapshot(tmp_path)
    with pytest.raises(StoreError, match="ありません"):
        open_store(link, create=True)
    assert folder_snapshot(tmp_path) == before


def test_check_changes_nothing(tmp_path: Path, folder_snapshot) -> None:
    target = tmp_path / "c.db"
    _sound_database(target)
    before = folder_snapshot(tmp_path)
    mtime = target.stat().st_mtime_ns
    assert check_database(str(target)).ok
    assert folder_snapshot(tmp_path) == before, "no -wal or -shm is left behind"
    assert target.stat().st_mtime_ns == mtime


def test_check_works_in_a_read_only_folder(tmp_path: Path, make_read_only, folder_snapshot) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "c.db"
    _sound_database(target)
    before = folder_snapshot(folder)
    make_read_only(folder)
    assert check_database(str(target)).ok
    assert check_database(f"sqlite:///{target}").ok
    assert folder_snapshot(folder) == before


def test_writing_in_a_read_only_folder_is_one_clear_line(
    tmp_path: Path, make_read_only, folder_snapshot
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    _sound_database(folder / "c.db")
    before = folder_snapshot(folder)
    make_read_only(folder)
    with pytest.raises(StoreError, match=r"開けません|書き込めません") as error:
        open_store(folder / "c.db")
    assert "\n" not in str(error.value)
    with pytest.raises(StoreError, match="作れません"):
        open_store(folder / "new.db", create=True)
    assert folder_snapshot(folder) == before


@posix_only
def test_the_real_program_makes_a_private_data_folder(tmp_path: Path) -> None:
    """Its log file is the first thing written there: the folder must be private already."""
    import subprocess
    import sys

    data = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    env.pop("SODESK_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "desktop_app", "init"], env=env, check=True, capture_output=True
    )
    assert _mode(data / "SODesk") == 0o700
    assert _mode(data / "SODesk" / "sodesk.db") == 0o600
