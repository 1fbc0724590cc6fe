"""担当医確認: the dialog starts on the case's department and names no doctor until chosen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.domain import clock
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.decisions import record_decision
from desktop_app.ui.decision_dialog import CHOOSE_DOCTOR, DecisionDialog
from tests.services.trail_helpers import add_doctor


def _review_case(store, make_case, desired: int | None):
    case = make_case(desired_department_id=desired)
    for stage in (Stage.FORMS_SENT, Stage.APPLICATION_RECEIVED):
        move_stage(store, case.id, stage, override_reason="申込書はFAXで確認")
    return get_case(store, case.id)


def test_opens_on_the_desired_department_with_no_doctor_chosen(
    qtbot, runner, store, make_case
) -> None:
    add_doctor(store, "消化器内科", "大森 一郎")
    resp, aoki = add_doctor(store, "呼吸器内科", "青木 一郎")
    add_doctor(store, "呼吸器内科", "馬場 二郎")
    detail = _review_case(store, make_case, resp)
    dialog = DecisionDialog(runner, detail)
    qtbot.addWidget(dialog)
    assert dialog.department_combo.currentText() == "呼吸器内科"
    assert dialog.doctor_combo.currentText() == CHOOSE_DOCTOR
    assert dialog.doctor_combo.value() is None
    assert not dialog.record_button.isEnabled()
    assert dialog.record_button.toolTip() == "担当医を選んでください"

    # Enter records nothing (the decision moves the case); choosing a doctor enables 記録.
    dialog.show()
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert get_case(store, detail.id).stage is Stage.APPLICATION_RECEIVED
    assert dialog.doctor_combo.set_value(aoki)
    assert dialog.record_button.isEnabled()
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert get_case(store, detail.id).stage is Stage.APPLICATION_RECEIVED
    assert not dialog.record_button.isDefault()
    dialog.record_button.setFocus()  # tabbed to 記録: Enter still records nothing
    qtbot.keyClick(dialog.record_button, Qt.Key.Key_Return)
    assert get_case(store, detail.id).stage is Stage.APPLICATION_RECEIVED
    dialog.record_button.click()
    after = get_case(store, detail.id)
    assert (after.stage, after.department, after.doctor) == (
        Stage.DOCTOR_REVIEW,
        "呼吸器内科",
        "青木 一郎",
    )


def test_a_decided_case_reopens_on_its_doctor(qtbot, runner, store, make_case) -> None:
    add_doctor(store, "消化器内科", "大森 一郎")
    resp, _aoki = add_doctor(store, "呼吸器内科", "青木 一郎")
    _, baba = add_doctor(store, "呼吸器内科", "馬場 二郎")
    detail = _review_case(store, make_case, None)
    record_decision(
        store,
        detail.id,
        department_id=resp,
        doctor_id=baba,
        decision=Decision.ACCEPTED,
        on=clock.today(),
    )
    dialog = DecisionDialog(runner, get_case(store, detail.id))
    qtbot.addWidget(dialog)
    assert dialog.department_combo.currentText() == "呼吸器内科"
    assert dialog.doctor_combo.value() == baba
