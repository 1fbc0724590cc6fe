"""Restoring from a backup: checks first, the current database kept aside, nothing lost."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import sys
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from desktop_app.db.migrate import alembic_config
from desktop_app.services.backup import backup_database, dump_server_database, restore_database
from desktop_app.services.case_rows import search_cases
from desktop_app.services.store import StoreError, open_store


def count_cases(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("SELECT count(*) FROM cases").fetchone()[0])


def files_beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def backup_file(store, make_case, tmp_path: Path) -> Path:
    make_case(name="前田　一郎", furigana="マエダ　イチロウ")
    return backup_database(store, tmp_path / "backup.db").path


def test_restore_brings_the_data_back_and_keeps_the_current_aside(
    store, make_case, db_path: Path, backup_file: Path
) -> None:
    later = make_case(name="後藤　二郎", furigana="ゴトウ　ジロウ")
    assert search_cases(store).total == 2
    store.close()
    result = restore_database(db_path, backup_file)
    assert result.database == db_path
    assert result.restored_from == backup_file
    assert not result.upgraded
    assert result.cases == 1
    assert result.who.startswith("recovery:")  # no account yet: whoever holds the files
    assert result.previous is not None
    assert result.previous.parent == db_path.parent
    assert result.previous.name.startswith("sodesk-test.before-restore-")
    reopened = open_store(db_path)
    try:
        numbers = [row.case_number for row in search_cases(reopened).rows]
    finally:
        reopened.close()
    assert later.case_number not in numbers
    assert len(numbers) == 1
    # The database as it was before the restore still has the later case.
    assert count_cases(result.previous) == 2
    if os.name == "posix":
        assert stat.S_IMODE(result.previous.stat().st_mode) == 0o600
    assert not [n for n in files_beside(db_path) if n.endswith(".tmp")]
    assert backup_file.exists()  # the backup itself is untouched


def test_restore_onto_a_new_machine_creates_the_database(tmp_path: Path, backup_file) -> None:
    target = tmp_path / "new" / "sodesk.db"
    result = restore_database(target, backup_file)
    assert result.previous is None
    assert count_cases(target) == 1


def refused(db_path: Path, bad: Path, match: str) -> None:
    before = files_beside(db_path)
    cases_before = count_cases(db_path)
    with pytest.raises(StoreError, match=match):
        restore_database(db_path, bad)
    assert files_beside(db_path) == before  # no aside copy, no temp file left
    assert count_cases(db_path) == cases_before


def test_refuses_a_newer_schema(store, make_case, db_path: Path, backup_file: Path) -> None:
    make_case()
    newer = backup_file.with_name("newer.db")
    shutil.copyfile(backup_file, newer)
    with closing(sqlite3.connect(newer)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num='9999'")
    refused(db_path, newer, "新しいバージョン")


def test_refuses_what_is_not_a_backup(store, make_case, db_path: Path, tmp_path: Path) -> None:
    make_case()
    text = tmp_path / "notes.db"
    text.write_text("これはデータベースではありません\n" * 100, encoding="utf-8")
    refused(db_path, text, "ではありません")
    refused(db_path, tmp_path / "missing.db", "ありません")
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as connection, connection:
        connection.execute("CREATE TABLE things (x)")
    refused(db_path, other, "SO Desk のデータベースではありません")


def test_refuses_a_truncated_backup(store, make_case, db_path: Path, backup_file: Path) -> None:
    make_case()
    data = backup_file.read_bytes()
    truncated = backup_file.with_name("truncated.db")
    truncated.write_bytes(data[: len(data) // 2])
    refused(db_path, truncated, "壊れています")


def test_refuses_the_live_database_and_postgresql(store, db_path: Path) -> None:
    with pytest.raises(StoreError, match="使用中"):
        restore_database(db_path, db_path)
    with pytest.raises(StoreError, match="pg_restore"):
        restore_database("postgresql://desk@server/sodesk", db_path)


def test_the_migrations_know_the_head(backup_file: Path) -> None:
    # The revision the restore compares with is the one the backup carries.
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with closing(sqlite3.connect(backup_file)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)


# PostgreSQL: pg_dump is run with a libpq URL and the password in the environment ----------


def test_pg_dump_missing_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    url = make_url("postgresql+psycopg://desk:secret@db.local:5432/sodesk")
    with pytest.raises(StoreError, match="pg_dump が必要です"):
        dump_server_database(url, tmp_path / "x.dump")


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for pg_dump")
def test_pg_dump_gets_a_libpq_url_and_the_password_by_environment(
    tmp_path: Path, monkeypatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    log = tmp_path / "args.txt"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        f"open({str(log)!r}, 'w').write(repr((sys.argv[1:], os.environ.get('PGPASSWORD'))))\n"
        "out = sys.argv[sys.argv.index('--file') + 1]\n"
        "open(out, 'wb').write(b'PGDMP fake')\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    url = make_url("postgresql+psycopg://desk:s%40cret@db.local:5432/sodesk?sslmode=require")
    target = tmp_path / "sodesk-20260101-000000.dump"
    dump_server_database(url, target)
    assert target.read_bytes() == b"PGDMP fake"
    args, password = eval(log.read_text())
    assert args[0] == "--format=custom"
    assert args[-1] == "postgresql://desk@db.local:5432/sodesk?sslmode=require"
    assert password == "s@cret"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for pg_dump")
def test_pg_dump_failure_is_one_line_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text(
        '#!/bin/sh\necho "pg_dump: error: connection to server failed" >&2\necho more >&2\nexit 1\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(StoreError, match=r"^pg_dump が失敗しました：pg_dump: error: connection"):
        dump_server_database(make_url("postgresql+psycopg://desk@db/sodesk"), out / "x.dump")
    assert list(out.iterdir()) == []
