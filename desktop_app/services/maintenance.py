"""Database upkeep for the command line: check, and (re)building the demo database."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError

from desktop_app.db import tables
from desktop_app.db.engine import database_url, make_engine, read_only_url, sqlite_file
from desktop_app.db.migrate import (
    SchemaError,
    integrity_problems,
    schema_differences,
    schema_status,
)
from desktop_app.db.seals import broken_seals
from desktop_app.db.search_index import index_problems
from desktop_app.domain.clock import SYSTEM
from desktop_app.domain.errors import ValidationError
from desktop_app.services import audit, audit_witness, store_files
from desktop_app.services.case_rows import search_cases
from desktop_app.services.db_identity import file_facts, nobody_has_it_open, session_facts
from desktop_app.services.demo import MAX_DEMO_CASES, build_demo, ensure_demo_accounts, mark_as_demo
from desktop_app.services.demo_mark import DEMO_ACCOUNT_ROLES, is_demo, is_demo_store, mark_problem
from desktop_app.services.missing_rows import missing_rows
from desktop_app.services.store import (
    Store,
    StoreError,
    database_problem,
    default_database,
    open_store,
)


@dataclass(frozen=True)
class CheckReport:
    location: str
    current: str | None
    head: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(target: str | None = None) -> CheckReport:
    """Integrity, schema version, schema shape and the audit log's hash chain, without
    changing or creating anything.

    A SQLite file is opened read-only (``mode=ro``, see :func:`check_file`): its bytes, its
    journal mode and the files beside it are as they were.
    """
    url = database_url(target or default_database())
    path = sqlite_file(url)
    if path is None:
        try:
            return _check(url, None)
        except DatabaseError as exc:
            raise StoreError(database_problem(exc, None)) from exc
    try:
        store_files.check_target(path, create=False)
    except store_files.FileRefused as exc:
        raise StoreError(exc.message) from exc
    return check_file(path)


def check_file(path: Path) -> CheckReport:
    """:func:`check_database` of a SQLite file, opened so that nothing can be written.

    ``mode=ro`` as a rule. A WAL database that nobody has open (no -wal beside it) is read
    as immutable: a read-only connection would leave a -wal and -shm that only a writer
    removes; should a desk open it meanwhile, the check is read again the ordinary way (that
    desk's connection owns the files then). In a read-only folder, where not even the -shm
    can be made, it is read as immutable too, which is sound as nobody can write there.
    """
    immutable = nobody_has_it_open(path) or not os.access(path.parent, os.W_OK)
    try:
        report = _check(read_only_url(path, immutable=immutable), path)
        if not immutable or not _appeared_beside(path):
            return report
        return _check(read_only_url(path), path)
    except DatabaseError as exc:
        reason = str(exc.orig).lower()
        if immutable or not ("unable to open" in reason or "readonly" in reason):
            raise StoreError(database_problem(exc, path)) from exc
    try:
        return _check(read_only_url(path, immutable=True), path)
    except DatabaseError as exc:
        raise StoreError(database_problem(exc, path)) from exc


def _appeared_beside(path: Path) -> bool:
    return any(Path(f"{path}{side}").exists() for side in ("-wal", "-journal"))


def _check(url: URL, path: Path | None) -> CheckReport:
    engine = make_engine(url, read_only=path is not None)
    if path is not None:
        event.listen(engine, "connect", lambda dbapi, _rec: dbapi.execute("PRAGMA query_only=ON"))
    try:
        try:
            status = schema_status(engine)
        except SchemaError as exc:
            raise StoreError(str(exc)) from exc
        problems = list(integrity_problems(engine))
        if not status.known:
            problems.append(f"新しいバージョンのスキーマです（{status.current}）")
        elif not status.up_to_date:
            problems.append(
                f"スキーマが古いです（{status.current} → {status.head}）。起動時に更新されます"
            )
        else:
            problems += [f"スキーマの差異: {d}" for d in schema_differences(engine)]
            problems += _chain_problems(engine)
            problems += _seal_problems(engine)
            problems += _search_index_problems(engine)
            problems += _demo_mark_problems(engine)
            problems += _fax_page_problems(engine)
        location = str(path) if path else url.render_as_string(hide_password=True)
        return CheckReport(location, status.current, status.head, tuple(problems))
    finally:
        engine.dispose()


def _fax_page_problems(engine: Engine) -> list[str]:
    """Received fax pages whose image is not the one recorded: its SHA-256 must match the
    row's and be among those the case's audit entry (in the hash chain) recorded."""
    from sqlalchemy import select

    from desktop_app.domain.audit_actions import AuditAction

    log, pages = tables.audit_log, tables.fax_pages
    problems = []
    with engine.connect() as connection:
        recorded: set[str] = set()
        entries = select(log.c.after).where(log.c.action == AuditAction.FAX_RECEIVE)
        for (after,) in connection.execute(entries):
            for page in (after or {}).get("pages", []) if isinstance(after, dict) else []:
                if isinstance(page, dict) and isinstance(page.get("sha256"), str):
                    recorded.add(page["sha256"])
        rows = select(pages.c.id, pages.c.image, pages.c.image_sha256).order_by(pages.c.id)
        for page_id, image, digest in connection.execute(rows):
            if hashlib.sha256(bytes(image)).hexdigest() != digest or digest not in recorded:
                problems.append(
                    f"受信FAXのページ（fax_pages の id {page_id}）の画像が、記録したときのものと"
                    "一致しません"
                )
    return problems


def _demo_mark_problems(engine: Engine) -> list[str]:
    """A demo mark the database was not created with (services/demo_mark.py: it grants
    nothing, but someone wrote it)."""
    with engine.connect() as connection:
        problem = mark_problem(session_facts(connection))
    return [problem] if problem else []


TABLE_WORDS = {
    "staff_users": "職員アカウント",
    "patients": "患者",
    "callers": "連絡者",
    "cases": "案件",
    "case_documents": "書類",
    "appointments": "予約",
    "contact_log": "連絡記録",
    "payments": "会計",
    "settings": "設定",
    "departments": "診療科",
    "doctors": "担当医",
    "doctor_availability": "担当医の診療枠",
    "doctor_hours_exceptions": "担当医の休み・臨時の枠",
    "clinic_closures": "休診日",
    "referring_institutions": "紹介元の医療機関",
    "referring_doctors": "紹介元の医師",
}


def _seal_problems(engine: Engine) -> list[str]:
    """Rows changed or added without the program (db/seals.py), and rows removed: every
    case, payment, booking, account, setting... the log saw made must still be there
    (services/missing_rows.py)."""
    problems = []
    with engine.connect() as connection:
        for table, key in broken_seals(connection):
            named = "key" if table == "settings" else "id"
            problems.append(
                f"{TABLE_WORDS[table]}（{table} の {named} {key}）が SO Desk を通さずに"
                "書き換えられているか、追加されています"
            )
        try:
            problems += missing_rows(connection)
        except _UNREADABLE as exc:
            problems.append(f"変更履歴を読み取れません。改ざんされている可能性があります（{exc}）")
    return problems


# What reading a value changed by hand into something not of its column's kind raises.
_UNREADABLE = (ValueError, TypeError, KeyError, LookupError)


def _chain_problems(engine: Engine) -> list[str]:
    """The audit log's hash chain: the first altered, inserted, removed or reordered row;
    then what the witnesses kept outside the file say of it (services/audit_witness.py):
    newest rows cut off, or rows rewritten and rehashed."""
    try:
        with engine.connect() as connection:
            found = audit.verify_chain(connection)
            problems = [found.message()] if found is not None else []
            problems += audit_witness.witness_problems(
                connection,
                audit_witness.location_of(engine.url),
                broken_from=found.row.id if found is not None else None,
            )
    except _UNREADABLE as exc:  # a value no longer of its column's kind
        return [f"変更履歴を読み取れません。改ざんされている可能性があります（{exc}）"]
    return problems


def _search_index_problems(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return index_problems(connection)


def open_demo(target: str, cases: int = 40) -> Store:
    """The demo database for ``sodesk --demo``: built when missing, filled when still empty.

    Refuses the clinic's own database and any database not created as a demo one.
    """
    _refuse_clinic_database(target)
    path = sqlite_file(database_url(target))
    if path is not None and not path.exists() and not path.is_symlink():
        return rebuild_demo(target, cases)
    if path is not None and not _is_demo_file(path) and _old_demo_file(path):
        return rebuild_demo(target, cases)  # the old demo is kept aside, not deleted
    store = open_store(target, create=path is None)
    try:
        if not is_demo_store(store):
            raise StoreError(f"{store.location} はデモデータベースではありません。")
        ensure_demo_accounts(store)
        if search_cases(store, limit=1).total == 0:
            build_demo(store, cases)
    except BaseException:
        store.close()
        raise
    return store


def rebuild_demo(
    target: str,
    cases: int = 40,
    *,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Store:
    """(Re)build the demo database at ``target``; never the clinic's, never a real one.

    A new SQLite demo is built under a temporary name and renamed into place; a demo database
    already there is moved aside (the three newest such copies are kept), never deleted
    outright, and any other file there is refused and left as it is.
    """
    if not 0 <= cases <= MAX_DEMO_CASES:
        raise ValidationError(f"デモの案件数は0〜{MAX_DEMO_CASES:,}件で指定してください。")
    _refuse_clinic_database(target)
    path = sqlite_file(database_url(target))
    if path is None:
        return _rebuild_server_demo(target, cases, seed=seed, progress=progress)
    exists = path.exists() or path.is_symlink()
    if exists and not (_is_demo_file(path) or _old_demo_file(path)):
        raise StoreError(f"{path} はデモデータベースではありません。デモデータは作れません。")
    store_files.make_private_folder(path.parent)
    building = path.parent / f".{path.stem}.building-{os.getpid()}{path.suffix or '.db'}"
    store_files.remove_quietly(building)
    try:
        new = open_store(building, create=True)
        try:
            mark_as_demo(new)
            if cases:
                build_demo(new, cases, seed=seed, progress=progress)
        finally:
            new.close()
        if exists:
            _move_aside(path)
        os.replace(building, path)
    finally:
        store_files.remove_quietly(building)
    return open_store(path)


def _refuse_clinic_database(target: str) -> None:
    clinic = sqlite_file(database_url(default_database()))
    mine = sqlite_file(database_url(target))
    if clinic is None or mine is None:
        if database_url(target) == database_url(default_database()):
            raise StoreError("病院の実データベースにはデモデータを作れません。")
        return
    if _same_file(clinic, mine):
        raise StoreError(
            "病院の実データベースにはデモデータを作れません。--db で別のファイルを指定してください。"
        )


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_demo_file(path: Path) -> bool:
    """Read-only look: a database created as a demo and used as nothing else
    (services/demo_mark.py); anything unreadable is not a demo database."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        # immutable: a read-only look that leaves no -wal or -shm behind
        return is_demo(file_facts(path))
    except sqlite3.Error:
        return False


def _old_demo_file(path: Path) -> bool:
    """A demo made before its mark was recorded in the audit chain (before 2026-11-25): the
    mark and the demo's accounts only. It grants nothing now (services/demo_mark.py), but it
    may be replaced by a new demo, as it is moved aside, never deleted."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        facts = file_facts(path)
    except sqlite3.Error:
        return False
    return (
        facts.marked
        and facts.first_action in (None, "demo.mark", "demo.build")
        and all(s in DEMO_ACCOUNT_ROLES for s in facts.staff)
    )


def _move_aside(path: Path, keep: int = 3) -> None:
    """Rename the old demo (with its -wal/-shm) to ``<stem>.replaced-<stamp>``; keep ``keep``."""
    stamp = (
        SYSTEM.local_now()
    )  # a file name: the real clock, as the file system.strftime("%Y%m%d-%H%M%S")
    suffix = path.suffix or ".db"
    aside = path.with_name(f"{path.stem}.replaced-{stamp}{suffix}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.stem}.replaced-{stamp}-{n}{suffix}")
    for side in ("-wal", "-shm"):
        if Path(f"{path}{side}").exists():
            os.replace(f"{path}{side}", f"{aside}{side}")
    os.replace(path, aside)
    old = sorted(
        (p for p in path.parent.glob(f"{path.stem}.replaced-*{suffix}") if _is_demo_file(p)),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for stale in old[keep:]:
        store_files.remove_quietly(stale)


def _rebuild_server_demo(
    target: str, cases: int, *, seed: int, progress: Callable[[int, int], None] | None
) -> Store:
    """PostgreSQL: an empty database becomes a demo one; a marked one is emptied and rebuilt."""
    engine = make_engine(database_url(target))
    try:
        existing = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if existing:
        store = open_store(target)
        try:
            if not is_demo_store(store):
                raise StoreError(
                    "このデータベースはデモデータベースではありません。デモデータは作れません。"
                )
            with store.engine.begin() as connection:
                tables.metadata.drop_all(connection)
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        finally:
            store.close()
    store = open_store(target, create=True)
    mark_as_demo(store)
    if cases:
        build_demo(store, cases, seed=seed, progress=progress)
    return store
