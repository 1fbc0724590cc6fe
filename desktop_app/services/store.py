"""The open store: engine, sessions, the clerk at the desk, and where the data lives."""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from sqlalchemy import (
    JSON,
    Column,
    Engine,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from desktop_app.db import tables
from desktop_app.db.engine import UnusableTarget, database_url, make_engine, sqlite_file, writer
from desktop_app.db.migrate import SchemaError, SchemaStatus, schema_status, upgrade
from desktop_app.db.seals import SEALED_TABLES, seal_rows
from desktop_app.domain.clock import SYSTEM, Clock
from desktop_app.domain.errors import CONFLICT_MESSAGE, ConflictError, ValidationError
from desktop_app.domain.roles import Actor
from desktop_app.domain.text_input import (
    field_label,
    is_storable,
    is_storable_value,
    one_line_text,
    scrub,
    unusable_characters,
)
from desktop_app.services import store_files

log = logging.getLogger(__name__)

APP_NAME = "SODesk"
ENV_DATABASE_URL = "SODESK_DATABASE_URL"


CLOCK_KEY = "sodesk.clock"


def session_clock(session: Session) -> Clock:
    """The clock of the store a session belongs to (for code handed only the session)."""
    found = session.info.get(CLOCK_KEY)
    return found if isinstance(found, Clock) else SYSTEM


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
    """The operating system's login name, as the log can keep it (one line, no bytes that
    are not text: LOGNAME may hold anything)."""
    try:
        return scrub(getpass.getuser(), multiline=False) or "unknown"
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
    # Where every service takes the day and the time (the system clock unless a test, the demo
    # builder or an import sets another); each session carries it too (``session_clock``).
    clock: Clock = field(default_factory=lambda: SYSTEM)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(writer(self.engine), expire_on_commit=False)
        event.listen(self._write_sessions, "before_flush", _check_written_text)
        event.listen(self._write_sessions, "before_flush", _stamp_new_rows)
        event.listen(self._write_sessions, "after_flush", _seal_written_rows)
        from desktop_app.services import live_changes  # the other desks hear of each commit

        live_changes.install(self)

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
        under it before it writes: two desks' calls run one after the other. On PostgreSQL
        two desks' checks can pass at once; then the database refuses the second write (a
        version, a unique or exclusion constraint, a serialization failure) and that desk
        is told in one sentence (``race_lost``), wherever the refusal was raised: a flush,
        an autoflush before a query, the commit.
        """
        try:
            with self._write_sessions() as session, session.begin():
                session.info[CLOCK_KEY] = self.clock
                yield session
        except StaleDataError as exc:
            # A row changed under us (PostgreSQL, or a row read before this transaction).
            log.info("conflicting write refused: %s", exc)
            raise ConflictError() from exc
        except DBAPIError as exc:
            lost = race_lost(exc)
            if lost is not None:
                log.info("write refused, another desk's won: %s", lost.reason)
                raise lost from exc
            if not isinstance(exc, OperationalError) or "locked" not in str(exc.orig).lower():
                raise
            log.warning("database stayed locked: %s", exc)
            raise StoreError(
                "他の端末が長く書き込み中のため、保存できませんでした。もう一度お試しください。"
            ) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            session.info[CLOCK_KEY] = self.clock
            yield session

    def schema(self) -> SchemaStatus:
        return schema_status(self.engine)

    def close(self) -> None:
        from desktop_app.services.audit_witness import note_close  # never raises

        note_close(self)  # the log keeps the audit chain's head (services/audit_witness)
        self.engine.dispose()


# What a desk that lost a race is told (services/store.race_lost). A booking's slot taken by
# another desk, the same start or an overlapping time: the booking's own sentence.
SLOT_TAKEN = "この枠はたった今ほかの端末で予約されました。別の枠を選んでください。"
SAME_CHANGE = "他の端末で同時に同じ変更が行われたため、保存しませんでした。最新の内容を表示します。"
TRY_AGAIN = "他の端末の保存と重なったため、保存しませんでした。もう一度お試しください。"
# The constraints a race can meet, and their sentences; any other unique, exclusion or
# foreign-key refusal is SAME_CHANGE.
RACE_SENTENCES = {
    "uq_appointments_live_slot": SLOT_TAKEN,
    tables.OVERLAP_CONSTRAINT: SLOT_TAKEN,
    "pk_settings": CONFLICT_MESSAGE,  # the first save of one setting at two desks
    # The same received fax confirmed at two desks at once (services/fax_inbox.py).
    "uq_received_faxes_sha256": "このFAXはたった今ほかの端末で記録されました。一覧を読み直します。",
}
# PostgreSQL's SQLSTATEs: unique, exclusion and foreign-key violations (a row another desk
# wrote first, or a master row it has just deleted); serialization failure and deadlock (try
# again). NOT NULL and CHECK violations (23502, 23514) and a trigger's refusal are the
# program's bugs: raised as they are. On SQLite one desk writes at a time and every check
# runs inside its write transaction, so only a unique or primary key can be met there (a
# service's own checks left it to the database); a foreign key met there is a bug.
_RACE_STATES = frozenset({"23505", "23P01", "23503"})
_RETRY_STATES = frozenset({"40001", "40P01"})
_SQLITE_RACES = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


class RaceLost(ConflictError):
    """Another desk's write came first and the database refused this one; nothing was
    written. The screen shows the sentence and reloads, like any ConflictError.
    ``reason``: the constraint that refused it, or what the server said (for the log)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def race_lost(exc: DBAPIError) -> RaceLost | None:
    """The clerk's sentence for a refusal that means another desk won, or None when the
    error is something else (a bug, a server that went away: raised as it is)."""
    driver_error = exc.orig
    state = getattr(driver_error, "sqlstate", None)  # psycopg
    if state in _RETRY_STATES:
        return RaceLost(TRY_AGAIN, f"SQLSTATE {state}")
    if not isinstance(exc, IntegrityError):
        return None
    if state is not None:
        if state not in _RACE_STATES:
            return None
        name = getattr(getattr(driver_error, "diag", None), "constraint_name", None) or ""
    else:
        if getattr(driver_error, "sqlite_errorname", None) not in _SQLITE_RACES:
            return None
        name = _sqlite_constraint(str(driver_error))
    return RaceLost(RACE_SENTENCES.get(name, SAME_CHANGE), name or str(driver_error))


def _sqlite_constraint(message: str) -> str:
    """The schema's name of the constraint SQLite names by its columns
    ("UNIQUE constraint failed: settings.key" is pk_settings); "" when none matches."""
    prefix = "UNIQUE constraint failed: "
    if not message.startswith(prefix):
        return ""
    named = message[len(prefix) :].strip()
    if named.startswith("index '"):
        return named[len("index '") :].rstrip("'")
    columns = [part.strip().partition(".") for part in named.split(",")]
    table = tables.metadata.tables.get(columns[0][0])
    if table is None:
        return ""
    wanted = [column for _, _, column in columns]
    candidates: list[tuple[object, list[str]]] = [
        (index.name, [c.name for c in index.columns]) for index in table.indexes if index.unique
    ]
    candidates += [
        (constraint.name, [c.name for c in constraint.columns])
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
    ]
    return next((str(name) for name, cols in candidates if cols == wanted and name), "")


# Columns a form names otherwise (callers.name is the intake's caller_name), for the field a
# refusal names.
_FORM_FIELDS = {
    ("callers", "name"): "caller_name",
    ("callers", "furigana"): "caller_furigana",
    ("callers", "phone"): "caller_phone",
}
# Rows hashed as they are made (the audit log): services/audit.record scrubs their text
# before the hash; changing it here would break the chain.
_HASHED_TABLES = frozenset({"audit_log"})


_STAMPS = ("created_at", "updated_at", "at", "stage_since")


def _stamp_new_rows(session: Session, _context: object, _instances: object) -> None:
    """A new row's stamps (created, updated, a call's or an audit entry's ``at``, a case's
    ``stage_since``) come from the store's clock, not the columns' defaults (which read the
    program's clock): a booking or a call logged under a test's or an import's clock is
    dated by that clock, and the statistics and lead times count from it."""
    now = session_clock(session).utcnow()
    for row in session.new:
        for name in _STAMPS:
            if getattr(row, name, now) is None:
                setattr(row, name, now)


def _check_written_text(session: Session, _context: object, _instances: object) -> None:
    """The text of every row about to be written, on every engine, before anything is:

    - in a one-line column (String), line breaks and tabs become spaces;
    - NUL, other controls, noncharacters and lone surrogates are refused naming the field.
      The services' entry has taken them out already (services/access.requires,
      domain/text_input.py): this is the guard for whatever did not pass there;
    - text longer than its column is refused with a message. SQLite would store it whole and
      PostgreSQL refuse the INSERT with a DataError; either way the clerk would not learn
      what to shorten.

    Of a changed row only the changed values are looked at: an old row's text stays as it is.
    """
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        table = getattr(state.mapper.local_table, "name", "")
        is_new = obj in session.new
        for prop in state.mapper.column_attrs:
            if not is_new and not state.attrs[prop.key].history.has_changes():
                continue
            column = prop.columns[0]
            value = getattr(obj, prop.key, None)
            field = _FORM_FIELDS.get((table, prop.key), prop.key)
            if isinstance(column.type, JSON):  # a setting's value may be a str as well
                if not is_storable_value(value):
                    raise unusable_characters(field)
            elif isinstance(value, str):
                if table not in _HASHED_TABLES:
                    stored = _storable(value, field, one_line=not isinstance(column.type, Text))
                    if stored != value:
                        setattr(obj, prop.key, stored)
                        value = stored
                _refuse_overlong(value, column, field)


def _storable(value: str, field: str, *, one_line: bool) -> str:
    text = one_line_text(value) if one_line else value
    if not is_storable(text):
        raise unusable_characters(field)
    return text


def _refuse_overlong(value: str, column: Column[Any], field: str) -> None:
    length = getattr(column.type, "length", None)
    if length and len(value) > length:
        raise ValidationError(
            f"{field_label(field)}が長すぎます（{len(value)}文字）。{length}文字以内で入力してください。",
            field=field,
        )


def _seal_written_rows(session: Session, _context: object) -> None:
    """Every row of a sealed table this flush wrote gets its seal from what is now stored
    (db/seals.py), so ``sodesk check`` can tell the program's writes from anyone else's."""
    written: dict[str, set[int | str]] = {}
    for obj in (*session.new, *session.dirty):
        table = getattr(type(obj), "__table__", None)
        if table is not None and table.name in SEALED_TABLES:
            key = inspect(obj).mapper.primary_key_from_instance(obj)[0]  # settings: key
            written.setdefault(table.name, set()).add(key)
    for name, ids in written.items():
        seal_rows(session.connection(), name, ids, table=tables.metadata.tables[name])


def open_store(
    target: str | Path | None = None,
    *,
    create: bool = False,
    staff: str | None = None,
    verify: bool = True,
) -> Store:
    """Open (upgrading if older) the database at a path or URL; default: the clinic's file.

    A SQLite file is created only with ``create`` (``sodesk init``, the window on the clinic's
    own file, the demo); otherwise a missing file is refused, never made empty. Whatever is
    not a sound SO Desk database gives a StoreError of one Japanese sentence and is left as it
    was: a target that can hold no data (db/engine.database_url), and, with ``verify``, a
    SQLite file whose pages are damaged (``PRAGMA quick_check``, before anything is upgraded
    or written). The window's start does not verify: on a large file the check takes seconds.
    """
    try:
        url = database_url(target if target is not None else default_database())
    except UnusableTarget as exc:
        raise StoreError(exc.message) from None
    path = sqlite_file(url)
    try:
        created = False
        if path is not None:
            if not store_files.check_target(path, create=create):
                _create_sqlite(path)
                created = True
            if path.parent == data_dir().resolve():
                store_files.tighten(data_dir(), path)
        engine = make_engine(url)
        if verify and path is not None and not created:
            _refuse_damaged(engine, path)
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
            from desktop_app.services.db_identity import assign_identity  # every copy keeps it

            assign_identity(Store(engine=engine))
        finally:
            engine.dispose()  # the last connection closes: the -wal is folded in and removed
        store_files.put_in_place(built, path)
    finally:
        store_files.remove_quietly(built)


def _refuse_damaged(engine: Engine, path: Path) -> None:
    """StoreError (with the restore hint) when SQLite finds a damaged page in the file.

    ``quick_check`` reads every page once (it skips the indexes' cross-check that
    ``integrity_check``, run by ``sodesk check``, does); it stops at the first problem.
    """
    with engine.connect() as connection:
        found = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check(1)")]
    if found != ["ok"]:
        log.error("quick_check of %s: %s", path, found)
        engine.dispose()
        raise StoreError(damaged_database(path))


def damaged_database(path: Path | None) -> str:
    """The sentence for a damaged database file: where it is, and how to get it back."""
    where = f"：{path}" if path is not None else ""
    return f"データベースが壊れています{where}。バックアップから sodesk restore で戻してください。"


def database_problem(exc: Exception, path: Path | None) -> str:
    """One sentence for a database error SQLite or the server gave."""
    text = _short(exc)
    where = f"：{path}" if path is not None else ""
    lowered = text.lower()
    if "not a database" in lowered:
        return f"SO Desk のデータベースではありません{where}"
    if "malformed" in lowered or "corrupt" in lowered:
        return damaged_database(path)
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
