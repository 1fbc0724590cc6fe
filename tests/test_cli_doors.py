"""Every door of the command line checks the role before it writes a file: a doctor's
``print``, ``export`` and ``backup -o`` write nothing and record nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.cli import main
from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.roles import Permission, Role
from desktop_app.services.cases import create_case
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.staff import change_password, sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import open_store
from tests.stores import CLI_PASSWORD

DOCTOR = ["--user", "ishi"]
DOCTOR_PW = "ishi-pass-02"
CLERK = ["--user", "uketsuke"]
CLERK_PW = "uketsuke-pass-2"


@pytest.fixture
def clinic(tmp_path: Path, cli_admin, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A clinic's database with one case, a doctor and a clerk (passwords already their own);
    the doctor's password in the environment, as a script passes it."""
    path = tmp_path / "clinic.db"
    assert main(["init", "--db", str(path)]) == 0
    cli_admin(path)
    store = open_store(path)
    try:
        for login, name, role, password in (
            ("ishi", "医師 次郎", Role.DOCTOR, DOCTOR_PW),
            ("uketsuke", "受付 一郎", Role.RECEPTION, CLERK_PW),
        ):
            sign_in(store, "kanri", CLI_PASSWORD)
            add_account(store, login, name, role, "temporary-1", "temporary-1")
            sign_in(store, login, "temporary-1")
            change_password(store, "temporary-1", password, password)
        sign_in(store, "kanri", CLI_PASSWORD)
        patient = NewPatient(name="受付　花子", furigana="ウケツケ　ハナコ")
        number = create_case(store, NewCase(patient=patient)).case_number
    finally:
        store.close()
    monkeypatch.setenv("SODESK_PASSWORD", DOCTOR_PW)
    return path, number


def _entries(path: Path, action: AuditAction | None = None) -> int:
    store = open_store(path)
    try:
        query = select(func.count(AuditEntry.id))
        if action is not None:
            query = query.where(AuditEntry.action == action)
        with store.read() as session:
            return int(session.scalar(query) or 0)
    finally:
        store.close()


def _refused(capsys, permission: Permission) -> None:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert permission.refusal in err


def test_a_doctors_print_writes_no_pdf(clinic: tuple[Path, str], tmp_path: Path, capsys) -> None:
    path, number = clinic
    out = tmp_path / "x.pdf"
    printed = _entries(path, AuditAction.FORM_PRINT)
    # A case's form, the day list (every patient of the day), a blank form.
    for form in (["application", "--case", number], ["daylist"], ["referral"]):
        capsys.readouterr()
        assert main(["print", *form, "--db", str(path), *DOCTOR, "-o", str(out)]) == 1
        _refused(capsys, Permission.CASE_WORK)
        assert not out.exists(), form
        assert list(tmp_path.glob("*.pdf")) == [], form
    assert _entries(path, AuditAction.FORM_PRINT) == printed


def test_a_clerks_print_writes_the_pdf_and_records_it(
    clinic: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, number = clinic
    monkeypatch.setenv("SODESK_PASSWORD", CLERK_PW)
    out = tmp_path / "x.pdf"
    printed = _entries(path, AuditAction.FORM_PRINT)
    assert main(["print", "application", "--case", number, "--db", str(path), *CLERK,
                 "-o", str(out)]) == 0  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF")
    assert _entries(path, AuditAction.FORM_PRINT) == printed + 1


def test_a_doctors_export_writes_no_csv(clinic: tuple[Path, str], tmp_path: Path, capsys) -> None:
    path, _ = clinic
    for what in ("cases", "payments", "stats"):
        out = tmp_path / f"{what}.csv"
        assert main(["export", what, "--db", str(path), *DOCTOR, "-o", str(out)]) == 1
        _refused(capsys, Permission.CASE_WORK)
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["clinic.db"]  # no temporary file either
    assert _entries(path, AuditAction.EXPORT_CSV) == 0


def test_only_an_administrator_copies_the_database_where_they_like(
    clinic: tuple[Path, str], tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = clinic
    copy = tmp_path / "copy.db"
    for who, password in ((DOCTOR, DOCTOR_PW), (CLERK, CLERK_PW)):
        monkeypatch.setenv("SODESK_PASSWORD", password)
        assert main(["backup", "--db", str(path), *who, "-o", str(copy)]) == 1
        _refused(capsys, Permission.COPY_DATABASE)
        assert not copy.exists(), who
        assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("clinic.db")] == []
        assert _entries(path, AuditAction.BACKUP_CREATE) == 0
    # Into the clinic's own backup folder, as the window does every hour: any member of staff.
    monkeypatch.setenv("SODESK_PASSWORD", DOCTOR_PW)
    assert main(["backup", "--db", str(path), *DOCTOR]) == 0
    assert _entries(path, AuditAction.BACKUP_CREATE) == 1
