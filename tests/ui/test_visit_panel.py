"""The case detail's 会計 tab, on a real store: check in, minutes, report, pay, void, close."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop_app.db.models import Appointment
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
from desktop_app.ui import print_menu, visit_dialogs
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.visit_dialogs import MinutesDialog, PaymentDialog
from desktop_app.ui.visit_panel import STATE_COLUMN, VisitPanel
from tests.printing.conftest import pdf_text
from tests.services.trail_helpers import TODAY, to_booked


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


@pytest.fixture
def clerk(monkeypatch):
    """What the clerk answers in the 会計 tab's small forms; None = backs out."""
    answers: dict[str, object] = {}
    asked: dict[str, list[tuple]] = {}

    def fake(name):
        def answer(_parent, *args):
            asked.setdefault(name, []).append(args)
            return answers.get(name)

        return answer

    for name in ("ask_override", "ask_minutes", "ask_report", "ask_payment", "ask_text"):
        monkeypatch.setattr(visit_dialogs, name, fake(name))
    monkeypatch.setattr(visit_dialogs, "confirm", fake("confirm"))
    answers["asked"] = asked
    return answers


@pytest.fixture
def previews(monkeypatch):
    """Receipts the panel opened: (kind, case_id, payment_id)."""
    opened: list[tuple] = []

    def fake(_runner, _parent, kind, case_id=None, *, day=None, payment_id=None):
        opened.append((kind, case_id, payment_id))

    monkeypatch.setattr(print_menu, "open_preview", fake)
    return opened


def _enabled(panel: VisitPanel) -> set[str]:
    return {key for key, button in panel.buttons.items() if button.isEnabled()}


PAY_CASH = {"paid_on": TODAY, "method": "現金", "amount_yen": None, "amount_reason": ""}


def test_the_whole_path_through_the_buttons(
    store, make_case, open_panel, clerk, previews, shown_errors
) -> None:
    case = _booked_today(store, make_case)
    dialog, panel = open_panel(case.id)
    assert _enabled(panel) == {"check_in"}

    panel.buttons["check_in"].click()
    assert dialog.stage_label.text() == Stage.CHECKED_IN.label
    assert _enabled(panel) == {"minutes", "report"}

    clerk["ask_minutes"] = 45
    panel.buttons["minutes"].click()
    assert get_case(store, case.id).actual_minutes == 45
    assert panel.values["minutes"].text() == "45分"
    assert _enabled(panel) == {"minutes", "report", "pay", "close"}

    clerk["ask_report"] = {
        "written_on": TODAY,
        "channel": ReportChannel.HANDED_TO_PATIENT,
        "delivered_on": TODAY,
    }
    panel.buttons["report"].click()
    assert "患者さんにお渡し" in panel.values["report"].text()

    clerk["ask_payment"] = PAY_CASH
    clerk["confirm"] = True
    panel.buttons["pay"].click()
    fee = clerk["asked"]["ask_payment"][0][0]
    assert fee.total_yen == 11_000  # the computed fee, prefilled
    assert clerk["asked"]["ask_payment"][0][1] == ("現金", "クレジットカード", "電子マネー")
    paid = get_case(store, case.id).payments
    assert [(p.total_yen, p.method) for p in paid] == [(11_000, "現金")]
    assert previews == [(FormKind.RECEIPT, case.id, paid[0].id)]  # asked first, then opened
    assert panel.values["paid"].text().startswith("11,000円 現金（R-")
    assert "pay" not in _enabled(panel) and "minutes" not in _enabled(panel)
    assert dialog.tabs.tabText(3) == "会計（1）"

    panel.buttons["close"].click()
    assert shown_errors == []
    assert dialog.stage_label.text() == Stage.SETTLED.label
    assert get_case(store, case.id).stage is Stage.SETTLED
    assert _enabled(panel) == {"receipt"}


def test_the_receipt_is_not_printed_when_the_clerk_says_no(
    store, make_case, open_panel, clerk, previews
) -> None:
    case = _booked_today(store, make_case)
    _dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    clerk["ask_minutes"] = 30
    panel.buttons["minutes"].click()
    clerk["ask_payment"] = PAY_CASH
    clerk["confirm"] = False
    panel.buttons["pay"].click()
    assert len(get_case(store, case.id).payments) == 1
    assert previews == []


def test_missing_papers_ask_for_a_reason_in_the_guides_words(
    store, make_case, open_panel, clerk
) -> None:
    case = _booked_today(store, make_case, papers_in=False)
    dialog, panel = open_panel(case.id)

    panel.buttons["check_in"].click()  # the clerk backs out of the reason
    (warnings,) = clerk["asked"]["ask_override"][0]
    assert WITHOUT_MATERIALS in warnings
    assert warnings[0].startswith("まだ届いていません：")
    assert get_case(store, case.id).stage is Stage.BOOKED

    clerk["ask_override"] = "当日ご持参と主治医から連絡あり"
    panel.buttons["check_in"].click()
    assert dialog.stage_label.text() == Stage.CHECKED_IN.label
    history = get_case(store, case.id).history[-1].summary
    assert "当日ご持参と主治医から連絡あり" in history


def test_a_refused_close_lists_every_open_item(
    store, make_case, open_panel, clerk, shown_errors
) -> None:
    case = _booked_today(store, make_case)
    add_item(store, case.id, DocumentKind.IMAGING_FILM, label="CTフィルム", received_on=TODAY)
    dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    clerk["ask_minutes"] = 20
    panel.buttons["minutes"].click()

    panel.buttons["close"].click()
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
    store, make_case, open_panel, clerk, previews
) -> None:
    case = _booked_today(store, make_case)
    _dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    clerk["ask_minutes"] = 30
    panel.buttons["minutes"].click()
    clerk["ask_payment"] = PAY_CASH
    clerk["confirm"] = False
    panel.buttons["pay"].click()
    assert _enabled(panel) >= {"void", "receipt"}

    panel.buttons["void"].click()  # backs out: nothing voided
    assert not get_case(store, case.id).payments[0].voided
    clerk["ask_text"] = "支払方法の誤り"
    panel.buttons["void"].click()
    assert clerk["asked"]["ask_text"][-1][0].endswith(
        get_case(store, case.id).payments[0].receipt_number
    )
    assert "pay" in _enabled(panel) and "minutes" in _enabled(panel)
    assert panel.values["paid"].text() == "未会計"

    clerk["ask_payment"] = {**PAY_CASH, "method": "クレジットカード"}
    panel.buttons["pay"].click()
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
    assert previews[-1] == (FormKind.RECEIPT, case.id, payments[0].id)


def test_the_voided_receipt_preview_is_marked(store, make_case, open_panel, clerk) -> None:
    case = _booked_today(store, make_case)
    _dialog, panel = open_panel(case.id)
    panel.buttons["check_in"].click()
    clerk["ask_minutes"] = 30
    panel.buttons["minutes"].click()
    clerk["ask_payment"] = PAY_CASH
    panel.buttons["pay"].click()
    clerk["ask_text"] = "二重登録"
    panel.buttons["void"].click()
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
    assert "5,500円" in dialog.fee_label.text()
    dialog.spin.setValue(31)
    assert "11,000円" in dialog.fee_label.text()
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
    assert values["method"] == "現金" and values["paid_on"] == dt.date.today()
