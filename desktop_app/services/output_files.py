"""Files written where the clerk says (a PDF, a CSV): never over a database, never by surprise.

Every writer of a user-named file goes through here. The target is resolved (symlinks too) and
refused when it is the open store's database or one of its side files, any file that holds a
database or a backup (SQLite's header, a WAL, a pg_dump archive: whatever its name), a name of
the backups folder's own kind, a folder, or an existing file the caller was not told to replace.
The bytes go to a private temp file (0600) in the same folder, are flushed to disk and renamed
into place, so the result is private on POSIX, never half written, and a failure leaves no
temp file.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from desktop_app.domain.errors import ValidationError

if TYPE_CHECKING:
    from desktop_app.services.store import Store

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
LOCK_SUFFIX = ".lock"  # the window's lock beside the database (ui/single_instance.py)
# The first bytes of what must never be written over: a SQLite database (a live one, a backup,
# a copy kept aside before a restore), a SQLite write-ahead log, a PostgreSQL custom dump.
_PROTECTED_MAGIC = (
    b"SQLite format 3\x00",
    b"\x37\x7f\x06\x82",
    b"\x37\x7f\x06\x83",
    b"PGDMP",
)
_MAGIC_BYTES = max(len(m) for m in _PROTECTED_MAGIC)
# The backups folder's own files (sodesk-20261124-153000.db, and any later naming that starts
# with "sodesk-"): a file of that shape there would be counted, and thinned out, as a backup.
_BACKUP_LIKE = re.compile(r"sodesk-.+\.(db|dump)", re.IGNORECASE)
_TEMP_SUFFIX = ".tmp"

Writer = Callable[[IO[bytes]], object]


class OutputRefused(ValidationError):
    """The file cannot be written there; the message names it and says why (Japanese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="path")


class OutputFailed(OutputRefused):
    """The file system refused the write (no folder, no permission, disk full...)."""


def write_output(
    path: Path | str,
    data: bytes | Writer,
    *,
    store: Store | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``path``; the file
    written (symlinks resolved). Raises OutputRefused and writes nothing on any refusal."""
    with staged_output(path, store=store, overwrite=overwrite) as staged:
        with staged.open_binary() as out:
            if isinstance(data, bytes | bytearray | memoryview):
                out.write(data)
            else:
                data(out)
        staged.place()
    return staged.target


def save_output(store: Store, path: Path | str, data: bytes, *, overwrite: bool = False) -> Path:
    """``write_output`` with the store first, for the window's ServiceRunner."""
    return write_output(path, data, store=store, overwrite=overwrite)


@dataclass
class StagedOutput:
    """A checked target and the private temp file beside it that will become it.

    For writers that must rename inside their own transaction (the CSV exports, whose audit
    entry and file go together): write through ``open_binary``/``open_text``, then ``place``.
    """

    target: Path
    temp: Path
    overwrite: bool
    shown: str  # the target as the clerk gave it, for messages
    _protected: tuple[Path, ...]
    _backups: Path | None
    _fd: int | None = field(default=None, repr=False)
    placed: bool = False

    @contextmanager
    def open_binary(self) -> Iterator[IO[bytes]]:
        with self._open("wb") as out:
            yield out

    @contextmanager
    def open_text(self, encoding: str) -> Iterator[IO[str]]:
        """The temp file as text; ``newline=""``: the caller's line ends are written as given."""
        with self._open("w", encoding=encoding, newline="") as out:
            yield out

    @contextmanager
    def _open(self, mode: str, **kwargs: Any) -> Iterator[Any]:
        if self._fd is None:
            raise RuntimeError("the staged output was opened already")
        fd, self._fd = self._fd, None
        try:
            with os.fdopen(fd, mode, **kwargs) as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise OutputFailed(cannot_write(self.target, exc)) from exc

    def place(self) -> None:
        """Rename the finished temp file to the target, checking the target once more; never
        over a file that appeared meanwhile unless ``overwrite``."""
        try:
            _check(self.target, self.overwrite, self._protected, self._backups, self.shown)
            if self.overwrite:
                os.replace(self.temp, self.target)
            else:
                _rename_without_replacing(self.temp, self.target)
        except FileExistsError:
            raise OutputRefused(_exists_message(self.shown)) from None
        except OSError as exc:
            raise OutputFailed(cannot_write(self.target, exc)) from exc
        self.placed = True
        _chmod_private(self.target)
        _fsync_folder(self.target.parent)


@contextmanager
def staged_output(
    path: Path | str, *, store: Store | None = None, overwrite: bool = False
) -> Iterator[StagedOutput]:
    """Check ``path``, then give a private temp file beside it; the temp file is removed when
    the block ends without ``place()`` (an error, a refusal)."""
    protected = _protected_files(store)
    backups = _backup_folder(store)
    target = check_output(path, store=store, overwrite=overwrite, _known=(protected, backups))
    try:
        fd, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=_TEMP_SUFFIX
        )
    except OSError as exc:
        raise OutputFailed(cannot_write(target, exc)) from exc
    shown = _shown(Path(path).expanduser(), target)
    staged = StagedOutput(target, Path(name), overwrite, shown, protected, backups, fd)
    try:
        yield staged
    finally:
        if staged._fd is not None:
            os.close(staged._fd)
        if not staged.placed:
            with contextlib.suppress(FileNotFoundError):
                staged.temp.unlink()


def check_output(
    path: Path | str,
    *,
    store: Store | None = None,
    overwrite: bool = False,
    _known: tuple[tuple[Path, ...], Path | None] | None = None,
) -> Path:
    """The file ``path`` names, symlinks resolved; OutputRefused when it may not be written."""
    if str(path).strip() == "":
        raise OutputRefused("保存先のファイル名を指定してください。")
    given = Path(path).expanduser()
    try:
        if given.is_symlink() and not given.exists():
            raise OutputRefused(f"リンク先のファイルがないため書き込めません：{given}")
        target = given.absolute().resolve()
        protected, backups = _known or (_protected_files(store), _backup_folder(store))
        _check(target, overwrite, protected, backups, _shown(given, target))
        if not target.parent.is_dir():
            raise OutputFailed(f"{target} に書き込めません（保存先のフォルダがありません）。")
    except OSError as exc:  # a name too long, a folder we may not look into
        raise OutputFailed(cannot_write(given, exc)) from exc
    except (RuntimeError, ValueError) as exc:  # a symlink loop, a NUL in the name
        raise OutputRefused(f"保存先を確かめられないため書き込めません：{str(given)!r}") from exc
    return target


def _shown(given: Path, target: Path) -> str:
    """The path as the clerk gave it, and where a link leads when it leads elsewhere."""
    if _key(given.absolute()) == _key(target):
        return str(target)
    return f"{given}（リンク先：{target}）"


def cannot_write(target: Path, exc: OSError) -> str:
    """One sentence for a file system error, naming the file."""
    reasons = {
        errno.ENOENT: "保存先のフォルダがありません",
        # Windows says so too when Excel has the file open.
        errno.EACCES: "書き込む権限がないか、ファイルが他のアプリで開かれています",
        errno.EPERM: "書き込む権限がないか、ファイルが他のアプリで開かれています",
        errno.ENOSPC: "ディスクの空きが足りません",
        errno.EROFS: "読み取り専用の場所です",
        errno.EISDIR: "フォルダです",
        errno.ENAMETOOLONG: "ファイル名が長すぎます",
    }
    reason = reasons.get(exc.errno or 0) or exc.strerror or exc.__class__.__name__
    return f"{target} に書き込めません（{reason}）。"


# The checks ---------------------------------------------------------------------------------


def _check(
    target: Path,
    overwrite: bool,
    protected: tuple[Path, ...],
    backups: Path | None,
    shown: str | None = None,
) -> None:
    """Refuse ``target`` (resolved) with a message naming it as the clerk gave it (``shown``)."""
    name = shown or str(target)
    if _is_protected(target, protected):
        raise OutputRefused(f"使用中のデータベースのファイルには書き込めません：{name}")
    if target.is_dir():
        raise OutputRefused(f"フォルダには書き込めません（ファイル名を指定してください）：{name}")
    if _beside_a_database(target):
        raise OutputRefused(f"データベースの付属ファイルには書き込めません：{name}")
    if (
        backups is not None
        and _BACKUP_LIKE.fullmatch(target.name)
        and _same_folder(target.parent, backups)
    ):
        raise OutputRefused(
            f"バックアップのフォルダにバックアップと同じ形の名前では保存できません：{name}"
        )
    if not target.exists():
        return
    if not target.is_file():
        raise OutputRefused(f"ふつうのファイルではないため書き込めません：{name}")
    if _holds_a_database(target):
        raise OutputRefused(f"データベースまたはバックアップのファイルには書き込めません：{name}")
    if not overwrite:
        raise OutputRefused(_exists_message(name))


def _exists_message(name: object) -> str:
    return f"{name} は既にあります。上書きするには --overwrite を付けてください。"


def _holds_a_database(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            head = file.read(_MAGIC_BYTES)
    except OSError:
        return False
    return any(head.startswith(magic) for magic in _PROTECTED_MAGIC)


def _beside_a_database(target: Path) -> bool:
    """``x.db-wal`` and the like, next to a file that is a database."""
    for suffix in (*SIDE_SUFFIXES, LOCK_SUFFIX):
        if target.name.endswith(suffix) and len(target.name) > len(suffix):
            base = target.with_name(target.name[: -len(suffix)])
            if base.is_file() and _holds_a_database(base):
                return True
    return False


def _is_protected(target: Path, protected: tuple[Path, ...]) -> bool:
    key = _key(target)
    for path in protected:
        if _key(path) == key:
            return True
        with contextlib.suppress(OSError):
            if target.exists() and path.exists() and os.path.samefile(target, path):
                return True  # a hard link to the database
    return False


def _key(path: Path) -> str:
    return os.path.normcase(str(path))


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return _key(a.resolve()) == _key(b.resolve()) or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _protected_files(store: Store | None) -> tuple[Path, ...]:
    """The store's database file and everything SQLite and the window keep beside it."""
    database = store.file if store is not None else _default_database_file()
    if database is None:
        return ()
    try:
        database = database.absolute().resolve()
    except (OSError, RuntimeError):
        database = database.absolute()
    return (database, *(Path(f"{database}{s}") for s in (*SIDE_SUFFIXES, LOCK_SUFFIX)))


def _default_database_file() -> Path | None:
    from desktop_app.db.engine import database_url, sqlite_file
    from desktop_app.services.store import default_database

    try:
        return sqlite_file(database_url(default_database()))
    except Exception:  # a URL the store would refuse anyway: there is no file to protect
        log.debug("no default database file to protect", exc_info=True)
        return None


def _backup_folder(store: Store | None) -> Path | None:
    """Where backups go: the clinic's chosen folder, else the data folder's "backups"."""
    from desktop_app.services.backup import default_backup_folder

    chosen = ""
    if store is not None:
        from desktop_app.services.settings import get_settings

        try:
            chosen = get_settings(store).backup_folder.strip()
        except Exception:  # the check must not fail on a store it can still protect
            log.warning("backup folder setting unreadable", exc_info=True)
    return Path(chosen).expanduser() if chosen else default_backup_folder()


# Writing ------------------------------------------------------------------------------------


def _rename_without_replacing(temp: Path, target: Path) -> None:
    """Give ``temp`` the name ``target`` unless a file took it meanwhile (FileExistsError)."""
    if os.name != "posix":
        os.rename(temp, target)  # Windows never replaces with rename
        return
    try:
        os.link(temp, target)  # fails when the name is taken, atomically
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT on a USB stick)
        if target.exists() or target.is_symlink():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.replace(temp, target)
        return
    temp.unlink()


def _chmod_private(path: Path) -> None:
    # POSIX only: on Windows chmod only toggles the read-only flag.
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, PRIVATE_FILE)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
