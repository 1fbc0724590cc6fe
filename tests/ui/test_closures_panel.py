"""休診日を追加 on a day with bookings: the clerk is asked (who, when, which doctor), and after
saving is offered each case and the calendar of that day to move them."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate

from desktop_app.db.models import Appointment
from desktop_app.domain import clock
from desktop_app.services.closures import list_closures
from desktop_app.services.store import Store
from desktop_app.ui.calendar.page import DAY, CalendarDialog
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.closures_panel import ClosuresPanel, RescheduleOffer
from desktop_app.ui.masters_dialogs import ClosureDialog
from tests.board_setup import doctor
from tests.ui.modals import answer_modals, click, close, message_text, no, yes

# Showing a top-level widget on the offscreen platform says this; it is not ours.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
DAY_OFF = clock.today() + dt.timedelta(days=7)  # a Thursday, open


@pytest.fixture
def booked(store: Store, make_case) -> list[int]:
    """Two live bookings on the day (and a cancelled one, which is not listed)."""
    aoki = doctor(store, "呼吸器内科", "青木 一郎")
    baba = doctor(store, "呼吸器内科", "馬場 二郎")
    cases = [
        make_case(name="山田　太郎"),
        make_case(name="鈴木　花子", furigana="スズキ　ハナコ"),
        make_case(name="佐藤　次郎", furigana="サトウ　ジロウ"),
    ]
    with store.transaction() as session:
        for case, doctor_id, start, cancelled in (
            (cases[0], aoki, dt.time(15), False),
            (cases[1], baba, dt.time(10, 30), False),
            (cases[2], aoki, dt.time(14), True),
        ):
            session.add(
                Appointment(
                    case_id=case.id,
                    doctor_id=doctor_id,
                    date=DAY_OFF,
                    start_time=start,
                    cancelled=cancelled,
                )
            )
    return [cases[1].id, cases[0].id]  # in time order


@pytest.fixture
def panel(qtbot, runner) -> ClosuresPanel:
    p = ClosuresPanel(runner)
    qtbot.addWidget(p)
    p.reload()
    return p


def _form(dialog) -> None:
    assert isinstance(dialog, ClosureDialog)
    dialog.date_edit.setDate(QDate(DAY_OFF))
    dialog.reason_edit.setText("院内行事")
    click(dialog, "保存")


def test_closing_a_booked_day_asks_then_offers_each_case_and_the_calendar(
    qtbot, panel: ClosuresPanel, store: Store, booked: list[int]
) -> None:
    seen: dict[str, object] = {}

    def question(box) -> None:
        seen["question"] = message_text(box)
        yes(box)

    def offer(dialog) -> None:
        assert isinstance(dialog, RescheduleOffer)
        seen["title"] = dialog.title_label.text()
        seen["rows"] = [
            dialog.bookings_list.item(r).text() for r in range(dialog.bookings_list.count())
        ]
        dialog.bookings_list.setCurrentRow(1)
        click(dialog, "案件を開く")
        opened = dialog.findChildren(CaseDetailDialog)
        seen["case"] = [d.case_id for d in opened]
        for d in opened:
            d.reject()
        click(dialog, "カレンダーで開く")
        (calendar,) = dialog.findChildren(CalendarDialog)
        seen["calendar"] = (calendar.page.current, calendar.page.mode)
        calendar.reject()
        click(dialog, "閉じる")

    answers = answer_modals(_form, question, offer)
    panel.add_button.click()
    assert answers.pending == 0
    text = str(seen["question"])
    assert f"{DAY_OFF.month}月{DAY_OFF.day}日（木）には予約が 2件あります" in text
    assert "10:30　鈴木　花子 様（馬場 二郎）" in text
    assert "15:00　山田　太郎 様（青木 一郎）" in text
    assert "佐藤" not in text  # cancelled
    assert [(c.date, c.reason) for c in list_closures(store)] == [(DAY_OFF, "院内行事")]
    assert "日時を変更してください" in str(seen["title"])
    rows = seen["rows"]
    assert isinstance(rows, list) and len(rows) == 2
    assert rows[0].startswith("10:30　鈴木　花子 様（馬場 二郎）")
    assert seen["case"] == [booked[1]]
    assert seen["calendar"] == (DAY_OFF, DAY)


def test_answering_no_saves_nothing_and_keeps_the_form(
    qtbot, panel: ClosuresPanel, store: Store, booked: list[int]
) -> None:
    still_open: list[bool] = []

    def form_stays(dialog) -> None:
        still_open.append(dialog.isVisible() and isinstance(dialog, ClosureDialog))
        close(dialog)

    answers = answer_modals(_form, no, form_stays)
    panel.add_button.click()
    assert answers.pending == 0 and still_open == [True]
    assert list_closures(store) == ()


def test_a_day_without_bookings_asks_nothing(qtbot, panel: ClosuresPanel, store: Store) -> None:
    answers = answer_modals(_form)
    panel.add_button.click()
    assert answers.pending == 0
    assert [c.reason for c in list_closures(store)] == ["院内行事"]
    assert panel.findChildren(RescheduleOffer) == []
