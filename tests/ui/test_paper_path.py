"""Issue #9's "done when": 書類送付済 → 申込書受領 → 担当医確認 → (予約) → 資料受領 from the receipt
dialog, the 担当医確認 dialog and the booking, never touching the stage combo box."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from desktop_app.db.models import DoctorAvailability
from desktop_app.domain import clock
from desktop_app.domain.documents import Channel, DocumentKind
from desktop_app.domain.forms import FormKind
from desktop_app.domain.office_calendar import is_office_open
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.booking import book
from desktop_app.services.cases import get_case
from desktop_app.services.forms import record_sent
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.decision_dialog import DecisionDialog
from desktop_app.ui.receipt_dialog import ReceiptDialog
from tests.services.trail_helpers import add_doctor, audit_actions, doc_of

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise\(\)")


def _next_open_day(after: dt.date) -> dt.date:
    day = after
    while not is_office_open(day):
        day += dt.timedelta(days=1)
    return day


def test_the_middle_of_a_case_without_the_stage_combo(qtbot, runner, store, make_case) -> None:
    today = clock.today()
    case = make_case(materials=(DocumentKind.IMAGING_CD,))
    record_sent(store, FormKind.PACKET, case.id, channel=Channel.MAIL)  # the preview asks this
    assert get_case(store, case.id).stage is Stage.FORMS_SENT

    receipt = ReceiptDialog(runner)
    qtbot.addWidget(receipt)
    receipt.show()

    def receive(kinds: tuple[DocumentKind, ...]) -> None:
        qtbot.keyClicks(receipt.query_edit, case.case_number)  # as the barcode reader types
        qtbot.keyClick(receipt.query_edit, Qt.Key.Key_Return)
        for kind in kinds:
            receipt.tick(doc_of(get_case(store, case.id), kind).id)
        receipt.set_channel(Channel.MAIL.value)
        receipt.record()

    receive((DocumentKind.APPLICATION,))
    assert get_case(store, case.id).stage is Stage.APPLICATION_RECEIVED

    dep_id, doctor_id = add_doctor(store, department="呼吸器内科", name="青木 一郎")
    detail = CaseDetailDialog(runner, case.id)
    qtbot.addWidget(detail)
    assert detail.load() and detail.decision_button.isEnabled()
    decide = DecisionDialog(runner, detail.detail, detail)
    qtbot.addWidget(decide)
    decide.department_combo.setCurrentIndex(decide.department_combo.index_of(dep_id))
    decide.doctor_combo.setCurrentIndex(decide.doctor_combo.index_of(doctor_id))
    decide.set_decision(Decision.ACCEPTED)
    decide.save()
    assert get_case(store, case.id).stage is Stage.DOCTOR_REVIEW

    day = _next_open_day(today + dt.timedelta(days=14))
    with store.transaction() as session:
        session.add(
            DoctorAvailability(
                doctor_id=doctor_id,
                weekday=day.weekday(),
                start_time=dt.time(14),
                end_time=dt.time(16),
            )
        )
    book(store, case.id, doctor_id=doctor_id, date=day, start=dt.time(14))
    assert get_case(store, case.id).stage is Stage.BOOKED

    receive((DocumentKind.REFERRAL_LETTER, DocumentKind.IMAGING_CD))
    assert get_case(store, case.id).stage is Stage.MATERIALS_RECEIVED
    # Every move was made by what the clerk recorded, none by the stage combo box.
    assert "case.stage" not in audit_actions(store, case.id)
