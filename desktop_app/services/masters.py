"""Departments, doctors and the referrer master used for autocomplete."""

from __future__ import annotations

from sqlalchemy import select

from desktop_app.db.models import Department, Doctor, ReferringInstitution
from desktop_app.domain.japanese import search_key
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
    """Active second-opinion doctors, optionally of one department."""
    with store.read() as session:
        query = (
            select(Doctor, Department)
            .join(Department)
            .where(Doctor.active.is_(True))
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
