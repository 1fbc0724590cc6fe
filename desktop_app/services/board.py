"""The 書類ボード: one card per open case, with what is missing and what must be done today.

Closed cases are never loaded: the cases are chosen by ``stage IN (open stages)`` (the index
ix_cases_stage_id answers it), and their documents, appointments and contacts are then read
with one IN query each, whatever the number of cards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from desktop_app.db.models import (
    Appointment,
    CaseDocument,
    ContactLog,
    Doctor,
    Patient,
    ReferringDoctor,
    ReferringInstitution,
    SOCase,
)
from desktop_app.domain.attention import (
    Attention,
    AttentionFacts,
    DueLevel,
    attention,
    badge_label,
    due_level,
    materials_due,
    on_closed_day,
)
from desktop_app.domain.documents import Direction
from desktop_app.domain.japanese import search_key
from desktop_app.domain.office_calendar import closure_label
from desktop_app.domain.roles import Permission
from desktop_app.domain.stages import OPEN_STAGES, Stage
from desktop_app.services.access import requires
from desktop_app.services.cases import closed_dates
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store

# Well under SQLite's limit on bound parameters, however many open cases there are.
_CHUNK = 900


@dataclass(frozen=True)
class BoardCard:
    """One open case as the board shows it."""

    id: int
    version: int
    case_number: str
    patient_name: str
    stage: Stage
    appointment: dt.datetime | None  # clinic wall clock
    doctor: str  # the appointment's doctor, else the case's
    department_id: int | None
    doctor_id: int | None
    missing_documents: tuple[str, ...]  # short badge labels, checklist order
    materials_due: dt.date | None
    due_level: DueLevel
    days_since_contact: int | None
    borrowed_out: int
    reasons: tuple[Attention, ...]
    referrer: str
    # The live booking is on a day the office is now closed (a 休診日 added after booking).
    on_closed_day: bool = False

    @property
    def needs_action(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class BoardData:
    """The cards of every open case matching the filters, and the day they were judged for."""

    cards: tuple[BoardCard, ...]
    today: dt.date


@dataclass(frozen=True)
class _Filters:
    text: str = ""
    department_id: int | None = None
    doctor_id: int | None = None


@requires(Permission.READ_CASES)
def board_cards(
    store: Store,
    *,
    text: str = "",
    department_id: int | None = None,
    doctor_id: int | None = None,
    today: dt.date | None = None,
) -> BoardData:
    """Every open case matching the filters (text: any kana spelling, case number, 紹介元)."""
    today = today or store.clock.today()
    filters = _Filters(text, department_id, doctor_id)
    with store.read() as session:
        return BoardData(_cards(session, filters, today, None), today)


@requires(Permission.READ_CASES)
def board_cards_for(
    store: Store,
    case_ids: Sequence[int],
    today: dt.date | None = None,
    *,
    text: str = "",
    department_id: int | None = None,
    doctor_id: int | None = None,
) -> BoardData:
    """The cards of these cases only (after they changed); a closed or unmatched case has none."""
    today = today or store.clock.today()
    filters = _Filters(text, department_id, doctor_id)
    with store.read() as session:
        return BoardData(_cards(session, filters, today, tuple(case_ids)), today)


def _cards(
    session: Session, filters: _Filters, today: dt.date, case_ids: tuple[int, ...] | None
) -> tuple[BoardCard, ...]:
    if case_ids is not None and not case_ids:
        return ()
    settings = load_settings(session)
    closed = closed_dates(session)
    rows = _case_rows(session, filters, case_ids)
    ids = [r.id for r in rows]
    appointments = _appointments(session, ids)
    documents = _documents(session, ids)
    contacts = _last_contacts(session, ids)
    forms_sent = _forms_sent(session, ids)
    cards = []
    for row in rows:
        appt = appointments.get(row.id)
        doctor_id = appt.doctor_id if appt else row.doctor_id
        department_id = appt.department_id if appt else row.department_id
        if filters.doctor_id is not None and doctor_id != filters.doctor_id:
            continue
        if filters.department_id is not None and department_id != filters.department_id:
            continue
        missing, borrowed_out = documents.get(row.id, ((), 0))
        facts = AttentionFacts(
            stage=row.stage,
            today=today,
            missing_documents=missing,
            appointment_date=appt.date if appt else None,
            notified_on=appt.notified_on if appt else None,
            forms_sent_on=forms_sent.get(row.id),
            stage_since=_local_date(row.stage_since),
            decision=row.decision,
            report_delivered_on=row.report_delivered_on,
            borrowed_out=borrowed_out,
            appointment_closure=(
                closure_label(
                    appt.date, closed_dates=closed, annual_closures=settings.annual_closures
                )
                if appt and appt.date >= today
                else ""
            ),
        )
        last_contact = _local_date(contacts.get(row.id))
        cards.append(
            BoardCard(
                id=row.id,
                version=row.version,
                case_number=row.case_number,
                patient_name=row.patient_name,
                stage=row.stage,
                appointment=dt.datetime.combine(appt.date, appt.start_time) if appt else None,
                doctor=(appt.doctor if appt else row.doctor) or "",
                department_id=department_id,
                doctor_id=doctor_id,
                missing_documents=missing,
                materials_due=materials_due(facts, settings, closed) if missing else None,
                due_level=due_level(facts, settings, closed),
                days_since_contact=None if last_contact is None else (today - last_contact).days,
                borrowed_out=borrowed_out,
                reasons=attention(facts, settings, closed),
                referrer=row.referrer or "",
                on_closed_day=on_closed_day(facts),
            )
        )
    return tuple(cards)


def _case_rows(session: Session, filters: _Filters, case_ids: tuple[int, ...] | None) -> list[Any]:
    query = (
        select(
            SOCase.id,
            SOCase.version,
            SOCase.case_number,
            SOCase.stage,
            SOCase.stage_since,
            SOCase.decision,
            SOCase.report_delivered_on,
            SOCase.doctor_id,
            func.coalesce(Doctor.department_id, SOCase.desired_department_id).label(
                "department_id"
            ),
            Doctor.name.label("doctor"),
            Patient.name.label("patient_name"),
            ReferringInstitution.name.label("referrer"),
        )
        .join(Patient, Patient.id == SOCase.patient_id)
        .outerjoin(Doctor, Doctor.id == SOCase.doctor_id)
        .outerjoin(ReferringDoctor, ReferringDoctor.id == SOCase.referring_doctor_id)
        .outerjoin(ReferringInstitution, ReferringInstitution.id == ReferringDoctor.institution_id)
        .where(SOCase.stage.in_(OPEN_STAGES))
        .order_by(SOCase.id)
    )
    key = search_key(filters.text)
    if key:
        query = query.where(
            or_(
                SOCase.search_text.contains(key, autoescape=True),
                ReferringInstitution.search_key.contains(key, autoescape=True),
            )
        )
    if case_ids is None:
        return list(session.execute(query))
    found: list[Any] = []
    for chunk in _chunks(case_ids):
        found.extend(session.execute(query.where(SOCase.id.in_(chunk))))
    return sorted(found, key=lambda r: r.id)


@dataclass(frozen=True)
class _Appt:
    date: dt.date
    start_time: dt.time
    notified_on: dt.date | None
    doctor_id: int
    department_id: int
    doctor: str


def _appointments(session: Session, ids: list[int]) -> dict[int, _Appt]:
    found: dict[int, _Appt] = {}
    for chunk in _chunks(ids):
        query = (
            select(
                Appointment.case_id,
                Appointment.date,
                Appointment.start_time,
                Appointment.notified_on,
                Appointment.doctor_id,
                Doctor.department_id,
                Doctor.name,
            )
            .join(Doctor, Doctor.id == Appointment.doctor_id)
            .where(Appointment.case_id.in_(chunk), Appointment.cancelled.is_(False))
            .order_by(Appointment.id)
        )
        for case_id, day, start, notified_on, doctor_id, department_id, name in session.execute(
            query
        ):
            # Ordered by id: the newest live booking wins.
            found[case_id] = _Appt(day, start, notified_on, doctor_id, department_id, name)
    return found


def _documents(session: Session, ids: list[int]) -> dict[int, tuple[tuple[str, ...], int]]:
    """Per case: badges of required incoming documents still missing, borrowed items out."""
    missing: dict[int, list[str]] = {}
    out: dict[int, int] = {}
    for chunk in _chunks(ids):
        query = (
            select(
                CaseDocument.case_id,
                CaseDocument.kind,
                CaseDocument.label,
                CaseDocument.quantity,
                CaseDocument.received_on,
            )
            .where(
                CaseDocument.case_id.in_(chunk),
                or_(
                    and_(
                        CaseDocument.direction == Direction.IN,
                        CaseDocument.required.is_(True),
                        CaseDocument.received_on.is_(None),
                        CaseDocument.waived_on.is_(None),
                    ),
                    and_(
                        CaseDocument.borrowed.is_(True),
                        CaseDocument.received_on.is_not(None),
                        CaseDocument.returned_on.is_(None),
                    ),
                ),
            )
            .order_by(CaseDocument.id)
        )
        for case_id, kind, label, quantity, received_on in session.execute(query):
            if received_on is None:
                missing.setdefault(case_id, []).append(badge_label(kind, label))
            else:
                out[case_id] = out.get(case_id, 0) + max(1, quantity or 1)
    return {i: (tuple(missing.get(i, ())), out.get(i, 0)) for i in {*missing, *out}}


def _last_contacts(session: Session, ids: list[int]) -> dict[int, dt.datetime]:
    found: dict[int, dt.datetime] = {}
    for chunk in _chunks(ids):
        query = (
            select(ContactLog.case_id, func.max(ContactLog.at))
            .where(ContactLog.case_id.in_(chunk))
            .group_by(ContactLog.case_id)
        )
        for case_id, at in session.execute(query):
            if case_id is not None and at is not None:
                found[case_id] = _aware(at)
    return found


def _forms_sent(session: Session, ids: list[int]) -> dict[int, dt.date]:
    """The day the mail-out packet went (its first document sent)."""
    found: dict[int, dt.date] = {}
    for chunk in _chunks(ids):
        query = (
            select(CaseDocument.case_id, func.min(CaseDocument.sent_on))
            .where(
                CaseDocument.case_id.in_(chunk),
                CaseDocument.direction == Direction.OUT,
                CaseDocument.sent_on.is_not(None),
            )
            .group_by(CaseDocument.case_id)
        )
        for case_id, sent_on in session.execute(query):
            if sent_on is not None:
                found[case_id] = sent_on
    return found


def _aware(at: dt.datetime) -> dt.datetime:
    # MAX() comes back as a plain value, not through the column's UTC type.
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _local_date(at: dt.datetime | None) -> dt.date | None:
    """The desk's local date of a UTC time."""
    return None if at is None else _aware(at).astimezone().date()


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
