from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry, Caller, Department, Patient, ReferringDoctor
from desktop_app.domain import clock
from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.people import ConsultationCategory, Relationship, Sex
from desktop_app.domain.stages import Stage
from desktop_app.services.case_edit import (
    CallerEdit,
    CaseEdit,
    ReferrerEdit,
    case_edit_form,
    save_case_edit,
)
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import create_case, get_case, move_stage
from desktop_app.services.dto import NewCase
from desktop_app.services.masters import list_departments


def _edits(store, case_id) -> list[AuditEntry]:
    with store.read() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.case_id == case_id, AuditEntry.action == "case.edit")
                .order_by(AuditEntry.id)
            )
        )


def _save(store, case_id, change) -> tuple[CaseEdit, object]:
    form = case_edit_form(store, case_id)
    edit = change(form.edit)
    return edit, save_case_edit(store, case_id, edit, expected_version=form.edit.version)


def _found(store, query: str) -> list[str]:
    return [r.case_number for r in search_cases(store, query).rows]


def _row_counts(store) -> tuple[int, ...]:
    with store.read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(m)) or 0
            for m in (AuditEntry, Patient, Caller, ReferringDoctor)
        )


def test_form_holds_what_intake_stored(store, make_case) -> None:
    case = make_case(relationship=Relationship.SPOUSE)
    form = case_edit_form(store, case.id)
    assert form.case_number == case.case_number
    assert form.edit.version == case.version
    assert form.edit.patient.furigana == "ヤマダ　タロウ"
    assert form.edit.patient.phone == "0144112233"
    assert form.edit.caller == CallerEdit(Relationship.SPOUSE, "山田　花子", "", "")
    assert form.edit.referrer == ReferrerEdit("みなと内科クリニック", "内科", "北村　誠司")
    assert form.edit.mailing.to_name == "山田　太郎"
    assert form.other_case_numbers == ()


def test_patient_edit_is_audited_with_only_what_changed(store, make_case) -> None:
    case = make_case()

    def change(e: CaseEdit) -> CaseEdit:
        p = dataclasses.replace(
            e.patient,
            furigana="やまだ　たろお",
            birth_date=dt.date(1970, 3, 16),
            mobile="090 1234 5678",
        )
        return dataclasses.replace(e, patient=p)

    _, saved = _save(store, case.id, change)
    assert saved.patient.furigana == "ヤマダ　タロオ"
    assert saved.patient.mobile == "09012345678"
    assert saved.version > case.version
    [entry] = _edits(store, case.id)
    assert entry.before == {
        "patient_furigana": "ヤマダ　タロウ",
        "birth_date": "1970-03-15",
        "mobile": "",
    }
    assert entry.after == {
        "patient_furigana": "ヤマダ　タロオ",
        "birth_date": "1970-03-16",
        "mobile": "09012345678",
    }
    assert entry.staff == "テスト担当"
    assert "フリガナ" in entry.summary and "生年月日" in entry.summary
    assert saved.history[-1].summary == entry.summary


def test_caller_edit_and_self_to_family_and_back(store, make_case) -> None:
    case = make_case()  # the patient called for themselves: no caller row

    def to_spouse(e: CaseEdit) -> CaseEdit:
        caller = CallerEdit(Relationship.SPOUSE, "山田 花子", "ﾔﾏﾀﾞ ﾊﾅｺ", "090-1111-2222")
        return dataclasses.replace(e, caller=caller)

    _, saved = _save(store, case.id, to_spouse)
    assert saved.caller is not None
    assert saved.caller.furigana == "ヤマダ　ハナコ"
    assert saved.caller.phone == "09011112222"
    entry = _edits(store, case.id)[-1]
    assert entry.before == {
        "relationship": "self",
        "caller_name": "",
        "caller_furigana": "",
        "caller_phone": "",
    }
    assert entry.after["caller_name"] == "山田　花子"
    assert _found(store, "はなこ") == [case.case_number]

    _, back = _save(store, case.id, lambda e: dataclasses.replace(e, caller=CallerEdit()))
    assert back.caller is None
    assert _found(store, "はなこ") == []


def test_referrer_edit_reuses_or_extends_the_master(store, make_case) -> None:
    case = make_case()
    other = make_case(name="佐藤　一郎", furigana="サトウ　イチロウ")
    ref = ReferrerEdit("ﾐﾅﾄ内科クリニック", "消化器内科", "南 一")
    _, saved = _save(store, case.id, lambda e: dataclasses.replace(e, referrer=ref))
    assert saved.referrer is not None
    assert saved.referrer.institution == "みなと内科クリニック"  # the same institution, found
    assert saved.referrer.institution_id == other.referrer.institution_id
    assert (saved.referrer.department, saved.referrer.doctor) == ("消化器内科", "南　一")
    entry = _edits(store, case.id)[-1]
    assert entry.before == {"referrer_department": "内科", "referrer_doctor": "北村　誠司"}
    # The other case keeps its own doctor.
    assert get_case(store, other.id).referrer.doctor == "北村　誠司"

    _, cleared = _save(store, case.id, lambda e: dataclasses.replace(e, referrer=ReferrerEdit()))
    assert cleared.referrer is None


def test_consultation_edit(store, make_case) -> None:
    case = make_case()
    with store.transaction() as session:
        session.add(Department(name="消化器内科"))
    department = list_departments(store)[0]

    def change(e: CaseEdit) -> CaseEdit:
        c = dataclasses.replace(
            e.consultation,
            content="  手術を勧められている  ",
            category=ConsultationCategory.MAJOR_OPERATION,
            diagnosis="胃がん",
            primary_doctor_informed=True,
            desired_department_id=department.id,
            desired_dates="12月の平日",
        )
        return dataclasses.replace(e, consultation=c)

    _, saved = _save(store, case.id, change)
    assert saved.consultation == "手術を勧められている"
    assert saved.desired_department == department.name
    entry = _edits(store, case.id)[-1]
    assert entry.after == {
        "consultation": "手術を勧められている",
        "category": "major_operation",
        "diagnosis": "胃がん",
        "primary_doctor_informed": True,
        "desired_department": department.name,
        "desired_dates": "12月の平日",
    }
    assert entry.before["primary_doctor_informed"] is None


def test_mailing_edit(store, make_case) -> None:
    case = make_case()

    def change(e: CaseEdit) -> CaseEdit:
        m = dataclasses.replace(
            e.mailing, to_name="山田 花子", postal_code="０５３－００１１", channel=Channel.FAX
        )
        return dataclasses.replace(e, mailing=m)

    _, saved = _save(store, case.id, change)
    assert (saved.mail_to_name, saved.mail_postal_code) == ("山田　花子", "0530011")
    assert saved.mail_channel is Channel.FAX
    entry = _edits(store, case.id)[-1]
    assert set(entry.after) == {"mail_to_name", "mail_postal_code", "mail_channel"}


def test_saving_without_a_change_writes_nothing(store, make_case) -> None:
    case = make_case()
    before = _row_counts(store)
    form = case_edit_form(store, case.id)
    # As the dialog sends it: phones and postal codes shown with hyphens.
    shown = dataclasses.replace(
        form.edit,
        patient=dataclasses.replace(
            form.edit.patient, phone="0144-11-2233", postal_code="053-0022"
        ),
    )
    saved = save_case_edit(store, case.id, shown, expected_version=form.edit.version)
    assert saved.version == case.version
    assert _row_counts(store) == before


def test_search_finds_the_new_spelling_on_every_case_of_the_patient(store, make_case) -> None:
    first = make_case()
    second = create_case(store, NewCase(existing_patient_id=first.patient.id))
    move_stage(store, second.id, Stage.CANCELLED, reason="都合")
    assert case_edit_form(store, first.id).other_case_numbers == (second.case_number,)

    def rename(e: CaseEdit) -> CaseEdit:
        p = dataclasses.replace(e.patient, name="山田　多朗", furigana="ヤマダ　タロオ")
        return dataclasses.replace(e, patient=p)

    _save(store, first.id, rename)
    both = sorted([first.case_number, second.case_number])
    for spelling in ("やまだたろお", "ヤマダ　タロオ", "ﾔﾏﾀﾞﾀﾛｵ", "多朗"):
        assert sorted(_found(store, spelling)) == both, spelling
    assert _found(store, "タロウ") == []
    assert _found(store, "太郎") == []
    assert "SO-" in _edits(store, first.id)[-1].summary  # names the other case
    assert get_case(store, second.id).patient.name == "山田　多朗"


def test_mailing_to_the_patient_follows_a_corrected_address_on_open_cases_only(
    store, make_case
) -> None:
    first = make_case()
    open_other = create_case(store, NewCase(existing_patient_id=first.patient.id))
    closed_other = create_case(store, NewCase(existing_patient_id=first.patient.id))
    move_stage(store, closed_other.id, Stage.CANCELLED, reason="都合")

    def move(e: CaseEdit) -> CaseEdit:
        p = dataclasses.replace(e.patient, postal_code="0530011", address="苫小牧市末広町1-1")
        return dataclasses.replace(e, patient=p)

    _, saved = _save(store, first.id, move)
    assert (saved.mail_postal_code, saved.mail_address) == ("0530011", "苫小牧市末広町1-1")
    assert get_case(store, open_other.id).mail_address == "苫小牧市末広町1-1"
    assert get_case(store, closed_other.id).mail_address == "北海道苫小牧市表町1-1-1"


def test_a_closed_case_can_still_be_corrected(store, make_case) -> None:
    case = make_case()
    move_stage(store, case.id, Stage.CANCELLED, reason="都合")
    form = case_edit_form(store, case.id)
    p = dataclasses.replace(form.edit.patient, name="山田　太朗")
    saved = save_case_edit(
        store,
        case.id,
        dataclasses.replace(form.edit, patient=p),
        expected_version=form.edit.version,
    )
    assert saved.patient.name == "山田　太朗"
    assert saved.stage is Stage.CANCELLED
    assert saved.mail_to_name == "山田　太郎"  # what the packet was sent to stays on record


@pytest.mark.parametrize(
    ("group", "values", "field"),
    [
        ("patient", {"furigana": "山田"}, "furigana"),
        ("patient", {"name": "  "}, "name"),
        ("patient", {"phone": "12345"}, "phone"),
        ("patient", {"mobile": "090-1234"}, "mobile"),
        ("patient", {"postal_code": "053-856"}, "postal_code"),
        ("patient", {"birth_date": clock.today() + dt.timedelta(days=1)}, "birth_date"),
        ("caller", {"relationship": Relationship.SPOUSE, "name": ""}, "caller_name"),
        (
            "caller",
            {"relationship": Relationship.CHILD, "name": "花子", "furigana": "Hanako"},
            "caller_furigana",
        ),
        ("caller", {"phone": "abc"}, "caller_phone"),
        ("caller", {"relationship": Relationship.OTHER, "name": "鈴木"}, "relationship"),
        ("mailing", {"postal_code": "12"}, "mail_postal_code"),
        ("mailing", {"address": ""}, "mail_address"),
        ("mailing", {"to_name": ""}, "mail_to_name"),
        ("consultation", {"desired_department_id": 9999}, "desired_department"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(store, make_case, group, values, field) -> None:
    case = make_case()
    before = _row_counts(store)
    form = case_edit_form(store, case.id)
    part = dataclasses.replace(getattr(form.edit, group), **values)
    # Something valid changed too: it must not be written either.
    good = dataclasses.replace(form.edit.patient, sex=Sex.FEMALE) if group != "patient" else part
    edit = dataclasses.replace(form.edit, **{group: part})
    if group != "patient":
        edit = dataclasses.replace(edit, patient=good)
    with pytest.raises(ValidationError) as err:
        save_case_edit(store, case.id, edit, expected_version=form.edit.version)
    assert err.value.field == field
    assert _row_counts(store) == before
    assert get_case(store, case.id).patient.sex is Sex.MALE
    assert get_case(store, case.id).version == case.version


def test_fax_needs_no_postal_address(store, make_case) -> None:
    case = make_case()

    def fax(e: CaseEdit) -> CaseEdit:
        m = dataclasses.replace(e.mailing, address="", channel=Channel.FAX)
        return dataclasses.replace(e, mailing=m)

    _, saved = _save(store, case.id, fax)
    assert saved.mail_address == ""


def test_version_conflict_writes_nothing(store, make_case) -> None:
    case = make_case()
    form = case_edit_form(store, case.id)
    move_stage(store, case.id, Stage.FORMS_SENT)  # another desk, meanwhile
    edit = dataclasses.replace(
        form.edit, patient=dataclasses.replace(form.edit.patient, name="山田　太朗")
    )
    with pytest.raises(ConflictError):
        save_case_edit(store, case.id, edit, expected_version=form.edit.version)
    assert get_case(store, case.id).patient.name == "山田　太郎"
    assert _edits(store, case.id) == []


def test_patient_changed_through_another_case_is_a_conflict(store, make_case) -> None:
    first = make_case()
    second = create_case(store, NewCase(existing_patient_id=first.patient.id))
    form = case_edit_form(store, first.id)
    other = case_edit_form(store, second.id)
    renamed = dataclasses.replace(
        other.edit, patient=dataclasses.replace(other.edit.patient, name="山田　太朗")
    )
    save_case_edit(store, second.id, renamed, expected_version=other.edit.version)
    stale = dataclasses.replace(
        form.edit, patient=dataclasses.replace(form.edit.patient, phone="0144-99-8877")
    )
    with pytest.raises(ConflictError):
        save_case_edit(store, first.id, stale, expected_version=get_case(store, first.id).version)
    assert get_case(store, first.id).patient.name == "山田　太朗"
