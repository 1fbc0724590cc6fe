"""A whole case, from the first phone call to 会計・報告書済, through the real main window."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop_app.domain import clock
from desktop_app.domain.documents import Channel, Direction, DocumentKind, ReportChannel
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision, Stage
from desktop_app.ui.case_table_model import COL_STAGE
from desktop_app.ui.print_preview import PrintPreviewDialog
from desktop_app.ui.visit_dialogs import MinutesDialog, PaymentDialog, ReportDialog
from tests.journeys.desk import Call, Desk, ok, pick
from tests.ui.modals import answer_modals, click, yes

# The offscreen platform says this when a popup (the completer's, a menu) shows; not ours.
pytestmark = pytest.mark.qt_log_ignore("does not support grabbing the keyboard", extend=True)


def _doc(case, kind: DocumentKind):
    return next(d for d in case.documents if d.kind is kind)


def test_a_patient_from_the_call_to_the_settled_case(desk: Desk) -> None:
    today = clock.today()

    # 1 問い合わせ受付: the patient phones; they will bring a CD-R of their CT.
    case = desk.take_call(Call(materials=(DocumentKind.IMAGING_CD,)))
    assert case.stage is Stage.INQUIRY
    number = case.case_number
    incoming = {d.kind for d in case.documents if d.direction is Direction.IN}
    assert {DocumentKind.APPLICATION, DocumentKind.REFERRAL_LETTER} <= incoming
    assert DocumentKind.CONSENT not in incoming
    cd = _doc(case, DocumentKind.IMAGING_CD)
    assert cd.borrowed and cd.received_on is None

    # 2 書類送付済: the packet printed, then posted.
    preview = desk.print_packet("郵送で送付した")
    assert preview.form.kind == FormKind.PACKET
    case = desk.case(case.id)
    assert case.stage is Stage.FORMS_SENT
    sent = [d for d in case.documents if d.direction is Direction.OUT]
    assert sent and all(d.sent_on == today for d in sent)
    assert all(type(d.channel) is Channel and d.channel is Channel.MAIL for d in sent)

    # 3 申込書受領: the application comes back by FAX.
    said = desk.receive(number, ["セカンドオピニオン外来申込書"], how="FAX")
    assert "申込書受領" in said
    case = desk.case(case.id)
    assert case.stage is Stage.APPLICATION_RECEIVED
    application = _doc(case, DocumentKind.APPLICATION)
    assert application.received_on == today and application.channel is Channel.FAX

    # 4 担当医確認: Dr 青木 of 呼吸器内科 accepts.
    window = desk.open_case(number)
    desk.decide(window, Decision.ACCEPTED)
    case = desk.case(case.id)
    assert case.stage is Stage.DOCTOR_REVIEW
    assert type(case.decision) is Decision and case.decision is Decision.ACCEPTED
    assert (case.department, case.doctor) == (desk.clinic.department, desk.clinic.doctor)
    assert window.stage_label.text() == Stage.DOCTOR_REVIEW.label

    # 5 予約確定: 予約… in the case window, the first free slot; the 予約確認書 printed and
    # posted.
    slot = desk.book(window, confirmation=yes)
    letter = desk.wait_for(PrintPreviewDialog)
    assert letter.form.kind == FormKind.CONFIRMATION
    desk.print_preview(letter, "郵送で送付した")
    assert slot.doctor_id == desk.clinic.doctor_id and slot.materials_in_time
    assert slot.date > today
    case = desk.case(case.id)
    assert case.stage is Stage.BOOKED
    appointment = case.appointment
    assert appointment is not None
    assert (appointment.date, appointment.start_time) == (slot.date, slot.start)
    assert window.stage_label.text() == Stage.BOOKED.label
    confirmation = _doc(case, DocumentKind.CONFIRMATION)
    assert confirmation.sent_on == today and confirmation.channel is Channel.MAIL
    desk.close_window(window)

    # The board has its card in 予約確定 (it reads again each time it is shown).
    board = desk.window.board
    with desk.qtbot.waitSignal(board.loaded, timeout=5000):
        desk.shortcut(Qt.Key.Key_2)
    assert board.columns[Stage.BOOKED].model.rowCount() == 1

    # 6 資料受領: the referral letter and the CD-R are brought in.
    said = desk.receive(number, ["専用診療情報提供書（紹介状）", "画像CD-R"], how="持参")
    case = desk.case(case.id)
    assert case.stage is Stage.MATERIALS_RECEIVED, said
    cd = _doc(case, DocumentKind.IMAGING_CD)
    assert cd.received_on == today and type(cd.channel) is Channel and cd.channel is Channel.BROUGHT

    # 7 当日受付, on the day of the appointment (the program's clock moves to it).
    desk.move_clock_to(dt.datetime.combine(slot.date, slot.start) - dt.timedelta(minutes=10))
    day = slot.date
    window = desk.open_case(number)
    panel = window.visit_panel
    window.tabs.setCurrentWidget(panel)
    assert panel.buttons["check_in"].isEnabled()
    panel.buttons["check_in"].click()
    case = desk.case(case.id)
    assert case.stage is Stage.CHECKED_IN
    assert case.appointment is not None and case.appointment.checked_in
    assert panel.values["check_in"].text() == "受付済"

    # 8 実施済: 45 minutes (one extension).
    def minutes(dialog: QWidget) -> None:
        assert isinstance(dialog, MinutesDialog), type(dialog)
        dialog.spin.setValue(45)
        assert "11,000円" in dialog.fee_label.text()
        click(dialog, "登録")

    answers = answer_modals(minutes)
    panel.buttons["minutes"].click()
    assert answers.pending == 0
    case = desk.case(case.id)
    assert case.stage is Stage.DONE and case.actual_minutes == 45

    # 9 報告書: handed to the patient today.
    def report(dialog: QWidget) -> None:
        assert isinstance(dialog, ReportDialog), type(dialog)
        pick(dialog.channel_combo, "患者さんにお渡し")
        assert dialog.delivered_edit.isEnabled()
        click(dialog, "登録")

    answers = answer_modals(report)
    panel.buttons["report"].click()
    assert answers.pending == 0
    case = desk.case(case.id)
    assert type(case.report_channel) is ReportChannel
    assert case.report_channel is ReportChannel.HANDED_TO_PATIENT
    assert case.report_written_on == day and case.report_delivered_on == day
    assert panel.values["report"].text().startswith("患者さんにお渡し")

    # お会計: the computed fee, in cash; the receipt printed.
    def payment(dialog: QWidget) -> None:
        assert isinstance(dialog, PaymentDialog), type(dialog)
        assert dialog.amount_spin.value() == 11_000
        pick(dialog.method_combo, "現金")
        click(dialog, "登録")

    answers = answer_modals(payment, yes)
    panel.buttons["pay"].click()
    assert answers.pending == 0
    case = desk.case(case.id)
    [paid] = case.payments
    assert paid.total_yen == 11_000 and paid.method == "現金" and not paid.voided
    assert paid.paid_on == day and paid.receipt_number
    receipt = desk.wait_for(PrintPreviewDialog)
    assert receipt.form.kind == FormKind.RECEIPT
    desk.print_preview(receipt, "手渡しした")
    handed = _doc(desk.case(case.id), DocumentKind.RECEIPT)
    assert handed.sent_on == day and handed.channel is Channel.HANDED
    # Not yet 完了: the CD-R is still here.
    assert "返却" in panel.next_label.text()

    # The borrowed CD-R goes back to the clinic, by post.
    documents = window.documents_panel
    window.tabs.setCurrentWidget(documents)
    row = next(
        i for i, d in enumerate(window.detail.documents) if d.kind is DocumentKind.IMAGING_CD
    )
    documents.table.selectRow(row)
    assert documents.buttons["return"].isEnabled()

    def give_back(dialog: QWidget) -> None:
        from desktop_app.ui.value_combo import ValueCombo

        [how] = dialog.findChildren(ValueCombo)
        pick(how, "郵送")
        ok(dialog)

    answers = answer_modals(give_back)
    documents.buttons["return"].click()
    assert answers.pending == 0
    case = desk.case(case.id)
    cd = _doc(case, DocumentKind.IMAGING_CD)
    assert cd.returned_on == day and cd.returned_to == "みなと内科クリニック"
    assert type(cd.return_channel) is Channel and cd.return_channel is Channel.MAIL

    # 完了: 会計・報告書済.
    window.tabs.setCurrentWidget(panel)
    assert panel.buttons["close"].isEnabled()
    panel.buttons["close"].click()
    case = desk.case(case.id)
    assert case.stage is Stage.SETTLED
    assert window.stage_label.text() == Stage.SETTLED.label
    assert panel.next_label.text() == "この案件は完了しています。"
    desk.close_window(window)

    # The case list shows where it ended; the board no longer has a card for it.
    cases = desk.window.case_list
    row = cases.model.row_of_case(case.id)
    assert row >= 0
    assert cases.model.index(row, COL_STAGE).data() == Stage.SETTLED.label
    with desk.qtbot.waitSignal(board.loaded, timeout=5000):
        desk.shortcut(Qt.Key.Key_2)
    assert board.isVisible()
    assert sum(column.model.rowCount() for column in board.columns.values()) == 0
