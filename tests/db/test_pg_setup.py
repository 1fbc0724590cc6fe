"""`sodesk pg-setup`: on PostgreSQL the desks' role owns nothing and may only read and append
audit rows, so it cannot change, delete or truncate them nor switch the triggers off.

The server tests need a superuser's URL in SODESK_TEST_POSTGRES_ADMIN_URL (any database: a
throw-away one is made beside it) and skip without one; ``--print-sql`` and the refusals need
no server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from desktop_app.cli import main
from desktop_app.services.cases import create_case
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.maintenance import check_database
from desktop_app.services.store import open_store

ADMIN_URL = os.environ.get("SODESK_TEST_POSTGRES_ADMIN_URL", "")
needs_server = pytest.mark.skipif(
    not ADMIN_URL, reason="SODESK_TEST_POSTGRES_ADMIN_URL (a superuser's URL) is not set"
)
# Named after this process: roles are server-wide, and another pytest session (CI, a second
# worktree) may run this file against the same server at the same time.
RUN = f"sodesk_pg_setup{os.getpid()}"
DATABASE = RUN
OWNER = f"{RUN}_owner"
APP = f"{RUN}_app"
APP_PASSWORD = "desk-pass-1"


def _admin(database: str | None = None) -> URL:
    url = make_url(ADMIN_URL).set(drivername="postgresql+psycopg")
    return url.set(database=database) if database else url


def _autocommit(*statements: str) -> None:
    engine = create_engine(_admin(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            for statement in statements:
                c.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database of the admin's; it and the two roles are gone afterwards."""
    cleanup = (
        f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)",
        f"DROP ROLE IF EXISTS {APP}",
        f"DROP ROLE IF EXISTS {OWNER}",
    )
    _autocommit(*cleanup, f"CREATE DATABASE {DATABASE}")
    try:
        yield _admin(DATABASE).render_as_string(hide_password=False)
    finally:
        _autocommit(*cleanup)


def _as_app() -> str:
    url = _admin(DATABASE).set(username=APP, password=APP_PASSWORD)
    return url.render_as_string(hide_password=False)


def test_print_sql_shows_the_roles_and_changes_nothing(capsys) -> None:
    nowhere = "postgresql://admin@192.0.2.1:1/clinic"  # never connected to
    assert main(["pg-setup", "desk", "--db", nowhere, "--print-sql"]) == 0
    sql = capsys.readouterr().out
    assert 'CREATE ROLE "sodesk_owner" NOLOGIN' in sql
    assert 'CREATE ROLE "desk" LOGIN' in sql
    assert 'ALTER DATABASE "clinic" OWNER TO "sodesk_owner"' in sql
    assert 'ALTER TABLE IF EXISTS public."audit_log" OWNER TO "sodesk_owner"' in sql
    assert 'GRANT SELECT, INSERT ON public."audit_log" TO "desk"' in sql
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON public."cases" TO "desk"' in sql
    assert 'UPDATE, DELETE ON public."audit_log"' not in sql
    # The superuser makes the extensions before the owner runs the migrations that use them.
    upgrade = sql.index("-- Here the schema is created or upgraded")
    for extension in ("btree_gist", "pg_trgm"):
        made = f'CREATE EXTENSION IF NOT EXISTS "{extension}" WITH SCHEMA public;'
        assert 0 <= sql.find(made) < upgrade, sql


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["pg-setup", "desk", "--db", "{sqlite}"], "PostgreSQL 用です"),
        (["pg-setup", "Desk; DROP", "--db", "postgresql://a@192.0.2.1:1/x"], "ロール名"),
        (
            ["pg-setup", "desk", "--owner-role", "desk", "--db", "postgresql://a@192.0.2.1:1/x"],
            "別のロール",
        ),
    ],
)
def test_refusals_say_one_line(argv: list[str], needle: str, tmp_path: Path, capsys) -> None:
    argv = [a.replace("{sqlite}", str(tmp_path / "x.db")) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err, err
    assert not (tmp_path / "x.db").exists()


@needs_server
def test_the_desks_role_cannot_undo_the_audit_log(fresh_database: str, capsys) -> None:
    assert main(["pg-setup", APP, "--owner-role", OWNER, "--db", fresh_database]) == 0
    out = capsys.readouterr().out
    assert f"ロール {OWNER} を作成しました" in out and "audit_log の読み取りと追加" in out
    _autocommit(f"ALTER ROLE {APP} PASSWORD '{APP_PASSWORD}'")

    store = open_store(_as_app())  # at head already: the desk's role changes no schema
    try:
        number = create_case(
            store, NewCase(patient=NewPatient(name="権限　花子", furigana="ケンゲン　ハナコ"))
        ).case_number
        forbidden = (
            "UPDATE audit_log SET staff = '院長'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_log_no_update ON audit_log",
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            f"ALTER TABLE audit_log OWNER TO {APP}",
            "DROP TABLE audit_log",
            "DROP SCHEMA public CASCADE",
            f"SET ROLE {OWNER}",
        )
        for statement in forbidden:
            refused = pytest.raises(DBAPIError, match=r"permission denied|must be owner")
            with refused, store.engine.begin() as c:
                c.exec_driver_sql(statement)
        with store.engine.connect() as c:
            owner = c.exec_driver_sql(
                "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'"
            ).scalar()
        assert owner == OWNER
    finally:
        store.close()
    report = check_database(_as_app())
    assert report.ok, report.problems

    # Again (as after an update of SO Desk): nothing lost, the same rights.
    assert main(["pg-setup", APP, "--owner-role", OWNER, "--db", fresh_database]) == 0
    assert f"ロール {OWNER} を確認しました" in capsys.readouterr().out
    store = open_store(_as_app())
    try:
        assert create_case(
            store, NewCase(patient=NewPatient(name="二回　目", furigana="ニカイ　メ"))
        ).case_number
        with pytest.raises(DBAPIError, match="permission denied"), store.engine.begin() as c:
            c.exec_driver_sql("DELETE FROM audit_log")
        with store.engine.connect() as c:
            numbers = c.exec_driver_sql("SELECT case_number FROM cases").scalars().all()
        assert number in numbers
    finally:
        store.close()
    # Whoever can still cut the log (a superuser) is caught by the witnesses of the closes.
    _autocommit_in(
        DATABASE,
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
        "ALTER TABLE audit_log ENABLE TRIGGER ALL",
    )
    problems = check_database(_as_app()).problems
    assert any("以降削除されています" in p for p in problems), problems


@needs_server
def test_a_database_the_desks_role_made_is_taken_over(fresh_database: str, capsys) -> None:
    """The usual past: the desks' role made the tables (and owns the database). pg-setup
    gives everything to the owner; the role keeps its data and loses the power to undo."""
    _autocommit(
        f"CREATE ROLE {APP} LOGIN PASSWORD '{APP_PASSWORD}'",
        f"ALTER DATABASE {DATABASE} OWNER TO {APP}",
    )
    _autocommit_in(DATABASE, f"GRANT CREATE ON SCHEMA public TO {APP}")
    store = open_store(_as_app(), create=True)
    try:
        create_case(
            store, NewCase(patient=NewPatient(name="以前　太郎", furigana="イゼン　タロウ"))
        )
    finally:
        store.close()
    assert main(["pg-setup", APP, "--owner-role", OWNER, "--db", fresh_database]) == 0
    store = open_store(_as_app())
    try:
        for statement in (
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "DELETE FROM audit_log",
            "DROP SCHEMA public CASCADE",
        ):
            with pytest.raises(DBAPIError), store.engine.begin() as c:
                c.exec_driver_sql(statement)
    finally:
        store.close()
    assert check_database(_as_app()).ok


@needs_server
def test_a_server_without_btree_gist_is_told_before_anything_changes(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The bookings' constraint needs btree_gist: without it pg-setup stops with what to
    install, and the roles it would have made are not left behind."""
    from desktop_app.services import pg_roles

    monkeypatch.setattr(pg_roles, "REQUIRED_EXTENSIONS", ("sodesk_no_such_extension",))
    assert main(["pg-setup", APP, "--owner-role", OWNER, "--db", fresh_database]) == 1
    err = capsys.readouterr().err
    assert "拡張機能 sodesk_no_such_extension がサーバーにありません" in err, err
    engine = create_engine(_admin(DATABASE))
    try:
        with engine.connect() as c:
            roles = c.exec_driver_sql(
                f"SELECT count(*) FROM pg_roles WHERE rolname IN ('{OWNER}', '{APP}')"
            ).scalar()
            tables = c.exec_driver_sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert (roles, tables.scalar()) == (0, 0)
    finally:
        engine.dispose()


def _autocommit_in(database: str, *statements: str) -> None:
    engine = create_engine(_admin(database), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            for statement in statements:
                c.exec_driver_sql(statement)
    finally:
        engine.dispose()
