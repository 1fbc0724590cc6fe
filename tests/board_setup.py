"""Setting cases up in board states, as the booking and receipt services will (test set-up)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from desktop_app.db.models import Appointment, CaseDocument, Department, Doctor, SOCase
from desktop_app.domain.documents import Direction
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.store import Store

TODAY = dt.date(2026, 6, 10)  # a Wednesday


def doctor(store: Store, department: str = "消化器内科", name: str = "佐藤 一郎") -> int:
    with store.transaction() as session:
        dept = session.scalar(select(Department).where(Department.name == department))
        if dept is None:
            dept = Department(name=department)
            session.add(dept)
            session.flush()
        doc = Doctor(department_id=dept.id, name=name)
        session.add(doc)
        session.flush()
        return doc.id


def book(
    store: Store, case_id: int, doctor_id: int, day: dt.date, *, notified: bool = True
) -> None:
    """Set a case up as booked, as the booking services will (the test's own set-up)."""
    with store.transaction() as session:
        case = session.get(SOCase, case_id)
        assert case is not None
        case.stage = Stage.BOOKED
        case.decision = Decision.ACCEPTED
        case.doctor_id = doctor_id
        session.add(
            Appointment(
                case_id=case_id,
                doctor_id=doctor_id,
                date=day,
                start_time=dt.time(14, 0),
                notified_on=TODAY if notified else None,
            )
        )


def receive_all(store: Store, case_id: int) -> None:
    with store.transaction() as session:
        for doc in session.scalars(select(CaseDocument).where(CaseDocument.case_id == case_id)):
            if doc.direction == Direction.IN:
                doc.received_on = TODAY
