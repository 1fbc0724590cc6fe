"""Which files may be opened as SO Desk databases, and how a new one is made.

A database is created only on purpose (``sodesk init``, the first start on the clinic's own
file, the demo), privately (folder 0700, file 0600 on POSIX), and whole: it is built under a
temporary name and renamed into place, so a zero-byte or half-made file at the target is never
one of ours. Anything else at the target (a folder, a picture, an empty or truncated file) is
refused with one sentence, and nothing is created or changed.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from desktop_app.domain.errors import ValidationError

SQLITE_HEADER = b"SQLite format 3\x00"
_PRIVATE_DIR = 0o700
_PRIVATE_FILE = 0o600


class FileRefused(ValidationError):
    """The target cannot be used as a database; the message says why (Japanese)."""


def check_target(path: Path, *, create: bool) -> bool:
    """Refuse what is not a database; True when the file exists, False when it may be made."""
    if path.is_symlink() and not path.exists():
        raise FileRefused(f"データベースがありません（リンク先がありません）：{path}")
    if not path.exists():
        if not create:
            raise FileRefused(
                f"データベースがありません：{path}（新しく作るには sodesk init --db {path}）"
            )
        return False
    if path.is_dir():
        raise FileRefused(f"SO Desk のデータベースではありません（フォルダです）：{path}")
    if not path.is_file():
        raise FileRefused(f"SO Desk のデータベースではありません：{path}")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise FileRefused(f"データベースを読めません：{path}（{exc.strerror}）") from exc
    if size == 0:
        raise FileRefused(f"空のファイルです。SO Desk のデータベースではありません：{path}")
    if not header.startswith(SQLITE_HEADER) or len(header) < 100 or not _page_size(header):
        raise FileRefused(f"SO Desk のデータベースではありません：{path}")
    if _truncated(header, size):
        raise FileRefused(
            f"データベースが壊れています（ファイルが途中で切れています）：{path}。"
            "バックアップから sodesk restore で戻してください。"
        )
    return True


def _page_size(header: bytes) -> int:
    """The page size the header gives, or 0 when it is not one SQLite could have written."""
    size = int.from_bytes(header[16:18], "big")
    size = 65536 if size == 1 else size
    return size if size >= 512 and not size & (size - 1) else 0


def _truncated(header: bytes, size: int) -> bool:
    """SQLite's header names the page size and, when current, the number of pages."""
    page_size = _page_size(header)
    pages = int.from_bytes(header[28:32], "big")
    counter_current = header[24:28] == header[92:96]
    return size % page_size != 0 or (counter_current and size < pages * page_size)


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each 0700 (the default umask would give 0755)."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    try:
        for part in reversed(missing):
            part.mkdir(mode=_PRIVATE_DIR)
            _chmod(part, _PRIVATE_DIR)
    except OSError as exc:
        raise FileRefused(
            f"データベースのフォルダを作れません：{folder}（{exc.strerror}）"
        ) from exc


def new_private_file(folder: Path, name: str) -> Path:
    """An empty file only this user can read, to build a database in before renaming it."""
    path = folder / f".{name}.creating-{os.getpid()}"
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _PRIVATE_FILE)
    except FileExistsError:
        path.unlink()
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _PRIVATE_FILE)
    except OSError as exc:
        raise FileRefused(f"データベースを作れません：{folder / name}（{exc.strerror}）") from exc
    os.close(fd)
    return path


def put_in_place(built: Path, target: Path) -> None:
    """Move a finished database to its name; never over a file that appeared meanwhile."""
    try:
        os.link(built, target)
    except FileExistsError:
        remove_quietly(built)
        return  # another desk made it first: use theirs
    except OSError:  # a file system without hard links
        if target.exists():
            remove_quietly(built)
            return
        os.replace(built, target)
        return
    remove_quietly(built)


def remove_quietly(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def tighten(folder: Path, database: Path) -> None:
    """Make an existing data folder and its database private (files of older versions)."""
    _chmod(folder, _PRIVATE_DIR)
    for suffix in ("", "-wal", "-shm"):
        side = Path(f"{database}{suffix}")
        if side.exists():
            _chmod(side, _PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    # POSIX only: on Windows the per-user LOCALAPPDATA is private already, and chmod there
    # only toggles the read-only flag.
    if os.name == "posix":
        with contextlib.suppress(OSError):
            if path.stat().st_uid == os.getuid():
                os.chmod(path, mode)
