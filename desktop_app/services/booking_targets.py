"""Which cases wait for a date, and what the booking dialog needs to know about one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from desktop_app.db.models import Appointment, Doctor, SOCase
from desktop_app.domain.roles import Permission
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.access import requires
from desktop_app.services.cases import load_case
from desktop_app.services.store import Store


@dataclass(frozen=True)
class WaitingCase:
    """A case at 担当医確認, accepted, with no live appointment: it waits for a date."""

    case_id: int
    case_number: str
    patient: str
    furigana: str
    desired_department_id: int | None
    desired_department: str
    doctor_id: int | None
    doctor: str


@dataclass(frozen=True)
class LiveAppointment:
    id: int
    doctor_id: int
    date: dt.date
    start: dt.time
    minutes: int


@dataclass(frozen=True)
class BookingTarget:
    """The case a booking is for: who, which department it asked for, its doctor if chosen."""

    case_id: int
    case_number: str
    patient: str
    stage: Stage
    decision: Decision
    desired_department_id: int | None
    doctor_id: int | None
    doctor_department_id: int | None
    appointment: LiveAppointment | None
    version: int

    @property
    def department_id(self) -> int | None:
        """The department whose doctors come first: the desired one, else the chosen doctor's."""
        return self.desired_department_id or self.doctor_department_id


@requires(Permission.READ_CASES)
def waiting_cases(store: Store) -> tuple[WaitingCase, ...]:
    """Accepted cases at 担当医確認 without a live booking, oldest first."""
    live = exists().where(Appointment.case_id == SOCase.id, Appointment.cancelled.is_(False))
    with store.read() as session:
        rows = session.scalars(
            select(SOCase)
            .where(
                SOCase.stage == Stage.DOCTOR_REVIEW,
                SOCase.decision == Decision.ACCEPTED,
                ~live,
            )
            .order_by(SOCase.id)
            .options(
                selectinload(SOCase.patient),
                selectinload(SOCase.desired_department),
                selectinload(SOCase.doctor),
            )
        )
        return tuple(
            WaitingCase(
                case_id=c.id,
                case_number=c.case_number,
                patient=c.patient.name,
                furigana=c.patient.furigana,
                desired_department_id=c.desired_department_id,
                desired_department=c.desired_department.name if c.desired_department else "",
                doctor_id=c.doctor_id,
                doctor=c.doctor.name if c.doctor else "",
            )
            for c in rows
        )


def booking_target(store: Store, case_id: int) -> BookingTarget:
    """The facts the booking dialog shows and orders the doctors by."""
    with store.read() as session:
        case = load_case(session, case_id)
        live = next((a for a in case.appointments if not a.cancelled), None)
        doctor = session.get(Doctor, case.doctor_id) if case.doctor_id else None
        return BookingTarget(
            case_id=case.id,
            case_number=case.case_number,
            patient=case.patient.name,
            stage=case.stage,
            decision=case.decision,
            desired_department_id=case.desired_department_id,
            doctor_id=case.doctor_id,
            doctor_department_id=doctor.department_id if doctor else None,
            appointment=LiveAppointment(
                live.id, live.doctor_id, live.date, live.start_time, live.minutes
            )
            if live
            else None,
            version=case.version,
        )
