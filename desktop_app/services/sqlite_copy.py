"""Copying SQLite files safely: SQLite's online backup API, a private temp file, then a rename.

Shared by backups and restores. A copy is never left half-written under its final name, and
the temp files of a copy that was killed are removed by the next one into the same folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import sqlite3
import tempfile
import time
from contextlib import closing, suppress
from pathlib import Path

from desktop_app.services.store import StoreError

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
TEMP_PREFIX = ".sodesk-"
TEMP_SUFFIX = ".tmp"
# Files SQLite may put beside a database while it is open.
SIDE_FILES = ("-journal", "-wal", "-shm")
# A temp file nobody removed is anyone's after a day, whichever process made it.
STALE_TEMP_SECONDS = 24 * 60 * 60
_OWNED = re.compile(r"\.sodesk-(?P<pid>\d+)-(?P<host>[0-9a-f]{6})-")


def connect_existing(path: Path, *, timeout: float = 10.0) -> sqlite3.Connection:
    """A connection to a database file that must already exist (never creates one)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout)


def private_temp(folder: Path) -> Path:
    """An empty file only we can read (0600 on POSIX), in ``folder`` so a rename is atomic.

    Its name carries this process's id and machine (``.sodesk-<pid>-<host>-XXXX.tmp``); what a
    killed copy left in ``folder`` is removed first (see :func:`remove_stale_temps`).
    """
    remove_stale_temps(folder)
    fd, name = tempfile.mkstemp(prefix=_own_prefix(), suffix=TEMP_SUFFIX, dir=folder)
    os.close(fd)
    return Path(name)


def remove_stale_temps(folder: Path, *, now: float | None = None) -> list[Path]:
    """Delete the temp files (and their journals) a backup or restore left in ``folder`` when
    it was killed: those of a process of this machine that no longer runs, and any older than
    a day (another machine's, on a shared folder, or an older version's). The removed ones."""
    limit = (time.time() if now is None else now) - STALE_TEMP_SECONDS
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    removed: list[Path] = []
    for entry in entries:
        base = _temp_base(entry.name)
        if base is None or entry.is_symlink() or entry.is_dir():
            continue
        try:
            if not _is_stale(base, entry.stat().st_mtime, limit):
                continue
            entry.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            log.warning("cannot remove the stale temp file %s", entry, exc_info=True)
            continue
        removed.append(entry)
    if removed:
        log.info("removed %d temp files a stopped copy left in %s", len(removed), folder)
    return removed


def _own_prefix() -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-{_host_tag()}-"


def _host_tag() -> str:
    """Six hex digits for this machine: a process id means something only on its own machine."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def _temp_base(name: str) -> str | None:
    """The temp file's own name when ``name`` is one of ours or a journal beside one."""
    for suffix in ("", *SIDE_FILES):
        if suffix and not name.endswith(suffix):
            continue
        base = name[: len(name) - len(suffix)]
        if base.startswith(TEMP_PREFIX) and base.endswith(TEMP_SUFFIX):
            return base
    return None


def _is_stale(base: str, mtime: float, limit: float) -> bool:
    if mtime < limit:
        return True
    owner = _OWNED.match(base)
    if owner is None or owner["host"] != _host_tag():
        return False  # an older version's, or another machine's: by age only
    return not _process_runs(int(owner["pid"]))


def _process_runs(pid: int) -> bool:
    """True when a process with this id runs on this machine (or cannot be ruled out)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if os.name == "nt":
        return _windows_process_runs(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, as another user
        return True
    return True


def _windows_process_runs(pid: int) -> bool:
    # os.kill on Windows would terminate the process; ask the kernel instead.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    query_limited_information, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return bool(kernel32.GetLastError() == access_denied)
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return bool(code.value == still_active)
    finally:
        kernel32.CloseHandle(handle)


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
