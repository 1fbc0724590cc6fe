"""Bad input at 登録 and in case-number look-ups: a clear message or success, nothing half-written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from desktop_app.db.models import Department
from desktop_app.domain.documents import TEST_MATERIALS, Channel
from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.japanese import search_key
from desktop_app.domain.people import Attendance, ConsultationCategory, Relationship, Sex
from desktop_app.services.cases import create_case, find_case_id, get_case
from desktop_app.services.dto import NewCaller, NewCase, NewPatient, NewReferrer
from desktop_app.services.store import Store
from tests.bad_input import (
    any_date,
    assert_clear_error,
    budget,
    database_state,
    hostile_text,
    open_test_store,
    row_counts,
    text_problems,
)

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
DEPARTMENT_ID = 7


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One database for every example: a call that fails must leave it exactly as it was."""
    store = open_test_store(Path(tmp_path_factory.mktemp("bad-input")) / "cases.db")
    create_case(store, _valid_case())
    with store.transaction() as session:  # no service adds departments yet
        session.add(Department(id=DEPARTMENT_ID, name="消化器内科"))
    yield store
    store.close()


def _valid_case() -> NewCase:
    return NewCase(
        patient=NewPatient(name="山田　太郎", furigana="ヤマダ　タロウ", phone="0144-11-2233"),
        consultation="手術を勧められた",
        today=dt.date(2026, 11, 24),
    )


# The text of a good intake; each example makes some of it hostile (a few fields, or all).
GOOD_TEXT = {
    "patient.name": "山田　太郎",
    "patient.furigana": "ヤマダ　タロウ",
    "patient.postal_code": "0530022",
    "patient.address": "北海道苫小牧市表町1-1-1",
    "patient.phone": "0144-11-2233",
    "patient.mobile": "",
    "caller.name": "山田　花子",
    "caller.phone": "090-1234-5678",
    "caller.furigana": "ヤマダ　ハナコ",
    "referrer.institution": "みなと内科クリニック",
    "referrer.department": "内科",
    "referrer.doctor": "北村　誠司",
    "referrer.postal_code": "",
    "referrer.address": "",
    "referrer.tel": "",
    "referrer.fax": "",
    "consultation": "手術を勧められた",
    "diagnosis": "胃がん",
    "desired_dates": "平日の午前",
    "mail_to_name": "",
    "mail_postal_code": "",
    "mail_address": "",
    "exclusion_code": "",
    "call_summary": "",
}
EXCLUSION_CODES = [r.code for r in DEFAULT_EXCLUSION_REASONS]


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


@st.composite
def new_cases(draw: st.DrawFn) -> NewCase:
    """An intake with some of its text hostile, and its dates, ids and choices anything."""
    everything = draw(st.integers(0, 5)) == 0
    hostile = {key for key in GOOD_TEXT if everything or draw(st.integers(0, 11)) == 0}

    def text(key: str) -> str:
        return draw(hostile_text(40, broken=True)) if key in hostile else GOOD_TEXT[key]

    def section(prefix: str, cls: type, **fixed: object) -> object:
        names = [k.split(".", 1)[1] for k in GOOD_TEXT if k.startswith(prefix + ".")]
        return cls(**{name: text(f"{prefix}.{name}") for name in names}, **fixed)

    birth = draw(_maybe(st.one_of(st.dates(dt.date(1900, 1, 1), dt.date(2026, 1, 1)), any_date)))
    patient = section("patient", NewPatient, birth_date=birth, sex=draw(st.sampled_from(Sex)))
    caller = section("caller", NewCaller, relationship=draw(st.sampled_from(Relationship)))
    exclusion = text("exclusion_code")
    if "exclusion_code" not in hostile:
        exclusion = draw(st.sampled_from(["", "", *EXCLUSION_CODES]))
    return NewCase(
        patient=draw(st.sampled_from([patient, patient, None])),
        existing_patient_id=draw(st.one_of(st.none(), st.none(), st.integers(-1, 3), INT64)),
        caller=draw(st.sampled_from([caller, None])),
        referrer=draw(st.sampled_from([section("referrer", NewReferrer), None])),
        attendance=draw(st.sampled_from(Attendance)),
        consultation=text("consultation"),
        category=draw(st.sampled_from(ConsultationCategory)),
        diagnosis=text("diagnosis"),
        primary_doctor_informed=draw(_maybe(st.booleans())),
        desired_department_id=draw(
            st.one_of(st.none(), st.just(DEPARTMENT_ID), st.integers(-1, 9), INT64)
        ),
        desired_dates=text("desired_dates"),
        screening_answers=draw(
            st.dictionaries(hostile_text(10, broken=True), st.booleans(), max_size=3)
        ),
        materials=tuple(draw(st.lists(st.sampled_from(TEST_MATERIALS), unique=True))),
        mail_to_name=text("mail_to_name"),
        mail_postal_code=text("mail_postal_code"),
        mail_address=text("mail_address"),
        mail_channel=draw(st.sampled_from(Channel)),
        exclusion_code=exclusion,
        call_summary=text("call_summary"),
        today=draw(_maybe(any_date)),
    )


@budget(150)
@given(new=new_cases())
def test_create_case_is_whole_or_a_clear_error_and_nothing_written(
    shared_store: Store, new: NewCase
) -> None:
    before = database_state(shared_store)
    try:
        case = create_case(shared_store, new)
    except Exception as exc:
        assert_clear_error(exc)
        assert database_state(shared_store) == before
        event(f"refused: {getattr(exc, 'field', None)}")
        return
    event("registered")
    assert not text_problems(case), "stored with NUL, controls or lone surrogates"
    counts, old = row_counts(shared_store), {t: n for t, (n, _) in before.items()}
    assert counts["cases"] == old["cases"] + 1
    assert counts["audit_log"] == old["audit_log"] + 1  # one call, one audit entry
    assert counts["contact_log"] == old["contact_log"] + 1
    assert get_case(shared_store, case.id).case_number == case.case_number
    assert find_case_id(shared_store, case.case_number.lower()) == case.id


case_number_like = st.one_of(
    hostile_text(broken=True),
    st.from_regex(
        r"[sSｓＳ][oOｏＯ][-－ー]?[0-9０-９]{1,5}[-－ー]?[0-9０-９]{1,5}", fullmatch=True
    ),
    st.builds(lambda n: f"SO-2026-{n:04d}", st.integers(0, 20)),
)


@budget(200)
@given(number=case_number_like)
def test_find_case_id_finds_or_says_not_found(shared_store: Store, number: str) -> None:
    before = database_state(shared_store)
    try:
        case_id = find_case_id(shared_store, number)
    except Exception as exc:
        assert_clear_error(exc)
        event("not found")
    else:
        event("found")
        assert search_key(get_case(shared_store, case_id).case_number) == search_key(number)
    assert database_state(shared_store) == before


def test_a_name_longer_than_its_column_is_refused(store: Store) -> None:
    """Found by these tests: SQLite stored it whole, PostgreSQL would refuse the INSERT."""
    too_long = NewPatient(name="山" * 101, furigana="ヤマ")  # patients.name is String(100)
    before = database_state(store)
    with pytest.raises(ValidationError, match="100文字以内") as err:
        create_case(store, NewCase(patient=too_long))
    assert err.value.field == "name"
    assert database_state(store) == before
