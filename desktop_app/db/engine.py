"""One engine factory for every store: a SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.text_input import sendable_parameters


class UnusableTarget(ValidationError):
    """``--db`` (or SODESK_DATABASE_URL) names nothing SO Desk can keep its data in."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="db")


# SQLite's limit for a file's whole name (MAX_PATHNAME, in bytes), less room for "-journal";
# and most file systems' for one name in it.
MAX_PATH_BYTES = 512 - len("-journal")
MAX_NAME_BYTES = 255


def database_url(target: str | Path) -> URL:
    """A SQLAlchemy URL for a file path or a URL (``sqlite:///...``, ``postgresql://...``).

    What cannot hold the clinic's data is refused here, for every caller, with one Japanese
    sentence (UnusableTarget): another kind of database (``mysql://``), a URL no driver knows,
    a database in memory (``sqlite://``: everything would be lost at exit), a file name too
    long for SQLite or the file system.
    """
    text = str(target)
    if "://" in text:
        return _server_or_file_url(text)
    if "\x00" in text:
        raise UnusableTarget("データベースのファイルの場所に使えない文字が含まれています。")
    try:
        path = Path(text).expanduser()
        _refuse_long(path.absolute())
        # A link that points nowhere stays a link, so that nothing is created at its far end.
        path = path.absolute() if path.is_symlink() and not path.exists() else path.resolve()
    except (OSError, RuntimeError) as exc:  # a name too long for the system, a loop of links
        why = getattr(exc, "strerror", None) or str(exc)
        raise UnusableTarget(f"データベースのファイルの場所を使えません（{why}）。") from None
    _refuse_long(path)
    return URL.create("sqlite+pysqlite", database=str(path))


def _server_or_file_url(text: str) -> URL:
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise UnusableTarget(
            "データベースのURLを読み取れません（例: postgresql://ユーザー@サーバー/sodesk）。"
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we ship in the postgres extra.
        return url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url
    if backend != "sqlite":
        raise UnusableTarget(
            f"「{backend}」のデータベースには対応していません。"
            "SQLite のファイルか postgresql:// のURLを指定してください。"
        )
    database = url.database or ""
    if (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or (url.query.get("mode") == "memory")
    ):
        raise UnusableTarget(
            "メモリ上のデータベース（sqlite://）は終了すると消えるため使えません。"
            "データベースのファイルを指定してください。"
        )
    _refuse_long(Path(database))
    return url


def _refuse_long(path: Path) -> None:
    whole = len(os.fsencode(path))
    longest = max((len(os.fsencode(part)) for part in path.parts), default=0)
    if whole > MAX_PATH_BYTES or longest > MAX_NAME_BYTES:
        raise UnusableTarget(
            f"データベースのファイルの場所が長すぎます（{len(str(path)):,}文字）。"
            "もっと短い場所を指定してください。"
        )


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_file(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for memory databases and other backends."""
    if not is_sqlite(url) or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


# Execution option that makes a SQLite transaction take the write lock at BEGIN.
WRITE_OPTION = "sodesk_write"


def writer(engine: Engine) -> Engine:
    """The same engine, but each transaction it begins is a write transaction.

    On SQLite that is ``BEGIN IMMEDIATE``: the write lock is taken before the first read, so a
    check and the write that depends on it cannot interleave with another desk's. PostgreSQL
    ignores the option; there, version columns and row locks do that work.
    """
    return engine.execution_options(**{WRITE_OPTION: True})


def read_only_url(path: Path, *, immutable: bool = False) -> URL:
    """A URL that opens ``path`` read-only (a ``file:`` URI, so names with any character work)."""
    query = "mode=ro&immutable=1" if immutable else "mode=ro"
    return URL.create(
        "sqlite+pysqlite", database=f"{path.resolve().as_uri()}?{query}", query={"uri": "true"}
    )


def make_engine(target: str | Path | URL, *, read_only: bool = False) -> Engine:
    """Create the engine; SQLite gets WAL, synchronous=FULL, foreign keys and a busy timeout.

    pysqlite's own transaction handling is switched off (it begins lazily, only before DML, and
    leaves DDL outside any transaction); every transaction is begun here instead, so schema
    changes are all-or-nothing and a write transaction holds the lock from its first statement.

    ``read_only`` opens a SQLite file with ``mode=ro``: nothing can be written or created, not
    even the -wal and -shm files when the folder allows it (``immutable`` for a read-only
    folder is the caller's choice, see ``read_only_url``). The engine never creates folders.
    """
    url = target if isinstance(target, URL) else database_url(target)
    if not is_sqlite(url):
        from desktop_app.db.tables import use_postgresql_options

        use_postgresql_options()
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "before_cursor_execute", _sendable, retval=True)
        return engine
    path = sqlite_file(url)
    if read_only and path is not None and "uri" not in url.query:
        url = read_only_url(path)
    engine = create_engine(url, connect_args={"timeout": 10})
    event.listen(engine, "before_cursor_execute", _sendable, retval=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        if path is not None and not read_only:
            # Persistent in the file; set here too for databases older versions created.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _sendable(
    _connection: Connection,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> tuple[str, Any]:
    """No NUL and no lone surrogate ever reaches the driver, whatever a caller hands over.

    The services clean what they store and search for (domain/text_input.py); this is the
    last guard, for a look-up no service cleaned: the driver would raise (a lone surrogate
    cannot be encoded; PostgreSQL refuses NUL; SQLite's full-text query stops at it). Stored
    text holds neither, so a look-up without them finds what it would have found. Bulk
    inserts (the demo's own rows) are left alone.
    """
    if executemany:
        return statement, parameters
    return statement, sendable_parameters(parameters)
