"""Rows changed, added or removed behind the program's back are named by `sodesk check`:
a patient edited, a case deleted, an account made administrator with sqlite3 on the file."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.domain.documents import Channel
from desktop_app.domain.roles import Role
from desktop_app.domain.stages import Stage
from desktop_app.services.case_edit import case_edit_form, save_case_edit
from desktop_app.services.cases import move_stage
from desktop_app.services.maintenance import check_database
from desktop_app.services.paper_trail import receive_application
from desktop_app.services.staff import create_first_admin
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import Store
from tests.services.trail_helpers import TODAY


@pytest.fixture
def worked(store: Store, make_case, db_path: Path, quick_hashes) -> Path:
    """Cases created, edited and moved on, and two accounts: every write the program made."""
    create_first_admin(store, "kanri", "管理 花子", "kanri-pass-1", "kanri-pass-1")
    add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, "temp-pass-1", "temp-pass-1")
    for k in range(3):
        case = make_case(name=f"山田　{k}郎")
        receive_application(store, case.id, on=TODAY, channel=Channel.FAX)
    form = case_edit_form(store, 1)
    patient = dataclasses.replace(form.edit.patient, name="山田　太朗")
    edit = dataclasses.replace(form.edit, patient=patient)
    save_case_edit(store, 1, edit, expected_version=form.edit.version)
    move_stage(store, 2, Stage.CANCELLED, reason="テスト")
    store.close()
    return db_path


def _sql(db: Path, statement: str) -> None:
    with sqlite3.connect(db) as c:
        c.execute(statement)


def _problems(db: Path) -> tuple[str, ...]:
    report = check_database(str(db))
    assert not report.ok
    return report.problems


def test_what_the_program_wrote_passes(worked: Path) -> None:
    report = check_database(str(worked))
    assert report.ok, report.problems


def test_a_patient_edited_with_another_tool_is_named(worked: Path) -> None:
    _sql(worked, "UPDATE patients SET name = '改ざん　太郎' WHERE id = 2")
    assert any("患者（patients の id 2）" in p for p in _problems(worked))


def test_an_account_made_administrator_by_hand_is_named(worked: Path) -> None:
    _sql(worked, "UPDATE staff_users SET role = 'admin' WHERE login = 'uketsuke'")
    assert any("職員アカウント" in p for p in _problems(worked))


def test_a_row_added_by_hand_has_no_seal(worked: Path) -> None:
    _sql(
        worked,
        "INSERT INTO payments (case_id, paid_on, minutes, base_yen, extension_yen, total_yen,"
        " receipt_number, staff, method, amount_reason, voided, void_reason, version,"
        " created_at) VALUES (1, '2026-11-24', 30, 5500, 0, 5500, 'R-9999', 'x', '現金', '',"
        " 0, '', 1, '2026-11-24 01:00:00.000000')",
    )
    assert any("会計" in p for p in _problems(worked))


def test_a_case_deleted_with_another_tool_is_named(worked: Path, capsys) -> None:
    with sqlite3.connect(worked) as c:
        number = c.execute("SELECT case_number FROM cases WHERE id = 3").fetchone()[0]
        c.execute("DELETE FROM case_documents WHERE case_id = 3")
        c.execute("DELETE FROM cases WHERE id = 3")
    assert any(f"案件 {number} が削除されています" in p for p in _problems(worked))
    assert main(["check", "--db", str(worked)]) == 1
    assert number in capsys.readouterr().out


def test_a_demo_built_in_bulk_is_sealed(tmp_path: Path) -> None:
    from desktop_app.services.maintenance import rebuild_demo

    demo = rebuild_demo(str(tmp_path / "demo.db"), 60)
    demo.close()
    report = check_database(str(tmp_path / "demo.db"))
    assert report.ok, report.problems


def test_settings_and_masters_written_through_their_services_stay_sealed(
    store: Store, db_path: Path
) -> None:
    """Every service that writes a table sealed since 0011 leaves its rows sealed; an edit
    of one by hand is named, by its key for a setting."""
    import datetime as dt

    from desktop_app.domain.slots import HoursChange
    from desktop_app.services import closures, doctor_hours, masters
    from desktop_app.services.settings import get_settings, update_settings

    update_settings(store, dataclasses.replace(get_settings(store), fax="0144-33-0000"))
    first = masters.add_department(store, "外科")
    second = masters.add_department(store, "内科")
    masters.move_department(store, second.id, -1)
    masters.rename_department(store, first.id, "一般外科")
    doctor = masters.add_doctor(store, masters.DoctorInput(first.id, "青木 一郎"))
    window = doctor_hours.add_window(
        store, doctor.id, doctor_hours.WindowInput(1, dt.time(14), dt.time(16))
    )
    doctor_hours.update_window(
        store, window.id, doctor_hours.WindowInput(1, dt.time(14), dt.time(17))
    )
    doctor_hours.add_exception(
        store,
        doctor.id,
        doctor_hours.ExceptionInput(TODAY + dt.timedelta(days=12), HoursChange.LEAVE),
    )
    closures.add_closure(store, TODAY + dt.timedelta(days=20), "創立記念日")
    store.close()
    report = check_database(str(db_path))
    assert report.ok, report.problems
    _sql(db_path, "UPDATE departments SET name = '改ざん科' WHERE name = '内科'")
    _sql(db_path, "UPDATE settings SET value = '\"0120000000\"' WHERE key = 'fax'")
    problems = _problems(db_path)
    assert any(p.startswith("診療科（departments の id ") for p in problems), problems
    assert any(p.startswith("設定（settings の key fax）") for p in problems), problems
