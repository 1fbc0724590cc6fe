"""Copying SQLite files safely: SQLite's online backup API, a private temp file, then a rename.

Shared by backups and restores. A copy is never left half-written under its final name.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from contextlib import closing, suppress
from pathlib import Path

from desktop_app.services.store import StoreError

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
TEMP_PREFIX = ".sodesk-"
TEMP_SUFFIX = ".tmp"
# Files SQLite may put beside a database while it is open.
SIDE_FILES = ("-journal", "-wal", "-shm")


def connect_existing(path: Path, *, timeout: float = 10.0) -> sqlite3.Connection:
    """A connection to a database file that must already exist (never creates one)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout)


def private_temp(folder: Path) -> Path:
    """An empty file only we can read (0600 on POSIX), in ``folder`` so a rename is atomic."""
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    os.close(fd)
    return Path(name)


def remove_with_side_files(path: Path) -> None:
    """Delete a temp database and whatever journal files SQLite left beside it."""
    for suffix in ("", *SIDE_FILES):
        with suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def integrity_errors(connection: sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check``: empty when the file is sound."""
    rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def has_sqlite_header(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def copy_database(source: Path, target: Path, *, verify: bool) -> None:
    """Copy a live database to ``target`` (which must not be open) with the backup API.

    Safe while other connections read and write (WAL or not). The copy is written to a private
    temp file beside ``target``, switched to a single self-contained file (no WAL), checked with
    ``PRAGMA integrity_check`` when ``verify``, then renamed. Raises StoreError (Japanese) and
    leaves nothing behind when any step fails.
    """
    try:
        temp = private_temp(target.parent)
    except FileNotFoundError:
        raise StoreError(f"保存先のフォルダがありません：{target.parent}") from None
    except OSError as exc:
        raise StoreError(f"保存先に書き込めません：{target.parent}（{exc.strerror}）") from None
    try:
        with closing(connect_existing(source)) as src, closing(sqlite3.connect(temp)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = integrity_errors(dst) if verify else []
        if problems:
            log.error("integrity check of the copy of %s failed: %s", source, problems)
            raise StoreError(
                "コピーの整合性チェックで問題が見つかったため、バックアップを中止しました。"
                f"データベースを確認してください（sodesk check）：{problems[0]}"
            )
        _fsync(temp)
        os.replace(temp, target)
        _fsync_folder(target.parent)
    except sqlite3.Error as exc:
        log.exception("copy of %s to %s failed", source, target)
        raise StoreError(f"データベースをコピーできませんでした：{exc}") from None
    except OSError as exc:
        log.exception("copy of %s to %s failed", source, target)
        raise StoreError(f"{target} に書き込めません：{exc.strerror or exc}") from None
    finally:
        remove_with_side_files(temp)  # after the rename there is nothing left to remove


def _fsync(path: Path) -> None:
    with path.open("rb+") as file:
        os.fsync(file.fileno())


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder this way.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
