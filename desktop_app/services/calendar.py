"""The calendar's read side: closures, doctors' windows and appointments over a range of days,
and the day's list (本日の予約). Rules live in domain/slots.py and domain/office_calendar.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from desktop_app.db.models import (
    Appointment,
    CaseDocument,
    ClinicClosure,
    Department,
    Doctor,
    SOCase,
)
from desktop_app.domain.appointment_state import MOVED_REASON, AppointmentState, appointment_state
from desktop_app.domain.documents import Direction
from desktop_app.domain.office_calendar import closure_label
from desktop_app.domain.roles import Permission
from desktop_app.domain.slots import hours_on
from desktop_app.services.access import requires
from desktop_app.services.booking import _hours
from desktop_app.services.print_input import day_entry
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store

# More than a quarter of a year in one read is a mistake of the caller, not a view.
MAX_RANGE_DAYS = 120


@dataclass(frozen=True)
class CalendarDoctor:
    id: int
    name: str
    department_id: int
    department: str


@dataclass(frozen=True)
class DoctorWindow:
    """One doctor's second-opinion window on one day (leave and extra sessions applied)."""

    doctor_id: int
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    closure: str  # "" when open, else why closed (「土曜日」「勤労感謝の日」「年末年始…」)
    windows: tuple[DoctorWindow, ...] = ()  # empty on a closed day

    @property
    def is_open(self) -> bool:
        return not self.closure


@dataclass(frozen=True)
class CalendarAppointment:
    id: int
    case_id: int
    case_number: str
    patient: str
    doctor_id: int
    doctor: str
    department: str
    date: dt.date
    start: dt.time
    minutes: int
    state: AppointmentState
    cancel_reason: str = ""
    notified_on: dt.date | None = None

    @property
    def moved(self) -> bool:
        """The old row a reschedule left behind (the session is shown at its new time)."""
        return self.state is AppointmentState.CANCELLED and self.cancel_reason == MOVED_REASON

    @property
    def end(self) -> dt.time:
        at = dt.datetime.combine(self.date, self.start) + dt.timedelta(minutes=self.minutes)
        return at.time()


@dataclass(frozen=True)
class CalendarData:
    first: dt.date
    last: dt.date
    doctors: tuple[CalendarDoctor, ...]
    days: tuple[CalendarDay, ...]
    appointments: tuple[CalendarAppointment, ...]

    def day(self, date: dt.date) -> CalendarDay | None:
        index = (date - self.first).days
        return self.days[index] if 0 <= index < len(self.days) else None

    def on(self, date: dt.date) -> tuple[CalendarAppointment, ...]:
        return tuple(a for a in self.appointments if a.date == date)


@dataclass(frozen=True)
class DayListRow:
    """A line of 本日の予約: the printed day list's entry plus what the desk checks."""

    appointment_id: int
    case_id: int
    start: dt.time
    minutes: int
    case_number: str
    patient: str
    furigana: str
    doctor: str
    department: str
    status: str  # the case's stage label
    materials_complete: bool
    checked_in: bool


@requires(Permission.READ_CASES)
def calendar_range(
    store: Store,
    first: dt.date,
    last: dt.date,
    *,
    department_id: int | None = None,
    doctor_id: int | None = None,
) -> CalendarData:
    """Days ``first``..``last`` (inclusive): closures, the doctors' windows and appointments
    (live and cancelled), for all active doctors or those of a department or one doctor."""
    if last < first:
        first, last = last, first
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValueError("calendar range too long")
    with store.read() as session:
        settings = load_settings(session)
        closures = {c.date: c.reason for c in session.scalars(select(ClinicClosure))}
        doctors = _doctors(session, department_id, doctor_id)
        ids = [d.id for d in doctors]
        weekly, exceptions = _hours(session, ids)
        days = []
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            label = closure_label(
                day, closed_dates=closures.keys(), annual_closures=settings.annual_closures
            )
            if label == "休診日" and closures.get(day):
                label = closures[day]
            windows = (
                ()
                if label
                else tuple(
                    DoctorWindow(d, a, b)
                    for d in ids
                    for a, b in hours_on(day, d, weekly, exceptions)
                )
            )
            days.append(CalendarDay(day, label, windows))
        appointments = _appointments(session, first, last, department_id, doctor_id)
        return CalendarData(first, last, tuple(doctors), tuple(days), appointments)


@requires(Permission.READ_CASES)
def day_list(store: Store, day: dt.date) -> tuple[DayListRow, ...]:
    """本日の予約 for ``day``: the live sessions in time order, materials and arrival noted."""
    with store.read() as session:
        rows = tuple(
            session.scalars(
                select(Appointment)
                .where(Appointment.date == day, Appointment.cancelled.is_(False))
                .order_by(Appointment.start_time, Appointment.id)
                .options(
                    selectinload(Appointment.case).selectinload(SOCase.patient),
                    selectinload(Appointment.doctor).selectinload(Doctor.department),
                )
            )
        )
        missing = _missing_materials(session, {a.case_id for a in rows})
        result = []
        for a in rows:
            entry = day_entry(a)  # the same line the printed list shows
            result.append(
                DayListRow(
                    appointment_id=a.id,
                    case_id=a.case_id,
                    start=a.start_time,
                    minutes=entry.minutes,
                    case_number=entry.case_number,
                    patient=entry.name,
                    furigana=entry.furigana,
                    doctor=entry.doctor,
                    department=entry.department,
                    status=entry.status,
                    materials_complete=a.case_id not in missing,
                    checked_in=a.checked_in_at is not None,
                )
            )
        return tuple(result)


def _doctors(
    session: Session, department_id: int | None, doctor_id: int | None
) -> list[CalendarDoctor]:
    query = (
        select(Doctor, Department)
        .join(Department)
        .where(Doctor.active.is_(True))
        .order_by(Department.sort_order, Department.id, Doctor.id)
    )
    if doctor_id is not None:
        query = query.where(Doctor.id == doctor_id)
    elif department_id is not None:
        query = query.where(Doctor.department_id == department_id)
    return [CalendarDoctor(d.id, d.name, p.id, p.name) for d, p in session.execute(query)]


def _appointments(
    session: Session,
    first: dt.date,
    last: dt.date,
    department_id: int | None,
    doctor_id: int | None,
) -> tuple[CalendarAppointment, ...]:
    query = (
        select(Appointment)
        .join(Doctor, Doctor.id == Appointment.doctor_id)
        .where(Appointment.date >= first, Appointment.date <= last)
        .order_by(Appointment.date, Appointment.start_time, Appointment.id)
        .options(
            selectinload(Appointment.case).selectinload(SOCase.patient),
            selectinload(Appointment.doctor).selectinload(Doctor.department),
        )
    )
    if doctor_id is not None:
        query = query.where(Appointment.doctor_id == doctor_id)
    elif department_id is not None:
        query = query.where(Doctor.department_id == department_id)
    rows = tuple(session.scalars(query))
    missing = _missing_materials(session, {a.case_id for a in rows if not a.cancelled})
    return tuple(
        CalendarAppointment(
            id=a.id,
            case_id=a.case_id,
            case_number=a.case.case_number,
            patient=a.case.patient.name,
            doctor_id=a.doctor_id,
            doctor=a.doctor.name,
            department=a.doctor.department.name,
            date=a.date,
            start=a.start_time,
            minutes=a.minutes,
            state=appointment_state(
                cancelled=a.cancelled,
                no_show=a.no_show,
                checked_in=a.checked_in_at is not None,
                materials_missing=a.case_id in missing,
            ),
            cancel_reason=a.cancel_reason,
            notified_on=a.notified_on,
        )
        for a in rows
    )


def _missing_materials(session: Session, case_ids: set[int]) -> frozenset[int]:
    """The cases among ``case_ids`` with a required incoming paper neither in nor waived."""
    if not case_ids:
        return frozenset()
    query = (
        select(CaseDocument.case_id, func.count())
        .where(
            CaseDocument.case_id.in_(case_ids),
            CaseDocument.direction == Direction.IN,
            CaseDocument.required.is_(True),
            CaseDocument.received_on.is_(None),
            CaseDocument.waived_on.is_(None),
        )
        .group_by(CaseDocument.case_id)
    )
    return frozenset(case_id for case_id, _count in session.execute(query))
