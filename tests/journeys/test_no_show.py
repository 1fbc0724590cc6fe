"""The patient does not come: 無断キャンセル from the calendar, then a new date."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QWidget

from desktop_app.domain.appointment_state import AppointmentState
from desktop_app.domain.stages import Decision, Stage
from tests.journeys.desk import Call, Desk
from tests.ui.modals import answer_modals, message_text, yes

# The offscreen platform says this when a popup (the completer's, a menu) shows; not ours.
pytestmark = pytest.mark.qt_log_ignore("does not support grabbing the keyboard", extend=True)


def test_a_no_show_is_recorded_from_the_calendar_and_the_case_waits_for_a_date(
    desk: Desk,
) -> None:
    call = Call(patient_name="高橋　健二", patient_furigana="たかはし　けんじ")
    case, slot = desk.up_to_booking(call)
    assert case.stage is Stage.BOOKED

    # The appointment day, an hour after the session should have ended: nobody came.
    end = dt.datetime.combine(slot.date, slot.start) + dt.timedelta(minutes=30)
    desk.move_clock_to(end + dt.timedelta(hours=1))

    page = desk.calendar()
    first, last = page.visible_range()
    assert first <= slot.date <= last, "the calendar opens on this week"
    assert page.day_panel.day() == slot.date
    assert [r.case_id for r in page.day_panel.rows] == [case.id]  # 本日の予約
    cell = desk.calendar_cell_of(page, case.id)

    asked: list[str] = []

    def confirm(dialog: QWidget) -> None:
        asked.append(message_text(dialog))
        yes(dialog)

    answers = answer_modals(confirm)
    desk.right_click_menu(page, cell, "無断キャンセル")
    assert answers.pending == 0
    assert "無断キャンセル" in asked[0] and "高橋　健二" in asked[0]

    case = desk.case(case.id)
    [appointment] = case.appointments
    assert appointment.cancelled and appointment.no_show
    assert appointment.cancel_reason == "無断キャンセル"
    assert case.appointment is None
    # Still accepted, waiting for a new date (担当医確認), not ended.
    assert case.stage is Stage.DOCTOR_REVIEW and case.decision is Decision.ACCEPTED
    shown = [a for a in page.data.appointments if a.case_id == case.id]
    assert [a.state for a in shown] == [AppointmentState.NO_SHOW]
    assert page.day_panel.rows == ()  # 本日の予約 no longer lists it

    # The patient phones the next day; a new date is booked from the case window.
    desk.move_clock_to(dt.datetime.combine(slot.date + dt.timedelta(days=1), dt.time(9, 30)))
    window = desk.open_case(case.case_number)
    again = desk.book(window)
    assert again.date > slot.date
    case = desk.case(case.id)
    assert case.stage is Stage.BOOKED
    assert case.appointment is not None and case.appointment.date == again.date
    assert len(case.appointments) == 2  # the no-show stays on record
    desk.close_window(window)
