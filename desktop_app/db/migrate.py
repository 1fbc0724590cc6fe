"""Schema versions: upgrade an older database (after copying it aside), refuse a newer one.

Alembic (about 90 ms to import, with SQLAlchemy's PostgreSQL dialect behind it) loads only when
the schema is not at head: every ordinary start reads ``alembic_version`` with plain SQL and
compares it with the head revision named by the newest file in ``migrations/versions``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect

from desktop_app.db.engine import sqlite_file, writer
from desktop_app.domain import clock

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


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


@cache
def head_revision() -> str:
    """The newest revision, without Alembic: revision files are named ``NNNN_what.py`` and
    carry ``revision = "NNNN"`` (tests/db/test_migrations.py holds that to Alembic's head)."""
    numbers = [
        path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")
    ]
    return max(numbers)


def stored_revision(engine: Engine) -> str | None:
    """The revision written in the database (plain SQL); None when there is none or several."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").all()
    return rows[0][0] if len(rows) == 1 else None


def alembic_config(engine: Engine | None = None, *, extra_versions: Path | None = None) -> Config:
    """Alembic's configuration in code; ``extra_versions`` adds a folder of revisions (tests)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if extra_versions is not None:
        config.set_main_option("path_separator", "os")
        locations = os.pathsep.join([str(MIGRATIONS_DIR / "versions"), str(extra_versions)])
        config.set_main_option("version_locations", locations)
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def schema_status(engine: Engine, *, extra_versions: Path | None = None) -> SchemaStatus:
    """Where the database's schema stands against this program's migrations."""
    if extra_versions is None:
        # The usual case, a database at head, is settled without loading Alembic.
        at_head = head_revision()
        if stored_revision(engine) == at_head:
            return SchemaStatus(current=at_head, head=at_head, known=True)
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(extra_versions=extra_versions))
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


def upgrade(
    engine: Engine, *, backup_dir: Path | None = None, extra_versions: Path | None = None
) -> Path | None:
    """Bring the schema to head, all or nothing. Returns the copy made before migrating.

    The upgrade runs as one write transaction. Should it fail all the same, the copy taken
    before it is put back, so the file is exactly as it was and the next start can try again
    with a fixed program instead of tripping over a half-applied change.
    """
    status = schema_status(engine, extra_versions=extra_versions)
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
    from alembic import command

    config = alembic_config(writer(engine), extra_versions=extra_versions)
    try:
        command.upgrade(config, "head")
    except Exception as exc:
        log.exception("upgrade from %s to %s failed", status.current, status.head)
        if backup is not None:
            _put_back(engine, backup)
        if isinstance(exc, SchemaError):  # a migration's own sentence: what to do about it
            raise SchemaError(
                f"データベースの更新（{status.current or '新規'} → {status.head}）を中止し、"
                f"更新前の状態のままにしました。{exc}"
            ) from exc
        raise SchemaError(
            f"データベースの更新（{status.current or '新規'} → {status.head}）に失敗したため、"
            "更新前の状態に戻しました。SO Desk の管理者に連絡してください。"
            f"（{exc.__class__.__name__}）"
        ) from exc
    log.info("database upgraded from %s to %s", status.current, status.head)
    return backup


def _put_back(engine: Engine, backup: Path) -> None:
    """Copy the pre-upgrade backup over the database; the backup itself is then redundant."""
    path = sqlite_file(engine.url)
    if path is None:
        return
    engine.dispose()
    with closing(sqlite3.connect(backup)) as source, closing(sqlite3.connect(path)) as dest:
        source.backup(dest)
        ok = dest.execute("PRAGMA integrity_check").fetchone()
    if ok == ("ok",):
        backup.unlink()  # identical to the database again: no copy per failed start
        log.warning("database put back as it was before the failed upgrade")
    else:  # keep the copy for whoever repairs it
        log.error("database put back from %s, but integrity_check says %s", backup, ok)


def backup_sqlite(engine: Engine, revision: str, backup_dir: Path | None = None) -> Path | None:
    """Copy a SQLite database aside with the online backup API (safe with WAL)."""
    path = sqlite_file(engine.url)
    if path is None or not path.exists():
        return None
    stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
    folder = backup_dir or path.parent
    target = folder / f"{path.stem}.before-{revision}-{stamp}{path.suffix or '.db'}"
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(target)) as dest:
        source.backup(dest)
    log.info("database copied to %s before migrating", target)
    return target


def schema_differences(engine: Engine) -> list[object]:
    """What Alembic's compare finds between the database and the models (empty: none)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from desktop_app.db.search_index import include_object
    from desktop_app.db.tables import metadata

    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, metadata))


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
