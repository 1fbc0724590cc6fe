"""Issue 24 items 13–16: the demo could be real. Properties over every case of a demo database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_app.db.models import Payment, ReferringInstitution, SOCase
from desktop_app.domain import clock
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.forms import FormKind
from desktop_app.domain.people import Attendance, age_on
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.demo import build_demo
from desktop_app.services.forms import render_form
from desktop_app.services.maintenance import rebuild_demo
from desktop_app.services.store import Store

# 市外局番 by city, from the numbering plan (not from the demo's own table).
AREA_CODES = {
    "苫小牧市": "0144", "白老郡": "0144", "千歳市": "0123", "厚真町": "0145", "室蘭市": "0143",
    "登別市": "0143", "伊達市": "0142",
}  # fmt: skip
CASES = 400


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = rebuild_demo(str(tmp_path_factory.mktemp("realism") / "demo.db"), 0)
    build_demo(store, CASES)
    yield store
    store.close()


def _cases(session: Session) -> list[SOCase]:
    return list(
        session.scalars(
            select(SOCase).options(
                selectinload(SOCase.documents),
                selectinload(SOCase.appointments),
                selectinload(SOCase.payments),
                selectinload(SOCase.patient),
                selectinload(SOCase.caller),
            )
        )
    )


def _local(at: dt.datetime) -> dt.datetime:
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone()


def _expected_area(address: str) -> str:
    return next(code for city, code in AREA_CODES.items() if city in address)


def _assert_landline(number: str, address: str) -> None:
    assert number.isdigit() and len(number) == 10, number
    area = _expected_area(address)
    assert number.startswith(area), (number, address)
    assert number[len(area)] not in "01", f"a local number never starts with 0 or 1: {number}"


def test_dates_are_in_order(demo: Store) -> None:
    today = clock.today()
    with demo.read() as session:
        cases = _cases(session)
        assert len(cases) == CASES
        for case in cases:
            enquiry = _local(case.created_at).date()
            assert enquiry <= today, case.case_number
            for doc in case.documents:
                for day in (doc.sent_on, doc.received_on, doc.returned_on):
                    if day is not None:
                        assert enquiry <= day <= today, (case.case_number, doc.kind, day)
                if doc.received_on and doc.returned_on:
                    assert doc.received_on <= doc.returned_on
            if case.decided_on is not None:
                assert enquiry <= case.decided_on <= today
            for appt in case.appointments:
                assert enquiry <= appt.date, case.case_number
                booked = _local(appt.created_at).date()
                assert enquiry <= booked <= min(appt.date, today), case.case_number
                if appt.notified_on is not None:
                    assert booked <= appt.notified_on <= today
                if appt.checked_in_at is not None:
                    assert _local(appt.checked_in_at).date() == appt.date, case.case_number
                    assert appt.date <= today
            visit = next((a.date for a in case.appointments if not a.cancelled), None)
            for pay in case.payments:
                assert pay.paid_on == visit, case.case_number
                assert _local(pay.created_at).date() == visit
            if case.report_delivered_on is not None:
                assert case.report_written_on is not None, case.case_number
                assert case.report_channel is not None
                assert visit is not None
                assert visit <= case.report_written_on <= case.report_delivered_on <= today
            if case.stage in (Stage.CHECKED_IN, Stage.DONE, Stage.SETTLED):
                assert any(a.checked_in_at for a in case.appointments), case.case_number


def test_exclusions_agree_with_what_was_asked(demo: Store) -> None:
    with demo.read() as session:
        cases = _cases(session)
        voided = session.scalars(select(Payment).where(Payment.voided.is_(True))).all()
        for case in cases:
            if case.exclusion_code == "transfer":
                assert "転院" in case.consultation or "転医" in case.consultation
            if case.exclusion_code == "complaint":
                assert "不満" in case.consultation
            if case.decision == Decision.PENDING:
                assert "一般外来" not in case.end_reason, case.case_number
                assert case.exclusion_code != "general_outpatient"
            if case.decision in (Decision.DECLINED, Decision.GENERAL_OUTPATIENT):
                assert case.stage == Stage.EXCLUDED
                assert case.doctor_id is not None and case.decided_on is not None
                application = next(d for d in case.documents if d.kind == DocumentKind.APPLICATION)
                assert application.received_on is not None, "the doctor read the application"
            if case.decision == Decision.DECLINED:
                assert case.decision_reason and case.decision_reason in case.end_reason
        assert any(c.exclusion_code == "transfer" for c in cases)
        declined = [c for c in cases if c.decision == Decision.DECLINED]
        assert declined, "a doctor's 不可 is in the demo"
        assert voided, "a voided receipt is in the demo"
        for pay in voided:
            assert pay.void_reason and pay.voided_at is not None
            live = [p for p in pay.case.payments if not p.voided]
            assert len(live) == 1 and live[0].receipt_number != pay.receipt_number
        declined_id, voided_case_id, voided_id = declined[0].id, voided[0].case_id, voided[0].id
    # So every form can be printed from the demo.
    assert render_form(demo, FormKind.DECLINE, declined_id).pdf.startswith(b"%PDF")
    receipt = render_form(demo, FormKind.RECEIPT, voided_case_id, payment_id=voided_id)
    assert receipt.pdf.startswith(b"%PDF")


def test_people_addresses_and_phones(demo: Store) -> None:
    with demo.read() as session:
        cases = _cases(session)
        minors = 0
        for case in cases:
            patient = case.patient
            _assert_landline(patient.phone, patient.address)
            assert patient.mobile == "" or patient.mobile[:3] in ("070", "080", "090")
            assert patient.birth_date is not None
            if age_on(patient.birth_date, _local(case.created_at).date()) < 18:
                minors += 1
                assert case.caller is not None, case.case_number
                assert case.mail_to_name == case.caller.name, "a child's mail goes to the parent"
            else:
                assert case.mail_to_name == patient.name
            if case.caller is not None:
                assert case.caller.phone
                assert case.caller.phone not in (patient.phone, patient.mobile)
            if case.attendance == Attendance.FAMILY_ONLY and case.primary_doctor_informed is False:
                referral = [d for d in case.documents if d.kind == DocumentKind.REFERRAL_LETTER]
                assert all(d.received_on is None for d in referral), case.case_number
        assert minors, "the demo has a minor patient"
        for inst in session.scalars(select(ReferringInstitution)):
            _assert_landline(inst.tel, inst.address)
            _assert_landline(inst.fax, inst.address)


def test_materials_fit_the_diagnosis(demo: Store) -> None:
    materials = {
        DocumentKind.BLOOD_TEST, DocumentKind.ULTRASOUND, DocumentKind.IMAGING_FILM,
        DocumentKind.IMAGING_CD, DocumentKind.PATHOLOGY, DocumentKind.OTHER_MATERIAL,
    }  # fmt: skip
    seen: set[str] = set()
    with demo.read() as session:
        for case in _cases(session):
            wanted = {
                d.kind
                for d in case.documents
                if d.direction == Direction.IN and d.kind in materials
            }
            profile = _profile_of(case)
            if not wanted or profile is None:  # an excluded case asks something else
                continue
            seen.add(profile)
            if profile in ("もやもや病", "狭心症", "胆石症"):
                assert DocumentKind.PATHOLOGY not in wanted, case.case_number
            if profile == "未破裂脳動脈瘤":
                assert wanted & {DocumentKind.IMAGING_CD, DocumentKind.IMAGING_FILM}
    assert {"もやもや病", "狭心症", "未破裂脳動脈瘤"} <= seen


def _profile_of(case: SOCase) -> str | None:
    from desktop_app.services.demo_data import PROFILES

    return next((p.diagnosis for p in PROFILES if p.consultation == case.consultation), None)


def test_the_demo_is_the_same_each_time(tmp_path: Path) -> None:
    def snapshot(name: str) -> list[tuple[object, ...]]:
        store = rebuild_demo(str(tmp_path / name), 0)
        build_demo(store, 60)
        with store.read() as session:
            rows = [
                (c.case_number, c.stage, c.consultation, c.patient.phone, c.mail_to_name,
                 tuple(sorted((d.kind, d.received_on or dt.date.min) for d in c.documents)))
                for c in _cases(session)
            ]  # fmt: skip
        store.close()
        return rows

    assert snapshot("a.db") == snapshot("b.db")


def test_every_family_caller_has_a_relation_that_fits_the_category(demo: Store) -> None:
    from desktop_app.db.models import Caller
    from desktop_app.domain.people import RELATIONS, Relationship

    with demo.read() as session:
        callers = session.scalars(select(Caller)).all()
        family = [(c.relationship, c.relation) for c in callers if c.relationship.is_family]
    assert family, "the demo has family callers"
    for category, relation in family:
        assert isinstance(category, Relationship)
        assert RELATIONS.get(relation) == category, (category, relation)
