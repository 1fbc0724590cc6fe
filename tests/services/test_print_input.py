"""The ORM → printing conversion: every printed field comes from the case as stored."""

from __future__ import annotations

import datetime as dt

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.people import Attendance, Relationship, Sex
from desktop_app.domain.settings import DEFAULT_SETTINGS
from desktop_app.printing.model import CallerInfo, CaseInfo
from desktop_app.services.cases import load_case
from desktop_app.services.print_input import case_info, needs_consent


def _info(store, case_id: int) -> CaseInfo:
    with store.read() as session:
        return case_info(load_case(session, case_id), DEFAULT_SETTINGS, frozenset())


def test_case_info_carries_patient_caller_and_referrer(store, make_case) -> None:
    case = make_case(attendance=Attendance.FAMILY_ONLY, relationship=Relationship.SPOUSE)
    info = _info(store, case.id)
    assert info.case_number == case.case_number
    assert info.patient.name == "山田　太郎"
    assert info.patient.furigana == "ヤマダ　タロウ"
    assert info.patient.birth_date == dt.date(1970, 3, 15)
    assert info.patient.sex is Sex.MALE
    assert info.patient.postal_code == "0530022"
    assert info.patient.phone == "0144112233"
    assert info.caller.name == "山田　花子"
    assert info.caller.relationship is Relationship.SPOUSE
    assert info.referrer.institution == "みなと内科クリニック"
    assert info.referrer.doctor == "北村\u3000誠司"  # names are stored normalised
    assert info.attendance is Attendance.FAMILY_ONLY
    assert info.consultation == "手術か薬物療法かで迷っている"
    assert info.needs_consent
    assert DocumentKind.CONSENT in info.required_incoming
    assert DocumentKind.APPLICATION not in info.required_incoming  # came in before, not listed
    assert info.appointment is None and info.materials_due is None and info.payment is None


def test_a_patient_calling_for_themselves_prints_no_caller_and_no_consent(store, make_case) -> None:
    case = make_case()
    info = _info(store, case.id)
    assert info.caller == CallerInfo()
    assert not info.needs_consent
    with store.read() as session:
        assert not needs_consent(load_case(session, case.id))
