"""A 医師 signed in at the desk presses buttons of the desk's work: the service refuses, the
clerk reads its message, and nothing is written (the pages themselves are not gated)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.roles import Permission, Role
from desktop_app.services.cases import get_case
from desktop_app.services.staff import create_first_admin, sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import Store
from desktop_app.services.visit import check_in, record_session
from desktop_app.ui import visit_dialogs
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.receipt_dialog import ReceiptDialog
from tests.services.trail_helpers import doc_of
from tests.ui.test_visit_panel import PAY_CASH, _booked_today

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


def test_a_doctor_pressing_pay_reads_the_refusal_and_nothing_is_paid(
    qtbot, runner, store, make_case, monkeypatch, shown_errors
) -> None:
    # The desk checked the patient in; the session's minutes are in (a doctor may record them).
    case = _booked_today(store, make_case)
    case = check_in(store, case.id)
    case = record_session(store, case.id, minutes=30)
    _as_doctor(store)
    monkeypatch.setattr(visit_dialogs, "ask_payment", lambda *_args: PAY_CASH)
    monkeypatch.setattr(visit_dialogs, "confirm", lambda *_args: False)
    dialog = CaseDetailDialog(runner, case.id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    panel = dialog.visit_panel
    assert panel.buttons["pay"].isEnabled()  # the page is not gated: the service is
    before = _entries(store)
    with qtbot.assertNotEmitted(runner.changed):
        panel.buttons["pay"].click()
    assert shown_errors == [REFUSAL]
    assert get_case(store, case.id).payments == ()
    assert _entries(store) == before
    assert panel.values["paid"].text() == "未会計"


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
