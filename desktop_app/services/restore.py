"""Restoring the clinic's SQLite database from a backup file: the documented way out.

Nothing changes until the backup has passed every check. The backup (with the -wal or
-journal beside it, whose committed data is part of it) is copied to a private file beside the
database and only that copy is opened: brought to this program's schema when older, checked as
``sodesk check`` checks a database (integrity, schema shape, the audit chain, the row seals),
and refused when it is another database's (the demo's never replaces a clinic's). Then the
current database is kept: copied aside as ``<name>.before-restore-<time>.db``, or, when it
cannot be opened at all (truncated, malformed, from a newer version), moved aside as it is
with its -wal, so that a damaged database never blocks its own rescue.

Who restores is decided here, never taken from the caller: the administrator signed in on the
current database, or ``recovery:<operating-system user>`` when it has no accounts (a new
machine, a first start), cannot be opened, or is the demo. The restored database's log says
who, from which file, and what came back. The caller makes sure no SO Desk window has the
database open (cli._restore holds the window's lock).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import shutil
import sqlite3
from contextlib import closing, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from desktop_app.db.engine import database_url, make_engine, sqlite_file
from desktop_app.db.migrate import SchemaError, alembic_config, upgrade
from desktop_app.domain.clock import SYSTEM
from desktop_app.domain.roles import Permission
from desktop_app.services import store_files
from desktop_app.services.access import check
from desktop_app.services.db_identity import (
    DatabaseFacts,
    connection_facts,
    file_facts,
    nobody_has_it_open,
)
from desktop_app.services.demo_mark import is_demo
from desktop_app.services.sqlite_copy import (
    connect_existing,
    copy_database,
    has_sqlite_header,
    integrity_errors,
    private_temp,
    remove_with_side_files,
)
from desktop_app.services.store import Store, StoreError, current_staff, default_database

log = logging.getLogger(__name__)

# Tables every SO Desk database has had since its first schema.
REQUIRED_TABLES = frozenset({"alembic_version", "settings", "cases", "patients", "audit_log"})
RECOVERY = "recovery:"
# What a backup brings along that holds committed data SQLite has not folded into the file.
_DATA_SIDE_FILES = ("-wal", "-journal")
_PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class RestoreResult:
    database: Path  # the database that now holds the backup's data
    restored_from: Path
    previous: Path | None  # where the database as it was is kept; None if there was none
    revision: str  # the backup's schema revision
    upgraded: bool  # an older schema, brought up to this program's in the restored copy
    cases: int  # what came back
    payments: int
    who: str  # as the restored database's log records it
    moved_aside: bool = False  # the database could not be opened: moved aside as it was
    problems: tuple[str, ...] = ()  # what the check found and the caller accepted
    other_database: bool = False  # the backup is another database's, as the caller said
    recorded: bool = True  # False: restored, but the log could not be written (see log)


@dataclass(frozen=True)
class _Live:
    """The database being replaced, as found before anything changes."""

    state: str  # "missing", "sound" or "damaged" (cannot be opened by this program)
    facts: DatabaseFacts | None  # None: missing, or too damaged to read


def restore_database(
    target: str | Path | None,
    backup_file: Path,
    *,
    by: Store | None = None,
    other_database: bool = False,
    accept_problems: bool = False,
    now: dt.datetime | None = None,
) -> RestoreResult:
    """Replace the database at ``target`` (path or URL; default: the clinic's) by a backup.

    ``by``: the current database's store, signed in as the member of staff who restores
    (closed or not); required when that database has staff accounts and can be opened, and
    then an administrator (NotAllowed otherwise). ``other_database``: the backup may be
    another database's (never the demo's over a clinic's). ``accept_problems``: restore even
    though the backup fails the check (a last resort; the problems are recorded). Raises
    StoreError (Japanese) and changes nothing when a check fails. PostgreSQL is restored
    with pg_restore instead.
    """
    url = database_url(target if target is not None else default_database())
    live = sqlite_file(url)
    if live is None:
        raise StoreError(
            "PostgreSQL のデータベースはここでは復元できません。"
            "空のデータベースに pg_restore で戻し、sodesk pg-setup --restored-from <ファイル> を"
            "実行してください（README「複数の受付で使う（PostgreSQL サーバー）」の手順）。"
        )
    if by is not None:
        check(by, Permission.SETTINGS)  # a signed-in 受付 or 医師: refused before any look
    if live.is_symlink() and not live.exists():
        raise StoreError(
            f"復元先はリンクですが、リンク先がありません：{live} → {os.readlink(live)}。"
            "リンクを直すか、実際のファイルを --db で指定してください。"
        )
    backup = Path(backup_file).expanduser().absolute()
    if not backup.is_file():
        raise StoreError(f"バックアップファイルがありません：{backup}")
    if live.exists() and backup.samefile(live):
        raise StoreError("使用中のデータベースそのものは復元に使えません。")
    if not has_sqlite_header(backup):
        raise StoreError(f"SO Desk のバックアップファイル（SQLite）ではありません：{backup}")
    current = _live_state(live)
    who = _who(current, live, by)
    try:
        store_files.make_private_folder(live.parent)
    except store_files.FileRefused as exc:
        raise StoreError(exc.message) from exc
    # Only a private copy is ever opened: opening the backup itself could write beside it,
    # and the bytes checked are the bytes restored.
    stage = private_temp(live.parent)
    try:
        _copy_with_its_journal(backup, stage)
        revision, upgraded = _prepare(stage)
        facts = _facts(stage)
        _refuse_another_database(facts, current, live, other_database)
        problems = _problems(stage)
        if problems and not accept_problems:
            more = f"（ほかに {len(problems) - 1} 件）" if len(problems) > 1 else ""
            raise StoreError(
                f"バックアップファイルに問題があるため復元しません：{problems[0]}{more}。"
                "承知のうえで戻すときは --accept-problems を付けてください。"
            )
        cases, payments = _counts(stage)
        previous: Path | None
        if current.state == "sound":
            previous = _keep_aside(live, now)
            _copy_over(stage, live)
        else:
            previous = _move_aside(live, now) if current.state == "damaged" else None
            _put_in_place(stage, live, previous)
    finally:
        remove_with_side_files(stage)
    result = RestoreResult(
        database=live,
        restored_from=backup,
        previous=previous,
        revision=revision,
        upgraded=upgraded,
        cases=cases,
        payments=payments,
        who=who,
        moved_aside=current.state == "damaged",
        problems=problems,
        other_database=other_database,
    )
    log.info(
        "database %s restored from %s by %s (previous kept at %s)", live, backup, who, previous
    )
    return _record(result, facts)


# --- the database being replaced --------------------------------------------------------------


def _live_state(live: Path) -> _Live:
    """Missing, sound, or damaged; what is neither a database nor damaged one is refused
    (a folder, a picture: moving those aside is not a rescue but a surprise)."""
    if not live.exists():
        return _Live("missing", None)
    try:
        store_files.check_target(live, create=False)
    except store_files.FileRefused as exc:
        if live.is_file() and (live.stat().st_size == 0 or has_sqlite_header(live)):
            return _Live("damaged", _readable_facts(live))
        raise StoreError(exc.message) from exc
    try:
        # Read-only: a damaged file and its -wal are kept exactly as they are (a writer's
        # close would fold the -wal in), and a refused restore leaves nothing beside it.
        quiet = "&immutable=1" if nobody_has_it_open(live) else ""
        uri = f"{live.resolve().as_uri()}?mode=ro{quiet}"
        with closing(sqlite3.connect(uri, uri=True, timeout=10)) as connection:
            if connection.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                return _Live("damaged", _readable_facts(live))
            if not _tables(connection) >= REQUIRED_TABLES:
                raise StoreError(f"SO Desk のデータベースではありません：{live}")
            revision = _revision(connection)
            if revision is None or revision not in _known_revisions():
                return _Live("damaged", None)  # a newer version's: this program cannot open it
            return _Live("sound", connection_facts(connection))
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise StoreError(f"他の端末が使用中のため、復元できません：{live}") from None
        if "unable to open" in text or "readonly" in text or "permission" in text:
            raise StoreError(
                f"データベースを開けないため、復元できません：{live}（{exc}）"
            ) from None
        return _Live("damaged", _readable_facts(live))
    except sqlite3.DatabaseError:
        return _Live("damaged", _readable_facts(live))


def _readable_facts(path: Path) -> DatabaseFacts | None:
    """What a damaged file still says about itself, if anything."""
    try:
        return file_facts(path)
    except (sqlite3.Error, OSError):
        return None


def _who(current: _Live, live: Path, by: Store | None) -> str:
    if by is not None and by.user is not None:
        if by.file is None or not _same_file(by.file, live):
            raise StoreError(
                f"復元するデータベース（{live}）の管理者としてサインインしてください。"
            )
        return by.staff
    facts = current.facts
    if current.state == "sound" and facts is not None and facts.staff and not is_demo(facts):
        raise StoreError(
            f"{live} には職員アカウントがあるため、管理者としてサインインしてから復元してください"
            "（sodesk restore ファイル --user 管理者のID）。"
        )
    return f"{RECOVERY}{current_staff()}"


def _keep_aside(live: Path, now: dt.datetime | None) -> Path:
    aside = _aside_name(live, now)
    # No integrity check: a damaged database is exactly the one a clerk wants to replace.
    try:
        copy_database(live, aside, verify=False)
    except StoreError:
        # SQLite cannot read it page by page: keep the file (and its WAL) as it is instead.
        log.warning("backup API could not copy %s; copying the files as they are", live)
        _copy_files_aside(live, aside)
    return aside


def _move_aside(live: Path, now: dt.datetime | None) -> Path:
    """A database this program cannot open is kept exactly as it is, with its -wal."""
    aside = _aside_name(live, now)
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", "-wal", "-journal", "-shm"):
            source, kept = Path(f"{live}{suffix}"), Path(f"{aside}{suffix}")
            if source.exists():
                os.replace(source, kept)
                moved.append((source, kept))
    except OSError as exc:
        for source, kept in reversed(moved):
            with suppress(OSError):
                os.replace(kept, source)
        raise StoreError(
            f"今のデータベースを移せないため、復元を中止しました：{exc.strerror or exc}"
        ) from None
    log.warning("database %s could not be opened: moved aside to %s", live, aside)
    return aside


def _aside_name(live: Path, now: dt.datetime | None) -> Path:
    stamp = (
        now or SYSTEM.utcnow()
    )  # a file name: the real clock.astimezone().strftime("%Y%m%d-%H%M%S")
    suffix = live.suffix or ".db"
    aside = live.with_name(f"{live.stem}.before-restore-{stamp}{suffix}")
    counter = 1
    while aside.exists():
        aside = live.with_name(f"{live.stem}.before-restore-{stamp}-{counter}{suffix}")
        counter += 1
    return aside


def _copy_files_aside(live: Path, aside: Path) -> None:
    try:
        for suffix in ("", "-wal"):
            source = Path(f"{live}{suffix}")
            if source.exists():
                _copy_private(source, Path(f"{aside}{suffix}"))
    except OSError as exc:
        remove_with_side_files(aside)
        raise StoreError(
            f"今のデータベースを退避できないため、復元を中止しました：{exc.strerror or exc}"
        ) from None


# --- the backup, through its private copy -----------------------------------------------------


def _copy_with_its_journal(backup: Path, stage: Path) -> None:
    """The backup file and what beside it holds its committed data, never opened in place."""
    try:
        _copy_private(backup, stage)
        for suffix in _DATA_SIDE_FILES:
            side = Path(f"{backup}{suffix}")
            if side.is_file():
                _copy_private(side, Path(f"{stage}{suffix}"))
    except OSError as exc:
        raise StoreError(f"バックアップファイルを読めません：{exc.strerror or exc}") from None


def _copy_private(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)


def _prepare(stage: Path) -> tuple[str, bool]:
    """Fold a -wal or -journal into the copy, check it is a sound SO Desk database this
    program knows, and bring an older schema up to date. The backup's revision, and whether
    it was older."""
    try:
        with closing(sqlite3.connect(stage)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problems = integrity_errors(connection)
            if problems:
                raise StoreError(f"バックアップファイルが壊れています：{problems[0]}")
            if not _tables(connection) >= REQUIRED_TABLES:
                raise StoreError("このファイルは SO Desk のデータベースではありません。")
            revision = _revision(connection)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"バックアップファイルが壊れています：{exc}") from None
    if revision is None:
        raise StoreError("このファイルは SO Desk のデータベースではありません。")
    if revision not in _known_revisions():
        raise StoreError(
            "このバックアップは新しいバージョンの SO Desk で作成されています"
            f"（スキーマ {revision}）。SO Desk を更新してから復元してください。"
        )
    head = _head()
    if revision == head:
        return revision, False
    _upgrade(stage)
    return revision, True


def _upgrade(stage: Path) -> None:
    """The copy, not the database: checked at the schema it will be used with. The copy the
    upgrade makes first (``<stage>.before-<rev>-…``) is a temp file like the stage."""
    engine = make_engine(stage)
    try:
        upgrade(engine, backup_dir=stage.parent)
    except SchemaError as exc:
        raise StoreError(
            f"バックアップを今のバージョンに更新できないため、復元しません：{exc}"
        ) from exc
    finally:
        engine.dispose()
        for before in stage.parent.glob(f"{stage.stem}.before-*"):
            remove_with_side_files(before)


def _facts(stage: Path) -> DatabaseFacts:
    try:
        return file_facts(stage)
    except sqlite3.Error as exc:
        raise StoreError(f"バックアップファイルが壊れています：{exc}") from None


def _problems(stage: Path) -> tuple[str, ...]:
    """What ``sodesk check`` would say of the copy (imported here: restoring is rare)."""
    from desktop_app.services.maintenance import check_file

    return check_file(stage).problems


def _counts(stage: Path) -> tuple[int, int]:
    uri = f"{stage.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
        payments = connection.execute("SELECT count(*) FROM payments").fetchone()[0]
    return int(cases), int(payments)


def _refuse_another_database(
    backup: DatabaseFacts, current: _Live, live: Path, other_database: bool
) -> None:
    """The demo's backup only onto a demo (or a new file that is not the clinic's); another
    database's only when the caller says so."""
    if backup.demo_named:
        if current.state == "missing":
            onto_demo = live != sqlite_file(database_url(default_database()))
        else:
            onto_demo = current.facts is not None and is_demo(current.facts)
        if not onto_demo:
            raise StoreError(
                f"このバックアップはデモ用データベースのものです。{live} には復元できません"
                "（病院のデータベースをデモで置き換えることはできません）。"
            )
    if other_database or current.facts is None:
        return
    theirs, ours = backup.identity, current.facts.identity
    if theirs and ours and theirs != ours:
        raise StoreError(
            f"このバックアップは別のデータベース（ID {theirs[:8]}）のものです"
            f"（{live} は ID {ours[:8]}）。"
            "別のデータベースで置き換えるときは --other-database を付けてください。"
        )


# --- writing it in ---------------------------------------------------------------------------


def _copy_over(stage: Path, live: Path) -> None:
    """Write the checked copy into the live file with the backup API (all pages, one step)."""
    try:
        with (
            closing(sqlite3.connect(stage)) as src,
            closing(connect_existing(live)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as exc:
        log.exception("restore into %s failed", live)
        raise StoreError(
            f"復元できませんでした（データベースは変更されていません）：{exc}"
        ) from None


def _put_in_place(stage: Path, live: Path, moved_from: Path | None) -> None:
    """No database there (any more): the checked copy takes the name."""
    try:
        os.replace(stage, live)
    except OSError as exc:
        if moved_from is not None:
            with suppress(OSError):
                os.replace(moved_from, live)
        raise StoreError(
            f"{live} に書き込めないため、復元できませんでした：{exc.strerror}"
        ) from None


def _record(result: RestoreResult, facts: DatabaseFacts) -> RestoreResult:
    """The restored database's log: who, from which file, what came back, what was waived."""
    from desktop_app.services import audit_witness
    from desktop_app.services.backup import record_restore
    from desktop_app.services.store import open_store

    details: dict[str, Any] = {
        "cases": result.cases,
        "payments": result.payments,
        "problems": list(result.problems),
        "other_database": result.other_database,
        "backup_database": facts.identity,
    }
    if result.moved_aside and result.previous is not None:
        details["moved_aside"] = str(result.previous)
    try:
        store = open_store(result.database)
    except StoreError:
        log.exception("restored %s, but cannot open it to record the restore", result.database)
        return dataclasses.replace(result, recorded=False)
    try:
        record_restore(store, result.who, str(result.restored_from), details)
        audit_witness.note_restore(store, result.restored_from)
    except Exception:
        log.exception("restored %s, but could not record the restore", result.database)
        return dataclasses.replace(result, recorded=False)
    finally:
        store.close()
    return result


# --- small helpers ---------------------------------------------------------------------------


def _tables(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    return {str(row[0]) for row in rows}


def _revision(connection: sqlite3.Connection) -> str | None:
    rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


@cache
def _known_revisions() -> frozenset[str]:
    """Head and every revision before it (Alembic: imported here, restoring is rare)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(r.revision for r in script.walk_revisions())


@cache
def _head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False
