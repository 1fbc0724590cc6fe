"""The case window and Enter: a note's Enter logs the note and nothing else; no stage change
is ever preselected backwards or made by Enter; a step back asks first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case
from desktop_app.ui.case_detail import CaseDetailDialog
from tests.services.trail_helpers import to_booked
from tests.ui.conftest import type_japanese
from tests.ui.modals import answer_modals, no, yes


def _open(qtbot, runner, case_id: int) -> CaseDetailDialog:
    dialog = CaseDetailDialog(runner, case_id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_enter_in_the_note_logs_it_and_moves_nothing(qtbot, runner, store, make_case) -> None:
    booked = to_booked(store, make_case())
    dialog = _open(qtbot, runner, booked.id)
    # No button is the default one (Qt makes the first one the default when a dialog is
    # shown, unless told otherwise: that was 段階を変更).
    assert [b.text() for b in dialog.findChildren(QPushButton) if b.isDefault()] == []
    # The next stage is offered, never the step back.
    assert dialog.target_combo.value() is Stage.MATERIALS_RECEIVED

    panel = dialog.contacts_panel
    dialog.tabs.setCurrentWidget(panel)
    assert not panel.told_check.isHidden()  # the booking has not been told yet
    panel.told_check.setChecked(True)
    type_japanese(panel.summary_edit, "予約日時をお伝えした")
    qtbot.keyClick(panel.summary_edit, Qt.Key.Key_Return)

    after = get_case(store, booked.id)
    assert after.stage is Stage.BOOKED
    assert after.contacts[-1].summary == "予約日時を連絡／予約日時をお伝えした"
    assert after.appointment is not None and after.appointment.notified_on is not None
    assert panel.told_check.isHidden()  # told: nothing left to tick

    # Enter with the focus on the stage's own controls changes nothing either.
    for widget in (dialog.target_combo, dialog.move_button, dialog.tabs):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert get_case(store, booked.id).stage is Stage.BOOKED
    assert get_case(store, booked.id).version == after.version


def test_a_step_back_asks_first_and_a_booked_case_cannot_leave_its_booking(
    qtbot, runner, store, make_case, shown_errors
) -> None:
    booked = to_booked(store, make_case())
    dialog = _open(qtbot, runner, booked.id)
    dialog.select_target(Stage.DOCTOR_REVIEW)
    asked = answer_modals(no)
    dialog.move_button.click()
    assert not asked.pending and get_case(store, booked.id).stage is Stage.BOOKED
    asked = answer_modals(yes)
    dialog.move_button.click()
    assert not asked.pending
    assert shown_errors == [
        "予約が入っています。予約を取り消してから戻してください"
        "（カレンダーで予約を右クリック →「キャンセル…」）。"
    ]
    assert get_case(store, booked.id).stage is Stage.BOOKED
