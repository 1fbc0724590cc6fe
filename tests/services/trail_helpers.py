"""Set-up for paper-trail tests: a doctor, a booking, and a look at the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from desktop_app.db.models import Appointment, AuditEntry, Department, Doctor
from desktop_app.domain import clock
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.decisions import record_decision
from desktop_app.services.dto import CaseDetail, DocumentData
from desktop_app.services.paper_trail import mark_received
from desktop_app.services.store import Store

TODAY = clock.today()


def add_doctor(
    store: Store, department: str = "消化器内科", name: str = "佐藤 一郎", active: bool = True
) -> tuple[int, int]:
    """A department (found or added) and a doctor in it: (department_id, doctor_id)."""
    with store.transaction() as session:
        dep = session.scalars(select(Department).where(Department.name == department)).first()
        if dep is None:
            dep = Department(name=department)
            session.add(dep)
            session.flush()
        doc = Doctor(department_id=dep.id, name=name, active=active)
        session.add(doc)
        session.flush()
        return dep.id, doc.id


def doc_of(
    case: CaseDetail, kind: DocumentKind, direction: Direction = Direction.IN
) -> DocumentData:
    return next(d for d in case.documents if d.kind == kind and d.direction == direction)


def audit_actions(store: Store, case_id: int) -> list[str]:
    with store.read() as session:
        return [
            e.action.value
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
            )
        ]


def to_booked(store: Store, case: CaseDetail) -> CaseDetail:
    """Application in, doctor accepts, an appointment next month, stage 予約確定."""
    app = doc_of(case, DocumentKind.APPLICATION)
    mark_received(store, case.id, app.id, on=TODAY, channel=Channel.FAX)
    dep_id, doctor_id = add_doctor(store)
    record_decision(
        store, case.id, department_id=dep_id, doctor_id=doctor_id,
        decision=Decision.ACCEPTED, on=TODAY,
    )  # fmt: skip
    with store.transaction() as session:
        session.add(
            Appointment(
                case_id=case.id, doctor_id=doctor_id, date=TODAY + dt.timedelta(days=30),
                start_time=dt.time(14, 0),
            )
        )  # fmt: skip
    move_stage(store, case.id, Stage.BOOKED)
    booked = get_case(store, case.id)
    assert booked.stage == Stage.BOOKED
    return booked


def booked_today(store: Store, case: CaseDetail, *, papers_in: bool = True) -> CaseDetail:
    """``to_booked``, with the appointment moved to today; every paper in unless told not."""
    from desktop_app.services.paper_trail import receive_many

    booked = to_booked(store, case)
    with store.transaction() as session:
        appt = session.scalars(select(Appointment).where(Appointment.case_id == case.id)).one()
        appt.date = TODAY
    if papers_in:
        missing = [d.id for d in booked.documents if d.required and d.received_on is None]
        receive_many(store, case.id, missing, on=TODAY, channel=Channel.MAIL)
    return get_case(store, case.id)
