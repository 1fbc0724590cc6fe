"""Departments and doctors: add, rename, reorder, deactivate, delete only when never used."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop_app.db.models import AuditEntry, DoctorAvailability, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.services.doctor_hours import WindowInput, add_window
from desktop_app.services.masters import (
    DoctorInput,
    add_department,
    add_doctor,
    delete_department,
    delete_doctor,
    list_departments,
    list_doctors,
    master_departments,
    master_doctors,
    move_department,
    rename_department,
    set_department_active,
    set_doctor_active,
    update_doctor,
)
from desktop_app.services.store import Store

from .test_doctor_hours import T


def _audit(store: Store) -> list[tuple[str, str]]:
    with store.read() as session:
        return [(a.action, a.summary) for a in session.scalars(select(AuditEntry))]


def test_add_rename_and_order_departments(store: Store) -> None:
    resp = add_department(store, "  呼吸器内科 ")
    gi = add_department(store, "消化器内科")
    assert resp.name == "呼吸器内科"
    assert [d.name for d in list_departments(store)] == ["呼吸器内科", "消化器内科"]
    move_department(store, gi.id, -1)
    assert [d.name for d in list_departments(store)] == ["消化器内科", "呼吸器内科"]
    # At the top already: nothing moves and nothing is recorded.
    before = len(_audit(store))
    move_department(store, gi.id, -1)
    assert len(_audit(store)) == before
    renamed = rename_department(store, resp.id, "呼吸器外科")
    assert renamed.name == "呼吸器外科"
    actions = [a for a, _ in _audit(store)]
    assert actions == [AuditAction.MASTER_DEPARTMENT] * 4


@pytest.mark.parametrize("name", ["", "　 "])
def test_a_department_needs_a_name(store: Store, name: str) -> None:
    with pytest.raises(ValidationError) as info:
        add_department(store, name)
    assert info.value.field == "name"
    assert "診療科名" in info.value.message
    assert master_departments(store) == ()


def test_department_names_are_unique(store: Store) -> None:
    add_department(store, "呼吸器内科")
    other = add_department(store, "消化器内科")
    with pytest.raises(ValidationError, match="すでにあります"):
        add_department(store, "呼吸器内科")
    with pytest.raises(ValidationError, match="すでにあります"):
        rename_department(store, other.id, "呼吸器内科")
    # Renaming to its own name is no change.
    assert rename_department(store, other.id, "消化器内科").name == "消化器内科"


def test_a_stale_version_is_a_conflict(store: Store) -> None:
    dept = add_department(store, "呼吸器内科")
    rename_department(store, dept.id, "呼吸器外科", version=dept.version)
    with pytest.raises(ConflictError):
        rename_department(store, dept.id, "循環器内科", version=dept.version)


def test_doctor_add_and_edit_normalise_and_check(store: Store) -> None:
    dept = add_department(store, "呼吸器内科")
    doctor = add_doctor(store, DoctorInput(dept.id, "西田 直子", "にしだ なおこ", " 部長 "))
    assert (doctor.name, doctor.furigana, doctor.title) == ("西田　直子", "ニシダ　ナオコ", "部長")
    assert doctor.department == "呼吸器内科" and doctor.active and not doctor.in_use
    with pytest.raises(ValidationError) as info:
        add_doctor(store, DoctorInput(dept.id, ""))
    assert info.value.field == "name"
    with pytest.raises(ValidationError) as info:
        add_doctor(store, DoctorInput(dept.id, "東 一郎", "east"))
    assert info.value.field == "furigana"
    with pytest.raises(ValidationError) as info:
        add_doctor(store, DoctorInput(9999, "東 一郎"))
    assert info.value.field == "department_id"
    assert len(master_doctors(store)) == 1
    edited = update_doctor(store, doctor.id, DoctorInput(dept.id, "西田 直子", "", "医長"))
    assert edited.title == "医長" and edited.furigana == ""
    with store.read() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None
        assert last.action == AuditAction.MASTER_DOCTOR
        assert last.after == {"furigana": "", "title": "医長"}


def test_inactive_doctors_and_departments_are_not_listed(store: Store) -> None:
    resp = add_department(store, "呼吸器内科")
    gi = add_department(store, "消化器内科")
    a = add_doctor(store, DoctorInput(resp.id, "西田 直子"))
    add_doctor(store, DoctorInput(gi.id, "東 一郎"))
    set_doctor_active(store, a.id, False)
    assert [d.name for d in list_doctors(store)] == ["東　一郎"]
    assert [d.name for d in master_doctors(store)] == ["西田　直子", "東　一郎"]
    set_department_active(store, gi.id, False)
    assert list_doctors(store) == ()
    assert [d.name for d in list_departments(store)] == ["呼吸器内科"]
    set_doctor_active(store, a.id, True)
    assert [d.name for d in list_doctors(store, resp.id)] == ["西田　直子"]


def test_a_used_doctor_cannot_be_deleted_but_can_be_deactivated(store: Store, make_case) -> None:
    dept = add_department(store, "呼吸器内科")
    doctor = add_doctor(store, DoctorInput(dept.id, "西田 直子"))
    case = make_case()
    with store.transaction() as session:
        row = session.get(SOCase, case.id)
        assert row is not None
        row.doctor_id = doctor.id
    assert master_doctors(store)[0].in_use
    with pytest.raises(ValidationError, match="使用停止"):
        delete_doctor(store, doctor.id)
    with pytest.raises(ValidationError, match="使用停止"):
        delete_department(store, dept.id)
    assert set_doctor_active(store, doctor.id, False).active is False
    assert len(master_doctors(store)) == 1


def test_an_unused_doctor_is_deleted_with_their_hours(store: Store) -> None:
    dept = add_department(store, "呼吸器内科")
    doctor = add_doctor(store, DoctorInput(dept.id, "西田 直子"))
    add_window(store, doctor.id, WindowInput(1, T(14), T(16)))
    delete_doctor(store, doctor.id)
    assert master_doctors(store) == ()
    with store.read() as session:
        assert session.scalars(select(DoctorAvailability)).first() is None
    # Now that no doctor names it, the department can go too.
    delete_department(store, dept.id)
    assert master_departments(store) == ()
    summaries = [s for _, s in _audit(store)]
    assert summaries[-2:] == ["担当医を削除: 西田　直子", "診療科を削除: 呼吸器内科"]


def test_a_department_a_case_names_cannot_be_deleted(store: Store, make_case) -> None:
    dept = add_department(store, "呼吸器内科")
    make_case(desired_department_id=dept.id)
    assert master_departments(store)[0].in_use
    with pytest.raises(ValidationError, match="削除できません"):
        delete_department(store, dept.id)
