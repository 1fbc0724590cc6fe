"""One-off clinic closures (a date with a reason) and the national holidays shown beside them.

National holidays come from jpholiday and are never typed; the yearly closures (年末年始) are
a setting. One call = one write transaction = one audit entry (``master.closure``).

Closing a day does not move what is booked on it: ``bookings_on`` tells the desk beforehand,
``add_closure`` returns the live bookings it left on the closed day (for the clerk to
reschedule), and the board flags them until they are moved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jpholiday
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.db.models import Appointment, ClinicClosure, Doctor, Patient, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.japanese import collapse_spaces
from desktop_app.domain.roles import Permission
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.store import Store

ENTITY = "clinic_closure"


@dataclass(frozen=True)
class DayBooking:
    """A live booking on a day: who, when, with which doctor (to reschedule it)."""

    appointment_id: int
    case_id: int
    case_number: str
    patient: str
    doctor: str
    date: dt.date
    start: dt.time
    minutes: int


@dataclass(frozen=True)
class ClosureData:
    id: int
    date: dt.date
    reason: str
    # From add_closure: the live bookings left on the day it closed (none from list_closures).
    bookings: tuple[DayBooking, ...] = ()


@dataclass(frozen=True)
class HolidayData:
    date: dt.date
    name: str


def list_closures(store: Store, since: dt.date | None = None) -> tuple[ClosureData, ...]:
    """The one-off closures on ``since`` or later (all when None), by date."""
    with store.read() as session:
        query = select(ClinicClosure).order_by(ClinicClosure.date)
        if since is not None:
            query = query.where(ClinicClosure.date >= since)
        return tuple(ClosureData(c.id, c.date, c.reason) for c in session.scalars(query))


@requires(Permission.READ_CASES)
def bookings_on(store: Store, day: dt.date) -> tuple[DayBooking, ...]:
    """The live (not cancelled) bookings on ``day``, in time order."""
    with store.read() as session:
        return _bookings_on(session, day)


def _bookings_on(session: Session, day: dt.date) -> tuple[DayBooking, ...]:
    query = (
        select(
            Appointment.id,
            Appointment.case_id,
            SOCase.case_number,
            Patient.name,
            Doctor.name,
            Appointment.date,
            Appointment.start_time,
            Appointment.minutes,
        )
        .join(SOCase, SOCase.id == Appointment.case_id)
        .join(Patient, Patient.id == SOCase.patient_id)
        .join(Doctor, Doctor.id == Appointment.doctor_id)
        .where(Appointment.date == day, Appointment.cancelled.is_(False))
        .order_by(Appointment.start_time, Appointment.id)
    )
    return tuple(DayBooking(*row) for row in session.execute(query))


@requires(Permission.SETTINGS)
def add_closure(
    store: Store, day: dt.date, reason: str, *, today: dt.date | None = None
) -> ClosureData:
    """Close the clinic on ``day`` (today or later) for ``reason``; a date once only.

    The bookings on that day stay as they are; the result lists the live ones to move."""
    today = today or store.clock.today()
    reason = collapse_spaces(reason)
    if day < today:
        raise ValidationError("過去の日付は休診日にできません。", field="date")
    if not reason:
        raise ValidationError("休診の理由を入力してください。", field="reason")
    with store.transaction() as session:
        if session.scalar(select(ClinicClosure.id).where(ClinicClosure.date == day)) is not None:
            raise ValidationError(
                f"{day.month}月{day.day}日はすでに休診日に登録されています。", field="date"
            )
        row = ClinicClosure(date=day, reason=reason)
        session.add(row)
        session.flush()
        booked = _bookings_on(session, day)
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_CLOSURE,
            ENTITY,
            row.id,
            summary=f"休診日を追加: {day.isoformat()} {reason}"
            + (f"（この日の予約 {len(booked)}件）" if booked else ""),
            after={"date": day, "reason": reason},
        )
        return ClosureData(row.id, row.date, row.reason, booked)


@requires(Permission.SETTINGS)
def remove_closure(store: Store, closure_id: int, *, today: dt.date | None = None) -> None:
    """Open the clinic again on a closure date (today or later; past ones stay on record)."""
    today = today or store.clock.today()
    with store.transaction() as session:
        row = session.get(ClinicClosure, closure_id)
        if row is None:
            raise ValidationError("休診日が見つかりません。")
        if row.date < today:
            raise ValidationError("過去の休診日は削除できません。", field="date")
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_CLOSURE,
            ENTITY,
            row.id,
            summary=f"休診日を削除: {row.date.isoformat()} {row.reason}",
            before={"date": row.date, "reason": row.reason},
        )
        session.delete(row)


def national_holidays(first: dt.date, days: int = 366) -> tuple[HolidayData, ...]:
    """Japan's national holidays (substitute ones and 国民の休日 included) from ``first`` on."""
    last = first + dt.timedelta(days=days - 1)
    return tuple(HolidayData(day, name) for day, name in jpholiday.between(first, last))
