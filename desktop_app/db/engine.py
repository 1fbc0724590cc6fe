"""One engine factory for every store: a SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL


def database_url(target: str | Path) -> URL:
    """A SQLAlchemy URL for a file path or a URL (``sqlite:///...``, ``postgresql://...``)."""
    text = str(target)
    if "://" in text:
        url = make_url(text)
        if url.drivername in ("postgresql", "postgres"):
            # psycopg 3 is the driver we ship in the postgres extra.
            url = url.set(drivername="postgresql+psycopg")
        return url
    path = Path(text).expanduser()
    # A link that points nowhere stays a link, so that nothing is created at its far end.
    path = path.absolute() if path.is_symlink() and not path.exists() else path.resolve()
    return URL.create("sqlite+pysqlite", database=str(path))


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
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_file(url)
    if read_only and path is not None and "uri" not in url.query:
        url = read_only_url(path)
    engine = create_engine(url, connect_args={"timeout": 10})

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
