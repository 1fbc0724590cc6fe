"""A FAX number for the patient and the family caller: checked and stored by the intake's
create_case as the phones are (digits), corrected in 訂正 with the history's before and after."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import Relationship
from desktop_app.domain.validation import MESSAGE_FAX
from desktop_app.services.case_edit import CaseEdit, case_edit_form, save_case_edit
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail, NewCaller, NewPatient
from desktop_app.services.store import Store

PATIENT = NewPatient(
    name="山田　太郎",
    furigana="ヤマダ　タロウ",
    postal_code="0530022",
    address="北海道苫小牧市表町1-1-1",
    phone="0144-11-2233",
)
DAUGHTER = NewCaller(name="山田　花子", relationship=Relationship.CHILD, relation="娘")


def _edits(store: Store, case_id: int) -> list[AuditEntry]:
    with store.read() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.case_id == case_id, AuditEntry.action == "case.edit")
                .order_by(AuditEntry.id)
            )
        )


def _save(store: Store, case_id: int, change: Callable[[CaseEdit], CaseEdit]) -> CaseDetail:
    form = case_edit_form(store, case_id)
    return save_case_edit(store, case_id, change(form.edit), expected_version=form.edit.version)


def test_the_intake_stores_the_numbers_as_digits(
    store: Store, make_case: Callable[..., CaseDetail]
) -> None:
    case = make_case(
        patient=dataclasses.replace(PATIENT, fax="（0144）11-2234"),
        caller=dataclasses.replace(DAUGHTER, fax="+81 11 222 3344"),
    )
    stored = get_case(store, case.id)
    assert stored.patient.fax == "0144112234"
    assert stored.caller is not None and stored.caller.fax == "0112223344"
    assert case_edit_form(store, case.id).edit.patient.fax == "0144112234"
    assert case_edit_form(store, case.id).edit.caller.fax == "0112223344"
    assert make_case(name="佐藤　一郎", furigana="サトウ　イチロウ").patient.fax == ""


@pytest.mark.parametrize(
    ("patient_fax", "caller_fax", "field"),
    [("0144-11-223", "", "fax"), ("", "FAX 0112223344", "caller_fax")],
)
def test_a_bad_number_is_refused_by_its_field_with_the_fax_message(
    store: Store,
    make_case: Callable[..., CaseDetail],
    patient_fax: str,
    caller_fax: str,
    field: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_case(
            patient=dataclasses.replace(PATIENT, fax=patient_fax),
            caller=dataclasses.replace(DAUGHTER, fax=caller_fax),
        )
    assert refused.value.field == field
    assert (
        refused.value.message
        == MESSAGE_FAX
        == ("FAX番号は0から始まる10桁または11桁で入力してください。")
    )


def test_a_corrected_number_is_in_the_history_with_before_and_after(
    store: Store, make_case: Callable[..., CaseDetail]
) -> None:
    case = make_case(patient=PATIENT, caller=dataclasses.replace(DAUGHTER, fax="0112223344"))

    def change(e: CaseEdit) -> CaseEdit:
        patient = dataclasses.replace(e.patient, fax="0144-11-2234")
        caller = dataclasses.replace(e.caller, fax="")
        return dataclasses.replace(e, patient=patient, caller=caller)

    saved = _save(store, case.id, change)
    assert saved.patient.fax == "0144112234"
    assert saved.caller is not None and saved.caller.fax == ""
    [entry] = _edits(store, case.id)
    assert entry.before == {"fax": "", "caller_fax": "0112223344"}
    assert entry.after == {"fax": "0144112234", "caller_fax": ""}
    assert entry.summary == "内容を訂正：FAX番号、相談者のFAX番号"

    with pytest.raises(ValidationError) as refused:
        _save(
            store,
            case.id,
            lambda e: dataclasses.replace(e, caller=dataclasses.replace(e.caller, fax="12345")),
        )
    assert refused.value.field == "caller_fax"
    assert len(_edits(store, case.id)) == 1  # nothing written


def test_the_patient_on_the_phone_has_no_caller_fax(
    store: Store, make_case: Callable[..., CaseDetail]
) -> None:
    case = make_case(patient=PATIENT, caller=dataclasses.replace(DAUGHTER, fax="0112223344"))

    def to_self(e: CaseEdit) -> CaseEdit:
        caller = dataclasses.replace(e.caller, relationship=Relationship.SELF, relation="")
        return dataclasses.replace(e, caller=caller)

    saved = _save(store, case.id, to_self)
    assert saved.caller is None
    [entry] = _edits(store, case.id)
    assert entry.after["caller_fax"] == ""
    # The form then reads ご本人 with no FAX of the caller's: saving it again changes nothing.
    assert case_edit_form(store, case.id).edit.caller.fax == ""
    _save(store, case.id, lambda e: e)
    assert len(_edits(store, case.id)) == 1
