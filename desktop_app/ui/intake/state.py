"""What the wizard's answers add up to (no widgets here).

The draft file, the 確認 page and 登録 all read the same ``IntakeSnapshot`` (values.py): the
pages' values exactly as typed, with choices as the domain's enums, so nothing is lost
between them. These rules take it and say what the case will need and what 登録 sends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_app.domain.documents import DocumentKind, required_incoming_documents
from desktop_app.domain.eligibility import ExclusionReason, reason_by_code, screen
from desktop_app.domain.forms import mailout_documents
from desktop_app.domain.people import (
    Relationship,
    age_on,
    check_relation,
    is_minor_on,
    relation_label,
)
from desktop_app.domain.settings import ClinicSettings
from desktop_app.services.dto import NewCaller, NewCase, NewPatient, NewReferrer
from desktop_app.ui.intake.values import IntakeSnapshot


@dataclass(frozen=True)
class Needs:
    """What the case will need, from who attends and the patient's age today."""

    minor: bool | None  # None: birth date unknown
    age: int | None
    mailout: tuple[DocumentKind, ...]
    incoming: tuple[DocumentKind, ...]


def needs(snapshot: IntakeSnapshot, settings: ClinicSettings, today: dt.date) -> Needs:
    born = snapshot.patient.birth_or_none(today)
    minor = None if born is None else is_minor_on(born, today, settings.age_of_majority)
    who = snapshot.attendance.attendance
    checklist = required_incoming_documents(who, bool(minor), snapshot.attendance.materials)
    incoming = (DocumentKind.APPLICATION, *(r.kind for r in checklist))
    return Needs(
        minor=minor,
        age=None if born is None else age_on(born, today),
        mailout=mailout_documents(who, bool(minor)),
        incoming=incoming,
    )


def screening_hits(
    snapshot: IntakeSnapshot, settings: ClinicSettings
) -> tuple[ExclusionReason, ...]:
    return screen(
        snapshot.caller.relationship, snapshot.content.answers, settings.exclusion_reasons
    )


def confirmed_exclusion(
    snapshot: IntakeSnapshot, settings: ClinicSettings
) -> ExclusionReason | None:
    """The exclusion the clerk confirmed on the 相談内容 page, if it still holds."""
    code = snapshot.content.exclusion_code.strip()
    if not code or code not in {r.code for r in screening_hits(snapshot, settings)}:
        return None
    return reason_by_code(settings.exclusion_reasons, code)


def build_new_case(snapshot: IntakeSnapshot, settings: ClinicSettings, today: dt.date) -> NewCase:
    """The NewCase 登録 sends; ValidationError for anything create_case would refuse too."""
    caller_v, patient_v, doctor_v = snapshot.caller, snapshot.patient, snapshot.doctor
    content_v, mail_v = snapshot.content, snapshot.mail
    rel = caller_v.relationship
    patient = None
    if patient_v.existing_id is None:
        patient = NewPatient(
            name=patient_v.name.strip(),
            furigana=patient_v.furigana.strip(),
            birth_date=patient_v.birth_date(today),
            sex=patient_v.sex,
            postal_code=patient_v.postal.strip(),
            address=patient_v.address.strip(),
            phone=patient_v.phone.strip(),
            mobile=patient_v.mobile.strip(),
            fax=patient_v.fax.strip(),
        )
    caller = None
    if rel != Relationship.SELF:
        caller = NewCaller(
            name=caller_v.name.strip(),
            relationship=rel,
            phone=caller_v.phone.strip(),
            furigana=caller_v.furigana.strip(),
            relation=check_relation(rel, caller_v.relation),
            fax=caller_v.fax.strip(),
        )
    referrer = None
    if doctor_v.institution.strip():
        referrer = NewReferrer(
            institution=doctor_v.institution.strip(),
            department=doctor_v.department.strip(),
            doctor=doctor_v.doctor.strip(),
        )
    exclusion = confirmed_exclusion(snapshot, settings)
    to_other = mail_v.to_other
    relation = relation_label(rel, caller.relation if caller else "")
    who = rel.label if rel == Relationship.SELF else f"{caller_v.name.strip()}（{relation}）"
    return NewCase(
        patient=patient,
        existing_patient_id=patient_v.existing_id,
        caller=caller,
        referrer=referrer,
        attendance=snapshot.attendance.attendance,
        consultation=content_v.text.strip(),
        category=content_v.category,
        diagnosis=doctor_v.diagnosis.strip(),
        primary_doctor_informed=doctor_v.informed,
        desired_department_id=content_v.department_id,
        desired_dates=content_v.dates.strip(),
        screening_answers=dict(content_v.answers),
        materials=snapshot.attendance.materials,
        mail_to_name=mail_v.name.strip() if to_other else "",
        mail_postal_code=mail_v.postal.strip() if to_other else "",
        mail_address=mail_v.address.strip() if to_other else "",
        mail_channel=mail_v.channel,
        exclusion_code=exclusion.code if exclusion else "",
        call_summary=f"電話受付：{who}からの問い合わせ"
        + (f"（対象外：{exclusion.label}）" if exclusion else ""),
        today=today,
    )
