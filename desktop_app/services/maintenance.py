"""Database upkeep for the command line: check, and (re)building the demo database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.db.engine import database_url, make_engine, sqlite_file
from desktop_app.db.migrate import (
    SchemaError,
    integrity_problems,
    schema_differences,
    schema_status,
)
from desktop_app.db.models import Base
from desktop_app.domain.errors import ValidationError
from desktop_app.services.demo import MAX_DEMO_CASES, build_demo, is_demo_store
from desktop_app.services.store import Store, StoreError, default_database, open_store


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
    """Integrity, schema version and schema shape, without changing anything."""
    url = database_url(target or default_database())
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise StoreError(f"データベースがありません：{path}")
    engine = make_engine(url)
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
        location = str(path) if path else url.render_as_string(hide_password=True)
        return CheckReport(location, status.current, status.head, tuple(problems))
    finally:
        engine.dispose()


def rebuild_demo(
    target: str,
    cases: int = 40,
    *,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Store:
    """(Re)build the demo database at ``target``; refuses the clinic's own database."""
    if not 0 <= cases <= MAX_DEMO_CASES:
        raise ValidationError(f"デモの案件数は0〜{MAX_DEMO_CASES:,}件で指定してください。")
    url = database_url(target)
    if url == database_url(default_database()):
        raise ValidationError(
            "病院の実データベースにはデモデータを作れません。--db で別のファイルを指定してください。"
        )
    path = sqlite_file(url)
    if path is not None and path.exists():
        existing = open_store(str(path))
        try:
            if not is_demo_store(existing):
                raise ValidationError(f"{path} には実際の案件があります。デモデータは作れません。")
        finally:
            existing.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif path is None:
        _reset_server_database(target)
    store = open_store(target)
    build_demo(store, cases, seed=seed, progress=progress)
    return store


def _reset_server_database(target: str) -> None:
    """Empty a demo database on a server (PostgreSQL): only when it is a demo one."""
    store = open_store(target)
    try:
        if not is_demo_store(store):
            raise ValidationError(
                "このデータベースには実際の案件があります。デモデータは作れません。"
            )
        with store.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    finally:
        store.close()
