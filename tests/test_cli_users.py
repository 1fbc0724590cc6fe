"""The CLI says who runs it: --user and a password on a clinic's database, the demo clerk
on a demo one; recover-admin as the documented way back in."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.cli import main
from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.roles import Role
from desktop_app.services.maintenance import check_database
from desktop_app.services.staff import change_password, sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import open_store
from tests.stores import CLI_PASSWORD, CLI_USER

pytestmark = pytest.mark.usefixtures("quick_hashes")


@pytest.fixture
def clinic(tmp_path: Path, cli_admin) -> Path:
    path = tmp_path / "clinic.db"
    assert main(["init", "--db", str(path)]) == 0
    cli_admin(path)
    return path


def _last(path: Path) -> tuple[str, AuditAction, str]:
    store = open_store(path)
    try:
        with store.read() as session:
            row = session.execute(
                select(AuditEntry.staff, AuditEntry.action, AuditEntry.summary)
                .order_by(AuditEntry.id.desc())
                .limit(1)
            ).one()
        return tuple(row)  # type: ignore[return-value]
    finally:
        store.close()


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_a_command_is_recorded_under_its_user(clinic: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    assert main(["export", "cases", "--db", str(clinic), *CLI_USER, "-o", str(out)]) == 0
    staff, action, _ = _last(clinic)
    assert (staff, action) == ("kanri", AuditAction.EXPORT_CSV)


def test_no_user_or_a_wrong_password_is_one_line(
    clinic: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "c.csv"
    assert main(["export", "cases", "--db", str(clinic), "-o", str(out)]) == 1
    assert "--user" in _err(capsys)
    monkeypatch.setenv("SODESK_PASSWORD", "wrong-password")
    assert main(["export", "cases", "--db", str(clinic), *CLI_USER, "-o", str(out)]) == 1
    assert "パスワードが違います" in _err(capsys)
    assert not out.exists()
    monkeypatch.delenv("SODESK_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["export", "cases", "--db", str(clinic), *CLI_USER, "-o", str(out)]) == 1
    assert "SODESK_PASSWORD" in _err(capsys)


def test_a_clerk_cannot_restore(clinic: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    store = open_store(clinic)
    sign_in(store, "kanri", CLI_PASSWORD)
    add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, "clerk-pass-1", "clerk-pass-1")
    store.close()
    backup = tmp_path / "b.db"
    assert main(["backup", "--db", str(clinic), *CLI_USER, "-o", str(backup)]) == 0
    monkeypatch.setenv("SODESK_PASSWORD", "clerk-pass-1")
    # A temporary password is changed in the window first.
    assert main(["restore", str(backup), "--db", str(clinic), "--user", "uketsuke"]) == 1
    assert "仮パスワード" in _err(capsys)
    store = open_store(clinic)
    sign_in(store, "uketsuke", "clerk-pass-1")
    change_password(store, "clerk-pass-1", "clerk-pass-2", "clerk-pass-2")
    store.close()
    monkeypatch.setenv("SODESK_PASSWORD", "clerk-pass-2")
    assert main(["restore", str(backup), "--db", str(clinic), "--user", "uketsuke"]) == 1
    assert "管理者" in _err(capsys)
    assert not list(clinic.parent.glob("*.before-restore-*"))


def test_restore_is_recorded_in_the_restored_database(clinic: Path, tmp_path: Path) -> None:
    backup = tmp_path / "b.db"
    assert main(["backup", "--db", str(clinic), *CLI_USER, "-o", str(backup)]) == 0
    assert main(["restore", str(backup), "--db", str(clinic), *CLI_USER]) == 0
    staff, action, summary = _last(clinic)
    assert (staff, action) == ("kanri", AuditAction.DATABASE_RESTORE) and str(backup) in summary
    assert check_database(str(clinic)).ok


def test_recover_admin_leaves_a_trace(clinic: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SODESK_PASSWORD", "recovered-pass")
    assert main(["recover-admin", "kanri", "--db", str(clinic)]) == 0
    assert "変更履歴に残ります" in capsys.readouterr().out
    staff, action, _ = _last(clinic)
    assert staff.startswith("recovery:") and action is AuditAction.STAFF_RECOVERY
    store = open_store(clinic)
    try:
        assert sign_in(store, "kanri", "recovered-pass").must_change_password
    finally:
        store.close()
    assert check_database(str(clinic)).ok


def test_a_database_without_accounts_says_how_to_begin(tmp_path: Path, capsys) -> None:
    path = tmp_path / "new.db"
    assert main(["init", "--db", str(path)]) == 0
    assert main(["backup", "--db", str(path), "--user", "kanri"]) == 1
    assert "最初の管理者" in _err(capsys)


def test_a_demo_database_runs_as_the_demo_clerk(tmp_path: Path) -> None:
    demo = tmp_path / "demo.db"
    assert main(["demo", "--db", str(demo), "--cases", "3"]) == 0
    out = tmp_path / "c.csv"
    assert main(["export", "cases", "--db", str(demo), "-o", str(out)]) == 0
    staff, action, _ = _last(demo)
    assert (staff, action) == ("uketsuke", AuditAction.EXPORT_CSV)
