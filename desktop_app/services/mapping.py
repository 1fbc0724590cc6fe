"""ORM rows to the dataclasses services return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from desktop_app.db.models import Appointment, AuditEntry, Patient, SOCase
from desktop_app.services.case_rows import CaseRow
from desktop_app.services.dto import (
    AppointmentData,
    AuditData,
    CallerData,
    CaseDetail,
    ContactData,
    DocumentData,
    PatientData,
    PaymentData,
    ReferrerData,
)


def case_row(case: SOCase, appointment: Appointment | None) -> CaseRow:
    ref = case.referring_doctor
    doctor = case.doctor
    return CaseRow(
        id=case.id,
        case_number=case.case_number,
        patient_name=case.patient.name,
        furigana=case.patient.furigana,
        stage=case.stage,
        appointment=(
            dt.datetime.combine(appointment.date, appointment.start_time) if appointment else None
        ),
        referrer=ref.institution.name if ref else "",
        department=doctor.department.name if doctor else "",
        doctor=doctor.name if doctor else "",
        updated_at=case.updated_at,
    )


def patient_data(p: Patient) -> PatientData:
    return PatientData(
        id=p.id,
        name=p.name,
        furigana=p.furigana,
        birth_date=p.birth_date,
        sex=p.sex,
        postal_code=p.postal_code,
        address=p.address,
        phone=p.phone,
        mobile=p.mobile,
        fax=p.fax,
    )


def case_detail(
    case: SOCase, history: Sequence[AuditEntry], names: Mapping[str, str] | None = None
) -> CaseDetail:
    """The case as the screens show it; ``names``: staff display names by login ID."""
    names = names or {}
    ref = case.referring_doctor
    caller = case.caller
    return CaseDetail(
        id=case.id,
        case_number=case.case_number,
        stage=case.stage,
        patient=patient_data(case.patient),
        caller=(
            CallerData(
                name=caller.name,
                furigana=caller.furigana,
                relationship=caller.relationship,
                phone=caller.phone,
                relation=caller.relation,
                fax=caller.fax,
            )
            if caller
            else None
        ),
        referrer=(
            ReferrerData(
                institution_id=ref.institution.id,
                institution=ref.institution.name,
                department=ref.department,
                doctor=ref.name,
                postal_code=ref.institution.postal_code,
                address=ref.institution.address,
                tel=ref.institution.tel,
                fax=ref.institution.fax,
            )
            if ref
            else None
        ),
        attendance=case.attendance,
        consultation=case.consultation,
        category=case.category,
        diagnosis=case.diagnosis,
        primary_doctor_informed=case.primary_doctor_informed,
        desired_department=case.desired_department.name if case.desired_department else "",
        desired_dates=case.desired_dates,
        screening_answers=dict(case.screening_answers or {}),
        decision=case.decision,
        decision_reason=case.decision_reason,
        department=case.doctor.department.name if case.doctor else "",
        doctor=case.doctor.name if case.doctor else "",
        exclusion_code=case.exclusion_code,
        end_reason=case.end_reason,
        mail_to_name=case.mail_to_name,
        mail_postal_code=case.mail_postal_code,
        mail_address=case.mail_address,
        mail_channel=case.mail_channel,
        actual_minutes=case.actual_minutes,
        report_delivered_on=case.report_delivered_on,
        received_on=case.received_on,
        ended_on=case.ended_on,
        created_at=case.created_at,
        updated_at=case.updated_at,
        version=case.version,
        documents=tuple(
            DocumentData(
                id=d.id,
                kind=d.kind,
                direction=d.direction,
                required=d.required,
                borrowed=d.borrowed,
                due_date=d.due_date,
                sent_on=d.sent_on,
                received_on=d.received_on,
                returned_on=d.returned_on,
                channel=d.channel,
                note=d.note,
                waived_on=d.waived_on,
                waived_reason=d.waived_reason,
                label=d.label,
                quantity=d.quantity,
                source=d.source,
                returned_to=d.returned_to,
                return_channel=d.return_channel,
            )
            for d in case.documents
        ),
        appointments=tuple(
            AppointmentData(
                id=a.id,
                date=a.date,
                start_time=a.start_time,
                minutes=a.minutes,
                doctor_id=a.doctor_id,
                doctor=a.doctor.name,
                department=a.doctor.department.name,
                cancelled=a.cancelled,
                no_show=a.no_show,
                cancel_reason=a.cancel_reason,
                notified_on=a.notified_on,
                checked_in=a.checked_in_at is not None,
            )
            for a in case.appointments
        ),
        contacts=tuple(
            ContactData(
                at=c.at,
                kind=c.kind,
                staff=names.get(c.staff, c.staff),
                party=c.party,
                summary=c.summary,
            )
            for c in case.contacts
        ),
        payments=tuple(
            PaymentData(
                receipt_number=pay.receipt_number,
                paid_on=pay.paid_on,
                minutes=pay.minutes,
                base_yen=pay.base_yen,
                extension_yen=pay.extension_yen,
                total_yen=pay.total_yen,
                id=pay.id,
                method=pay.method,
                amount_reason=pay.amount_reason,
                voided=pay.voided,
                void_reason=pay.void_reason,
            )
            for pay in case.payments
        ),
        history=tuple(
            AuditData(
                at=h.at,
                staff=names.get(h.staff, h.staff),
                action=h.action,
                summary=h.summary,
                before=h.before,
                after=h.after,
            )
            for h in history
        ),
        report_written_on=case.report_written_on,
        report_channel=case.report_channel,
    )
