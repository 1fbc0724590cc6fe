"""Schema versions: upgrade an older database (after copying it aside), refuse a newer one."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from desktop_app.db.engine import sqlite_file

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaError(Exception):
    """The database cannot be used by this version of the program (message in Japanese)."""


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None  # None: empty database
    head: str
    known: bool  # False: written by a newer version of the program

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def schema_status(engine: Engine) -> SchemaStatus:
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        has_tables = bool(set(inspect(connection).get_table_names()) - {"alembic_version"})
    if current is None and has_tables:
        raise SchemaError("このデータベースは SO Desk のものではありません。")
    known = current is None or _is_known(script, current)
    return SchemaStatus(current=current, head=head, known=known)


def _is_known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        return False


def upgrade(engine: Engine, *, backup_dir: Path | None = None) -> Path | None:
    """Bring the schema to head. Returns the backup file made before migrating, if any."""
    status = schema_status(engine)
    if not status.known:
        raise SchemaError(
            "このデータベースは新しいバージョンの SO Desk で作成されています。"
            "SO Desk を更新してから開いてください。"
        )
    if status.up_to_date:
        return None
    backup = None
    if status.current is not None:
        backup = backup_sqlite(engine, status.current, backup_dir)
    command.upgrade(alembic_config(engine), "head")
    log.info("database upgraded from %s to %s", status.current, status.head)
    return backup


def backup_sqlite(engine: Engine, revision: str, backup_dir: Path | None = None) -> Path | None:
    """Copy a SQLite database aside with the online backup API (safe with WAL)."""
    path = sqlite_file(engine.url)
    if path is None or not path.exists():
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = backup_dir or path.parent
    target = folder / f"{path.stem}.before-{revision}-{stamp}{path.suffix or '.db'}"
    with sqlite3.connect(path) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
    log.info("database copied to %s before migrating", target)
    return target


def schema_differences(engine: Engine) -> list[object]:
    """What Alembic's compare finds between the database and the models (empty: none)."""
    from alembic.autogenerate import compare_metadata

    from desktop_app.db.models import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def integrity_problems(engine: Engine) -> list[str]:
    """SQLite's own integrity and foreign-key checks; empty when all is well."""
    if engine.url.get_backend_name() != "sqlite":
        return []
    problems: list[str] = []
    with engine.connect() as connection:
        result = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems += [str(r) for r in result]
        for row in connection.exec_driver_sql("PRAGMA foreign_key_check"):
            problems.append(f"foreign key: table {row[0]} row {row[1]} -> {row[2]}")
    return problems
