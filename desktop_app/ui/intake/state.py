"""The wizard's answers as plain values, and what they add up to (no widgets here).

The draft file, the 確認 page and 登録 all read the same snapshot: a dict of pages, each a
dict of JSON-able field values exactly as typed, so nothing is lost between them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop_app.domain.documents import (
    Channel,
    DocumentKind,
    required_incoming_documents,
)
from desktop_app.domain.eligibility import ExclusionReason, reason_by_code, screen
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import mailout_documents
from desktop_app.domain.people import (
    Attendance,
    ConsultationCategory,
    Relationship,
    Sex,
    age_on,
    is_minor_on,
)
from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.wareki import parse_date
from desktop_app.services.dto import NewCaller, NewCase, NewPatient, NewReferrer

Snapshot = dict[str, dict[str, Any]]

PAGE_KEYS = ("caller", "patient", "doctor", "content", "attendance", "mail", "confirm")
MAIL_TO_PATIENT = "patient"
MAIL_TO_OTHER = "other"
INFORMED_YES, INFORMED_NO, INFORMED_UNKNOWN = "yes", "no", "unknown"


def page(snapshot: Snapshot, key: str) -> dict[str, Any]:
    return snapshot.get(key) or {}


def text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_birth(raw: str, today: dt.date) -> dt.date | None:
    """The birth date typed (西暦 or 和暦), None when empty; ValidationError when impossible."""
    if not raw.strip():
        return None
    try:
        born = parse_date(raw)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="birth_date") from None
    if born > today:
        raise ValidationError("生年月日が未来の日付です。", field="birth_date")
    return born


def birth_or_none(snapshot: Snapshot, today: dt.date) -> dt.date | None:
    try:
        return parse_birth(text(page(snapshot, "patient"), "birth"), today)
    except ValidationError:
        return None


def relationship(snapshot: Snapshot) -> Relationship:
    return Relationship(page(snapshot, "caller").get("relationship") or Relationship.SELF)


def attendance(snapshot: Snapshot) -> Attendance:
    return Attendance(page(snapshot, "attendance").get("attendance") or Attendance.PATIENT)


def channel(snapshot: Snapshot) -> Channel:
    return Channel(page(snapshot, "mail").get("channel") or Channel.MAIL)


def materials(snapshot: Snapshot) -> tuple[DocumentKind, ...]:
    return tuple(DocumentKind(k) for k in page(snapshot, "attendance").get("materials") or ())


@dataclass(frozen=True)
class Needs:
    """What the case will need, from who attends and the patient's age today."""

    minor: bool | None  # None: birth date unknown
    age: int | None
    mailout: tuple[DocumentKind, ...]
    incoming: tuple[DocumentKind, ...]


def needs(snapshot: Snapshot, settings: ClinicSettings, today: dt.date) -> Needs:
    born = birth_or_none(snapshot, today)
    minor = None if born is None else is_minor_on(born, today, settings.age_of_majority)
    who = attendance(snapshot)
    checklist = required_incoming_documents(who, bool(minor), materials(snapshot))
    incoming = (DocumentKind.APPLICATION, *(r.kind for r in checklist))
    return Needs(
        minor=minor,
        age=None if born is None else age_on(born, today),
        mailout=mailout_documents(who, bool(minor)),
        incoming=incoming,
    )


def screening_hits(snapshot: Snapshot, settings: ClinicSettings) -> tuple[ExclusionReason, ...]:
    answers = page(snapshot, "content").get("answers") or {}
    return screen(relationship(snapshot), answers, settings.exclusion_reasons)


def confirmed_exclusion(snapshot: Snapshot, settings: ClinicSettings) -> ExclusionReason | None:
    """The exclusion the clerk confirmed on the 相談内容 page, if it still holds."""
    code = text(page(snapshot, "content"), "exclusion_code")
    if not code or code not in {r.code for r in screening_hits(snapshot, settings)}:
        return None
    return reason_by_code(settings.exclusion_reasons, code)


def build_new_case(snapshot: Snapshot, settings: ClinicSettings, today: dt.date) -> NewCase:
    """The NewCase 登録 sends; ValidationError for anything create_case would refuse too."""
    caller_v, patient_v = page(snapshot, "caller"), page(snapshot, "patient")
    doctor_v, content_v = page(snapshot, "doctor"), page(snapshot, "content")
    mail_v = page(snapshot, "mail")
    rel = relationship(snapshot)
    existing = patient_v.get("existing_id")
    patient = None
    if existing is None:
        patient = NewPatient(
            name=text(patient_v, "name"),
            furigana=text(patient_v, "furigana"),
            birth_date=parse_birth(text(patient_v, "birth"), today),
            sex=Sex(patient_v.get("sex") or Sex.UNKNOWN),
            postal_code=text(patient_v, "postal"),
            address=text(patient_v, "address"),
            phone=text(patient_v, "phone"),
            mobile=text(patient_v, "mobile"),
        )
    caller = None
    if rel != Relationship.SELF:
        caller = NewCaller(
            name=text(caller_v, "name"),
            relationship=rel,
            phone=text(caller_v, "phone"),
            furigana=text(caller_v, "furigana"),
        )
    referrer = None
    if text(doctor_v, "institution"):
        referrer = NewReferrer(
            institution=text(doctor_v, "institution"),
            department=text(doctor_v, "department"),
            doctor=text(doctor_v, "doctor"),
        )
    informed = {INFORMED_YES: True, INFORMED_NO: False}.get(doctor_v.get("informed") or "")
    exclusion = confirmed_exclusion(snapshot, settings)
    to_other = mail_v.get("target") == MAIL_TO_OTHER
    answers = {str(k): bool(v) for k, v in (content_v.get("answers") or {}).items()}
    who = rel.label if rel == Relationship.SELF else f"{text(caller_v, 'name')}（{rel.label}）"
    return NewCase(
        patient=patient,
        existing_patient_id=int(existing) if existing is not None else None,
        caller=caller,
        referrer=referrer,
        attendance=attendance(snapshot),
        consultation=text(content_v, "text"),
        category=ConsultationCategory(content_v.get("category") or ConsultationCategory.OTHER),
        diagnosis=text(doctor_v, "diagnosis"),
        primary_doctor_informed=informed,
        desired_department_id=content_v.get("department_id"),
        desired_dates=text(content_v, "dates"),
        screening_answers=answers,
        materials=materials(snapshot),
        mail_to_name=text(mail_v, "name") if to_other else "",
        mail_postal_code=text(mail_v, "postal") if to_other else "",
        mail_address=text(mail_v, "address") if to_other else "",
        mail_channel=channel(snapshot),
        exclusion_code=exclusion.code if exclusion else "",
        call_summary=f"電話受付：{who}からの問い合わせ"
        + (f"（対象外：{exclusion.label}）" if exclusion else ""),
        today=today,
    )


def is_blank(snapshot: Snapshot) -> bool:
    """True when nothing worth keeping has been typed (defaults do not count)."""
    return not any(
        isinstance(value, str) and value.strip() and name in _TYPED_FIELDS
        for values in snapshot.values()
        for name, value in values.items()
    )


_TYPED_FIELDS = frozenset(
    {
        "name",
        "furigana",
        "phone",
        "birth",
        "postal",
        "address",
        "mobile",
        "institution",
        "department",
        "doctor",
        "diagnosis",
        "text",
        "dates",
    }
)
