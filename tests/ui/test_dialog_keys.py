"""Enter and Escape in the small forms, as a clerk with a keyboard uses them.

Enter in a field does the form's main action once the input is valid (and nothing while it
is not); Escape backs out. Where Enter would change a stage or cancel an appointment, it does
nothing at all (desktop_app/ui/keys.py). Each form is the real one, opened modally by the
real entry point and answered through tests/ui/modals.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QPushButton, QTabBar, QWidget

from desktop_app.domain import clock
from desktop_app.domain.documents import Channel, ReportChannel
from desktop_app.domain.fees import consultation_fee
from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.stages import Stage
from desktop_app.services import closures, masters
from desktop_app.services.calendar import CalendarAppointment
from desktop_app.services.cases import get_case
from desktop_app.ui import masters_dialogs, visit_dialogs
from desktop_app.ui.calendar import appointment_actions
from desktop_app.ui.case_actions import Field, ask_fields
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.masters_dialogs import ClosureDialog, DepartmentDialog
from desktop_app.ui.value_combo import ValueCombo
from tests.ui.conftest import type_japanese
from tests.ui.modals import answer_modals, button

TODAY = clock.today()


@pytest.fixture
def parent(qtbot) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    return window


def _run(open_form: Callable[[], Any], *steps: Callable[[QWidget], None]) -> Any:
    """Open the form modally, let ``steps`` work it, and give back what it returned.

    A step that fails closes its form, so the test fails with the step's error instead of
    waiting forever on a form nobody answers."""
    failures: list[BaseException] = []

    def guarded(step: Callable[[QWidget], None]) -> Callable[[QWidget], None]:
        def run(dialog: QWidget) -> None:
            try:
                step(dialog)
            except BaseException as exc:
                failures.append(exc)
                if isinstance(dialog, QDialog) and dialog.isVisible():
                    dialog.reject()

        return run

    asked = answer_modals(*(guarded(step) for step in steps))
    result = open_form()
    if failures:
        raise failures[0]
    assert asked.pending == 0
    return result


def _enter(widget: QWidget) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_Return)


def _escape(widget: QWidget) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_Escape)


def _retype(widget: QWidget, text: str) -> None:
    """Select what the field holds and type ``text`` over it (ASCII, as keys)."""
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)


# visit_dialogs -------------------------------------------------------------------------------


def test_minutes_enter_in_the_spin_box_records_the_typed_minutes(parent) -> None:
    def type_45_and_enter(dialog) -> None:
        _retype(dialog.spin, "45")
        assert dialog.spin.text() == "45 分" or dialog.spin.lineEdit().text().startswith("45")
        _enter(dialog.spin)

    minutes = _run(
        lambda: visit_dialogs.ask_minutes(parent, ClinicSettings(), None), type_45_and_enter
    )
    assert minutes == 45


def test_minutes_enter_does_nothing_while_refused_and_escape_cancels(parent) -> None:
    def type_61_enter_then_escape(dialog) -> None:
        _retype(dialog.spin, "61")
        _enter(dialog.spin)
        assert dialog.isVisible(), "Enter closed the form with refused minutes"
        assert not dialog.ok_button.isEnabled()
        assert "60分以内" in dialog.error_label.text()
        _escape(dialog.spin)

    assert (
        _run(
            lambda: visit_dialogs.ask_minutes(parent, ClinicSettings(), 30),
            type_61_enter_then_escape,
        )
        is None
    )


def test_override_reason_enter_checks_in_only_with_a_reason(parent) -> None:
    def enter_empty_then_type(dialog) -> None:
        _enter(dialog.reason_edit)
        assert dialog.isVisible()
        type_japanese(dialog.reason_edit, "当日持参")
        _enter(dialog.reason_edit)

    assert (
        _run(
            lambda: visit_dialogs.ask_override(parent, ("まだ届いていません：紹介状",)),
            enter_empty_then_type,
        )
        == "当日持参"
    )
    assert (
        _run(
            lambda: visit_dialogs.ask_override(parent, ("まだ届いていません：紹介状",)),
            lambda d: _escape(d.reason_edit),
        )
        is None
    )


def test_report_enter_in_a_date_records_it(parent) -> None:
    def choose_then_enter(dialog) -> None:
        assert dialog.channel_combo.set_value(ReportChannel.SENT_TO_DOCTOR)
        _enter(dialog.delivered_edit)

    values = _run(lambda: visit_dialogs.ask_report(parent, TODAY, None, None), choose_then_enter)
    assert values == {
        "written_on": TODAY,
        "channel": ReportChannel.SENT_TO_DOCTOR,
        "delivered_on": TODAY,
    }
    assert type(values["channel"]) is ReportChannel
    assert (
        _run(
            lambda: visit_dialogs.ask_report(parent, TODAY, None, None),
            lambda d: _escape(d.written_edit),
        )
        is None
    )


def test_payment_enter_needs_the_reason_for_another_amount(parent) -> None:
    fee = consultation_fee(30)

    def other_amount(dialog) -> None:
        _retype(dialog.amount_spin, "3000")
        _enter(dialog.amount_spin)
        assert dialog.isVisible(), "Enter paid another amount without a reason"
        type_japanese(dialog.reason_edit, "一部減免")
        _enter(dialog.reason_edit)

    values = _run(
        lambda: visit_dialogs.ask_payment(parent, fee, ("現金", "電子マネー")), other_amount
    )
    assert values == {
        "paid_on": TODAY,
        "method": "現金",
        "amount_yen": 3_000,
        "amount_reason": "一部減免",
    }
    assert (
        _run(
            lambda: visit_dialogs.ask_payment(parent, fee, ("現金",)),
            lambda d: _escape(d.amount_spin),
        )
        is None
    )


def test_text_enter_needs_the_text(parent) -> None:
    def enter_empty_then_type(dialog) -> None:
        _enter(dialog.edit)
        assert dialog.isVisible()
        type_japanese(dialog.edit, "二重登録")
        _enter(dialog.edit)

    ask = lambda: visit_dialogs.ask_text(parent, "会計の取消", "取り消す理由")  # noqa: E731
    assert _run(ask, enter_empty_then_type) == "二重登録"
    assert _run(ask, lambda d: _escape(d.edit)) is None


# case_actions.ask_fields ---------------------------------------------------------------------


FIELDS = [
    Field("on", "受領日", "date"),
    Field(
        "channel",
        "受領方法",
        "choice",
        ((Channel.MAIL.label, Channel.MAIL), (Channel.FAX.label, Channel.FAX)),
    ),
    Field("quantity", "数量", "count", default=1),
    Field("note", "メモ", "text"),
]


def test_ask_fields_enter_in_a_field_records_the_form(parent) -> None:
    def fill_then_enter(dialog) -> None:
        (combo,) = dialog.findChildren(ValueCombo)
        assert combo.set_value(Channel.FAX)
        (note,) = dialog.findChildren(QLineEdit)[-1:]
        QTest.keyClicks(note, "FAX 2 pages")
        _enter(note)

    values = _run(lambda: ask_fields(parent, "受領を記録", FIELDS), fill_then_enter)
    assert values == {"on": TODAY, "channel": Channel.FAX, "quantity": 1, "note": "FAX 2 pages"}
    assert type(values["channel"]) is Channel


def test_ask_fields_escape_backs_out(parent) -> None:
    def escape(dialog) -> None:
        (combo,) = dialog.findChildren(ValueCombo)
        _escape(combo)

    assert _run(lambda: ask_fields(parent, "受領を記録", FIELDS), escape) is None


# masters_dialogs.FormDialog ------------------------------------------------------------------


def test_department_enter_saves_once_valid(parent, runner, store) -> None:
    dialog = DepartmentDialog(runner, parent=parent)

    def empty_then_named(form) -> None:
        _enter(form.name_edit)
        assert form.isVisible(), "Enter closed the form with no name"
        assert not form.errors["name"].isHidden()
        type_japanese(form.name_edit, "呼吸器内科")
        _enter(form.name_edit)

    assert _run(lambda: masters_dialogs.run_dialog(dialog), empty_then_named)
    assert [d.name for d in masters.list_departments(store)] == ["呼吸器内科"]

    again = DepartmentDialog(runner, parent=parent)

    def type_then_escape(form) -> None:
        type_japanese(form.name_edit, "消化器内科")
        _escape(form.name_edit)

    assert not _run(lambda: masters_dialogs.run_dialog(again), type_then_escape)
    assert [d.name for d in masters.list_departments(store)] == ["呼吸器内科"]


def test_closure_enter_saves_once_valid(parent, runner, store) -> None:
    day = TODAY + dt.timedelta(days=30)
    dialog = ClosureDialog(runner, parent=parent)

    def no_reason_then_reason(form) -> None:
        form.date_edit.setDate(day)
        _enter(form.date_edit)
        assert form.isVisible(), "Enter closed the form with no reason"
        type_japanese(form.reason_edit, "電気設備の点検")
        _enter(form.reason_edit)

    assert _run(lambda: masters_dialogs.run_dialog(dialog), no_reason_then_reason)
    assert [(c.date, c.reason) for c in closures.list_closures(store)] == [(day, "電気設備の点検")]


# calendar appointment actions ----------------------------------------------------------------


@pytest.fixture
def appointment() -> CalendarAppointment:
    """Only date, start and patient are shown by the forms."""

    class Shown:
        date = TODAY + dt.timedelta(days=7)
        start = dt.time(14)
        patient = "山田　太郎"
        id = 1

    return Shown()  # type: ignore[return-value]


def test_notified_enter_records_the_channel(parent, appointment) -> None:
    def choose_then_enter(dialog) -> None:
        (combo,) = dialog.findChildren(ValueCombo)
        assert combo.set_value(Channel.PHONE)
        _enter(combo)

    answer = _run(lambda: appointment_actions.ask_notified(parent, appointment), choose_then_enter)
    assert answer == (Channel.PHONE, False)
    assert type(answer[0]) is Channel
    escape = lambda d: _escape(d.findChildren(ValueCombo)[0])  # noqa: E731
    assert _run(lambda: appointment_actions.ask_notified(parent, appointment), escape) is None


def test_cancel_appointment_does_nothing_on_enter(parent, appointment) -> None:
    def reason_then_enter(dialog) -> None:
        (reason,) = [e for e in dialog.findChildren(QLineEdit) if not e.isReadOnly()]
        type_japanese(reason, "体調不良")
        _enter(reason)
        assert dialog.isVisible(), "Enter cancelled the appointment"
        record = button(dialog, "キャンセルを記録")
        _enter(record)  # tabbed to: still only a click (or Space) records it
        assert dialog.isVisible(), "Enter on the focused button cancelled the appointment"
        assert not record.isDefault()
        _escape(reason)

    assert (
        _run(lambda: appointment_actions.ask_cancel(parent, appointment), reason_then_enter) is None
    )


# The case detail window ----------------------------------------------------------------------


def test_case_detail_has_no_default_button_and_enter_never_moves_the_case(
    qtbot, runner, store, make_case
) -> None:
    case = make_case()
    dialog = CaseDetailDialog(runner, case.id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    assert [b.text() for b in dialog.findChildren(QPushButton) if b.isDefault()] == []
    dialog.select_target(Stage.FORMS_SENT)
    assert dialog.move_button.isEnabled()

    # The 段階を変更 button itself, focused, ignores Enter; so do the window, the tabs and the
    # fields on every tab (a focused button other than 段階を変更 opens its own form: it is
    # not pressed here).
    def press_enter(widget: QWidget) -> None:
        widget.setFocus()
        QTest.keyClick(widget, Qt.Key.Key_Return)
        QTest.keyClick(widget, Qt.Key.Key_Enter)

    press_enter(dialog.move_button)
    press_enter(dialog)
    note = dialog.contacts_panel.summary_edit
    pressed = 0
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        for widget in dialog.findChildren(QWidget):
            if (
                isinstance(widget, (QLineEdit, QComboBox, QTabBar))
                and widget.isVisible()
                and widget.isEnabled()
                and widget is not note
            ):
                press_enter(widget)
                pressed += 1
    assert pressed > 3
    assert dialog.isVisible()
    assert get_case(store, case.id).stage is Stage.INQUIRY
    assert dialog.stage_label.text() == Stage.INQUIRY.label

    # Enter in the 連絡記録 note logs the note, and only that.
    panel = dialog.contacts_panel
    dialog.tabs.setCurrentWidget(panel)
    assert panel.summary_edit.isVisible()
    type_japanese(panel.summary_edit, "申込書の書き方を電話で案内")
    before = len(get_case(store, case.id).contacts)
    _enter(panel.summary_edit)
    after = get_case(store, case.id)
    assert len(after.contacts) == before + 1
    assert after.contacts[-1].summary == "申込書の書き方を電話で案内"
    assert after.stage is Stage.INQUIRY
    assert dialog.isVisible()
