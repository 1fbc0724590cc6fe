"""Backups of the clinic's database: make one, keep the right ones, remember the last good one.

SQLite files are copied with SQLite's online backup API (safe while other desks write) and
checked before they get their final name; PostgreSQL is dumped with ``pg_dump``.
Restoring lives in :mod:`desktop_app.services.restore` and is re-exported here.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import SQLAlchemyError

from desktop_app.db import tables
from desktop_app.db.engine import database_url, sqlite_file
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.backup_retention import (
    backup_file_name,
    backups_to_delete,
    parse_backup_name,
)
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Permission
from desktop_app.services import audit, audit_witness
from desktop_app.services.access import check, requires
from desktop_app.services.restore import RestoreResult, restore_database
from desktop_app.services.settings import get_settings
from desktop_app.services.sqlite_copy import (
    TEMP_PREFIX,
    TEMP_SUFFIX,
    copy_database,
    private_temp,
    remove_with_side_files,
)
from desktop_app.services.store import Store, StoreError, data_dir, default_database, open_store

__all__ = [
    "BackupInfo",
    "BackupResult",
    "RestoreResult",
    "backup_database",
    "backup_due",
    "backup_is_stale",
    "database_file",
    "default_backup_folder",
    "is_file_database",
    "last_backup",
    "open_existing_store",
    "restore_database",
]

log = logging.getLogger(__name__)

LAST_BACKUP_KEY = "last_backup"
STALE_DAYS = 2
PG_DUMP_TIMEOUT_SECONDS = 3 * 60 * 60
# Temp files a crashed backup left behind are removed once they are this old.
STALE_TEMP_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes
    created_at: dt.datetime  # UTC
    kind: str  # "sqlite" or "pg_dump"
    removed: tuple[Path, ...] = ()  # older backups the retention rule deleted


@dataclass(frozen=True)
class BackupInfo:
    """The last good backup, as recorded in the database."""

    at: dt.datetime  # UTC
    path: str


def default_backup_folder() -> Path:
    """Where backups go when the clinic has not chosen a folder: the data folder's "backups"."""
    return data_dir() / "backups"


def is_file_database(store: Store) -> bool:
    """True for a SQLite file (backed up by the program), False for a database server."""
    return sqlite_file(store.engine.url) is not None


def database_file(target: str | Path | None = None) -> Path | None:
    """The SQLite file a path or URL names (default: the clinic's), None for a server."""
    return sqlite_file(database_url(target if target is not None else default_database()))


def open_existing_store(target: str | Path | None = None) -> Store:
    """Open a database that must already exist (a backup never creates an empty one)."""
    path = database_file(target)
    if path is not None and not path.is_file():
        raise StoreError(f"データベースがありません：{path}")
    return open_store(target if target is not None else default_database())


def backup_database(
    store: Store, destination: Path | None = None, *, now: dt.datetime | None = None
) -> BackupResult:
    """Copy the database to ``destination`` (a new file, or a folder) or to the backup folder.

    Without ``destination`` the copy is named ``sodesk-YYYYMMDD-HHMMSS.db`` (local time) in the
    clinic's backup folder, and older copies there are thinned out (14 daily, 12 monthly).
    The backup is recorded in the database with an audit entry. Raises StoreError (Japanese)
    and leaves no file behind when the copy cannot be made or fails its integrity check.
    ``now`` (naive means local time) is for tests.

    A copy where the caller chooses holds every patient, the audit log and the password
    hashes: only an administrator may (NotAllowed, before anything is copied). Into the
    clinic's own folder anyone signed in may: the window's hourly backup runs as whoever
    works at that desk, and the administrator chose that folder.
    """
    if destination is not None:
        check(store, Permission.COPY_DATABASE)
    taken = (now or store.clock.utcnow()).astimezone()
    source = sqlite_file(store.engine.url)
    suffix = ".db" if source is not None else ".dump"
    rotate = destination is None
    if destination is None:
        folder = _prepare_default_folder(store)
        target = _free_name(folder, taken, suffix, store)
    else:
        destination = Path(destination).expanduser().absolute()
        if destination.is_dir():
            target = _free_name(destination, taken, suffix, store)
        elif destination.exists() or destination.is_symlink():
            raise StoreError(f"{destination} は既にあります。別のファイル名を指定してください。")
        elif destination.name.endswith(("-journal", "-wal", "-shm", ".lock")):
            # SQLite (or the window's lock) would take such a file for a database's own.
            raise StoreError(
                f"データベースの付属ファイルの名前には保存できません：{destination.name}"
                "（別のファイル名を指定してください）"
            )
        elif not destination.parent.is_dir():
            raise StoreError(f"保存先のフォルダがありません：{destination.parent}")
        else:
            target = destination
    if source is not None:
        if _same_file(source, target):
            raise StoreError("使用中のデータベースそのものには上書きできません。")
        copy_database(source, target, verify=True)
    else:
        dump_server_database(store.engine.url, target)
    audit_witness.note_backup(store, target)  # <target>.witness.json: the chain's head
    size = target.stat().st_size
    created_at = taken.astimezone(dt.UTC)
    _record(store, target, size, created_at)
    removed = _apply_retention(target.parent, keep=target) if rotate else ()
    kind = "sqlite" if source is not None else "pg_dump"
    log.info("backup written to %s (%d bytes)", target, size)
    return BackupResult(path=target, size=size, created_at=created_at, kind=kind, removed=removed)


def last_backup(store: Store) -> BackupInfo | None:
    """The last good backup recorded in this database, or None when there has been none."""
    settings = tables.settings  # read as the window starts: Core, no ORM (db/tables.py)
    with store.read() as session:
        value = session.scalar(select(settings.c.value).where(settings.c.key == LAST_BACKUP_KEY))
    if not isinstance(value, dict):
        return None
    try:
        at = dt.datetime.fromisoformat(str(value["at"]))
        path = str(value["path"])
    except (KeyError, ValueError):
        log.warning("unreadable %s setting: %r", LAST_BACKUP_KEY, value)
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return BackupInfo(at=at.astimezone(dt.UTC), path=path)


def backup_due(info: BackupInfo | None, now: dt.datetime, *, max_age: dt.timedelta) -> bool:
    """True when there is no backup or the last one is older than ``max_age``."""
    return info is None or now - info.at > max_age


def backup_is_stale(info: BackupInfo | None, now: dt.datetime, days: int = STALE_DAYS) -> bool:
    """True when there is no backup or none for more than ``days`` days: the desk should warn."""
    return backup_due(info, now, max_age=dt.timedelta(days=days))


def dump_server_database(url: URL, target: Path) -> None:
    """``pg_dump --format=custom`` of a PostgreSQL database into ``target`` (a new file).

    The password goes to pg_dump through ``PGPASSWORD``, never on its command line or in logs.
    """
    program = shutil.which("pg_dump")
    if program is None:
        raise StoreError(
            "PostgreSQL のバックアップには pg_dump が必要です。"
            "PostgreSQL のクライアント（pg_dump）をインストールし、PATH に追加してください。"
        )
    # URL.set(password=None) would keep the password; build the URL without it.
    libpq_url = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    temp = private_temp(target.parent)
    try:
        argv = [program, "--format=custom", "--file", str(temp), libpq_url]
        log.info("running %s", " ".join(argv))
        try:
            done = subprocess.run(
                argv, env=env, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_SECONDS
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise StoreError(f"pg_dump を実行できませんでした：{exc}") from None
        if done.returncode != 0:
            detail = (done.stderr or "").strip().splitlines()
            log.error("pg_dump failed (%d): %s", done.returncode, done.stderr)
            reason = detail[0] if detail else f"終了コード {done.returncode}"
            raise StoreError(f"pg_dump が失敗しました：{reason}")
        os.replace(temp, target)
    finally:
        remove_with_side_files(temp)


def _prepare_default_folder(store: Store) -> Path:
    chosen = get_settings(store).backup_folder.strip()
    if not chosen:
        folder = default_backup_folder()
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"バックアップのフォルダを作れません：{folder}（{exc.strerror}）"
            ) from None
        return folder
    folder = Path(chosen).expanduser()
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"バックアップの保存先がフォルダではありません：{folder}")
    try:
        # Only the last level: a missing drive or mount point is reported, not created.
        folder.mkdir(exist_ok=True)
    except FileNotFoundError:
        raise StoreError(
            f"バックアップの保存先が見つかりません：{folder}"
            "（USBメモリなどがつながっているか確認してください）"
        ) from None
    except OSError as exc:
        raise StoreError(
            f"バックアップの保存先に書き込めません：{folder}（{exc.strerror}）"
        ) from None
    return folder


def _free_name(folder: Path, taken: dt.datetime, suffix: str, store: Store) -> Path:
    """A new name in ``folder`` that says whose backup it is: the short identity of the
    database (a copy keeps it, services/db_identity.py), ``demo-`` for the demo's."""
    from desktop_app.services.db_identity import store_facts

    facts = store_facts(store)
    local = taken.replace(tzinfo=None)
    for sequence in range(1000):
        name = backup_file_name(
            local, sequence=sequence, suffix=suffix, owner=facts.short, demo=facts.demo_named
        )
        candidate = folder / name
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise StoreError(f"バックアップのファイル名を決められません：{folder}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def _record(store: Store, path: Path, size: int, at: dt.datetime) -> None:
    from desktop_app.db.models import Setting  # the ORM: not needed before the first paint

    value = {"at": at.isoformat(), "path": str(path)}
    try:
        with store.transaction() as session:
            row = session.get(Setting, LAST_BACKUP_KEY)
            if row is None:
                session.add(Setting(key=LAST_BACKUP_KEY, value=value))
            else:
                row.value = value
            audit.record(
                session,
                store.staff,
                AuditAction.BACKUP_CREATE,
                "database",
                summary=f"バックアップを作成：{path}",
                after={"path": str(path), "size": size},
            )
    except SQLAlchemyError as exc:
        log.exception("could not record the backup %s", path)
        raise StoreError(
            f"バックアップ（{path}）は作成しましたが、データベースに記録できませんでした。"
        ) from exc


@requires(Permission.SETTINGS, verbatim=("who", "source", "details"))  # the log scrubs them
def record_restore(
    store: Store, who: str, source: str, details: dict[str, Any] | None = None
) -> None:
    """The restored database's log says who put it back, and from which file.

    Restoring is an administrator's (or, with nobody signed in, the operating system user's
    who holds the files): a store signed in as anyone else is refused, and a signed-in
    administrator records under their own name, never another's.
    """
    if store.user is not None and who != store.staff:
        raise ValidationError(
            f"復元の記録は、サインインしている {store.staff} の名前でしか残せません（{who}）。"
        )
    with store.transaction() as session:
        audit.record(
            session,
            who,
            AuditAction.DATABASE_RESTORE,
            "database",
            summary=f"バックアップから復元：{source}",
            after={"source": source, **(details or {})},
        )


def _apply_retention(folder: Path, *, keep: Path) -> tuple[Path, ...]:
    """Delete the older backups of the database ``keep`` copies that the rule lets go; never
    ``keep``, another database's backups (told by their names) or other files."""
    whose = parse_backup_name(keep.name)
    if whose is None:
        return ()
    try:
        entries = [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        log.exception("cannot list the backup folder %s", folder)
        return ()
    removed: list[Path] = []
    names = (p.name for p in entries)
    for name in backups_to_delete(names, owner=whose.owner, demo=whose.demo):
        path = folder / name
        if path == keep:  # a clock set back could make the new file look old
            continue
        try:
            path.unlink()
        except OSError:
            log.exception("cannot delete the old backup %s", path)
            continue
        removed.append(path)
    _remove_stale_temps(entries)
    if removed:
        log.info("retention removed %d old backups from %s", len(removed), folder)
    return tuple(removed)


def _remove_stale_temps(entries: list[Path]) -> None:
    limit = time.time() - STALE_TEMP_SECONDS
    for path in entries:
        if not (path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX)):
            continue
        try:
            if path.stat().st_mtime < limit:
                remove_with_side_files(path)
        except OSError:
            log.warning("cannot remove the stale temp file %s", path)
