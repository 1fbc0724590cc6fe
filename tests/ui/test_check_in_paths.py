"""当日受付 from the board's card and from 本日の予約, not only from the case's 会計 tab."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop_app.db.models import Appointment
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case
from desktop_app.services.visit import WITHOUT_MATERIALS
from desktop_app.ui import visit_dialogs
from desktop_app.ui.board.page import BoardPage
from desktop_app.ui.calendar.day_panel import DayListPanel
from tests.services.trail_helpers import booked_today


def _arrived(store, case_id: int) -> bool:
    with store.read() as session:
        appt = session.scalars(select(Appointment).where(Appointment.case_id == case_id)).one()
        return appt.checked_in_at is not None


def test_the_board_checks_in_with_the_next_step(qtbot, runner, store, make_case) -> None:
    case = booked_today(store, make_case())
    board = BoardPage(runner)
    qtbot.addWidget(board)
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.refresh()
    assert board.step_case(case.id, 1)
    assert get_case(store, case.id).stage is Stage.CHECKED_IN
    assert _arrived(store, case.id)


def test_missing_papers_ask_for_a_reason_on_the_board(
    qtbot, runner, store, make_case, monkeypatch
) -> None:
    case = booked_today(store, make_case(), papers_in=False)
    shown: list[tuple[str, ...]] = []
    answers = iter([None, "当日お持ちになるとのこと"])

    def ask(_parent, warnings: tuple[str, ...]) -> str | None:
        shown.append(warnings)
        return next(answers)

    monkeypatch.setattr(visit_dialogs, "ask_override", ask)
    board = BoardPage(runner)
    qtbot.addWidget(board)
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.refresh()
    menu = board.context_menu(case.id)
    check_in = next(a for a in menu.actions() if a.text() == "当日受付")
    check_in.trigger()  # backed out of the reason: nothing written
    assert get_case(store, case.id).stage is Stage.BOOKED and not _arrived(store, case.id)
    assert board.move_case(case.id, Stage.CHECKED_IN)
    assert shown[0][1] == WITHOUT_MATERIALS
    after = get_case(store, case.id)
    assert after.stage is Stage.CHECKED_IN
    assert "当日お持ちになるとのこと" in after.history[-1].summary


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_todays_list_checks_in_the_chosen_patient(qtbot, runner, store, make_case) -> None:
    case = booked_today(store, make_case())
    panel = DayListPanel(runner)
    qtbot.addWidget(panel)
    panel.reload()
    assert not panel.check_in_button.isEnabled(), "nobody chosen yet"
    panel.table.selectRow(0)
    assert panel.check_in_button.isEnabled()
    panel.check_in_button.click()
    assert get_case(store, case.id).stage is Stage.CHECKED_IN
    assert panel.model.rowCount() == 1 and panel.rows[0].checked_in
    panel.table.selectRow(0)
    assert not panel.check_in_button.isEnabled(), "already checked in"
