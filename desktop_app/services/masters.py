"""Departments, doctors and the referrer master used for autocomplete."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desktop_app.db.models import (
    Appointment,
    Department,
    Doctor,
    DoctorAvailability,
    DoctorHoursException,
    ReferringInstitution,
    SOCase,
)
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.japanese import (
    collapse_spaces,
    normalize_name,
    search_key,
    validate_furigana,
)
from desktop_app.domain.roles import Permission
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.dto import DepartmentData, DoctorData
from desktop_app.services.store import Store


def list_departments(store: Store) -> tuple[DepartmentData, ...]:
    """Active departments in the hospital's order."""
    with store.read() as session:
        rows = session.scalars(
            select(Department)
            .where(Department.active.is_(True))
            .order_by(Department.sort_order, Department.id)
        )
        return tuple(DepartmentData(id=d.id, name=d.name) for d in rows)


def list_doctors(store: Store, department_id: int | None = None) -> tuple[DoctorData, ...]:
    """Active second-opinion doctors of active departments, optionally of one department."""
    with store.read() as session:
        query = (
            select(Doctor, Department)
            .join(Department)
            .where(Doctor.active.is_(True), Department.active.is_(True))
            .order_by(Department.sort_order, Doctor.id)
        )
        if department_id is not None:
            query = query.where(Doctor.department_id == department_id)
        return tuple(
            DoctorData(id=doc.id, name=doc.name, department_id=dep.id, department=dep.name)
            for doc, dep in session.execute(query)
        )


def suggest_institutions(store: Store, text: str, limit: int = 20) -> tuple[str, ...]:
    """Referring institutions whose name contains what was typed (any kana spelling)."""
    key = search_key(text)
    if not key:
        return ()
    with store.read() as session:
        return tuple(
            session.scalars(
                select(ReferringInstitution.name)
                .where(ReferringInstitution.search_key.contains(key, autoescape=True))
                .order_by(ReferringInstitution.name)
                .limit(limit)
            )
        )


# The masters page: every department and doctor, inactive ones too -------------------------

DEPARTMENT = "department"
DOCTOR = "doctor"


@dataclass(frozen=True)
class DepartmentMaster:
    """A department as the masters page shows it; ``in_use``: cases or doctors name it."""

    id: int
    name: str
    sort_order: int
    active: bool
    in_use: bool
    version: int


@dataclass(frozen=True)
class DoctorMaster:
    """A doctor as the masters page shows it; ``in_use``: a case or appointment names them."""

    id: int
    department_id: int
    department: str
    name: str
    furigana: str
    title: str
    active: bool
    in_use: bool
    version: int


@dataclass(frozen=True)
class DoctorInput:
    """What the clerk typed for a doctor."""

    department_id: int
    name: str
    furigana: str = ""
    title: str = ""


def master_departments(store: Store) -> tuple[DepartmentMaster, ...]:
    """Every department, inactive ones too, in the hospital's order."""
    with store.read() as session:
        rows = session.scalars(select(Department).order_by(Department.sort_order, Department.id))
        return tuple(_department(session, d) for d in rows)


def master_doctors(store: Store, department_id: int | None = None) -> tuple[DoctorMaster, ...]:
    """Every doctor, inactive ones too, by department order then as added."""
    with store.read() as session:
        query = select(Doctor).join(Department).order_by(Department.sort_order, Doctor.id)
        if department_id is not None:
            query = query.where(Doctor.department_id == department_id)
        return tuple(_doctor(session, d) for d in session.scalars(query))


@requires(Permission.SETTINGS)
def add_department(store: Store, name: str) -> DepartmentMaster:
    """A new active department at the end of the order."""
    name = _department_name(name)
    with store.transaction() as session:
        _refuse_duplicate_department(session, name, None)
        last = session.scalar(select(func.max(Department.sort_order))) or 0
        dept = Department(name=name, sort_order=last + 1, active=True)
        session.add(dept)
        session.flush()
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_DEPARTMENT,
            DEPARTMENT,
            dept.id,
            summary=f"診療科を追加: {name}",
            after={"name": name},
        )
        return _department(session, dept)


@requires(Permission.SETTINGS)
def rename_department(
    store: Store, department_id: int, name: str, *, version: int | None = None
) -> DepartmentMaster:
    """A new name for a department (cases and doctors keep pointing at it)."""
    name = _department_name(name)
    with store.transaction() as session:
        dept = _get_department(session, department_id, version)
        _refuse_duplicate_department(session, name, dept.id)
        old = dept.name
        if old != name:
            dept.name = name
            audit.record(
                session,
                store.staff,
                AuditAction.MASTER_DEPARTMENT,
                DEPARTMENT,
                dept.id,
                summary=f"診療科の名前を変更: {old} → {name}",
                before={"name": old},
                after={"name": name},
            )
        session.flush()
        return _department(session, dept)


@requires(Permission.SETTINGS)
def move_department(
    store: Store, department_id: int, step: int, *, version: int | None = None
) -> DepartmentMaster:
    """One place up (``step`` -1) or down (+1) in the order; at an end, nothing moves."""
    if step not in (-1, 1):
        raise ValueError("step must be -1 or 1")
    with store.transaction() as session:
        dept = _get_department(session, department_id, version)
        order = list(
            session.scalars(select(Department).order_by(Department.sort_order, Department.id))
        )
        at = order.index(dept)
        to = at + step
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
            for position, row in enumerate(order, start=1):
                if row.sort_order != position:
                    row.sort_order = position
            audit.record(
                session,
                store.staff,
                AuditAction.MASTER_DEPARTMENT,
                DEPARTMENT,
                dept.id,
                summary=f"診療科の並び順を変更: {dept.name}",
                before={"position": at + 1},
                after={"position": to + 1},
            )
        session.flush()
        return _department(session, dept)


@requires(Permission.SETTINGS)
def set_department_active(
    store: Store, department_id: int, active: bool, *, version: int | None = None
) -> DepartmentMaster:
    """Stop offering a department (its doctors are no longer listed), or offer it again."""
    with store.transaction() as session:
        dept = _get_department(session, department_id, version)
        if dept.active != active:
            dept.active = active
            audit.record(
                session,
                store.staff,
                AuditAction.MASTER_DEPARTMENT,
                DEPARTMENT,
                dept.id,
                summary=f"診療科を{'使用再開' if active else '使用停止'}: {dept.name}",
                before={"active": not active},
                after={"active": active},
            )
        session.flush()
        return _department(session, dept)


@requires(Permission.SETTINGS)
def delete_department(store: Store, department_id: int, *, version: int | None = None) -> None:
    """Delete a department no case and no doctor names; a used one can only be deactivated."""
    with store.transaction() as session:
        dept = _get_department(session, department_id, version)
        if _department_in_use(session, dept.id):
            raise ValidationError(
                f"「{dept.name}」は案件か担当医で使われているため削除できません。"
                "使用停止にしてください。"
            )
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_DEPARTMENT,
            DEPARTMENT,
            dept.id,
            summary=f"診療科を削除: {dept.name}",
            before={"name": dept.name},
        )
        session.delete(dept)


@requires(Permission.SETTINGS)
def add_doctor(store: Store, data: DoctorInput) -> DoctorMaster:
    """A new active doctor in a department."""
    with store.transaction() as session:
        values = _doctor_values(session, data)
        doctor = Doctor(**values, active=True)
        session.add(doctor)
        session.flush()
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_DOCTOR,
            DOCTOR,
            doctor.id,
            summary=f"担当医を追加: {doctor.name}",
            after=values,
        )
        return _doctor(session, doctor)


@requires(Permission.SETTINGS)
def update_doctor(
    store: Store, doctor_id: int, data: DoctorInput, *, version: int | None = None
) -> DoctorMaster:
    """Correct a doctor's department, name, フリガナ or title."""
    with store.transaction() as session:
        doctor = _get_doctor(session, doctor_id, version)
        values = _doctor_values(session, data)
        old = {k: getattr(doctor, k) for k in values}
        before, after = audit.changed_fields(old, values)
        if after:
            for key, value in after.items():
                setattr(doctor, key, value)
            audit.record(
                session,
                store.staff,
                AuditAction.MASTER_DOCTOR,
                DOCTOR,
                doctor.id,
                summary=f"担当医を変更: {doctor.name}",
                before=before,
                after=after,
            )
        session.flush()
        return _doctor(session, doctor)


@requires(Permission.SETTINGS)
def set_doctor_active(
    store: Store, doctor_id: int, active: bool, *, version: int | None = None
) -> DoctorMaster:
    """Stop offering a doctor for new bookings (their history stays), or offer them again."""
    with store.transaction() as session:
        doctor = _get_doctor(session, doctor_id, version)
        if doctor.active != active:
            doctor.active = active
            audit.record(
                session,
                store.staff,
                AuditAction.MASTER_DOCTOR,
                DOCTOR,
                doctor.id,
                summary=f"担当医を{'使用再開' if active else '使用停止'}: {doctor.name}",
                before={"active": not active},
                after={"active": active},
            )
        session.flush()
        return _doctor(session, doctor)


@requires(Permission.SETTINGS)
def delete_doctor(store: Store, doctor_id: int, *, version: int | None = None) -> None:
    """Delete a doctor no case or appointment names, with their hours; else refuse."""
    with store.transaction() as session:
        doctor = _get_doctor(session, doctor_id, version)
        if _doctor_in_use(session, doctor.id):
            raise ValidationError(
                f"{doctor.name}医師は案件か予約で使われているため削除できません。"
                "使用停止にしてください。"
            )
        session.execute(delete(DoctorAvailability).where(DoctorAvailability.doctor_id == doctor.id))
        session.execute(
            delete(DoctorHoursException).where(DoctorHoursException.doctor_id == doctor.id)
        )
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_DOCTOR,
            DOCTOR,
            doctor.id,
            summary=f"担当医を削除: {doctor.name}",
            before={"name": doctor.name},
        )
        session.delete(doctor)


def _department_name(name: str) -> str:
    name = collapse_spaces(name)
    if not name:
        raise ValidationError("診療科名を入力してください。", field="name")
    return name


def _refuse_duplicate_department(session: Session, name: str, own_id: int | None) -> None:
    found = session.scalar(select(Department.id).where(Department.name == name))
    if found is not None and found != own_id:
        raise ValidationError(f"診療科「{name}」はすでにあります。", field="name")


def _get_department(session: Session, department_id: int, version: int | None) -> Department:
    dept = session.get(Department, department_id)
    if dept is None:
        raise ValidationError("診療科が見つかりません。", field="department_id")
    if version is not None and dept.version != version:
        raise ConflictError()
    return dept


def _get_doctor(session: Session, doctor_id: int, version: int | None) -> Doctor:
    doctor = session.get(Doctor, doctor_id)
    if doctor is None:
        raise ValidationError("担当医が見つかりません。", field="doctor_id")
    if version is not None and doctor.version != version:
        raise ConflictError()
    return doctor


def _doctor_values(session: Session, data: DoctorInput) -> dict[str, object]:
    name = normalize_name(data.name)
    if not name:
        raise ValidationError("担当医の氏名を入力してください。", field="name")
    furigana = validate_furigana(data.furigana) if data.furigana.strip() else ""
    if session.get(Department, data.department_id) is None:
        raise ValidationError("診療科を選んでください。", field="department_id")
    return {
        "department_id": data.department_id,
        "name": name,
        "furigana": furigana,
        "title": collapse_spaces(data.title),
    }


def _department_in_use(session: Session, department_id: int) -> bool:
    doctors = select(Doctor.id).where(Doctor.department_id == department_id).limit(1)
    cases = select(SOCase.id).where(SOCase.desired_department_id == department_id).limit(1)
    return session.scalar(doctors) is not None or session.scalar(cases) is not None


def _doctor_in_use(session: Session, doctor_id: int) -> bool:
    cases = select(SOCase.id).where(SOCase.doctor_id == doctor_id).limit(1)
    booked = select(Appointment.id).where(Appointment.doctor_id == doctor_id).limit(1)
    return session.scalar(cases) is not None or session.scalar(booked) is not None


def _department(session: Session, d: Department) -> DepartmentMaster:
    return DepartmentMaster(
        id=d.id,
        name=d.name,
        sort_order=d.sort_order,
        active=d.active,
        in_use=_department_in_use(session, d.id),
        version=d.version,
    )


def _doctor(session: Session, d: Doctor) -> DoctorMaster:
    return DoctorMaster(
        id=d.id,
        department_id=d.department_id,
        department=d.department.name,
        name=d.name,
        furigana=d.furigana,
        title=d.title,
        active=d.active,
        in_use=_doctor_in_use(session, d.id),
        version=d.version,
    )
