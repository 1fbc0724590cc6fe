"""Correcting a case after intake: the fields the wizard collects, checked by its own rules.

One call is one transaction and one audit entry holding only the fields that changed.

The patient is shared by all of their cases, so a corrected name or address is the patient's
everywhere, and every case of that patient gets its search text rewritten so that search
finds the new spelling (and no longer the old one).

A closed case (キャンセル, 対象外, 会計済…) can still be corrected: a misspelt name must be
fixable whenever it is found, and the history keeps what it was. Where a closed case's packet
went, though, is a record of the past: a corrected patient address follows into the mailing
of open cases only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.db.models import Caller, Department, Patient, ReferringDoctor, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.case_fields import (
    CheckedCaller,
    CheckedMailing,
    check_caller,
    check_mailing,
)
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.japanese import normalize_name, search_key
from desktop_app.domain.people import Relationship, check_relation
from desktop_app.domain.roles import Permission
from desktop_app.domain.validation import validate_fax
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.case_edit_data import (
    FIELD_LABELS,
    CallerEdit,
    CaseEdit,
    CaseEditForm,
    ConsultationEdit,
    MailingEdit,
    PatientEdit,
    ReferrerEdit,
)
from desktop_app.services.cases import (
    _checked_patient,
    _detail,
    _search_text,
    check_received_on,
    load_case,
)
from desktop_app.services.dto import CaseDetail, NewPatient, NewReferrer
from desktop_app.services.referrers import find_or_add_referrer
from desktop_app.services.store import Store

PATIENT_KEYS = (
    "patient_name",
    "patient_furigana",
    "birth_date",
    "sex",
    "postal_code",
    "address",
    "phone",
    "mobile",
    "fax",
)
CALLER_KEYS = (
    "relationship",
    "relation",
    "caller_name",
    "caller_furigana",
    "caller_phone",
    "caller_fax",
)
REFERRER_KEYS = ("referrer_institution", "referrer_department", "referrer_doctor")
MAIL_KEYS = ("mail_to_name", "mail_postal_code", "mail_address", "mail_channel")


def case_edit_form(store: Store, case_id: int) -> CaseEditForm:
    """The editable values of a case as stored, with the versions they were read at."""
    with store.read() as session:
        case = load_case(session, case_id)
        p, c, ref = case.patient, case.caller, case.referring_doctor
        edit = CaseEdit(
            patient=PatientEdit(
                name=p.name,
                furigana=p.furigana,
                birth_date=p.birth_date,
                sex=p.sex,
                postal_code=p.postal_code,
                address=p.address,
                phone=p.phone,
                mobile=p.mobile,
                fax=p.fax,
            ),
            caller=(
                CallerEdit(c.relationship, c.name, c.furigana, c.phone, c.relation, c.fax)
                if c is not None
                else CallerEdit(Relationship.SELF)
            ),
            referrer=(
                ReferrerEdit(ref.institution.name, ref.department, ref.name)
                if ref is not None
                else ReferrerEdit()
            ),
            consultation=ConsultationEdit(
                content=case.consultation,
                category=case.category,
                diagnosis=case.diagnosis,
                primary_doctor_informed=case.primary_doctor_informed,
                desired_department_id=case.desired_department_id,
                desired_dates=case.desired_dates,
                received_on=case.received_on,
            ),
            mailing=MailingEdit(
                case.mail_to_name, case.mail_postal_code, case.mail_address, case.mail_channel
            ),
            version=case.version,
            patient_version=p.version,
        )
        others = session.execute(
            select(SOCase.id, SOCase.case_number)
            .where(SOCase.patient_id == p.id, SOCase.id != case.id)
            .order_by(SOCase.id)
        ).all()
        return CaseEditForm(
            case.id,
            case.case_number,
            case.stage,
            edit,
            other_case_numbers=tuple(number for _id, number in others),
            other_case_ids=tuple(case_id for case_id, _n in others),
        )


@requires(Permission.CASE_WORK)
def save_case_edit(
    store: Store, case_id: int, edit: CaseEdit, *, expected_version: int
) -> CaseDetail:
    """Correct a case; ValidationError naming the first bad field, nothing written.

    ConflictError when the case (or its patient) changed since the form was read. Saving
    without a change writes nothing, no history line either, and returns the case as it is.
    """
    patient = _checked_patient(NewPatient(**vars(edit.patient)), store.clock.today())
    caller = check_caller(
        edit.caller.relationship, edit.caller.name, edit.caller.furigana, edit.caller.phone
    )
    relation = check_relation(caller.relationship, edit.caller.relation)
    # ご本人 has no caller row: their FAX is the patient's.
    is_self = caller.relationship == Relationship.SELF
    caller_fax = "" if is_self else validate_fax(edit.caller.fax, "caller_fax")
    m = edit.mailing
    mailing = check_mailing(m.channel, m.to_name, m.postal_code, m.address)
    with store.transaction() as session:
        case = load_case(session, case_id, expected_version)
        if case.patient.version != edit.patient_version:
            raise ConflictError()
        department = _department(session, edit.consultation.desired_department_id)
        before = _stored(case)
        after = {
            **_patient_values(patient),
            **_caller_values(caller, relation, caller_fax),
            **_referrer_values(edit.referrer, before["referrer_institution"]),
            **_consultation_values(edit.consultation, department),
            "received_on": check_received_on(
                edit.consultation.received_on or case.received_on, store.clock.today()
            ),
            **_mailing_values(mailing),
        }
        if _same(before, after, MAIL_KEYS) and case.stage.is_open:
            # Untouched mailing to the patient follows the corrected patient.
            after.update(_followed_mailing(before, after))
        old, new = audit.changed_fields(before, after)
        if not new:
            return _detail(session, case)
        old_patient = {k: before[k] for k in PATIENT_KEYS}
        _apply(session, case, after, new)
        touched: list[str] = []
        if any(k in new for k in (*PATIENT_KEYS, *CALLER_KEYS)):
            touched = _update_patient_cases(case, old_patient, after, session)
        case.updated_at = store.clock.utcnow()  # a new version, even for patient-only edits
        names = "、".join(FIELD_LABELS[k] for k in new)
        also = f"（同じ患者さんの案件 {'、'.join(touched)} にも反映）" if touched else ""
        audit.record(
            session,
            store.staff,
            AuditAction.CASE_EDIT,
            "case",
            case.case_number,
            case_id=case.id,
            summary=f"内容を訂正：{names}{also}",
            before=old,
            after=new,
        )
        session.flush()
        return _detail(session, case)


def _department(session: Session, department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = session.get(Department, department_id)
    if department is None:
        raise ValidationError("選択した診療科が見つかりません。", field="desired_department")
    return department


def _stored(case: SOCase) -> dict[str, Any]:
    p, c, ref = case.patient, case.caller, case.referring_doctor
    return {
        "patient_name": p.name,
        "patient_furigana": p.furigana,
        "birth_date": p.birth_date,
        "sex": p.sex,
        "postal_code": p.postal_code,
        "address": p.address,
        "phone": p.phone,
        "mobile": p.mobile,
        "fax": p.fax,
        **_caller_values(
            CheckedCaller(c.relationship, c.name, c.furigana, c.phone)
            if c is not None
            else CheckedCaller(Relationship.SELF, "", "", ""),
            c.relation if c is not None else "",
            c.fax if c is not None else "",
        ),
        "referrer_institution": ref.institution.name if ref else "",
        "referrer_department": ref.department if ref else "",
        "referrer_doctor": ref.name if ref else "",
        "received_on": case.received_on,
        "consultation": case.consultation,
        "category": case.category,
        "diagnosis": case.diagnosis,
        "primary_doctor_informed": case.primary_doctor_informed,
        "desired_department": case.desired_department.name if case.desired_department else "",
        "desired_dates": case.desired_dates,
        "mail_to_name": case.mail_to_name,
        "mail_postal_code": case.mail_postal_code,
        "mail_address": case.mail_address,
        "mail_channel": case.mail_channel,
    }


def _patient_values(p: NewPatient) -> dict[str, Any]:
    values = (
        p.name,
        p.furigana,
        p.birth_date,
        p.sex,
        p.postal_code,
        p.address,
        p.phone,
        p.mobile,
        p.fax,
    )
    return dict(zip(PATIENT_KEYS, values, strict=True))


def _caller_values(c: CheckedCaller, relation: str, fax: str) -> dict[str, Any]:
    values = (c.relationship, relation, c.name, c.furigana, c.phone, fax)
    return dict(zip(CALLER_KEYS, values, strict=True))


def _referrer_values(r: ReferrerEdit, stored_institution: str) -> dict[str, Any]:
    institution = normalize_name(r.institution)
    if institution and search_key(institution) == search_key(stored_institution):
        institution = stored_institution  # the master finds the same one: ﾐﾅﾄ is みなと
    department = normalize_name(r.department) if institution else ""
    doctor = normalize_name(r.doctor) if institution else ""
    return dict(zip(REFERRER_KEYS, (institution, department, doctor), strict=True))


def _consultation_values(c: ConsultationEdit, department: Department | None) -> dict[str, Any]:
    return {
        "consultation": c.content.strip(),
        "category": c.category,
        "diagnosis": c.diagnosis.strip(),
        "primary_doctor_informed": c.primary_doctor_informed,
        "desired_department": department.name if department else "",
        "desired_dates": c.desired_dates.strip(),
    }


def _mailing_values(m: CheckedMailing) -> dict[str, Any]:
    return dict(zip(MAIL_KEYS, (m.to_name, m.postal_code, m.address, m.channel), strict=True))


def _same(a: dict[str, Any], b: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return all(a[k] == b[k] for k in keys)


def _followed_mailing(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Mailing that went to the patient (same name) takes the patient's corrected values."""
    if old["mail_to_name"] != old["patient_name"]:
        return {}
    pairs = (
        ("mail_to_name", "patient_name"),
        ("mail_postal_code", "postal_code"),
        ("mail_address", "address"),
    )
    return {mail: new[field] for mail, field in pairs if old[mail] == old[field]}


def _apply(session: Session, case: SOCase, after: dict[str, Any], changed: dict[str, Any]) -> None:
    p = case.patient
    p.name, p.furigana = after["patient_name"], after["patient_furigana"]
    p.furigana_key = search_key(p.furigana)
    p.birth_date, p.sex = after["birth_date"], after["sex"]
    p.postal_code, p.address = after["postal_code"], after["address"]
    p.phone, p.mobile, p.fax = after["phone"], after["mobile"], after["fax"]
    if any(k in changed for k in CALLER_KEYS):
        _apply_caller(session, case, after)
    if any(k in changed for k in REFERRER_KEYS):
        ref_id = find_or_add_referrer(
            session,
            NewReferrer(
                after["referrer_institution"],
                after["referrer_department"],
                after["referrer_doctor"],
            ),
        )
        case.referring_doctor = session.get(ReferringDoctor, ref_id) if ref_id else None
    case.received_on = after["received_on"]
    case.consultation, case.category = after["consultation"], after["category"]
    case.diagnosis = after["diagnosis"]
    case.primary_doctor_informed = after["primary_doctor_informed"]
    if "desired_department" in changed:
        name = after["desired_department"]
        case.desired_department = (
            session.scalars(select(Department).where(Department.name == name)).one()
            if name
            else None
        )
    case.desired_dates = after["desired_dates"]
    case.mail_to_name, case.mail_postal_code = after["mail_to_name"], after["mail_postal_code"]
    case.mail_address, case.mail_channel = after["mail_address"], after["mail_channel"]


def _apply_caller(session: Session, case: SOCase, after: dict[str, Any]) -> None:
    relationship: Relationship = after["relationship"]
    if relationship == Relationship.SELF:
        # The row stays for the record; the case simply has no separate caller any more.
        case.caller = None
        return
    caller = case.caller
    if caller is None:
        caller = Caller(patient_id=case.patient_id, relationship=relationship, name="")
        session.add(caller)
        case.caller = caller
    caller.relationship, caller.relation = relationship, after["relation"]
    caller.name, caller.furigana = after["caller_name"], after["caller_furigana"]
    caller.phone, caller.fax = after["caller_phone"], after["caller_fax"]


def _update_patient_cases(
    case: SOCase, old_patient: dict[str, Any], after: dict[str, Any], session: Session
) -> list[str]:
    """Rewrite the search text of every case of the patient; their numbers (others only)."""
    patient: Patient = case.patient
    case.search_text = _search_text(case.case_number, patient, case.caller)
    others = session.scalars(
        select(SOCase).where(SOCase.patient_id == patient.id, SOCase.id != case.id)
    ).all()
    new_patient = {k: after[k] for k in PATIENT_KEYS}
    patient_changed = old_patient != new_patient
    touched = []
    for other in others:
        other.search_text = _search_text(other.case_number, patient, other.caller)
        if patient_changed and other.stage.is_open:
            mail = {
                "mail_to_name": other.mail_to_name,
                "mail_postal_code": other.mail_postal_code,
                "mail_address": other.mail_address,
            }
            followed = _followed_mailing({**old_patient, **mail}, new_patient)
            other.mail_to_name = followed.get("mail_to_name", other.mail_to_name)
            other.mail_postal_code = followed.get("mail_postal_code", other.mail_postal_code)
            other.mail_address = followed.get("mail_address", other.mail_address)
        if patient_changed:
            touched.append(other.case_number)
    return touched
