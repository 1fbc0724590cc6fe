"""The appointment day in the calendar: 本日の予約 lists the booked patient."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.journeys.desk import Call, Desk

# The offscreen platform says this when a popup (the completer's, a menu) shows; not ours.
pytestmark = pytest.mark.qt_log_ignore("does not support grabbing the keyboard", extend=True)


def test_the_day_list_names_the_doctor_by_family_name_as_the_board_does(desk: Desk) -> None:
    case, slot = desk.up_to_booking(Call())
    desk.move_clock_to(dt.datetime.combine(slot.date, dt.time(9, 0)))
    day_list = desk.calendar().day_panel
    [row] = day_list.rows
    assert row.case_id == case.id
    model = day_list.model
    cells = [model.index(0, column).data() for column in range(model.columnCount())]
    assert cells[:3] == [f"{slot.start:%H:%M}", "山田　太郎", "青木"]
