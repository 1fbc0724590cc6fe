"""Restoring the clinic's SQLite database from a backup file, after checking the file.

The current database is first copied aside (``<name>.before-restore-<time>.db``); if any check
fails, nothing is changed. The caller makes sure no SO Desk window has the database open.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from desktop_app.db.engine import database_url, sqlite_file
from desktop_app.db.migrate import alembic_config
from desktop_app.domain import clock
from desktop_app.services.sqlite_copy import (
    copy_database,
    has_sqlite_header,
    integrity_errors,
    private_temp,
    remove_with_side_files,
)
from desktop_app.services.store import StoreError, default_database

log = logging.getLogger(__name__)

# Tables every SO Desk database has had since its first schema.
REQUIRED_TABLES = frozenset({"alembic_version", "settings", "cases", "patients", "audit_log"})


@dataclass(frozen=True)
class RestoreResult:
    database: Path  # the database that now holds the backup's data
    restored_from: Path
    previous: Path | None  # where the database as it was is kept; None if there was none
    revision: str  # the backup's schema revision
    upgrade_needed: bool  # older schema: upgraded the next time SO Desk opens it


def restore_database(
    target: str | Path | None, backup_file: Path, *, now: dt.datetime | None = None
) -> RestoreResult:
    """Replace the database at ``target`` (path or URL; default: the clinic's) by a backup.

    Checks first that ``backup_file`` is a sound SO Desk database whose schema this program
    knows (an older one is fine, a newer one is refused); then keeps the current database aside
    and copies the backup in with SQLite's backup API. Raises StoreError (Japanese) and
    changes nothing when a check fails. PostgreSQL is restored with pg_restore instead.
    """
    url = database_url(target if target is not None else default_database())
    live = sqlite_file(url)
    if live is None:
        raise StoreError(
            "PostgreSQL のデータベースはここでは復元できません。"
            "pg_restore を使ってください（例: pg_restore --clean --if-exists -d <URL> <ファイル>）。"
        )
    backup = Path(backup_file).expanduser().absolute()
    if not backup.is_file():
        raise StoreError(f"バックアップファイルがありません：{backup}")
    if live.exists() and backup.samefile(live):
        raise StoreError("使用中のデータベースそのものは復元に使えません。")
    if not has_sqlite_header(backup):
        raise StoreError(f"SO Desk のバックアップファイル（SQLite）ではありません：{backup}")
    live.parent.mkdir(parents=True, exist_ok=True)
    # Checks run on a private copy, so the backup file itself is never touched (opening a
    # file can write beside it) and the bytes checked are the bytes restored.
    stage = private_temp(live.parent)
    try:
        try:
            shutil.copyfile(backup, stage)
        except OSError as exc:
            raise StoreError(f"バックアップファイルを読めません：{exc.strerror or exc}") from None
        revision, upgrade_needed = _check_backup(stage)
        previous = _keep_aside(live, now) if live.exists() else None
        _copy_over(stage, live)
    finally:
        remove_with_side_files(stage)
    log.info("database %s restored from %s (previous kept at %s)", live, backup, previous)
    return RestoreResult(
        database=live,
        restored_from=backup,
        previous=previous,
        revision=revision,
        upgrade_needed=upgrade_needed,
    )


def _check_backup(path: Path) -> tuple[str, bool]:
    """The backup's schema revision and whether it is older than this program's; or StoreError."""
    try:
        with closing(sqlite3.connect(path)) as connection:
            problems = integrity_errors(connection)
            if problems:
                raise StoreError(f"バックアップファイルが壊れています：{problems[0]}")
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not REQUIRED_TABLES.issubset(tables):
                raise StoreError("このファイルは SO Desk のデータベースではありません。")
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"バックアップファイルが壊れています：{exc}") from None
    if len(rows) != 1:
        raise StoreError("このファイルは SO Desk のデータベースではありません。")
    revision = str(rows[0][0])
    from alembic.script import ScriptDirectory  # here: restoring is rare, a start is not

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    known = {r.revision for r in script.walk_revisions()}  # head and every revision before it
    if revision not in known:
        raise StoreError(
            "このバックアップは新しいバージョンの SO Desk で作成されています"
            f"（スキーマ {revision}）。SO Desk を更新してから復元してください。"
        )
    return revision, revision != head


def _keep_aside(live: Path, now: dt.datetime | None) -> Path:
    stamp = (now or clock.utcnow()).astimezone().strftime("%Y%m%d-%H%M%S")
    suffix = live.suffix or ".db"
    aside = live.with_name(f"{live.stem}.before-restore-{stamp}{suffix}")
    counter = 1
    while aside.exists():
        aside = live.with_name(f"{live.stem}.before-restore-{stamp}-{counter}{suffix}")
        counter += 1
    # No integrity check: a damaged database is exactly the one a clerk wants to replace.
    try:
        copy_database(live, aside, verify=False)
    except StoreError:
        # SQLite cannot read it page by page: keep the file (and its WAL) as it is instead.
        log.warning("backup API could not copy %s; copying the files as they are", live)
        _copy_files_aside(live, aside)
    return aside


def _copy_files_aside(live: Path, aside: Path) -> None:
    try:
        for suffix in ("", "-wal"):
            source = Path(f"{live}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{aside}{suffix}")
                Path(f"{aside}{suffix}").chmod(0o600)
    except OSError as exc:
        remove_with_side_files(aside)
        raise StoreError(
            f"今のデータベースを退避できないため、復元を中止しました：{exc.strerror or exc}"
        ) from None


def _copy_over(stage: Path, live: Path) -> None:
    """Write the checked copy into the live file with the backup API (all pages, one step)."""
    try:
        with (
            closing(sqlite3.connect(stage)) as src,
            closing(sqlite3.connect(live, timeout=10)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as exc:
        log.exception("restore into %s failed", live)
        raise StoreError(
            f"復元できませんでした（データベースは変更されていません）：{exc}"
        ) from None
