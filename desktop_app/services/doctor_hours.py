"""A doctor's weekly second-opinion windows and the exceptions on dates (leave, extra).

One call = one write transaction = one audit entry (``master.hours``). The rules (half
hours, no overlaps, no past dates) are in domain/hours_rules.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.db.models import Appointment, Doctor, DoctorAvailability, DoctorHoursException
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.hours_rules import check_exception, check_window, weekday_label
from desktop_app.domain.japanese import collapse_spaces
from desktop_app.domain.roles import Permission
from desktop_app.domain.slots import HoursChange, HoursException, WeeklyHours
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.store import Store

ENTITY = "doctor_hours"


@dataclass(frozen=True)
class WindowInput:
    """A weekly window as typed: weekday 0 = Monday; dates inclusive, None = open."""

    weekday: int
    start: dt.time
    end: dt.time
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class WindowData:
    id: int
    weekday: int
    start: dt.time
    end: dt.time
    valid_from: dt.date | None
    valid_to: dt.date | None
    version: int

    @property
    def weekday_label(self) -> str:
        return weekday_label(self.weekday)


@dataclass(frozen=True)
class ExceptionInput:
    """Leave (no times: the whole day) or an extra window on one date."""

    date: dt.date
    kind: HoursChange
    start: dt.time | None = None
    end: dt.time | None = None
    note: str = ""


@dataclass(frozen=True)
class ExceptionData:
    id: int
    date: dt.date
    kind: HoursChange
    start: dt.time | None
    end: dt.time | None
    note: str

    @property
    def whole_day(self) -> bool:
        return self.start is None or self.end is None


@dataclass(frozen=True)
class DoctorHoursData:
    """A doctor's windows (by weekday, start) and exceptions from ``since`` on (by date)."""

    doctor_id: int
    doctor: str
    windows: tuple[WindowData, ...]
    exceptions: tuple[ExceptionData, ...]


@dataclass(frozen=True)
class ExceptionAdded:
    """The new exception, and the live appointments a leave falls on (to be moved by hand)."""

    exception: ExceptionData
    clashing: tuple[str, ...] = ()


def doctor_hours(store: Store, doctor_id: int, since: dt.date | None = None) -> DoctorHoursData:
    """The doctor's weekly windows and their exceptions on ``since`` (default today) or later."""
    since = since or store.clock.today()
    with store.read() as session:
        doctor = _doctor(session, doctor_id)
        windows = session.scalars(
            select(DoctorAvailability)
            .where(DoctorAvailability.doctor_id == doctor_id)
            .order_by(
                DoctorAvailability.weekday,
                DoctorAvailability.start_time,
                DoctorAvailability.valid_from,
            )
        )
        exceptions = session.scalars(
            select(DoctorHoursException)
            .where(DoctorHoursException.doctor_id == doctor_id, DoctorHoursException.date >= since)
            .order_by(DoctorHoursException.date, DoctorHoursException.start_time)
        )
        return DoctorHoursData(
            doctor_id=doctor.id,
            doctor=doctor.name,
            windows=tuple(_window_data(w) for w in windows),
            exceptions=tuple(_exception_data(e) for e in exceptions),
        )


@requires(Permission.SETTINGS)
def add_window(store: Store, doctor_id: int, data: WindowInput) -> WindowData:
    """A new weekly window; refused when it overlaps another of the same weekday and dates."""
    with store.transaction() as session:
        doctor = _doctor(session, doctor_id)
        check_window(_weekly(doctor_id, data), _others(session, doctor_id, None))
        row = DoctorAvailability(
            doctor_id=doctor_id,
            weekday=data.weekday,
            start_time=data.start,
            end_time=data.end,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_HOURS,
            ENTITY,
            row.id,
            summary=f"診療枠を追加: {doctor.name} {_describe(data)}",
            after=_values(data),
        )
        return _window_data(row)


@requires(Permission.SETTINGS)
def update_window(
    store: Store, window_id: int, data: WindowInput, *, version: int | None = None
) -> WindowData:
    """Change a weekly window (same checks as adding one)."""
    with store.transaction() as session:
        row = session.get(DoctorAvailability, window_id)
        if row is None:
            raise ValidationError("診療枠が見つかりません。")
        if version is not None and row.version != version:
            raise ConflictError()
        check_window(_weekly(row.doctor_id, data), _others(session, row.doctor_id, row.id))
        old = _row_input(row)
        before, after = audit.changed_fields(_values(old), _values(data))
        if after:
            row.weekday, row.start_time, row.end_time = data.weekday, data.start, data.end
            row.valid_from, row.valid_to = data.valid_from, data.valid_to
            audit.record(
                session,
                store.staff,
                AuditAction.MASTER_HOURS,
                ENTITY,
                row.id,
                summary=f"診療枠を変更: {row.doctor.name} {_describe(old)} → {_describe(data)}",
                before=before,
                after=after,
            )
        session.flush()
        return _window_data(row)


@requires(Permission.SETTINGS)
def remove_window(store: Store, window_id: int, *, version: int | None = None) -> None:
    """Remove a weekly window (booked appointments stay as they are)."""
    with store.transaction() as session:
        row = session.get(DoctorAvailability, window_id)
        if row is None:
            raise ValidationError("診療枠が見つかりません。")
        if version is not None and row.version != version:
            raise ConflictError()
        old = _row_input(row)
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_HOURS,
            ENTITY,
            row.id,
            summary=f"診療枠を削除: {row.doctor.name} {_describe(old)}",
            before=_values(old),
        )
        session.delete(row)


@requires(Permission.SETTINGS)
def add_exception(
    store: Store, doctor_id: int, data: ExceptionInput, *, today: dt.date | None = None
) -> ExceptionAdded:
    """Leave or an extra window on a date from today on; a leave names the bookings it hits."""
    today = today or store.clock.today()
    new = HoursException(doctor_id, data.date, data.kind, data.start, data.end)
    with store.transaction() as session:
        doctor = _doctor(session, doctor_id)
        others = [
            HoursException(e.doctor_id, e.date, e.kind, e.start_time, e.end_time)
            for e in session.scalars(
                select(DoctorHoursException).where(
                    DoctorHoursException.doctor_id == doctor_id,
                    DoctorHoursException.date == data.date,
                )
            )
        ]
        check_exception(new, others, today)
        row = DoctorHoursException(
            doctor_id=doctor_id,
            date=data.date,
            kind=data.kind,
            start_time=data.start,
            end_time=data.end,
            note=collapse_spaces(data.note),
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_HOURS,
            ENTITY,
            f"exception:{row.id}",
            summary=f"{data.kind.label}を登録: {doctor.name} {_describe_exception(row)}",
            after={"date": data.date, "kind": data.kind, "start": data.start, "end": data.end},
        )
        clashing = _clashing(session, row) if data.kind == HoursChange.LEAVE else ()
        return ExceptionAdded(_exception_data(row), clashing)


@requires(Permission.SETTINGS)
def remove_exception(store: Store, exception_id: int, *, today: dt.date | None = None) -> None:
    """Remove leave or an extra window; one in the past stays as the record of that day."""
    today = today or store.clock.today()
    with store.transaction() as session:
        row = session.get(DoctorHoursException, exception_id)
        if row is None:
            raise ValidationError("休み・臨時枠が見つかりません。")
        if row.date < today:
            raise ValidationError("過去の休み・臨時枠は削除できません。", field="date")
        doctor = _doctor(session, row.doctor_id)
        audit.record(
            session,
            store.staff,
            AuditAction.MASTER_HOURS,
            ENTITY,
            f"exception:{row.id}",
            summary=f"{row.kind.label}を削除: {doctor.name} {_describe_exception(row)}",
            before={"date": row.date, "kind": row.kind, "start": row.start_time},
        )
        session.delete(row)


def _doctor(session: Session, doctor_id: int) -> Doctor:
    doctor = session.get(Doctor, doctor_id)
    if doctor is None:
        raise ValidationError("担当医が見つかりません。", field="doctor_id")
    return doctor


def _weekly(doctor_id: int, data: WindowInput) -> WeeklyHours:
    return WeeklyHours(
        doctor_id, data.weekday, data.start, data.end, data.valid_from, data.valid_to
    )


def _others(session: Session, doctor_id: int, own_id: int | None) -> list[WeeklyHours]:
    rows = session.scalars(
        select(DoctorAvailability).where(DoctorAvailability.doctor_id == doctor_id)
    )
    return [_weekly(doctor_id, _row_input(r)) for r in rows if r.id != own_id]


def _row_input(row: DoctorAvailability) -> WindowInput:
    return WindowInput(row.weekday, row.start_time, row.end_time, row.valid_from, row.valid_to)


def _values(data: WindowInput) -> dict[str, object]:
    return {
        "weekday": data.weekday,
        "start": data.start,
        "end": data.end,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
    }


def _describe(data: WindowInput) -> str:
    text = f"{weekday_label(data.weekday)} {data.start:%H:%M}–{data.end:%H:%M}"
    if data.valid_from or data.valid_to:
        text += f"（{data.valid_from or ''}〜{data.valid_to or ''}）"
    return text


def _describe_exception(row: DoctorHoursException) -> str:
    text = f"{row.date.month}月{row.date.day}日"
    if row.start_time is not None and row.end_time is not None:
        text += f" {row.start_time:%H:%M}–{row.end_time:%H:%M}"
    else:
        text += " 終日"
    return text


def _clashing(session: Session, leave: DoctorHoursException) -> tuple[str, ...]:
    """Live appointments of the doctor that the leave covers."""
    found = []
    for a in session.scalars(
        select(Appointment)
        .where(
            Appointment.doctor_id == leave.doctor_id,
            Appointment.date == leave.date,
            Appointment.cancelled.is_(False),
        )
        .order_by(Appointment.start_time)
    ):
        if leave.start_time is not None and leave.end_time is not None:
            start = a.start_time.hour * 60 + a.start_time.minute
            end = start + a.minutes
            lo = leave.start_time.hour * 60 + leave.start_time.minute
            hi = leave.end_time.hour * 60 + leave.end_time.minute
            if end <= lo or start >= hi:
                continue
        found.append(f"{a.start_time:%H:%M} {a.case.patient.name}")
    return tuple(found)


def _window_data(row: DoctorAvailability) -> WindowData:
    return WindowData(
        id=row.id,
        weekday=row.weekday,
        start=row.start_time,
        end=row.end_time,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        version=row.version,
    )


def _exception_data(row: DoctorHoursException) -> ExceptionData:
    return ExceptionData(
        id=row.id,
        date=row.date,
        kind=row.kind,
        start=row.start_time,
        end=row.end_time,
        note=row.note,
    )
