"""Booking: free slots, book, reschedule, cancel, no-show and 日時連絡済.

One call = one write transaction (BEGIN IMMEDIATE on SQLite) = one audit entry. Two desks
racing for one slot: the check runs inside the transaction, which on SQLite is enough; on
PostgreSQL two checks can pass at once, and the database lets only one of the bookings
commit: the partial unique index ``uq_appointments_live_slot`` (one live booking per doctor
and start) and the exclusion constraint ``ex_appointments_live_overlap`` (no overlapping
times). The other desk gets SLOT_TAKEN, from the store's translation of the refusal
(services/store.race_lost), whichever statement met it. Rules are in domain/slots.py; this
module gathers their facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.db.models import (
    Appointment,
    CaseDocument,
    ContactLog,
    Department,
    Doctor,
    DoctorAvailability,
    DoctorHoursException,
    SOCase,
)
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import (
    NOTIFY_CHANNELS,
    NOTIFY_CONTACTS,
    TEST_MATERIALS,
    Channel,
    Direction,
    DocumentKind,
    required_incoming_documents,
)
from desktop_app.domain.errors import ReasonNeeded, ValidationError
from desktop_app.domain.office_calendar import closure_label, is_office_open, materials_due_date
from desktop_app.domain.people import is_minor_on
from desktop_app.domain.roles import Permission
from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.slots import (
    BLOCK_MINUTES,
    Booking,
    BookingCheck,
    HoursException,
    Slot,
    WeeklyHours,
    check_booking,
    free_slots,
    hours_on,
    when_label,
)
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.case_stage import enter_stage
from desktop_app.services.cases import _detail, closed_dates, load_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.paper_trail import auto_move
from desktop_app.services.settings import load_settings
from desktop_app.services.store import SLOT_TAKEN as SLOT_TAKEN  # a lost slot's sentence
from desktop_app.services.store import Store


class BookingWarning(ReasonNeeded):
    """The booking may be made, but only with a reason: ``warnings`` says why it is unusual."""


@dataclass(frozen=True)
class SlotData:
    """A free slot for a screen: which doctor, when, and whether it can run to 60 minutes."""

    doctor_id: int
    doctor: str
    department: str
    date: dt.date
    start: dt.time
    extendable: bool
    # False when the materials' due date (3 open days before) would already be past today.
    materials_in_time: bool = True


def find_free_slots(
    store: Store,
    *,
    doctor_ids: tuple[int, ...] = (),
    department_id: int | None = None,
    first_day: dt.date | None = None,
    days: int = 42,
    now: dt.datetime | None = None,
    limit: int = 30,
    preset: tuple[int, dt.date, dt.time] | None = None,
) -> tuple[SlotData, ...]:
    """The next free 30-minute slots of these doctors (or a department's active doctors).

    ``preset`` (doctor id, date, start: the slot clicked in the calendar) does not move the
    list's start, so booking and 日時変更 offer the same slots, the earlier days too; when it
    is a free slot of these doctors past the list's end, it is added in its place.
    """
    now = now or store.clock.local_now()
    first_day = first_day or now.date()
    with store.read() as session:
        doctors = _doctors(session, doctor_ids, department_id)
        ids = [d.id for d in doctors]
        weekly, exceptions = _hours(session, ids)
        settings, closed = load_settings(session), closed_dates(session)
        is_open = _opener(session, settings)

        def free(of: list[int], first: dt.date, span: int, most: int) -> tuple[Slot, ...]:
            return free_slots(
                of,
                weekly=weekly,
                exceptions=exceptions,
                bookings=_live(session, of, first, first + dt.timedelta(days=span)),
                first_day=first,
                days=span,
                is_open=is_open,
                now=now,
                limit=most,
            )

        slots = free(ids, first_day, days, limit)
        if preset is not None and preset[0] in ids:
            doctor_id, day, start = preset
            listed = {(s.doctor_id, s.date, s.start) for s in slots}
            clicked = [s for s in free([doctor_id], day, 1, 48) if s.start == start]
            if clicked and preset not in listed and day >= first_day:
                slots = tuple(sorted((*slots, *clicked), key=lambda s: (s.date, s.start)))
        by_id = {d.id: d for d in doctors}
        due = {day: materials_due_date(day, settings, closed) for day in {s.date for s in slots}}
        return tuple(
            _slot_data(s, by_id[s.doctor_id], in_time=due[s.date] >= now.date()) for s in slots
        )


@requires(Permission.CASE_WORK)
def book(
    store: Store,
    case_id: int,
    *,
    doctor_id: int,
    date: dt.date,
    start: dt.time,
    minutes: int = BLOCK_MINUTES,
    override_reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CaseDetail:
    """Book a session: due dates set, the checklist fitted to the patient's age on the day,
    the case moved to 予約確定. BookingWarning when a reason is needed and none was given."""
    now = now or store.clock.local_now()
    with store.transaction() as session:
        case = load_case(session, case_id, expected_version)
        _check_case_can_book(case)
        if any(not a.cancelled for a in case.appointments):
            raise ValidationError("この案件はすでに予約があります。日時の変更をご利用ください。")
        settings = load_settings(session)
        request = Booking(doctor_id, date, start, minutes, case.id)
        warnings = _checked(session, case, request, settings, now, override_reason)
        appointment = Appointment(
            case_id=case.id, doctor_id=doctor_id, date=date, start_time=start, minutes=minutes
        )
        case.appointments.append(appointment)
        case.doctor_id = doctor_id
        _fit_documents(session, case, date, settings, now.date())
        before = case.stage
        if case.stage == Stage.DOCTOR_REVIEW:
            enter_stage(case, Stage.BOOKED)
        session.flush()  # the new row's id for the log; a slot lost to a race is refused
        auto_move(case)  # every paper already in: straight on to 資料受領
        audit.record(
            session,
            store.staff,
            AuditAction.APPOINTMENT_BOOK,
            "appointment",
            str(appointment.id),
            case_id=case.id,
            summary=f"予約：{_when(date, start, minutes)} {_doctor_name(session, doctor_id)}"
            + (f"（{before.label} → {case.stage.label}）" if before != case.stage else "")
            + _override_note(warnings, override_reason),
            after={"date": date, "start": start, "minutes": minutes, "doctor_id": doctor_id},
        )
        session.flush()
        return _detail(session, case)


@requires(Permission.CASE_WORK)
def reschedule(
    store: Store,
    appointment_id: int,
    *,
    doctor_id: int,
    date: dt.date,
    start: dt.time,
    minutes: int = BLOCK_MINUTES,
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> CaseDetail:
    """Move a booking: the old row is kept, cancelled (日時変更); due dates follow."""
    now = now or store.clock.local_now()
    with store.transaction() as session:
        old = _live_appointment(session, appointment_id)
        case = load_case(session, old.case_id)
        if not case.stage.is_open:
            raise ValidationError(f"この案件は「{case.stage.label}」で終了しています。")
        settings = load_settings(session)
        old.cancelled = True
        old.cancel_reason = "日時変更"
        session.flush()  # frees the old slot before the new one is checked and taken
        request = Booking(doctor_id, date, start, minutes, case.id)
        warnings = _checked(session, case, request, settings, now, override_reason)
        new = Appointment(
            case_id=case.id, doctor_id=doctor_id, date=date, start_time=start, minutes=minutes
        )
        case.appointments.append(new)
        case.doctor_id = doctor_id
        _fit_documents(session, case, date, settings, now.date())
        session.flush()  # the new row's id for the log; a slot lost to a race is refused
        audit.record(
            session,
            store.staff,
            AuditAction.APPOINTMENT_RESCHEDULE,
            "appointment",
            str(new.id),
            case_id=case.id,
            summary=f"予約の日時を変更：{_when(old.date, old.start_time, old.minutes)} → "
            f"{_when(date, start, minutes)}" + _override_note(warnings, override_reason),
            before={"date": old.date, "start": old.start_time, "doctor_id": old.doctor_id},
            after={"date": date, "start": start, "minutes": minutes, "doctor_id": doctor_id},
        )
        session.flush()
        return _detail(session, case)


@requires(Permission.CASE_WORK)
def cancel_appointment(
    store: Store,
    appointment_id: int,
    *,
    reason: str,
    end_case: bool = False,
    no_show: bool = False,
) -> CaseDetail:
    """Cancel (free of charge) or record a no-show (無断キャンセル): the slot is freed, the row
    kept. ``end_case`` ends the case as キャンセル; otherwise it goes back to 担当医確認."""
    if not reason.strip() and not no_show:
        raise ValidationError("キャンセルの理由を入力してください。", field="reason")
    with store.transaction() as session:
        appointment = _live_appointment(session, appointment_id)
        case = load_case(session, appointment.case_id)
        if no_show and appointment.checked_in_at is not None:
            raise ValidationError("来院済みの予約は無断キャンセルにできません。")
        appointment.cancelled = True
        appointment.no_show = no_show
        appointment.cancel_reason = reason.strip() or "無断キャンセル"
        before = case.stage
        if end_case:
            enter_stage(case, Stage.CANCELLED)
            case.end_reason = appointment.cancel_reason
        elif case.stage in (Stage.BOOKED, Stage.MATERIALS_RECEIVED, Stage.CHECKED_IN):
            enter_stage(case, Stage.DOCTOR_REVIEW)  # accepted, waiting for a new date
        what = "無断キャンセル" if no_show else "予約をキャンセル"
        audit.record(
            session,
            store.staff,
            AuditAction.APPOINTMENT_CANCEL,
            "appointment",
            str(appointment.id),
            case_id=case.id,
            summary=f"{what}：{_when(appointment.date, appointment.start_time, appointment.minutes)}"
            f"（理由：{appointment.cancel_reason}）"
            + (f"（{before.label} → {case.stage.label}）" if before != case.stage else ""),
            after={"no_show": no_show, "reason": appointment.cancel_reason, "end_case": end_case},
        )
        session.flush()
        return _detail(session, case)


@requires(Permission.CASE_WORK)
def mark_notified(
    store: Store,
    appointment_id: int,
    *,
    on: dt.date,
    channel: Channel,
    doctor_too: bool = False,
) -> CaseDetail:
    """日時連絡済: the patient (and, if wished, the primary doctor) was told the date; the
    call, letter or fax is also noted in 連絡記録."""
    if channel not in NOTIFY_CHANNELS:
        names = "・".join(c.label for c in NOTIFY_CHANNELS)
        raise ValidationError(f"連絡の方法は{names}から選んでください。", field="channel")
    channel = Channel(channel)
    if on > store.clock.today():
        raise ValidationError("未来の日付は記録できません。", field="on")
    with store.transaction() as session:
        appointment = _live_appointment(session, appointment_id)
        appointment.notified_on = on
        appointment.notified_channel = channel
        if doctor_too:
            appointment.doctor_notified_on = on
        case = load_case(session, appointment.case_id)
        case.contacts.append(
            ContactLog(
                kind=NOTIFY_CONTACTS[channel],
                staff=store.staff,
                party=case.mail_to_name,
                summary=f"予約日時（{when_label(appointment.date, appointment.start_time)}）"
                f"を連絡（{channel.label}）" + ("・主治医にも" if doctor_too else ""),
            )
        )
        audit.record(
            session,
            store.staff,
            AuditAction.APPOINTMENT_NOTIFY,
            "appointment",
            str(appointment.id),
            case_id=case.id,
            summary=f"予約日時を連絡（{channel.label}）" + ("・主治医にも" if doctor_too else ""),
            after={"on": on, "channel": channel.value, "doctor_too": doctor_too},
        )
        session.flush()
        return _detail(session, case)


def _check_case_can_book(case: SOCase) -> None:
    if not case.stage.is_open:
        raise ValidationError(f"この案件は「{case.stage.label}」で終了しています。")
    if case.decision != Decision.ACCEPTED:
        raise ValidationError("担当医の判断が「受入」になってから予約してください。")


def _checked(
    session: Session,
    case: SOCase,
    request: Booking,
    settings: ClinicSettings,
    now: dt.datetime,
    override_reason: str,
) -> tuple[str, ...]:
    doctor = session.get(Doctor, request.doctor_id)
    if doctor is None or not doctor.active:
        raise ValidationError("担当医が見つからないか、現在は選べません。", field="doctor")
    closed = closed_dates(session)
    weekly, exceptions = _hours(session, [doctor.id])
    day = request.date
    others = tuple(
        b
        for b in _live(session, [doctor.id], day, day + dt.timedelta(days=1))
        if b.case_id != case.id
    )
    patient_bookings = tuple(
        Booking(a.doctor_id, a.date, a.start_time, a.minutes, a.case_id)
        for a in session.scalars(
            select(Appointment)
            .join(SOCase, SOCase.id == Appointment.case_id)
            .where(
                SOCase.patient_id == case.patient_id,
                Appointment.case_id != case.id,
                Appointment.cancelled.is_(False),
                Appointment.date >= now.date(),
            )
        )
    )
    warnings = check_booking(
        BookingCheck(
            request=request,
            now=now,
            closure_name=closure_label(
                day, closed_dates=closed, annual_closures=settings.annual_closures
            ),
            doctor_hours=hours_on(day, doctor.id, weekly, exceptions),
            others=others,
            patient_bookings=patient_bookings,
            materials_due=materials_due_date(day, settings, closed),
        )
    )
    if warnings and not override_reason.strip():
        raise BookingWarning(warnings)
    return warnings


def _fit_documents(
    session: Session, case: SOCase, day: dt.date, settings: ClinicSettings, today: dt.date
) -> None:
    """Due dates for what is still to come, and the consent or relationship proof the
    patient's age on the appointment day calls for; what has arrived is kept as it is."""
    patient = case.patient
    minor = patient.birth_date is not None and is_minor_on(
        patient.birth_date, day, settings.age_of_majority
    )
    incoming = [d for d in case.documents if d.direction == Direction.IN]
    materials = {d.kind for d in incoming if d.kind in TEST_MATERIALS}
    wanted = {r.kind for r in required_incoming_documents(case.attendance, minor, materials)}
    for kind in (DocumentKind.CONSENT, DocumentKind.RELATIONSHIP_PROOF):
        rows = [d for d in incoming if d.kind == kind]
        if kind in wanted and not rows:
            doc = CaseDocument(kind=kind, direction=Direction.IN, required=True)
            case.documents.append(doc)
            incoming.append(doc)
        for row in rows:
            if kind not in wanted and row.received_on is None and row.waived_on is None:
                row.waived_on = today
                row.waived_reason = "予約日の年齢では不要になりました"
            elif kind in wanted and row.waived_on is not None and row.received_on is None:
                row.waived_on = None
                row.waived_reason = ""
    due = materials_due_date(day, settings, closed_dates(session))
    for doc in incoming:
        still_to_come = doc.required and doc.received_on is None and doc.waived_on is None
        if still_to_come and doc.kind != DocumentKind.APPLICATION:
            doc.due_date = due


def _live_appointment(session: Session, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise ValidationError("予約が見つかりません。")
    if appointment.cancelled:
        raise ValidationError("この予約はすでにキャンセルされています。")
    return appointment


def _doctors(
    session: Session, doctor_ids: tuple[int, ...], department_id: int | None
) -> list[Doctor]:
    # A doctor of a department no longer in use is offered no slots either.
    query = (
        select(Doctor)
        .join(Department, Department.id == Doctor.department_id)
        .where(Doctor.active.is_(True), Department.active.is_(True))
    )
    if doctor_ids:
        query = query.where(Doctor.id.in_(doctor_ids))
    elif department_id is not None:
        query = query.where(Doctor.department_id == department_id)
    found = {d.id: d for d in session.scalars(query.order_by(Doctor.department_id, Doctor.id))}
    if doctor_ids:
        return [found[i] for i in doctor_ids if i in found]
    return list(found.values())


def _hours(
    session: Session, doctor_ids: list[int]
) -> tuple[tuple[WeeklyHours, ...], tuple[HoursException, ...]]:
    weekly = tuple(
        WeeklyHours(a.doctor_id, a.weekday, a.start_time, a.end_time, a.valid_from, a.valid_to)
        for a in session.scalars(
            select(DoctorAvailability).where(DoctorAvailability.doctor_id.in_(doctor_ids))
        )
    )
    exceptions = tuple(
        HoursException(e.doctor_id, e.date, e.kind, e.start_time, e.end_time)
        for e in session.scalars(
            select(DoctorHoursException).where(DoctorHoursException.doctor_id.in_(doctor_ids))
        )
    )
    return weekly, exceptions


def _live(
    session: Session, doctor_ids: list[int], first: dt.date, last: dt.date
) -> tuple[Booking, ...]:
    return tuple(
        Booking(a.doctor_id, a.date, a.start_time, a.minutes, a.case_id)
        for a in session.scalars(
            select(Appointment).where(
                Appointment.doctor_id.in_(doctor_ids),
                Appointment.cancelled.is_(False),
                Appointment.date >= first,
                Appointment.date < last,
            )
        )
    )


def _opener(session: Session, settings: ClinicSettings) -> partial[bool]:
    return partial(
        is_office_open,
        closed_dates=closed_dates(session),
        annual_closures=frozenset(settings.annual_closures),
    )


def _slot_data(slot: Slot, doctor: Doctor, *, in_time: bool) -> SlotData:
    return SlotData(
        doctor_id=doctor.id,
        doctor=doctor.name,
        department=doctor.department.name,
        date=slot.date,
        start=slot.start,
        extendable=slot.extendable,
        materials_in_time=in_time,
    )


def _doctor_name(session: Session, doctor_id: int) -> str:
    doctor = session.get(Doctor, doctor_id)
    return doctor.name if doctor else ""


def _when(date: dt.date, start: dt.time, minutes: int) -> str:
    return f"{date.month}月{date.day}日 {start:%H:%M}（{minutes}分）"


def _override_note(warnings: tuple[str, ...], reason: str) -> str:
    if not warnings:
        return ""
    return f"／確認のうえ予約：{' '.join(warnings)}（理由：{reason.strip()}）"
