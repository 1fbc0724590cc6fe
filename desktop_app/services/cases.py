"""Cases: search, detail, creation and moving through the stages."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.db import tables
from desktop_app.db.models import (
    AuditEntry,
    Caller,
    CaseDocument,
    ClinicClosure,
    ContactLog,
    Department,
    Patient,
    SOCase,
)
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.contact import validate_phone, validate_postal
from desktop_app.domain.documents import (
    ContactKind,
    Direction,
    DocumentKind,
    required_incoming_documents,
)
from desktop_app.domain.eligibility import reason_by_code
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.forms import mailout_documents
from desktop_app.domain.japanese import normalize_name, search_key, validate_furigana
from desktop_app.domain.paper_trail import checklist_label
from desktop_app.domain.people import check_relation, is_minor_on
from desktop_app.domain.roles import Permission
from desktop_app.domain.stages import CaseFacts, Stage, check_transition
from desktop_app.domain.validation import validate_fax
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.case_numbers import next_case_number
from desktop_app.services.case_stage import enter_stage
from desktop_app.services.dto import (
    CaseDetail,
    NewCase,
    NewPatient,
)
from desktop_app.services.mapping import case_detail
from desktop_app.services.referrers import find_or_add_referrer
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store


def get_case(store: Store, case_id: int) -> CaseDetail:
    """Everything about one case, with its change history."""
    with store.read() as session:
        return _detail(session, load_case(session, case_id))


def find_case_id(store: Store, case_number: str) -> int:
    """The id of a case by its number (any spelling); ValidationError if there is none."""
    key = search_key(case_number)
    with store.read() as session:
        case_id = session.scalar(
            # Case numbers are stored upper-case, so the unique index answers this.
            select(SOCase.id).where(SOCase.case_number == key.upper())
        )
    if case_id is None:
        shown = case_number.encode("utf-8", "replace").decode("utf-8")  # printable on any console
        raise ValidationError(f"案件番号 {shown} は見つかりません。", field="case_number")
    return case_id


def load_case(session: Session, case_id: int, expected_version: int | None = None) -> SOCase:
    """The case row inside a service's transaction; ValidationError if there is none.

    With ``expected_version`` (what the clerk's screen showed), ConflictError when another
    desk has changed the case since.
    """
    case = session.get(SOCase, case_id)
    if case is None:
        raise ValidationError(f"案件（ID {case_id}）は見つかりません。")
    if expected_version is not None and case.version != expected_version:
        raise ConflictError()
    return case


def _detail(session: Session, case: SOCase) -> CaseDetail:
    history = session.scalars(
        select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)
    ).all()
    # The log keeps the login ID (it never changes); the clerk reads the person's name.
    logins = {h.staff for h in history} | {c.staff for c in case.contacts}
    names = dict(
        session.execute(
            select(tables.staff_users.c.login, tables.staff_users.c.display_name).where(
                tables.staff_users.c.login.in_(logins)
            )
        ).all()
    )
    return case_detail(case, history, names)


@requires(Permission.CASE_WORK)
def create_case(store: Store, new: NewCase) -> CaseDetail:
    """Register a case from an intake: patient, caller, referrer, documents and the call."""
    today = new.today or store.clock.today()
    patient_input = _checked_patient(new.patient, today) if new.patient else None
    caller_input = new.caller
    if caller_input is not None and not caller_input.name.strip():
        raise ValidationError("相談者の氏名を入力してください。", field="caller_name")
    caller_phone = validate_phone(caller_input.phone, "caller_phone") if caller_input else ""
    caller_fax = validate_fax(caller_input.fax, "caller_fax") if caller_input else ""
    relation = (
        check_relation(caller_input.relationship, caller_input.relation) if caller_input else ""
    )
    mail_postal = validate_postal(new.mail_postal_code, "mail_postal_code")
    received_on = check_received_on(new.received_on or today, today)
    with store.transaction() as session:
        settings = load_settings(session)
        exclusion = None
        if new.exclusion_code:
            exclusion = reason_by_code(settings.exclusion_reasons, new.exclusion_code)
            if exclusion is None:
                raise ValidationError("対象外の理由が設定にありません。", field="exclusion")
        if new.desired_department_id is not None and (
            session.get(Department, new.desired_department_id) is None
        ):
            raise ValidationError("選択した診療科が見つかりません。", field="desired_department")
        patient = _patient(session, new, patient_input)
        caller = None
        if caller_input is not None:
            caller = Caller(
                patient_id=patient.id,
                name=normalize_name(caller_input.name),
                furigana=caller_input.furigana,
                relationship=caller_input.relationship,
                relation=relation,
                phone=caller_phone,
                fax=caller_fax,
            )
            session.add(caller)
            session.flush()
        case = SOCase(
            case_number=next_case_number(session, today.year),
            patient_id=patient.id,
            caller_id=caller.id if caller else None,
            referring_doctor_id=find_or_add_referrer(session, new.referrer),
            stage=Stage.EXCLUDED if exclusion else Stage.INQUIRY,
            # A call written up later entered its stage on the day it came (the board counts
            # the days a case has waited from there).
            stage_since=_on_day(store.clock.now(), received_on),
            received_on=received_on,
            ended_on=received_on if exclusion else None,
            attendance=new.attendance,
            consultation=new.consultation.strip(),
            category=new.category,
            diagnosis=new.diagnosis.strip(),
            primary_doctor_informed=new.primary_doctor_informed,
            desired_department_id=new.desired_department_id,
            desired_dates=new.desired_dates.strip(),
            screening_answers=dict(new.screening_answers),
            exclusion_code=exclusion.code if exclusion else "",
            end_reason=exclusion.label if exclusion else "",
            mail_to_name=normalize_name(new.mail_to_name) or patient.name,
            mail_postal_code=mail_postal or patient.postal_code,
            mail_address=new.mail_address.strip() or patient.address,
            mail_channel=new.mail_channel,
        )
        case.search_text = _search_text(case.case_number, patient, caller)
        session.add(case)
        session.flush()
        if exclusion is None:
            _add_documents(session, case, patient, new, today, settings.age_of_majority)
        party = caller.name if caller else patient.name
        session.add(
            ContactLog(
                case_id=case.id,
                kind=ContactKind.CALL_IN,
                staff=store.staff,
                party=party,
                summary=new.call_summary or "セカンドオピニオン外来の問い合わせ",
            )
        )
        audit.record(
            session,
            store.staff,
            AuditAction.CASE_CREATE,
            "case",
            case.case_number,
            case_id=case.id,
            summary=f"案件を登録（{case.stage.label}）",
            after={"stage": case.stage, "patient": patient.name, "exclusion": case.exclusion_code},
        )
        session.flush()
        return _detail(session, case)


def _on_day(now: dt.datetime, day: dt.date) -> dt.datetime:
    """``now`` moved to ``day`` at the same time of day (now itself when day is today)."""
    return now if now.date() == day else now.replace(year=day.year, month=day.month, day=day.day)


def check_received_on(day: dt.date, today: dt.date) -> dt.date:
    """受付日: not after today (a day in the future cannot have had its call yet)."""
    if day > today:
        raise ValidationError("受付日が未来の日付です。", field="received_on")
    return day


def _checked_patient(p: NewPatient, today: dt.date) -> NewPatient:
    name = normalize_name(p.name)
    if not name:
        raise ValidationError("患者氏名を入力してください。", field="name")
    if p.birth_date is not None and p.birth_date > today:
        raise ValidationError("生年月日が未来の日付です。", field="birth_date")
    return NewPatient(
        name=name,
        furigana=validate_furigana(p.furigana),
        birth_date=p.birth_date,
        sex=p.sex,
        postal_code=validate_postal(p.postal_code),
        address=p.address.strip(),
        phone=validate_phone(p.phone, "phone"),
        mobile=validate_phone(p.mobile, "mobile"),
        fax=validate_fax(p.fax, "fax"),
    )


def _patient(session: Session, new: NewCase, data: NewPatient | None) -> Patient:
    if new.existing_patient_id is not None:
        patient = session.get(Patient, new.existing_patient_id)
        if patient is None:
            raise ValidationError("選択した患者が見つかりません。")
        return patient
    if data is None:
        raise ValidationError("患者の情報を入力してください。", field="name")
    patient = Patient(
        name=data.name,
        furigana=data.furigana,
        furigana_key=search_key(data.furigana),
        birth_date=data.birth_date,
        sex=data.sex,
        postal_code=data.postal_code,
        address=data.address,
        phone=data.phone,
        mobile=data.mobile,
        fax=data.fax,
    )
    session.add(patient)
    session.flush()
    return patient


def closed_dates(session: Session) -> frozenset[dt.date]:
    """The hospital's own closure days (beyond weekends and holidays) from the store."""
    return frozenset(session.scalars(select(ClinicClosure.date)))


def _search_text(case_number: str, patient: Patient, caller: Caller | None) -> str:
    parts = [case_number, patient.name, patient.furigana, patient.phone, patient.mobile]
    if caller is not None:
        parts += [caller.name, caller.furigana, caller.phone]
    return "|".join(search_key(p) for p in parts if p)


def _add_documents(
    session: Session,
    case: SOCase,
    patient: Patient,
    new: NewCase,
    today: dt.date,
    age_of_majority: int,
) -> None:
    minor = patient.birth_date is not None and is_minor_on(
        patient.birth_date, today, age_of_majority
    )
    for kind in mailout_documents(new.attendance, minor):
        session.add(CaseDocument(case_id=case.id, kind=kind, direction=Direction.OUT))
    session.add(
        CaseDocument(
            case_id=case.id,
            kind=DocumentKind.APPLICATION,
            direction=Direction.IN,
            required=True,
        )
    )
    for req in required_incoming_documents(new.attendance, minor, new.materials):
        session.add(
            CaseDocument(
                case_id=case.id,
                kind=req.kind,
                direction=Direction.IN,
                required=True,
                borrowed=req.borrowed,
            )
        )


@requires(Permission.CASE_WORK)
def move_stage(
    store: Store,
    case_id: int,
    target: Stage,
    *,
    reason: str = "",
    exclusion_code: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
    override_reason: str = "",
) -> CaseDetail:
    """Move a case through the stage machine; the guard's Japanese message if it may not.

    ``override_reason`` passes over a refusal the clerk may override (stages.may_override:
    documents still missing); it is recorded in the history. Forbidden moves stay forbidden.

    ``expected_version`` is the version the clerk's screen showed: if another desk has changed
    the case since, ConflictError, and nothing is written. The guard reads the case inside the
    write transaction, so two desks can never both pass it.
    """
    today = today or store.clock.today()
    with store.transaction() as session:
        case = load_case(session, case_id, expected_version)
        facts = _facts(case, today)
        passed_over = check_transition(facts, target, reason, override_reason=override_reason)
        override = override_reason.strip() if passed_over else ""
        before = case.stage
        enter_stage(case, target)
        if target in (Stage.CANCELLED, Stage.EXCLUDED):
            case.end_reason = reason.strip()
            case.exclusion_code = exclusion_code if target == Stage.EXCLUDED else ""
            for appt in case.appointments:
                appt.cancelled = True  # frees the slot; the row stays for the record
        audit.record(
            session,
            store.staff,
            AuditAction.CASE_STAGE,
            "case",
            case.case_number,
            case_id=case.id,
            summary=f"段階を変更：{before.label} → {target.label}"
            + (f"（理由：{reason.strip()}）" if reason.strip() else "")
            + (f"（確認のうえ進めました：{override}）" if override else ""),
            before={"stage": before},
            after={"stage": target.value, "reason": reason.strip()}
            | ({"override_reason": override} if override else {}),
        )
        session.flush()
        return _detail(session, case)


def _facts(case: SOCase, today: dt.date) -> CaseFacts:
    live = [a for a in case.appointments if not a.cancelled]
    missing = tuple(
        checklist_label(d.kind, d.label, d.quantity)
        for d in case.documents
        if d.direction == Direction.IN
        and d.required
        and d.received_on is None
        and d.waived_on is None
    )
    unreturned = tuple(
        checklist_label(d.kind, d.label, d.quantity)
        for d in case.documents
        if d.borrowed and d.received_on is not None and d.returned_on is None
    )
    return CaseFacts(
        stage=case.stage,
        decision=case.decision,
        has_doctor=case.doctor_id is not None,
        appointment_date=live[-1].date if live else None,
        missing_required_documents=missing,
        actual_minutes=case.actual_minutes,
        paid=any(not p.voided for p in case.payments),
        report_delivered=case.report_delivered_on is not None,
        unreturned_borrowed=unreturned,
        today=today,
        application_in=all(
            d.received_on is not None or d.waived_on is not None
            for d in case.documents
            if d.kind == DocumentKind.APPLICATION and d.direction == Direction.IN
        ),
    )
