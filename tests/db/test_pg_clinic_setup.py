"""A clinic's PostgreSQL server from empty, step by step as the README's section
「複数の受付で使う（PostgreSQL サーバー）」 tells its IT person: a database, ``sodesk pg-setup``,
the desks' password in a password file and a URL without it, the first administrator at the
first desk, a case, ``sodesk backup``, ``pg_restore`` into an empty database, ``pg-setup``
again, ``sodesk check`` clean, and the restored database put in the old one's place.

Needs a superuser's URL in SODESK_TEST_POSTGRES_ADMIN_URL (skipped without one) and
``pg_dump``/``pg_restore`` on PATH (tools/ci-postgres.sh installs the server, whose client
package brings them). Databases and roles are named after this process, so that other pytest
sessions on the same server never meet them (roles are server-wide), and are dropped even
when the test fails.
"""

from __future__ import annotations

import gc
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from desktop_app.cli import main, parse_args
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.services.cases import create_case, find_case_id
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.staff import sign_in
from desktop_app.services.store import StoreError, open_store
from desktop_app.ui import actions

ADMIN_URL = os.environ.get("SODESK_TEST_POSTGRES_ADMIN_URL", "")
needs_server = pytest.mark.skipif(
    not ADMIN_URL, reason="SODESK_TEST_POSTGRES_ADMIN_URL (a superuser's URL) is not set"
)
RUN = f"sodesk_clinic{os.getpid()}"
DATABASE = RUN
RESTORED = f"{RUN}_restored"
BEFORE_RESTORE = f"{RUN}_before_restore"
OWNER = f"{RUN}_owner"
DESK = f"{RUN}_desk"
DESK_PASSWORD = "desk-pass-3"
ADMIN_LOGIN, ADMIN_PASSWORD = "kanri", "kanri-pass-1"


def _admin(database: str = "postgres") -> URL:
    return make_url(ADMIN_URL).set(drivername="postgresql", database=database)


def _admin_text(database: str) -> str:
    return _admin(database).render_as_string(hide_password=False)


def _desk_url(database: str) -> str:
    """What a desk is given: no password in it (libpq reads it from the password file)."""
    server = _admin()
    port = f":{server.port}" if server.port else ""
    return f"postgresql://{DESK}@{server.host}{port}/{database}"


def _autocommit(*statements: str, database: str = "postgres") -> None:
    engine = create_engine(
        _admin(database).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as c:
            for statement in statements:
                c.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty clinic database and a password file holding only the desks' password;
    every database and role of this run is gone afterwards, whatever happened."""
    for program in ("pg_dump", "pg_restore"):
        assert shutil.which(program), f"{program} is not on PATH (install postgresql-client)"
    databases = (DATABASE, RESTORED, BEFORE_RESTORE)
    cleanup = (
        *(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in databases),
        f"DROP ROLE IF EXISTS {DESK}",
        f"DROP ROLE IF EXISTS {OWNER}",
    )
    _autocommit(*cleanup)
    pgpass = tmp_path / "pgpass"
    server_url = _admin()
    pgpass.write_text(f"{server_url.host}:{server_url.port or 5432}:*:{DESK}:{DESK_PASSWORD}\n")
    pgpass.chmod(0o600)  # libpq ignores a password file others can read
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    try:
        # Step 1: the database, made by the superuser (createdb sodesk).
        _autocommit(f"CREATE DATABASE {DATABASE}")
        yield pgpass
    finally:
        _autocommit(*cleanup)


def _readme_section() -> str:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## 複数の受付で使う（PostgreSQL サーバー）")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readme_commands_are_the_ones_tested() -> None:
    """Every ``sodesk`` line of the README's section parses, and the steps this file walks
    are the ones it tells (the options, the restore's flags, the rename)."""
    section = _readme_section()
    lines = [line.split("#")[0].strip() for line in section.splitlines()]
    commands = [shlex.split(line) for line in lines if re.match(r"(\.venv/bin/)?sodesk ", line)]
    assert len(commands) >= 4, commands
    for argv in commands:
        args = parse_args(argv[1:])
        assert args.command in (None, "pg-setup", "backup", "check"), argv
    for needle in (
        "sodesk pg-setup sodesk_desk --db postgresql://postgres@server/sodesk",
        "--restored-from",
        "SODESK_DATABASE_URL=postgresql://sodesk_desk@server/sodesk",
        "server:5432:*:sodesk_desk:",
        "PGPASSFILE",
        "pg_restore --no-owner --no-privileges --dbname sodesk_restored",
        "ALTER DATABASE sodesk RENAME TO sodesk_before_restore",
        "ALTER DATABASE sodesk_restored RENAME TO sodesk",
        "\\password sodesk_desk",
        "最初の管理者を作成",
    ):
        assert needle in section, needle


@needs_server
@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, showing a dialog
def test_a_clinic_server_from_empty(
    server: Path, tmp_path: Path, qapp: QApplication, quick_hashes, monkeypatch, capsys
) -> None:
    # Step 2: pg-setup as the superuser: roles, extensions, schema, privileges.
    assert main(["pg-setup", DESK, "--owner-role", OWNER, "--db", _admin_text(DATABASE)]) == 0
    out = capsys.readouterr().out
    assert "拡張機能 btree_gist・pg_trgm を用意しました" in out, out
    assert f"ロール {DESK} を作成しました" in out
    with _connect(_admin_text(DATABASE)) as c:
        extensions = dict(
            c.execute(text("SELECT extname, extowner::regrole::text FROM pg_extension")).all()
        )
        login = c.execute(
            text("SELECT rolcanlogin, rolpassword IS NULL FROM pg_authid WHERE rolname = :r"),
            {"r": DESK},
        ).one()
    # Made by the superuser (pg-setup), not by the owner's migrations.
    superuser = _admin().username
    assert (extensions.get("btree_gist"), extensions.get("pg_trgm")) == (superuser, superuser)
    assert tuple(login) == (True, True)  # pg-setup sets no password: \password does
    _autocommit(f"ALTER ROLE {DESK} PASSWORD '{DESK_PASSWORD}'")  # what \password sends

    # Step 4 (before 3, which needs it): the desk's URL has no password; the file gives it.
    desk = _desk_url(DATABASE)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-file"))
    with pytest.raises(StoreError):
        open_store(desk).close()
    monkeypatch.setenv("PGPASSFILE", str(server))

    # Step 3: the first desk to start makes the first administrator, in the window.
    monkeypatch.setenv("SODESK_DATABASE_URL", desk)
    unexpected: list[BaseException] = []
    monkeypatch.setattr(actions, "show_unexpected", lambda _parent, exc: unexpected.append(exc))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui sets its own
    shown = _answer_first_admin(qapp)
    try:
        assert main([]) == 0
    finally:
        gc.unfreeze()  # the window's start froze what it made (ui/app._started)
    assert (shown, unexpected) == (["SO Desk 初回の設定"], [])
    store = open_store(desk)
    try:
        sign_in(store, ADMIN_LOGIN, ADMIN_PASSWORD)
        number = create_case(
            store, NewCase(patient=NewPatient(name="接続　花子", furigana="セツゾク　ハナコ"))
        ).case_number
    finally:
        store.close()

    # Step 5: a one-off backup from a desk, with pg_dump and the same password file.
    dump = tmp_path / "sodesk-clinic.dump"
    monkeypatch.setenv("SODESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["backup", "--db", desk, "--user", ADMIN_LOGIN, "-o", str(dump)]) == 0
    assert dump.read_bytes()[:5] == b"PGDMP"

    # Restore: into an empty database, as the superuser, then pg-setup on it.
    _autocommit(f"CREATE DATABASE {RESTORED}")
    flags = ["--no-owner", "--no-privileges", "--dbname", _admin_text(RESTORED)]
    restored = subprocess.run(
        ["pg_restore", *flags, str(dump)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restored.returncode == 0, restored.stderr
    capsys.readouterr()
    argv = ["pg-setup", DESK, "--owner-role", OWNER, "--db", _admin_text(RESTORED)]
    assert main([*argv, "--restored-from", dump.name]) == 0
    assert f"バックアップから復元：{dump.name}" in capsys.readouterr().out
    assert main(["check", "--db", _desk_url(RESTORED)]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.startswith("正常")

    # The restored database takes the old one's name; the desks' URL stays as it was. Every
    # desk is closed by now: here the window's process (this one) still holds its connection.
    _autocommit(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE datname = '{DATABASE}' AND pid <> pg_backend_pid()",
        f"ALTER DATABASE {DATABASE} RENAME TO {BEFORE_RESTORE}",
        f"ALTER DATABASE {RESTORED} RENAME TO {DATABASE}",
    )
    assert main(["check", "--db", desk]) == 0, capsys.readouterr().out
    capsys.readouterr()
    store = open_store(desk)
    try:
        assert find_case_id(store, number)
        with store.engine.connect() as c:
            owner = c.execute(
                text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'")
            ).scalar()
            restore_entries = c.execute(
                text("SELECT count(*) FROM audit_log WHERE action = :a"),
                {"a": AuditAction.DATABASE_RESTORE.value},
            ).scalar()
        assert (owner, restore_entries) == (OWNER, 1)
        with pytest.raises(DBAPIError, match="permission denied"), store.engine.begin() as c:
            c.exec_driver_sql("DELETE FROM audit_log")
    finally:
        store.close()


@contextmanager
def _connect(url: str) -> Iterator[Connection]:
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _answer_first_admin(qapp: QApplication) -> list[str]:
    """Answer the first start's dialog as the clinic's first administrator would, then
    close the window that opens; the titles of the dialogs seen."""
    from desktop_app.ui.sign_in import FirstAdminDialog

    seen: list[str] = []

    def first_admin() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, FirstAdminDialog), dialog
        seen.append(dialog.windowTitle())
        for name, value in (
            ("login", ADMIN_LOGIN),
            ("display_name", "Kanri Hanako"),
            ("password", ADMIN_PASSWORD),
            ("repeated", ADMIN_PASSWORD),
        ):
            dialog.editors[name].setText(value)
        dialog.ok_button.click()
        QTimer.singleShot(0, qapp.closeAllWindows)

    QTimer.singleShot(0, first_admin)
    return seen
