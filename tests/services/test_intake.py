from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry, ContactLog, Patient, SOCase
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import Relationship
from desktop_app.services.intake import (
    MATCH_NAME_BIRTH,
    MATCH_PHONE,
    find_existing_patients,
    list_referrers,
    log_enquiry,
)


def _count(store, model) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_same_furigana_and_birth_date_is_found_in_any_kana(store, make_case) -> None:
    case = make_case()
    found = find_existing_patients(store, "やまだ たろう", dt.date(1970, 3, 15))
    assert [m.patient.id for m in found] == [case.patient.id]
    assert found[0].reason == MATCH_NAME_BIRTH
    assert found[0].case_count == 1
    assert found[0].last_case_number == case.case_number


def test_same_name_other_birthday_is_not_the_same_person(store, make_case) -> None:
    make_case()
    assert find_existing_patients(store, "ヤマダ　タロウ", dt.date(1971, 3, 15)) == ()
    assert find_existing_patients(store, "ヤマダ　タロウ", None) == ()


def test_same_phone_is_found_whatever_the_hyphens(store, make_case) -> None:
    make_case()
    found = find_existing_patients(store, "", None, ("0144-11-2233", "12"))
    assert len(found) == 1 and found[0].reason == MATCH_PHONE


def test_the_referrer_master_lists_institution_department_and_doctor(store, make_case) -> None:
    make_case()
    (entry,) = list_referrers(store)
    assert (entry.institution, entry.department, entry.doctor) == (
        "みなと内科クリニック",
        "内科",
        "北村　誠司",
    )


def test_an_enquiry_is_logged_without_a_case(store) -> None:
    result = log_enquiry(store, "鈴木 一郎", Relationship.OTHER, "0120-123-456")
    assert "鈴木　一郎" in result.party
    with store.read() as session:
        log = session.scalars(select(ContactLog)).one()
        audit = session.scalars(select(AuditEntry)).one()
    assert log.case_id is None and log.staff == "テスト担当"
    assert "ご本人・ご家族以外" in log.summary
    assert audit.action == "enquiry.log" and audit.case_id is None
    assert _count(store, SOCase) == 0 and _count(store, Patient) == 0


@pytest.mark.parametrize(("name", "phone"), [("", "0144112233"), ("鈴木", "123")])
def test_a_bad_enquiry_writes_nothing(store, name, phone) -> None:
    with pytest.raises(ValidationError):
        log_enquiry(store, name, Relationship.OTHER, phone)
    assert _count(store, ContactLog) == 0 and _count(store, AuditEntry) == 0
