"""The case detail's 会計 tab, on a real store: check in, minutes, report, pay, void, close."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from desktop_app.db.models import Appointment
from desktop_app.domain import clock
from desktop_app.domain.documents import Channel, DocumentKind, ReportChannel
from desktop_app.domain.fees import consultation_fee
from desktop_app.domain.forms import FormKind
from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.materials import add_item
from desktop_app.services.paper_trail import receive_many
from desktop_app.services.store import Store
from desktop_app.services.visit import WITHOUT_MATERIALS
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.visit_dialogs import MinutesDialog, OverrideDialog, PaymentDialog, TextDialog
from desktop_app.ui.visit_panel import STATE_COLUMN, VisitPanel
from tests.printing.conftest import pdf_text
from tests.services.trail_helpers import TODAY, to_booked
from tests.ui import dialog_answers as answers
from tests.ui.dialog_answers import open_previews, take_previews
from tests.ui.modals import answer_modals, no, yes


def _booked_today(store: Store, make_case, *, papers_in: bool = True) -> CaseDetail:
    case = to_booked(store, make_case())
    with store.transaction() as session:
        appt = session.scalars(select(Appointment).where(Appointment.case_id == case.id)).one()
        appt.date = TODAY
    if papers_in:
        missing = [d.id for d in case.documents if d.required and d.received_on is None]
        receive_many(store, case.id, missing, on=TODAY, channel=Channel.MAIL)
    return get_case(store, case.id)


@pytest.fixture
def open_panel(qtbot, runner, model_tester):
    def open_(case_id: int) -> tuple[CaseDetailDialog, VisitPanel]:
        dialog = CaseDetailDialog(runner, case_id)
        qtbot.addWidget(dialog)
        model_tester(dialog.visit_panel.model)
        assert dialog.load()
        return dialog, dialog.visit_panel

    return open_


def _enabled(panel: VisitPanel) -> set[str]:
    return {key for key, button in panel.buttons.items() if button.isEnabled()}


def _receipt_number(store: Store, case_id: int, payment_id: int) -> str:
    return next(p for p in get_case(store, case_id).payments if p.id == payment_id).receipt_number


def test_the_whole_path_through_the_buttons(store, make_case, open_panel, shown_errors) -> None:
    case = _booked_today(store, make_case)
    dialog, panel = open_panel(case.id)
    assert _enabled(panel) == {"check_in"}

    panel.buttons["check_in"].click()
    assert dialog.stage_label.text() == Stage.CHECKED_IN.label
    assert _enabled(panel) == {"minutes", "report"}

    asked = answer_modals(answers.minutes(45))
    panel.buttons["minutes"].click()
    assert asked.pending == 0
    assert get_case(store, case.id).actual_minutes == 45
    assert panel.values["minutes"].text() == "45分"
    assert _enabled(panel) == {"minutes", "report", "pay"}  # 完了 waits for pay and report

    asked = answer_modals(answers.report(ReportChannel.HANDED_TO_PATIENT, delivered_on=TODAY))
    panel.buttons["report"].click()
    assert asked.pending == 0
    after = get_case(store, case.id)
    assert type(after.report_channel) is ReportChannel
    assert after.report_channel is ReportChannel.HANDED_TO_PATIENT
    assert (after.report_written_on, after.report_delivered_on) == (TODAY, TODAY)
    assert "患者さんにお渡し" in panel.values["report"].text()

    seen: list[PaymentDialog] = []
    asked = answer_modals(answers.payment("現金", seen=seen), yes)
    panel.buttons["pay"].click()
    assert asked.pending == 0
    (form,) = seen
    assert form.fee.total_yen == 11_000  # the computed fee, prefilled
    methods = [form.method_combo.itemText(i) for i in range(form.method_combo.count())]
    assert methods == ["現金", "クレジットカード", "電子マネー"]
    paid = get_case(store, case.id).payments
    assert [(p.total_yen, p.method) for p in paid] == [(11_000, "現金")]
    (receipt,) = take_previews()  # asked first, then opened
    assert (receipt.kind, receipt.case_id) == (FormKind.RECEIPT, case.id)
    assert paid[0].receipt_number in pdf_text(receipt.pdf)
    assert panel.values["paid"].text().startswith("11,000円 現金（R-")
    assert "pay" not in _enabled(panel) and "minutes" not in _enabled(panel)
    assert dialog.tabs.tabText(3) == "会計（1）"

    panel.buttons["close"].click()
    assert shown_errors == []
    assert dialog.stage_label.text() == Stage.SETTLED.label
    assert get_case(store, case.id).stage is Stage.SETTLED
    assert _enabled(panel) == {"receipt"}


def test_backing_out_of_each_form_records_nothing(store, make_case, open_panel) -> None:
    case = _booked_today(store, make_case)
    _dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    before = get_case(store, case.id).history
    for key in ("minutes", "report"):
        asked = answer_modals(answers.cancel)
        panel.buttons[key].click()
        assert asked.pending == 0
    assert get_case(store, case.id).history == before
    assert get_case(store, case.id).actual_minutes is None


def test_the_receipt_is_not_printed_when_the_clerk_says_no(store, make_case, open_panel) -> None:
    case = _booked_today(store, make_case)
    _dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    asked = answer_modals(answers.minutes(30), answers.payment(), no)
    panel.buttons["minutes"].click()
    panel.buttons["pay"].click()
    assert asked.pending == 0
    assert len(get_case(store, case.id).payments) == 1
    assert open_previews() == []


def test_another_amount_and_its_reason_reach_the_payment(store, make_case, open_panel) -> None:
    case = _booked_today(store, make_case)
    _dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    asked = answer_modals(
        answers.minutes(30),
        answers.payment("電子マネー", amount=3_000, reason="一部減免"),
        no,
    )
    panel.buttons["minutes"].click()
    panel.buttons["pay"].click()
    assert asked.pending == 0
    (paid,) = get_case(store, case.id).payments
    assert (paid.total_yen, paid.method) == (3_000, "電子マネー")
    assert panel.values["paid"].text().startswith("3,000円 電子マネー（R-")


def test_missing_papers_ask_for_a_reason_in_the_guides_words(store, make_case, open_panel) -> None:
    case = _booked_today(store, make_case, papers_in=False)
    dialog, panel = open_panel(case.id)

    seen: list[OverrideDialog] = []

    def look_then_back_out(form) -> None:
        seen.append(form)
        answers.cancel(form)

    asked = answer_modals(look_then_back_out)
    panel.buttons["check_in"].click()  # the clerk backs out of the reason
    assert asked.pending == 0
    labels = [label.text() for label in seen[0].findChildren(QLabel)]
    assert WITHOUT_MATERIALS in labels
    assert any(text.startswith("まだ届いていません：") for text in labels)
    assert get_case(store, case.id).stage is Stage.BOOKED

    asked = answer_modals(answers.override("当日ご持参と主治医から連絡あり"))
    panel.buttons["check_in"].click()
    assert asked.pending == 0
    assert dialog.stage_label.text() == Stage.CHECKED_IN.label
    history = get_case(store, case.id).history[-1].summary
    assert "当日ご持参と主治医から連絡あり" in history


def test_a_refused_close_lists_every_open_item(store, make_case, open_panel, shown_errors) -> None:
    case = _booked_today(store, make_case)
    add_item(store, case.id, DocumentKind.IMAGING_FILM, label="CTフィルム", received_on=TODAY)
    dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    asked = answer_modals(answers.minutes(20))
    panel.buttons["minutes"].click()
    assert asked.pending == 0

    # 完了 stays disabled and says what is still open.
    assert not panel.buttons["close"].isEnabled()
    tip = panel.buttons["close"].toolTip().splitlines()
    assert tip[:2] == ["お会計が済んでいません。", "主治医への報告書がまだ渡されていません。"]
    assert tip[2].startswith("お借りした資料が返却されていません") and "CTフィルム" in tip[2]

    # Should it be reached all the same (another desk's change not seen yet), the refusal
    # lists every open item.
    panel.close_case()
    (message,) = shown_errors
    lines = message.splitlines()
    assert lines[0].startswith("まだ完了にできません")
    assert "・お会計が済んでいません" in lines
    assert "・主治医への報告書がまだ渡されていません" in lines
    assert any(line.startswith("・お借りした資料が返却されていません") for line in lines)
    assert "CTフィルム" in message
    assert get_case(store, case.id).stage is Stage.DONE
    assert dialog.stage_label.text() == Stage.DONE.label


def test_void_then_pay_again_and_the_table_marks_the_voided_one(
    store, make_case, open_panel
) -> None:
    case = _booked_today(store, make_case)
    _dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    asked = answer_modals(answers.minutes(30), answers.payment("現金"), no)
    panel.buttons["minutes"].click()
    panel.buttons["pay"].click()
    assert asked.pending == 0
    assert _enabled(panel) >= {"void", "receipt"}

    asked = answer_modals(answers.cancel)
    panel.buttons["void"].click()  # backs out: nothing voided
    assert asked.pending == 0
    assert not get_case(store, case.id).payments[0].voided
    seen: list[TextDialog] = []
    asked = answer_modals(answers.text("支払方法の誤り", seen=seen))
    panel.buttons["void"].click()
    assert asked.pending == 0
    number = get_case(store, case.id).payments[0].receipt_number
    assert seen[0].windowTitle() == f"会計の取消：領収書 {number}"
    assert "pay" in _enabled(panel) and "minutes" in _enabled(panel)
    assert panel.values["paid"].text() == "未会計"

    asked = answer_modals(answers.payment("クレジットカード"), no)
    panel.buttons["pay"].click()
    assert asked.pending == 0
    payments = get_case(store, case.id).payments
    assert [(p.voided, p.method) for p in payments] == [(True, "現金"), (False, "クレジットカード")]

    model = panel.model
    assert model.rowCount() == 2
    assert model.index(0, STATE_COLUMN).data() == "取消（支払方法の誤り）"
    assert model.index(1, STATE_COLUMN).data() == "有効"
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).strikeOut()
    assert model.index(1, 0).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(0, 2).data() == "現金"

    # The receipt of the selected (voided) payment is the one printed.
    panel.table.setCurrentIndex(model.index(0, 0))
    assert not panel.buttons["void"].isEnabled()
    panel.buttons["receipt"].click()
    (receipt,) = take_previews()
    assert (receipt.kind, receipt.case_id) == (FormKind.RECEIPT, case.id)
    text = pdf_text(receipt.pdf)
    assert payments[0].receipt_number in text and payments[1].receipt_number not in text


def test_the_voided_receipt_preview_is_marked(store, make_case, open_panel) -> None:
    case = _booked_today(store, make_case)
    _dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    asked = answer_modals(answers.minutes(30), answers.payment(), no, answers.text("二重登録"))
    panel.buttons["minutes"].click()
    panel.buttons["pay"].click()
    panel.buttons["void"].click()
    assert asked.pending == 0
    preview = panel.print_receipt()  # the selected row: the voided payment
    assert preview is not None
    text = pdf_text(preview.form.pdf)
    assert "取消" in text and "二重登録" in text
    preview.close()


# The forms behind the buttons --------------------------------------------------------------


def test_minutes_show_the_fee_live_and_refuse_0_and_over_60(qtbot) -> None:
    dialog = MinutesDialog(ClinicSettings(), None)
    qtbot.addWidget(dialog)
    assert dialog.spin.value() == 30
    assert dialog.fee_label.text() == "料金 5,500円（税込）"
    dialog.spin.setValue(31)
    assert dialog.fee_label.text() == "料金 11,000円（税込）"
    assert dialog.ok_button.isEnabled() and dialog.error_label.isHidden()
    for refused, words in ((0, "1分以上"), (61, "60分以内")):
        dialog.spin.setValue(refused)
        assert words in dialog.error_label.text()
        assert not dialog.error_label.isHidden()
        assert not dialog.ok_button.isEnabled()
    dialog.spin.setValue(60)
    assert dialog.ok_button.isEnabled()


def test_another_amount_needs_a_reason_beside_the_field(qtbot) -> None:
    fee = consultation_fee(45)
    dialog = PaymentDialog(fee, ("現金", "クレジットカード"))
    qtbot.addWidget(dialog)
    assert dialog.amount_spin.value() == 11_000
    assert dialog.method_combo.currentText() == "現金"  # the first method is the default
    assert dialog.ok_button.isEnabled()
    assert not dialog.reason_edit.isEnabled()
    assert dialog.values()["amount_yen"] is None

    dialog.amount_spin.setValue(5_500)
    assert "理由を入力してください" in dialog.error_label.text()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "waived")
    assert dialog.ok_button.isEnabled() and dialog.error_label.isHidden()
    values = dialog.values()
    assert values["amount_yen"] == 5_500 and values["amount_reason"] == "waived"
    assert values["method"] == "現金" and values["paid_on"] == clock.today()
