"""What the intake wizard asks of the store before 登録: known patients, referrers, enquiries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select

from desktop_app.db.models import ContactLog, Patient, ReferringDoctor, ReferringInstitution, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.contact import validate_phone
from desktop_app.domain.documents import ContactKind
from desktop_app.domain.eligibility import THIRD_PARTY, reason_by_code
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.japanese import normalize_name, search_key
from desktop_app.domain.people import Relationship
from desktop_app.domain.roles import Permission
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.dto import PatientData
from desktop_app.services.mapping import patient_data
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store

MATCH_NAME_BIRTH = "フリガナと生年月日が同じ"
MATCH_PHONE = "電話番号が同じ"


@dataclass(frozen=True)
class PatientMatch:
    """A registered patient the new intake may be, and why we think so."""

    patient: PatientData
    reason: str
    case_count: int
    last_case_number: str


@dataclass(frozen=True)
class ReferrerEntry:
    """One doctor of the referrer master, for autocomplete."""

    institution: str
    department: str
    doctor: str


@dataclass(frozen=True)
class EnquiryData:
    """A call logged without a case (e.g. someone who is neither the patient nor family)."""

    at: dt.datetime
    party: str
    summary: str


@requires(Permission.READ_CASES)
def find_existing_patients(
    store: Store,
    furigana: str,
    birth_date: dt.date | None,
    phones: Sequence[str] = (),
    limit: int = 5,
) -> tuple[PatientMatch, ...]:
    """Patients with the same フリガナ and birth date, or the same phone or mobile number."""
    key = search_key(furigana)
    numbers = {n for n in (_digits(p) for p in phones) if n}
    conditions: list[ColumnElement[bool]] = []
    if key and birth_date is not None:
        conditions.append((Patient.furigana_key == key) & (Patient.birth_date == birth_date))
    if numbers:
        conditions.append(or_(Patient.phone.in_(numbers), Patient.mobile.in_(numbers)))
    if not conditions:
        return ()
    with store.read() as session:
        patients = session.scalars(
            select(Patient).where(or_(*conditions)).order_by(Patient.id.desc()).limit(limit)
        ).all()
        matches = []
        for p in patients:
            cases = session.scalars(
                select(SOCase.case_number).where(SOCase.patient_id == p.id).order_by(SOCase.id)
            ).all()
            same_person = key and p.furigana_key == key and p.birth_date == birth_date
            matches.append(
                PatientMatch(
                    patient=patient_data(p),
                    reason=MATCH_NAME_BIRTH if same_person else MATCH_PHONE,
                    case_count=len(cases),
                    last_case_number=cases[-1] if cases else "",
                )
            )
    return tuple(matches)


def _digits(phone: str) -> str:
    try:
        return validate_phone(phone)
    except ValidationError:
        return ""  # a half-typed number simply matches nothing


def list_referrers(store: Store, limit: int = 5000) -> tuple[ReferrerEntry, ...]:
    """The referrer master (institution, department, doctor), most used institutions first."""
    with store.read() as session:
        used = (
            select(ReferringDoctor.institution_id, func.count(SOCase.id).label("n"))
            .join(SOCase, SOCase.referring_doctor_id == ReferringDoctor.id, isouter=True)
            .group_by(ReferringDoctor.institution_id)
            .subquery()
        )
        rows = session.execute(
            select(ReferringInstitution.name, ReferringDoctor.department, ReferringDoctor.name)
            .join(ReferringDoctor, ReferringDoctor.institution_id == ReferringInstitution.id)
            .join(used, used.c.institution_id == ReferringInstitution.id)
            .order_by(used.c.n.desc(), ReferringInstitution.name, ReferringDoctor.name)
            .limit(limit)
        ).all()
    return tuple(ReferrerEntry(institution=i, department=d, doctor=n) for i, d, n in rows)


@requires(Permission.CASE_WORK)
def log_enquiry(
    store: Store,
    caller_name: str,
    relationship: Relationship,
    phone: str = "",
    summary: str = "",
    exclusion_code: str = THIRD_PARTY,
) -> EnquiryData:
    """Log a call that does not become a case (no patient, no case), with its audit entry."""
    name = normalize_name(caller_name)
    if not name:
        raise ValidationError("相談者の氏名を入力してください。", field="caller_name")
    digits = validate_phone(phone, "caller_phone")
    with store.transaction() as session:
        reasons = load_settings(session).exclusion_reasons
        reason = reason_by_code(reasons, exclusion_code) if exclusion_code else None
        label = reason.label if reason else "問い合わせ"
        party = f"{name}（{relationship.label}）" + (f" TEL {digits}" if digits else "")
        text = summary.strip() or f"問い合わせのみ・案件なし：{label}"
        log_row = ContactLog(
            case_id=None,
            kind=ContactKind.CALL_IN,
            staff=store.staff,
            party=party,
            summary=text,
        )
        session.add(log_row)
        session.flush()
        audit.record(
            session,
            store.staff,
            AuditAction.ENQUIRY_LOG,
            "contact",
            log_row.id,
            summary=f"問い合わせを記録（案件なし）：{label}",
            after={"party": party, "relationship": relationship.value, "reason": exclusion_code},
        )
        return EnquiryData(at=log_row.at, party=party, summary=text)
