"""A 医師 signed in at the desk: the desk's buttons are disabled with the reason (read from
the services' own permissions), the services refuse all the same, and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry
from desktop_app.domain import clock
from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.roles import Permission, Role
from desktop_app.services.access import NotAllowed
from desktop_app.services.cases import get_case
from desktop_app.services.staff import create_first_admin, sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import Store
from desktop_app.services.visit import check_in, record_payment, record_session
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.receipt_dialog import ReceiptDialog
from tests.services.trail_helpers import doc_of
from tests.ui.test_visit_panel import _booked_today

DOCTOR_PW = "ishi-pass-01"
REFUSAL = Permission.CASE_WORK.refusal

pytestmark = [
    pytest.mark.usefixtures("quick_hashes"),
    pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise\(\)"),
]


def _entries(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count(AuditEntry.id))) or 0)


def _as_doctor(store: Store) -> None:
    create_first_admin(store, "kanri", "管理 花子", "kanri-pass-1", "kanri-pass-1")
    add_account(store, "ishi", "医師 次郎", Role.DOCTOR, DOCTOR_PW, DOCTOR_PW)
    sign_in(store, "ishi", DOCTOR_PW)


def test_a_doctor_sees_the_desks_buttons_disabled_with_the_reason(
    qtbot, runner, store, make_case
) -> None:
    # The desk checked the patient in; the session's minutes are in (a doctor may record them).
    case = _booked_today(store, make_case)
    case = check_in(store, case.id)
    case = record_session(store, case.id, minutes=30)
    _as_doctor(store)
    dialog = CaseDetailDialog(runner, case.id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    panel = dialog.visit_panel
    desk = {
        "会計…": panel.buttons["pay"],
        "完了": panel.buttons["close"],
        "編集…": dialog.edit_button,
        "段階を変更": dialog.move_button,
        "予約…": dialog.booking_button,
        "資料を追加": dialog.documents_panel.buttons["add"],
        "連絡の記録": dialog.contacts_panel.log_button,
        "印刷": dialog.print_button,
    }
    for name, button in desk.items():
        assert not button.isEnabled(), name
        assert button.toolTip() == REFUSAL, name
    # What a doctor does stays open: the session's minutes are in, the report comes next.
    assert panel.buttons["report"].isEnabled()
    assert panel.buttons["report"].toolTip() == "主治医への報告書の作成とお渡し"

    # The service refuses all the same, whatever a screen forgot (nothing is written).
    before = _entries(store)
    with pytest.raises(NotAllowed, match=REFUSAL):
        record_payment(store, case.id, paid_on=clock.today(), method="現金")
    assert get_case(store, case.id).payments == ()
    assert _entries(store) == before

    # The clerk signs in at the same desk: the buttons come back.
    sign_in(store, "kanri", "kanri-pass-1")
    runner.signed_in()
    assert panel.buttons["pay"].isEnabled() and dialog.edit_button.isEnabled()
    assert panel.buttons["pay"].toolTip() == "料金を受け取り、領収書番号を付けます"


def test_a_doctor_receiving_papers_reads_the_refusal_in_the_dialog(
    qtbot, runner, store, make_case, shown_errors
) -> None:
    case = make_case()
    _as_doctor(store)
    dialog = ReceiptDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.query_edit, case.case_number)
    dialog.look_up()
    letter = doc_of(case, DocumentKind.REFERRAL_LETTER)
    dialog.tick(letter.id)
    before = _entries(store)
    dialog.record()
    assert dialog.message_label.text() == REFUSAL  # in the dialog's own message line
    assert shown_errors == []
    assert doc_of(get_case(store, case.id), DocumentKind.REFERRAL_LETTER).received_on is None
    assert _entries(store) == before


def test_a_doctors_board_menu_only_opens_the_case(qtbot, runner, store, make_case) -> None:
    from desktop_app.ui.board.page import BoardPage

    case = make_case()
    _as_doctor(store)
    board = BoardPage(runner)
    qtbot.addWidget(board)
    board.resize(1200, 700)
    board.show()
    qtbot.waitUntil(lambda: case.id in board._cards, timeout=10_000)
    menu = board.context_menu(case.id)
    states = {a.text(): (a.isEnabled(), a.toolTip()) for a in menu.actions() if a.text()}
    assert states["開く"][0]
    assert states["次の段階へ（書類送付済）"] == (False, REFUSAL)
    assert states["キャンセル…"] == (False, REFUSAL)


def test_a_doctor_cannot_start_printing_from_the_case_list(qtbot, runner, store) -> None:
    from desktop_app.ui.case_list import CaseListPage

    _as_doctor(store)
    page = CaseListPage(runner)
    qtbot.addWidget(page)
    buttons = {"白紙の用紙": page.blank_button, "予約一覧": page.daylist_button}
    # The buttons follow what the forms services require (one list: services/access.py).
    from desktop_app.services.access import PRINT_FORMS
    from desktop_app.services.forms import render_form

    assert render_form.__requires__ is PRINT_FORMS  # type: ignore[attr-defined]
    for name, button in buttons.items():
        assert not button.isEnabled(), name
        assert button.toolTip() == REFUSAL, name

    sign_in(store, "kanri", "kanri-pass-1")
    runner.signed_in()
    for name, button in buttons.items():
        assert button.isEnabled(), name
    assert page.daylist_button.toolTip().endswith("を表示して印刷します")
    # A doctor again: a new day names the list, the refusal stays the tooltip.
    sign_in(store, "ishi", DOCTOR_PW)
    runner.signed_in()
    page.day_edit.setDate(page.day_edit.date().addDays(1))
    assert page.daylist_button.text() == "この日の予約一覧"
    assert not page.daylist_button.isEnabled()
    assert page.daylist_button.toolTip() == REFUSAL
