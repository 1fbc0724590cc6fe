"""The case edit dialog corrects the caller's own 続柄; a caller stored with only a category
(before the relation was asked) keeps it until the clerk picks one (issue #24 item 3)."""

from __future__ import annotations

import pytest

from desktop_app.domain.people import Relationship
from desktop_app.services.case_edit import case_edit_form
from desktop_app.services.cases import create_case, get_case
from desktop_app.services.dto import NewCaller, NewCase, NewPatient
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_edit_dialog import CaseEditDialog
from tests.ui.conftest import type_japanese


@pytest.fixture
def dialog_for(qtbot, runner: ServiceRunner):
    def make(case_id: int) -> CaseEditDialog:
        dialog = CaseEditDialog(runner, case_id)
        qtbot.addWidget(dialog)
        assert dialog.load()
        return dialog

    return make


def _case(store, relationship: Relationship, relation: str) -> int:
    caller = NewCaller(name="山田　花子", relationship=relationship, relation=relation)
    patient = NewPatient(
        name="山田　太郎",
        furigana="ヤマダ　タロウ",
        postal_code="0530022",
        address="北海道苫小牧市表町1-1-1",
    )
    return create_case(store, NewCase(patient=patient, caller=caller)).id


def test_a_stored_relation_is_shown_and_corrected(store, dialog_for) -> None:
    case_id = _case(store, Relationship.SPOUSE, "妻")
    dialog = dialog_for(case_id)
    assert dialog.relationship.value() == "妻"
    assert "other" not in dialog.relationship.buttons, "not family: no case to edit"
    dialog.relationship.buttons["母"].click()
    assert dialog.save() is not None
    caller = get_case(store, case_id).caller
    assert caller is not None
    assert (caller.relationship, caller.relation) == (Relationship.PARENT, "母")
    assert "相談者の続柄" in get_case(store, case_id).history[-1].summary


def test_an_old_category_stays_until_a_relation_is_picked(store, dialog_for) -> None:
    case_id = _case(store, Relationship.SIBLING, "")
    dialog = dialog_for(case_id)
    assert dialog.relationship.value() is None
    assert "兄弟姉妹" in dialog.relationship.note.text()
    assert dialog.current_edit().caller.relationship is Relationship.SIBLING
    assert dialog.current_edit().caller == case_edit_form(store, case_id).edit.caller
    dialog.relationship.buttons["姉"].click()
    assert dialog.save() is not None
    caller = get_case(store, case_id).caller
    assert caller is not None and (caller.relationship, caller.relation) == (
        Relationship.SIBLING,
        "姉",
    )


def test_a_typed_relation_of_another_category_is_refused(store, qtbot, dialog_for) -> None:
    case_id = _case(store, Relationship.OTHER_RELATIVE, "いとこ")
    dialog = dialog_for(case_id)
    assert dialog.relationship.value() == "other_relative"
    assert dialog.relationship.other_text.text() == "いとこ"
    edit = dialog.relationship.other_text
    edit.setFocus()
    edit.selectAll()
    edit.del_()
    type_japanese(edit, "夫")
    assert dialog.save() is None
    assert "配偶者" in dialog.relationship.error()
    caller = get_case(store, case_id).caller
    assert caller is not None and caller.relation == "いとこ", "nothing written"
