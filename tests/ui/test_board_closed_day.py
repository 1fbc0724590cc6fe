"""A booking left on a day made a 休診日 is red on the board, with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtGui import QFont

from desktop_app.domain.attention import DueLevel
from desktop_app.domain.changes import Change
from desktop_app.domain.stages import Stage
from desktop_app.services.closures import add_closure
from desktop_app.ui.board.delegate import CardDelegate, urgency
from desktop_app.ui.board.page import BoardPage
from desktop_app.ui.layout_tools import settle_layout
from tests.board_setup import TODAY, book, doctor, receive_all


@pytest.fixture
def board(qtbot, runner) -> BoardPage:
    page = BoardPage(runner)
    page.today = TODAY
    qtbot.addWidget(page)
    page.resize(1100, 700)
    settle_layout(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_a_booking_on_a_closed_day_is_a_red_badge(qtbot, board, runner, make_case) -> None:
    store = runner.store
    case = make_case()
    thursday = TODAY + dt.timedelta(days=1)
    book(store, case.id, doctor(store), thursday)
    receive_all(store, case.id)  # nothing else to say about the case
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.refresh()
    assert urgency(board.columns[Stage.BOOKED].model.card_at(0)) == DueLevel.NONE

    with qtbot.waitSignal(board.loaded, timeout=10_000):  # a closure is a masters change
        runner.run(board, add_closure, thursday, "院内行事", today=TODAY, changes=Change.MASTERS)
    card = board.columns[Stage.BOOKED].model.card_at(0)
    assert card.on_closed_day and urgency(card) == DueLevel.OVERDUE  # the red stripe
    layout = CardDelegate().layout_for(card, 220, QFont())
    assert [(text, red) for _rect, text, red in layout.reasons] == [("休診日の予約（6/11）", True)]
    view = board.columns[Stage.BOOKED].view
    assert not view.grab().isNull()
