"""Printed forms: gather a case and the settings, build the PDF, record what was printed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_app import printing
from desktop_app.db.models import Appointment, CaseDocument, ContactLog, Doctor, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Channel, ContactKind, Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.fees import consultation_fee
from desktop_app.domain.forms import FormKind, enclosures, packet_forms
from desktop_app.domain.office_calendar import materials_due_date
from desktop_app.domain.people import Sex
from desktop_app.domain.settings import ClinicSettings
from desktop_app.printing import (
    AppointmentInfo,
    CallerInfo,
    CaseInfo,
    DayListEntry,
    PatientInfo,
    PaymentInfo,
    ReferrerInfo,
)
from desktop_app.services import audit
from desktop_app.services.cases import closed_dates, load_case
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store


@dataclass(frozen=True)
class RenderedForm:
    kind: FormKind
    pdf: bytes
    title: str
    file_name: str
    case_id: int | None = None
    case_number: str = ""


def render_form(
    store: Store,
    kind: FormKind,
    case_id: int | None = None,
    *,
    today: dt.date | None = None,
    day: dt.date | None = None,
) -> RenderedForm:
    """Build a form as PDF bytes: for a case, blank (no case), or the day list for ``day``."""
    today = today or dt.date.today()
    kind = FormKind(kind)
    with store.read() as session:
        settings = load_settings(session)
        case_info = None
        number = ""
        entries: tuple[DayListEntry, ...] = ()
        if kind == FormKind.DAYLIST:
            entries = _day_entries(session, day or today)
        elif case_id is not None:
            case = load_case(session, case_id)
            number = case.case_number
            case_info = _case_info(case, settings, closed_dates(session))
            if kind == FormKind.RECEIPT and case_info.payment is None:
                raise ValidationError("この案件にはまだお支払いの記録がありません。")
    pdf = printing.build_form(kind, settings, case_info, today=today, day_entries=entries, day=day)
    stem = kind.value if not number else f"{number}_{kind.value}"
    if kind == FormKind.DAYLIST:
        stem = f"daylist_{(day or today).isoformat()}"
    title = kind.label + (f"（{number}）" if number else "")
    return RenderedForm(kind, pdf, title, f"{stem}.pdf", case_id, number)


def record_printed(
    store: Store,
    kind: FormKind,
    case_id: int,
    *,
    how: str = "印刷",
    channel: Channel | None = None,
    today: dt.date | None = None,
) -> None:
    """Note on the case that its form was printed or saved: documents sent, and the audit."""
    today = today or dt.date.today()
    kind = FormKind(kind)
    with store.transaction() as session:
        case = load_case(session, case_id)
        kinds = (
            packet_forms(_case_info(case, load_settings(session), frozenset()).needs_consent)
            if kind == FormKind.PACKET
            else (kind,)
        )
        channel = channel or case.mail_channel
        for form in kinds:
            doc_kind = form.document
            if doc_kind is None:
                continue
            doc = next(
                (d for d in case.documents if d.kind == doc_kind and d.direction == Direction.OUT),
                None,
            )
            if doc is None:
                doc = CaseDocument(case_id=case.id, kind=doc_kind, direction=Direction.OUT)
                session.add(doc)
            doc.sent_on = today
            doc.channel = channel
        audit.record(
            session,
            store.staff,
            AuditAction.FORM_PRINT,
            "case",
            case.case_number,
            case_id=case.id,
            summary=f"{kind.label}を{how}",
            after={"form": kind.value, "how": how, "channel": channel.value},
        )
        if kind == FormKind.PACKET:
            session.add(
                ContactLog(
                    case_id=case.id,
                    kind=ContactKind.FAX_OUT if channel == Channel.FAX else ContactKind.LETTER_OUT,
                    staff=store.staff,
                    party=case.mail_to_name,
                    summary=f"{kind.label}を{how}（{channel.label}）",
                )
            )


def _case_info(case: SOCase, settings: ClinicSettings, closed: frozenset[dt.date]) -> CaseInfo:
    p = case.patient
    ref = case.referring_doctor
    live = [a for a in case.appointments if not a.cancelled]
    appt = live[-1] if live else None
    payment = case.payments[-1] if case.payments else None
    required_in = [d for d in case.documents if d.direction == Direction.IN and d.required]
    # What is still to bring (the confirmation lists it); the application came in earlier.
    outstanding = tuple(
        d.kind for d in required_in if d.received_on is None and d.kind != DocumentKind.APPLICATION
    )
    recorded_out = {d.kind for d in case.documents if d.direction == Direction.OUT}
    # The cover letter lists what it encloses, in mailing order, not itself.
    enclosed = tuple(k for k in enclosures(True) if k in recorded_out)
    caller = case.caller
    return CaseInfo(
        case_number=case.case_number,
        patient=PatientInfo(
            name=p.name,
            furigana=p.furigana,
            birth_date=p.birth_date,
            sex=p.sex if p.sex != Sex.UNKNOWN else None,
            postal_code=p.postal_code,
            address=p.address,
            phone=p.phone,
            mobile=p.mobile,
        ),
        caller=(
            CallerInfo(name=caller.name, relationship=caller.relationship, phone=caller.phone)
            if caller
            else CallerInfo()
        ),
        referrer=(
            ReferrerInfo(
                institution=ref.institution.name,
                department=ref.department,
                doctor=ref.name,
                postal_code=ref.institution.postal_code,
                address=ref.institution.address,
                tel=ref.institution.tel,
                fax=ref.institution.fax,
            )
            if ref
            else ReferrerInfo()
        ),
        attendance=case.attendance,
        consultation=case.consultation,
        category=case.category,
        desired_department=case.desired_department.name if case.desired_department else "",
        appointment=(
            AppointmentInfo(
                start=dt.datetime.combine(appt.date, appt.start_time),
                minutes=appt.minutes,
                department=appt.doctor.department.name,
                doctor=appt.doctor.name,
            )
            if appt
            else None
        ),
        materials_due=materials_due_date(appt.date, settings, closed) if appt else None,
        mailout=enclosed,
        required_incoming=outstanding,
        needs_consent=any(d.kind == DocumentKind.CONSENT for d in required_in),
        send_to_name=case.mail_to_name,
        send_to_postal=case.mail_postal_code,
        send_to_address=case.mail_address,
        payment=(
            PaymentInfo(
                receipt_number=payment.receipt_number,
                paid_on=payment.paid_on,
                fee=consultation_fee(payment.minutes, settings),
            )
            if payment
            else None
        ),
    )


def _day_entries(session: Session, day: dt.date) -> tuple[DayListEntry, ...]:
    appointments = session.scalars(
        select(Appointment)
        .where(Appointment.date == day, Appointment.cancelled.is_(False))
        .order_by(Appointment.start_time, Appointment.id)
        .options(
            selectinload(Appointment.case).selectinload(SOCase.patient),
            selectinload(Appointment.doctor).selectinload(Doctor.department),
        )
    )
    return tuple(
        DayListEntry(
            start=dt.datetime.combine(a.date, a.start_time),
            case_number=a.case.case_number,
            name=a.case.patient.name,
            furigana=a.case.patient.furigana,
            department=a.doctor.department.name,
            doctor=a.doctor.name,
            minutes=a.minutes,
            status=a.case.stage.label,
        )
        for a in appointments
    )
