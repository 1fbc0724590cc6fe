"""ORM rows to what the forms print (``desktop_app.printing.model``): the one place it is built.

Printing knows nothing of the store; every field a form prints is read from the ORM here,
once, by one function per printing dataclass. ``services.forms`` renders and records with it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.db.models import (
    Appointment,
    Caller,
    CaseDocument,
    Patient,
    Payment,
    ReferringDoctor,
    SOCase,
    StaffUser,
)
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.fees import FeeBreakdown, blocks_for_minutes, tax_included_in
from desktop_app.domain.forms import enclosures, family_only_papers
from desktop_app.domain.office_calendar import materials_due_date
from desktop_app.domain.people import Attendance, Sex, is_minor_on
from desktop_app.domain.settings import ClinicSettings
from desktop_app.printing.model import (
    AppointmentInfo,
    BorrowedItem,
    CallerInfo,
    CaseInfo,
    DayListEntry,
    PatientInfo,
    PaymentInfo,
    ReferrerInfo,
    attendees_text,
)
from desktop_app.services.case_stage import case_clock


def patient_info(p: Patient) -> PatientInfo:
    """The patient as printed; an unknown sex prints as no answer."""
    return PatientInfo(
        name=p.name,
        furigana=p.furigana,
        birth_date=p.birth_date,
        sex=p.sex if p.sex != Sex.UNKNOWN else None,
        postal_code=p.postal_code,
        address=p.address,
        phone=p.phone,
        mobile=p.mobile,
    )


def caller_info(caller: Caller | None) -> CallerInfo:
    """Who phoned; blank when the patient called."""
    if caller is None:
        return CallerInfo()
    return CallerInfo(
        name=caller.name,
        relationship=caller.relationship,
        phone=caller.phone,
        relation=caller.relation,
    )


def referrer_info(ref: ReferringDoctor | None) -> ReferrerInfo:
    """The primary doctor and the institution; blank when none was given."""
    if ref is None:
        return ReferrerInfo()
    return ReferrerInfo(
        institution=ref.institution.name,
        department=ref.department,
        doctor=ref.name,
        postal_code=ref.institution.postal_code,
        address=ref.institution.address,
        tel=ref.institution.tel,
        fax=ref.institution.fax,
    )


def appointment_info(appt: Appointment) -> AppointmentInfo:
    """A booked session as printed (local wall-clock start)."""
    return AppointmentInfo(
        start=dt.datetime.combine(appt.date, appt.start_time),
        minutes=appt.minutes,
        department=appt.doctor.department.name,
        doctor=appt.doctor.name,
    )


def payment_info(payment: Payment, settings: ClinicSettings) -> PaymentInfo:
    """A payment as taken: the amounts stored with it (not today's rates), voided or not."""
    fee = FeeBreakdown(
        minutes=payment.minutes,
        blocks=blocks_for_minutes(payment.minutes, settings.session_minutes),
        base_yen=payment.base_yen,
        extension_yen=payment.extension_yen,
        total_yen=payment.total_yen,
        consumption_tax_yen=tax_included_in(payment.total_yen),
    )
    return PaymentInfo(
        receipt_number=payment.receipt_number,
        paid_on=payment.paid_on,
        fee=fee,
        method=payment.method,
        amount_reason=payment.amount_reason,
        voided=payment.voided,
        void_reason=payment.void_reason,
        voided_on=payment.voided_at.astimezone().date() if payment.voided_at else None,
    )


def receipt_payment(case: SOCase, payment_id: int | None = None) -> Payment | None:
    """The payment a 領収書 prints: the one asked for, else the live one, else the last voided.

    Raises ValidationError when ``payment_id`` is not one of this case's payments.
    """
    if payment_id is not None:
        chosen = next((p for p in case.payments if p.id == payment_id), None)
        if chosen is None:
            raise ValidationError("この案件にその会計の記録はありません。")
        return chosen
    live = [p for p in case.payments if not p.voided]
    if live:
        return live[-1]
    return case.payments[-1] if case.payments else None


def current_appointment(case: SOCase) -> Appointment | None:
    """The case's live booking: the last one not cancelled."""
    live = [a for a in case.appointments if not a.cancelled]
    return live[-1] if live else None


def case_info(
    case: SOCase,
    settings: ClinicSettings,
    closed: frozenset[dt.date],
    payment_id: int | None = None,
) -> CaseInfo:
    """One case as its forms print it; ``closed`` are the office's own closed days.

    ``payment_id`` picks the payment the 領収書 prints (see ``receipt_payment``).
    """
    appt = current_appointment(case)
    payment = receipt_payment(case, payment_id)
    # What is still to bring (the confirmation lists it): neither received nor waived; the
    # application came in earlier.
    outstanding = tuple(d.kind for d in _still_due(case) if d.kind != DocumentKind.APPLICATION)
    application = next(
        (
            d
            for d in case.documents
            if d.kind == DocumentKind.APPLICATION and d.direction == Direction.IN
        ),
        None,
    )
    consent = needs_consent(case)
    # The cover letter lists the pages in the envelope: the packet's forms for this case (the
    # domain's one rule), never what the print history happens to hold.
    enclosed = enclosures(consent)
    day = appt.date if appt else case_clock(case).today()
    birth = case.patient.birth_date
    minor = birth is not None and birth <= day and is_minor_on(birth, day, settings.age_of_majority)
    return CaseInfo(
        case_number=case.case_number,
        patient=patient_info(case.patient),
        caller=caller_info(case.caller),
        referrer=referrer_info(case.referring_doctor),
        attendance=case.attendance,
        consultation=case.consultation,
        category=case.category,
        desired_department=case.desired_department.name if case.desired_department else "",
        appointment=appointment_info(appt) if appt else None,
        materials_due=materials_due_date(appt.date, settings, closed) if appt else None,
        mailout=enclosed,
        required_incoming=outstanding,
        needs_consent=consent,
        send_to_name=case.mail_to_name,
        send_to_postal=case.mail_postal_code,
        send_to_address=case.mail_address,
        payment=payment_info(payment, settings) if payment else None,
        decision_reason=case.decision_reason,
        diagnosis=case.diagnosis,
        primary_doctor_informed=case.primary_doctor_informed,
        assigned_department=_assigned(case, appt)[0],
        assigned_doctor=_assigned(case, appt)[1],
        patient_is_minor=minor,
        actual_minutes=case.actual_minutes,
        report_written_on=case.report_written_on,
        report_delivered_on=case.report_delivered_on,
        borrowed=borrowed_items(case),
        stage=case.stage,
        decision=case.decision,
        application_received_on=application.received_on if application else None,
        desired_dates=case.desired_dates,
    )


def _still_due(case: SOCase) -> list[CaseDocument]:
    """The case's required incoming documents neither received nor waived."""
    return [
        d
        for d in case.documents
        if d.direction == Direction.IN
        and d.required
        and d.received_on is None
        and d.waived_on is None
    ]


def _assigned(case: SOCase, appt: Appointment | None) -> tuple[str, str]:
    """The second-opinion doctor chosen for the case (担当医確認), else the booked one."""
    doctor = case.doctor or (appt.doctor if appt else None)
    if doctor is None:
        return "", ""
    return doctor.department.name, doctor.name


def borrowed_items(case: SOCase) -> tuple[BorrowedItem, ...]:
    """Materials lent by the primary doctor (to go back with the report), as printed."""
    return tuple(
        BorrowedItem(label=d.label or d.kind.label, quantity=d.quantity, returned_on=d.returned_on)
        for d in case.documents
        if d.direction == Direction.IN and d.borrowed and d.received_on is not None
    )


def consent_status(case: SOCase, minor: bool) -> str:
    """The day list's 相談同意書 column: not needed, or which paper (a minor's family brings
    a proof of the relationship instead) marked 要・受領済 or 要・未着."""
    if case.attendance != Attendance.FAMILY_ONLY:
        return "不要"
    kind = family_only_papers(minor)
    doc = next(
        (d for d in case.documents if d.kind == kind and d.direction == Direction.IN),
        None,
    )
    status = "要・受領済" if doc is not None and doc.received_on is not None else "要・未着"
    return status if kind == DocumentKind.CONSENT else f"続柄確認書類\n{status}"


def clerk_name(session: Session, staff: str) -> str:
    """The clerk's name as a form prints it (the staff list's display name); blank, to be
    written by hand, when the desk's login is not on the staff list."""
    user = session.scalar(select(StaffUser).where(StaffUser.login == staff))
    return user.display_name if user is not None and user.active else ""


def needs_consent(case: SOCase) -> bool:
    """True when the case expects the patient's 相談同意書 back (family alone attends); one
    waived (the patient turned out a minor on the day) is not expected."""
    return any(
        d.kind == DocumentKind.CONSENT
        and d.direction == Direction.IN
        and d.required
        and d.waived_on is None
        for d in case.documents
    )


def day_entry(appt: Appointment) -> DayListEntry:
    """One line of the day list for a booked session."""
    case = appt.case
    birth = case.patient.birth_date
    minor = birth is not None and birth <= appt.date and is_minor_on(birth, appt.date)
    return DayListEntry(
        start=dt.datetime.combine(appt.date, appt.start_time),
        case_number=case.case_number,
        name=case.patient.name,
        furigana=case.patient.furigana,
        department=appt.doctor.department.name,
        doctor=appt.doctor.name,
        minutes=appt.minutes,
        status=case.stage.label,
        attendees=attendees_text(
            case.attendance, case.patient.name, caller_info(case.caller), short=True
        ),
        consent=consent_status(case, minor),
        attendance=case.attendance,
        caller=caller_info(case.caller),
    )
