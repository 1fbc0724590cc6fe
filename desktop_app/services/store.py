"""The open store: engine, sessions, the clerk at the desk, and where the data lives."""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy import Engine, event, inspect
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from desktop_app.db import tables
from desktop_app.db.engine import database_url, make_engine, sqlite_file, writer
from desktop_app.db.migrate import SchemaError, SchemaStatus, schema_status, upgrade
from desktop_app.db.seals import SEALED_TABLES, seal_rows
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.roles import Actor
from desktop_app.services import store_files

log = logging.getLogger(__name__)

APP_NAME = "SODesk"
ENV_DATABASE_URL = "SODESK_DATABASE_URL"


class StoreError(Exception):
    """The database cannot be opened or used (message in Japanese)."""


def data_dir() -> Path:
    """The user's data folder (e.g. ~/.local/share/SODesk, %LOCALAPPDATA%\\SODesk)."""
    return user_data_path(APP_NAME, appauthor=False)


def default_database() -> str:
    """``SODESK_DATABASE_URL`` if set, else the clinic's SQLite file in the data folder."""
    return os.environ.get(ENV_DATABASE_URL) or str(data_dir() / "sodesk.db")


def demo_database() -> str:
    """The demo database's own file: never the clinic's real one."""
    return str(data_dir() / "sodesk-demo.db")


def current_staff() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "unknown"


@dataclass
class Store:
    """An open database and who works on it.

    ``user`` is the member of staff signed in (the window's login, the CLI's ``--user``);
    ``staff`` is the name the audit log records, their login ID once signed in. The window
    and the CLI always sign in before anything is changed. A program that opens the store
    itself (a test, the demo builder, a maintenance step) has no ``user`` and is recorded
    under the operating-system login: it already holds the database file, which the
    roles cannot guard.
    """

    engine: Engine
    staff: str = field(default_factory=current_staff)
    backup_made: Path | None = None
    user: Actor | None = None
    # Set by staff.open_demo_session until staff.record_demo_sign_in has logged the sign-in.
    sign_in_unrecorded: bool = False

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(writer(self.engine), expire_on_commit=False)
        event.listen(self._write_sessions, "before_flush", _refuse_overlong_text)
        event.listen(self._write_sessions, "after_flush", _seal_written_rows)

    def sign_in(self, actor: Actor) -> None:
        """From now on, this store works as ``actor`` (services/staff.py checks who it is)."""
        self.user = actor
        self.staff = actor.login
        self.sign_in_unrecorded = False

    @property
    def file(self) -> Path | None:
        """The SQLite file behind the store; None on PostgreSQL."""
        return sqlite_file(self.engine.url)

    @property
    def location(self) -> str:
        """Where the data lives, for screens and the CLI (password hidden)."""
        path = sqlite_file(self.engine.url)
        return str(path) if path else self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One short write transaction; commits on success, rolls back on any error.

        On SQLite it begins IMMEDIATE, so whatever the call reads and checks cannot change
        under it before it writes: two desks' calls run one after the other.
        """
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except StaleDataError as exc:
            # A row changed under us (PostgreSQL, or a row read before this transaction).
            log.info("conflicting write refused: %s", exc)
            raise ConflictError() from exc
        except OperationalError as exc:
            if "locked" not in str(exc.orig).lower():
                raise
            log.warning("database stayed locked: %s", exc)
            raise StoreError(
                "他の端末が長く書き込み中のため、保存できませんでした。もう一度お試しください。"
            ) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def schema(self) -> SchemaStatus:
        return schema_status(self.engine)

    def close(self) -> None:
        self.engine.dispose()


# What the clerk calls the columns that are typed in, for the "too long" message.
_COLUMN_LABELS = {
    "name": "氏名・名称",
    "furigana": "フリガナ",
    "address": "住所",
    "mail_to_name": "宛名",
    "mail_address": "送付先の住所",
    "diagnosis": "病名",
    "desired_dates": "希望日",
    "department": "診療科",
    "party": "相手",
    "note": "メモ",
    "reason": "理由",
}


def _refuse_overlong_text(session: Session, _context: object, _instances: object) -> None:
    """Text longer than its column is refused with a message, on every engine.

    SQLite would store it whole and PostgreSQL refuse the INSERT with a DataError; either way
    the clerk would not learn what to shorten. Checked before anything is written.
    """
    for obj in (*session.new, *session.dirty):
        for column in inspect(obj).mapper.columns:
            length = getattr(column.type, "length", None)
            value = getattr(obj, column.key, None)
            if length and isinstance(value, str) and len(value) > length:
                what = _COLUMN_LABELS.get(column.key, "入力")
                raise ValidationError(
                    f"{what}が長すぎます（{len(value)}文字）。{length}文字以内で入力してください。",
                    field=column.key,
                )


def _seal_written_rows(session: Session, _context: object) -> None:
    """Every row of a sealed table this flush wrote gets its seal from what is now stored
    (db/seals.py), so ``sodesk check`` can tell the program's writes from anyone else's."""
    written: dict[str, set[int]] = {}
    for obj in (*session.new, *session.dirty):
        table = getattr(type(obj), "__table__", None)
        if table is not None and table.name in SEALED_TABLES:
            written.setdefault(table.name, set()).add(obj.id)
    for name, ids in written.items():
        seal_rows(session.connection(), name, ids, table=tables.metadata.tables[name])


def open_store(
    target: str | Path | None = None, *, create: bool = False, staff: str | None = None
) -> Store:
    """Open (upgrading if older) the database at a path or URL; default: the clinic's file.

    A SQLite file is created only with ``create`` (``sodesk init``, the window on the clinic's
    own file, the demo); otherwise a missing file is refused, never made empty. Whatever is
    not a sound SO Desk database gives a StoreError of one Japanese sentence and is left as it
    was.
    """
    url = database_url(target if target is not None else default_database())
    path = sqlite_file(url)
    try:
        if path is not None:
            if not store_files.check_target(path, create=create):
                _create_sqlite(path)
            if path.parent == data_dir().resolve():
                store_files.tighten(data_dir(), path)
        engine = make_engine(url)
        backup = upgrade(engine)
    except store_files.FileRefused as exc:
        raise StoreError(exc.message) from exc
    except SchemaError as exc:
        raise StoreError(str(exc)) from exc
    except DatabaseError as exc:
        log.exception("cannot open database %s", url.render_as_string(hide_password=True))
        raise StoreError(database_problem(exc, path)) from exc
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"データベースのドライバがありません（{exc.name}）。"
            "PostgreSQL には `pip install 'sodesk[postgres]'` が必要です。"
        ) from exc
    store = Store(engine=engine, backup_made=backup)
    if staff:
        store.staff = staff
    return store


def _create_sqlite(path: Path) -> None:
    """Build the schema in a private temporary file, then give it its name."""
    store_files.make_private_folder(path.parent)
    built = store_files.new_private_file(path.parent, path.name)
    try:
        engine = make_engine(built)
        try:
            upgrade(engine)
        finally:
            engine.dispose()  # the last connection closes: the -wal is folded in and removed
        store_files.put_in_place(built, path)
    finally:
        store_files.remove_quietly(built)


def database_problem(exc: Exception, path: Path | None) -> str:
    """One sentence for a database error SQLite or the server gave."""
    text = _short(exc)
    where = f"：{path}" if path is not None else ""
    lowered = text.lower()
    if "not a database" in lowered:
        return f"SO Desk のデータベースではありません{where}"
    if "malformed" in lowered or "corrupt" in lowered:
        return (
            f"データベースが壊れています{where}。バックアップから sodesk restore で戻してください。"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return f"データベースに書き込めません（読み取り専用）{where}"
    if "unable to open" in lowered:
        return f"データベースを開けません（フォルダに書き込めないか、場所がありません）{where}"
    if "locked" in lowered or "busy" in lowered:
        return f"他の端末が使用中のため、データベースを開けません{where}"
    return f"データベースを開けません：{text}"


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)) or exc.__class__.__name__
    return text.splitlines()[0]
