"""The specialist declines: 担当医確認 → お断り with a reason → 対象外, and the letter to the caller."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision, Stage
from desktop_app.ui.print_preview import PrintPreviewDialog
from desktop_app.ui.receipt_dialog import ReceiptDialog
from tests.journeys.desk import Call, Desk
from tests.ui.modals import click, yes

# The offscreen platform says this when a popup (the completer's, a menu) shows; not ours.
pytestmark = pytest.mark.qt_log_ignore("does not support grabbing the keyboard", extend=True)

REASON = "当院に該当する専門医がいないため"


def test_the_doctor_declines_and_the_case_ends_as_excluded(desk: Desk) -> None:
    case = desk.take_call(Call(patient_name="佐々木　花子", patient_furigana="ささき　はなこ"))
    desk.print_packet("FAXで送付した")
    desk.receive(case.case_number, ["セカンドオピニオン外来申込書"], how="郵送")
    assert desk.case(case.id).stage is Stage.APPLICATION_RECEIVED

    window = desk.open_case(case.case_number)
    # 不可 ends the case; the desk is asked whether to prepare the letter now: はい.
    dialog = desk.decide(window, Decision.DECLINED, reason=REASON, then=[yes])
    assert dialog.result_ is not None and dialog.result_.ended

    case = desk.case(case.id)
    assert case.stage is Stage.EXCLUDED
    assert type(case.decision) is Decision and case.decision is Decision.DECLINED
    assert case.decision_reason == REASON
    assert REASON in case.end_reason
    assert (case.department, case.doctor) == (desk.clinic.department, desk.clinic.doctor)
    assert case.appointment is None
    assert any(REASON in h.summary for h in case.history)

    # The case window shows the end, and nothing more can be decided or booked on it.
    assert window.stage_label.text() == Stage.EXCLUDED.label
    assert not window.decision_button.isEnabled()
    assert not window.move_button.isEnabled()

    # The お断りのご連絡 opened in the preview; printed and closed.
    letter = desk.wait_for(PrintPreviewDialog)
    assert letter.form.kind == FormKind.DECLINE and letter.form.case_id == case.id
    desk.print_preview(letter)
    assert any(h.summary.endswith("を印刷") for h in desk.case(case.id).history)
    desk.close_window(window)

    # A paper that still comes in for it is not taken: 書類受領 says the case has ended.
    desk.shortcut(Qt.Key.Key_R)
    receipt = desk.wait_for(ReceiptDialog)
    desk.qtbot.keyClicks(receipt.query_edit, case.case_number)
    desk.qtbot.keyClick(receipt.query_edit, Qt.Key.Key_Return)
    assert not receipt.case_panel.isVisible()
    assert "終了しています" in receipt.message_label.text()
    click(receipt, "閉じる")
