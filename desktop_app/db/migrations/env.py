"""Alembic environment: runs on the engine the program hands over (no alembic.ini needed).

The whole upgrade, from the database's revision to head, is one transaction: on SQLite the
engine begins transactions itself (see db/engine.py), so even DDL is rolled back when any
step fails, and the file is never left half-migrated.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from desktop_app.db.search_index import include_object
from desktop_app.db.tables import metadata


def _driver(connection: Connection) -> Any:
    """The DBAPI connection itself: pragmas that must run outside any transaction go here."""
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver


config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from desktop_app.db.engine import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sodesk.db")

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations copy and drop tables; foreign keys are checked once, at the end.
        # The pragma is a no-op inside a transaction, so it goes to the driver before BEGIN.
        _driver(connection).execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
            include_object=include_object,  # the search index is no ORM table
            # Alembic assumes pysqlite cannot roll back DDL; with BEGIN emitted by our engine
            # it can, so the whole upgrade is one transaction on SQLite as on PostgreSQL.
            transactional_ddl=True,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    finally:
        if sqlite:
            _driver(connection).execute("PRAGMA foreign_keys=ON")
