"""The patient cancels: free of charge, the reason recorded, the slot freed, nothing deleted."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit, QWidget

from desktop_app.domain.appointment_state import AppointmentState
from desktop_app.domain.stages import Stage
from desktop_app.services.booking import find_free_slots
from tests.journeys.desk import Call, Desk, pick, radio
from tests.ui.conftest import type_japanese
from tests.ui.modals import answer_modals, click, input_text

# The offscreen platform says this when a popup (the completer's, a menu) shows; not ours.
pytestmark = pytest.mark.qt_log_ignore("does not support grabbing the keyboard", extend=True)


def _free(desk: Desk, slot) -> bool:
    free = find_free_slots(desk.store, doctor_ids=(slot.doctor_id,), limit=40)
    return any((s.date, s.start) == (slot.date, slot.start) for s in free)


def test_a_booked_patient_cancels_from_the_calendar(desk: Desk) -> None:
    """Right-click the appointment → キャンセル…, the reason, 案件を終了する."""
    case, slot = desk.up_to_booking(Call())
    assert case.stage is Stage.BOOKED and not _free(desk, slot)

    page = desk.calendar()
    desk.calendar_week_of(page, slot.date)
    cell = desk.calendar_cell_of(page, case.id)

    def cancel(dialog: QWidget) -> None:
        assert dialog.windowTitle() == "予約のキャンセル"
        [reason] = [e for e in dialog.findChildren(QLineEdit) if not e.isReadOnly()]
        type_japanese(reason, "体調不良のため")
        radio(dialog, "案件を終了する")
        click(dialog, "キャンセルを記録")

    answers = answer_modals(cancel)
    desk.right_click_menu(page, cell, "キャンセル…")
    assert answers.pending == 0

    case = desk.case(case.id)
    assert case.stage is Stage.CANCELLED
    assert case.end_reason == "体調不良のため"
    assert case.appointment is None
    [appointment] = case.appointments  # kept, for the record
    assert appointment.cancelled and not appointment.no_show
    assert appointment.cancel_reason == "体調不良のため"
    assert _free(desk, slot), "the slot is free again"
    # The calendar shows the cancelled appointment in its place, no longer live.
    shown = [a for a in page.data.appointments if a.case_id == case.id]
    assert [a.state for a in shown] == [AppointmentState.CANCELLED]


def test_a_caller_withdraws_before_booking_from_the_case_window(desk: Desk) -> None:
    """変更先 キャンセル → 段階を変更 → the reason in the box that asks for it."""
    case = desk.take_call(Call(patient_name="鈴木　一子", patient_furigana="すずき　いちこ"))
    desk.print_packet("郵送で送付した")
    window = desk.open_case(case.case_number)
    assert window.stage_label.text() == Stage.FORMS_SENT.label

    pick(window.target_combo, Stage.CANCELLED.label)
    assert window.target_combo.value() is Stage.CANCELLED
    answers = answer_modals(input_text("他院で受診することになった"))
    window.move_button.click()
    assert answers.pending == 0

    case = desk.case(case.id)
    assert case.stage is Stage.CANCELLED
    assert case.end_reason == "他院で受診することになった"
    assert any("他院で受診することになった" in h.summary for h in case.history)
    assert window.stage_label.text() == Stage.CANCELLED.label
    assert not window.move_button.isEnabled()  # ended: nothing further
    assert case.documents, "nothing is deleted"
    desk.close_window(window)
