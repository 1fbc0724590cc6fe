"""The カレンダー page: grid placement, keys, drag to move, menu actions, the booking dialog."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QByteArray, QMimeData, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox
from sqlalchemy import select

from desktop_app.db.models import (
    Appointment,
    Department,
    Doctor,
    DoctorAvailability,
    SOCase,
)
from desktop_app.domain import clock
from desktop_app.domain.appointment_state import AppointmentState
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.booking import book
from desktop_app.services.cases import get_case
from desktop_app.services.closures import add_closure
from desktop_app.services.store import Store
from desktop_app.ui import booking_dialog
from desktop_app.ui.booking_dialog import BookingDialog
from desktop_app.ui.calendar.grid_model import APPOINTMENT_ROLE, CELL_ROLE, MIME_TYPE
from desktop_app.ui.calendar.page import DAY, MONTH, CalendarPage
from tests.printing.conftest import pdf_text
from tests.ui.dialog_answers import open_previews
from tests.ui.modals import (
    answer_modals,
    button,
    click,
    close,
    input_text,
    message_text,
    no,
    yes,
)

# Showing a top-level widget on the offscreen platform says this; it is not ours.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
T = dt.time
RESP, DR_A, DR_B = 1, 11, 12


def _next_weekday(weekday: int, weeks: int = 1) -> dt.date:
    today = clock.today()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


# Far enough ahead that the materials deadline has not passed; never a holiday week in tests
# that depend on it (they pick the slot from the service).
TUE = _next_weekday(1, 2)
THU = TUE + dt.timedelta(days=2)
MON = TUE - dt.timedelta(days=1)  # the hours start that week: no slot too soon for materials


@pytest.fixture
def clinic(store: Store) -> Store:
    """呼吸器内科: A on Tuesdays and Thursdays 14–16, B on Tuesdays 10–11."""
    with store.transaction() as session:
        session.add(Department(id=RESP, name="呼吸器内科"))
        session.add(Doctor(id=DR_A, department_id=RESP, name="青木 一郎"))
        session.add(Doctor(id=DR_B, department_id=RESP, name="馬場 二郎"))
        for weekday in (1, 3):
            session.add(
                DoctorAvailability(
                    doctor_id=DR_A,
                    weekday=weekday,
                    start_time=T(14),
                    end_time=T(16),
                    valid_from=MON,
                )
            )
        session.add(
            DoctorAvailability(
                doctor_id=DR_B, weekday=1, start_time=T(10), end_time=T(11), valid_from=MON
            )
        )
    return store


def _waiting(store: Store, make_case, name: str = "山田　太郎") -> int:
    case = make_case(name=name)
    with store.transaction() as session:
        row = session.get(SOCase, case.id)
        assert row is not None
        row.stage, row.decision = Stage.DOCTOR_REVIEW, Decision.ACCEPTED
        row.desired_department_id = RESP
    return case.id


def _unexpected_warning(_parent, warnings: tuple[str, ...]) -> str:
    raise AssertionError(f"unexpected booking warning: {warnings}")


ASK_OVERRIDE_REASON = booking_dialog.ask_override_reason


@pytest.fixture(autouse=True)
def _no_unexpected_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """A booking warning nobody expected fails the test instead of waiting on its question;
    the tests that expect one put the real question back (``_real_warnings``)."""
    monkeypatch.setattr(booking_dialog, "ask_override_reason", _unexpected_warning)


def _real_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(booking_dialog, "ask_override_reason", ASK_OVERRIDE_REASON)


def _read_then_answer(seen: list[str], reason: str):
    """A QInputDialog step: note its question, then type ``reason`` and press OK."""

    def step(dialog) -> None:
        assert isinstance(dialog, QInputDialog), type(dialog)
        seen.append(dialog.labelText())
        input_text(reason)(dialog)

    return step


def _page(qtbot, runner, day: dt.date) -> CalendarPage:
    page = CalendarPage(runner)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show_date(day)
    return page


def test_week_model_places_bookings_on_the_right_day_and_time(
    qtbot, runner, clinic: Store, make_case, model_tester
) -> None:
    case_id = _waiting(clinic, make_case)
    book(clinic, case_id, doctor_id=DR_A, date=THU, start=T(14, 30), minutes=60)
    page = _page(qtbot, runner, TUE)
    model = page.grid_model
    model_tester(model)
    page.refresh()
    column = model.column_of(THU)
    assert column == 3  # Monday first
    row = model.row_of(T(14, 30))
    assert model.index(row, column).data(APPOINTMENT_ROLE) is not None
    cell = model.index(row, column).data(CELL_ROLE)
    assert [(a.case_id, a.state) for a in cell.appointments] == [
        (case_id, AppointmentState.WAITING_MATERIALS)
    ]
    below = model.index(row + 1, column).data(CELL_ROLE)  # the second half of 60 minutes
    assert below.continued and not below.free_doctors
    assert model.index(row - 1, column).data(CELL_ROLE).free_doctors == (DR_A,)
    assert model.headerData(row, Qt.Orientation.Vertical) == "14:30"
    tuesday = model.index(model.row_of(T(10)), model.column_of(TUE)).data(CELL_ROLE)
    assert tuesday.free_doctors == (DR_B,)


def test_day_view_has_a_column_per_working_doctor_and_month_counts(
    qtbot, runner, clinic: Store, make_case, model_tester
) -> None:
    case_id = _waiting(clinic, make_case)
    book(clinic, case_id, doctor_id=DR_B, date=TUE, start=T(10))
    page = _page(qtbot, runner, TUE)
    model_tester(page.grid_model)
    model_tester(page.month_model)
    page.set_mode(DAY)
    titles = [c.title.split("\n")[0] for c in page.grid_model.columns()]
    assert titles == ["青木 一郎", "馬場 二郎"]
    b_col = page.grid_model.column_of(TUE, DR_B)
    assert page.grid_model.index(page.grid_model.row_of(T(10)), b_col).data(APPOINTMENT_ROLE)
    page.set_mode(MONTH)
    index = page.month_model.index_of(TUE)
    assert "予約 1件" in index.data()
    assert "空き 5枠" in index.data()  # A: 4 half hours, B: 2, one booked


def test_keys_move_between_days_and_weeks_and_t_goes_home(qtbot, runner, clinic: Store) -> None:
    page = _page(qtbot, runner, TUE)
    page.show()
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_Right)
    assert page.current == TUE + dt.timedelta(days=1)
    qtbot.keyClick(page.grid, Qt.Key.Key_Left)
    qtbot.keyClick(page.grid, Qt.Key.Key_Left)
    assert page.current == TUE - dt.timedelta(days=1)
    qtbot.keyClick(page.grid, Qt.Key.Key_PageDown)
    assert page.current == TUE + dt.timedelta(days=6)
    assert page.visible_range()[0] == TUE + dt.timedelta(days=6)  # the next Monday
    assert page.grid.currentIndex().column() == page.grid_model.column_of(page.current)
    qtbot.keyClick(page.grid, Qt.Key.Key_PageUp)
    assert page.current == TUE - dt.timedelta(days=1)
    qtbot.keyClick(page.grid, Qt.Key.Key_T)
    assert page.current == clock.today()


def test_booking_from_the_dialog_first_slot(
    qtbot, runner, clinic: Store, make_case, print_to
) -> None:
    case_id = _waiting(clinic, make_case)
    dialog = BookingDialog(runner, case_id)
    qtbot.addWidget(dialog)
    assert dialog.doctor_combo.currentText() == "呼吸器内科の担当医すべて"
    first = dialog.selected_slot()
    assert first is not None and dialog.slot_list.currentRow() == 0
    assert "延長可" in dialog.slot_list.item(0).text()
    questions: list[str] = []

    def read_then_yes(box) -> None:
        questions.append(message_text(box))
        yes(box)

    asked = answer_modals(read_then_yes)
    qtbot.keyClick(dialog.slot_list, Qt.Key.Key_Return)
    assert asked.pending == 0
    assert questions == ["予約確認書を印刷しますか？"]
    detail = get_case(clinic, case_id)
    assert detail.stage is Stage.BOOKED
    assert detail.appointment is not None
    assert (detail.appointment.date, detail.appointment.start_time) == (first.date, first.start)
    assert dialog.result() == BookingDialog.DialogCode.Accepted

    # はい: the 予約確認書 of this case opens in the preview, and prints from there.
    (preview,) = open_previews()
    qtbot.addWidget(preview)
    assert (preview.form.kind, preview.form.case_id) == (FormKind.CONFIRMATION, case_id)
    text = pdf_text(preview.form.pdf)
    assert f"{first.date.month}月{first.date.day}日" in text and "山田太郎" in text
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready)
    with qtbot.waitSignal(runner.changed):
        preview.print_button.click()
    assert print_to.exists() and print_to.stat().st_size > 1024
    summaries = [h.summary for h in get_case(clinic, case_id).history]
    assert "予約確認書を印刷" in summaries
    preview.close()


def test_no_confirmation_is_printed_when_the_clerk_says_no(
    qtbot, runner, clinic: Store, make_case
) -> None:
    case_id = _waiting(clinic, make_case)
    dialog = BookingDialog(runner, case_id)
    qtbot.addWidget(dialog)
    asked = answer_modals(no)
    dialog.book_button.click()
    assert asked.pending == 0
    assert get_case(clinic, case_id).stage is Stage.BOOKED
    assert open_previews() == []


def test_a_warning_is_answered_with_a_reason(
    qtbot, runner, clinic: Store, make_case, monkeypatch
) -> None:
    other = _waiting(clinic, make_case, name="先客　一郎")
    case_id = _waiting(clinic, make_case)
    # The same patient? No: a slot too soon for the materials is the warning here.
    _real_warnings(monkeypatch)
    asked: list[str] = []
    soon = clock.today() + dt.timedelta(days=1)
    with clinic.transaction() as session:  # an extra window tomorrow, whatever day it is
        session.add(
            DoctorAvailability(
                doctor_id=DR_A, weekday=soon.weekday(), start_time=T(17), end_time=T(18)
            )
        )
    dialog = BookingDialog(runner, case_id, preset=(DR_A, soon, T(17)))
    qtbot.addWidget(dialog)
    slot = dialog.selected_slot()
    if slot is None or slot.date != soon:
        pytest.skip("tomorrow is a closed day")
    answered = answer_modals(_read_then_answer(asked, "本人の希望"), no)
    dialog.submit()
    assert answered.pending == 0
    assert len(asked) == 1 and "資料の提出期限" in asked[0]
    history = [h.summary for h in get_case(clinic, case_id).history]
    assert any("理由：本人の希望" in h for h in history)
    assert get_case(clinic, other).appointment is None


def test_a_refusal_is_shown_in_the_dialog(qtbot, runner, clinic: Store, make_case) -> None:
    first = _waiting(clinic, make_case, name="先客　一郎")
    case_id = _waiting(clinic, make_case)
    dialog = BookingDialog(runner, case_id)
    qtbot.addWidget(dialog)
    slot = dialog.selected_slot()
    assert slot is not None
    book(clinic, first, doctor_id=slot.doctor_id, date=slot.date, start=slot.start)
    dialog.submit()  # another desk took it meanwhile
    assert "別の予約" in dialog.error_label.text()
    assert get_case(clinic, case_id).appointment is None
    assert dialog.selected_slot() != slot  # the list was read again


def _drop(page: CalendarPage, appointment_id: int, day: dt.date, start: T) -> bool:
    model = page.grid_model
    data = QMimeData()
    data.setData(MIME_TYPE, QByteArray(str(appointment_id).encode()))
    target = model.index(model.row_of(start), model.column_of(day))
    return model.dropMimeData(data, Qt.DropAction.CopyAction, -1, -1, target)


def test_drag_to_another_slot_reschedules_and_keeps_the_history(
    qtbot, runner, clinic: Store, make_case
) -> None:
    case_id = _waiting(clinic, make_case)
    detail = book(clinic, case_id, doctor_id=DR_A, date=TUE, start=T(14))
    page = _page(qtbot, runner, TUE)
    source = page.grid_model.index(page.grid_model.row_of(T(14)), page.grid_model.column_of(TUE))
    mime = page.grid_model.mimeData([source])
    assert mime is not None and mime.hasFormat(MIME_TYPE)
    assert _drop(page, detail.appointment.id, THU, T(15))
    moved = get_case(clinic, case_id)
    assert (moved.appointment.date, moved.appointment.start_time) == (THU, T(15))
    assert any("日時を変更" in h.summary for h in moved.history)
    assert len(moved.appointments) == 2  # the old row kept, cancelled
    cell = page.grid_model.index(page.grid_model.row_of(T(14)), page.grid_model.column_of(TUE))
    assert cell.data(CELL_ROLE).free_doctors == (DR_A,)  # the page shows the slot free again


def test_a_drop_on_a_closed_day_says_why(qtbot, runner, clinic: Store, make_case) -> None:
    """Dropping on a 休診日 is not silently refused: the clerk is told the day is closed."""
    case_id = _waiting(clinic, make_case)
    detail = book(clinic, case_id, doctor_id=DR_A, date=TUE, start=T(14))
    add_closure(clinic, THU, "院内行事")
    page = _page(qtbot, runner, TUE)
    told: list[str] = []

    def read_and_close(box) -> None:
        told.append(message_text(box))
        box.button(QMessageBox.StandardButton.Ok).click()

    answers = answer_modals(read_and_close)
    assert (
        page.grid_model.flags(
            page.grid_model.index(page.grid_model.row_of(T(15)), page.grid_model.column_of(THU))
        )
        & Qt.ItemFlag.ItemIsDropEnabled
    )
    assert _drop(page, detail.appointment.id, THU, T(15))
    assert answers.pending == 0
    assert told == [f"{THU.month}月{THU.day}日は休診日です（院内行事）。"]
    moved = get_case(clinic, case_id)
    assert (moved.appointment.date, moved.appointment.start_time) == (TUE, T(14))


def test_reschedule_by_dialog_from_the_menu(qtbot, runner, clinic: Store, make_case) -> None:
    case_id = _waiting(clinic, make_case)
    book(clinic, case_id, doctor_id=DR_A, date=TUE, start=T(14))
    page = _page(qtbot, runner, TUE)
    appointment = page.data.appointments[0]
    menu = page.appointment_menu(appointment)
    assert [a.text() for a in menu.actions() if a.text()] == [
        "案件を開く",
        "日時変更…",
        "日時連絡済…",
        "キャンセル…",
        "無断キャンセル",
    ]
    dialog = page.reschedule_dialog(appointment)
    qtbot.addWidget(dialog)
    dialog.slot_list.setCurrentRow(2)
    target = dialog.selected_slot()
    asked = answer_modals(no)  # no 予約確認書 this time
    dialog.submit()
    assert asked.pending == 0
    moved = get_case(clinic, case_id)
    assert (moved.appointment.date, moved.appointment.start_time) == (target.date, target.start)
    assert any("日時を変更" in h.summary for h in moved.history)


def test_reschedule_lists_earlier_days_too(qtbot, runner, clinic: Store, make_case) -> None:
    """日時変更… from the calendar offers the slots before the current appointment, as the
    case's 予約… does; a clicked slot stays the one selected."""
    case_id = _waiting(clinic, make_case)
    book(clinic, case_id, doctor_id=DR_A, date=THU, start=T(15))
    page = _page(qtbot, runner, TUE)
    dialog = page.reschedule_dialog(page.data.appointments[0])
    qtbot.addWidget(dialog)
    listed = [
        dialog.slot_list.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(dialog.slot_list.count())
    ]
    assert (listed[0].date, listed[0].start) == (TUE, T(14))  # two days before the booking
    assert (THU, T(15)) not in [(s.date, s.start) for s in listed]  # its own slot is taken
    from_case = BookingDialog(runner, case_id, appointment_id=dialog.appointment_id)
    qtbot.addWidget(from_case)
    from_case.doctor_combo.setCurrentIndex(dialog.doctor_combo.currentIndex())
    assert [
        from_case.slot_list.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(from_case.slot_list.count())
    ] == listed

    clicked = BookingDialog(runner, case_id, preset=(DR_A, THU, T(14, 30)))
    qtbot.addWidget(clicked)
    chosen = clicked.selected_slot()
    assert chosen is not None and (chosen.date, chosen.start) == (THU, T(14, 30))
    assert clicked.slot_list.item(0).data(Qt.ItemDataRole.UserRole).date == TUE


def _cancellation(reason: str, *, end_case: bool = False):
    """Answer 予約のキャンセル: the reason, whether the case ends, then キャンセルを記録."""

    def step(dialog) -> None:
        assert dialog.windowTitle() == "予約のキャンセル"
        (reason_edit,) = [e for e in dialog.findChildren(QLineEdit) if not e.isReadOnly()]
        reason_edit.setText(reason)
        if end_case:
            button(dialog, "案件を終了する").click()
        click(dialog, "キャンセルを記録")

    return step


def test_cancel_from_the_menu_frees_the_slot(qtbot, runner, clinic: Store, make_case) -> None:
    case_id = _waiting(clinic, make_case)
    book(clinic, case_id, doctor_id=DR_A, date=TUE, start=T(14))
    page = _page(qtbot, runner, TUE)
    menu = page.appointment_menu(page.data.appointments[0])
    asked = answer_modals(close)  # 戻る: nothing cancelled
    next(a for a in menu.actions() if a.text() == "キャンセル…").trigger()
    assert asked.pending == 0
    assert get_case(clinic, case_id).appointment is not None

    menu = page.appointment_menu(page.data.appointments[0])
    asked = answer_modals(_cancellation("体調不良"))
    next(a for a in menu.actions() if a.text() == "キャンセル…").trigger()
    assert asked.pending == 0
    detail = get_case(clinic, case_id)
    assert detail.appointment is None and detail.stage is Stage.DOCTOR_REVIEW
    assert any("体調不良" in h.summary for h in detail.history)
    cell = page.grid_model.index(page.grid_model.row_of(T(14)), page.grid_model.column_of(TUE))
    assert cell.data(CELL_ROLE).free_doctors == (DR_A,)
    assert cell.data(CELL_ROLE).appointments[0].state is AppointmentState.CANCELLED


def test_a_cancellation_can_end_the_case(qtbot, runner, clinic: Store, make_case) -> None:
    case_id = _waiting(clinic, make_case)
    book(clinic, case_id, doctor_id=DR_A, date=TUE, start=T(14))
    page = _page(qtbot, runner, TUE)
    menu = page.appointment_menu(page.data.appointments[0])
    asked = answer_modals(_cancellation("他院で受診", end_case=True))
    next(a for a in menu.actions() if a.text() == "キャンセル…").trigger()
    assert asked.pending == 0
    detail = get_case(clinic, case_id)
    assert detail.appointment is None and detail.stage is Stage.CANCELLED


def test_a_free_slot_books_a_waiting_case(qtbot, runner, clinic: Store, make_case) -> None:
    other = _waiting(clinic, make_case, name="先客　一郎")
    case_id = _waiting(clinic, make_case)
    page = _page(qtbot, runner, TUE)
    page.show()
    index = page.grid_model.index(page.grid_model.row_of(T(15)), page.grid_model.column_of(TUE))
    page.grid.setCurrentIndex(index)
    number = get_case(clinic, case_id).case_number
    offered: list[list[str]] = []

    def choose(dialog) -> None:
        assert isinstance(dialog, QInputDialog), type(dialog)
        offered.append(dialog.comboBoxItems())
        (label,) = [item for item in dialog.comboBoxItems() if item.startswith(number)]
        input_text(label)(dialog)

    asked = answer_modals(choose)
    qtbot.keyClick(page.grid, Qt.Key.Key_Return)
    assert asked.pending == 0
    assert len(offered[0]) == 2
    booking = QApplication.activeModalWidget()  # opened (not exec'd) over the page
    assert isinstance(booking, BookingDialog)
    assert booking.case_id == case_id and booking.preset == (DR_A, TUE, T(15))
    slot = booking.selected_slot()
    assert (slot.doctor_id, slot.date, slot.start) == (DR_A, TUE, T(15))
    asked = answer_modals(no)
    booking.book_button.click()
    assert asked.pending == 0
    assert get_case(clinic, case_id).appointment.start_time == T(15)
    assert get_case(clinic, other).appointment is None
    # The page heard the change and shows the booking where the free slot was.
    assert page.grid_model.index(index.row(), index.column()).data(APPOINTMENT_ROLE) is not None


def test_no_show_is_recorded(qtbot, runner, clinic: Store, make_case) -> None:
    case_id = _waiting(clinic, make_case)
    book(clinic, case_id, doctor_id=DR_A, date=TUE, start=T(14))
    page = _page(qtbot, runner, TUE)
    menu = page.appointment_menu(page.data.appointments[0])
    asked = answer_modals(no)
    next(a for a in menu.actions() if a.text() == "無断キャンセル").trigger()
    assert asked.pending == 0
    assert get_case(clinic, case_id).appointment is not None  # いいえ: nothing recorded
    menu = page.appointment_menu(page.data.appointments[0])
    questions: list[str] = []

    def read_then_yes(box) -> None:
        questions.append(message_text(box))
        yes(box)

    asked = answer_modals(read_then_yes)
    next(a for a in menu.actions() if a.text() == "無断キャンセル").trigger()
    assert asked.pending == 0
    assert questions == [
        f"{TUE.month}月{TUE.day}日 14:00 山田　太郎 様の予約を無断キャンセルとして記録しますか？"
    ]
    with clinic.read() as session:
        row = session.scalars(select(Appointment)).one()
        assert row.no_show and row.cancelled


def test_a_drop_outside_the_hours_asks_for_a_reason(
    qtbot, runner, clinic: Store, make_case, monkeypatch
) -> None:
    case_id = _waiting(clinic, make_case)
    detail = book(clinic, case_id, doctor_id=DR_A, date=TUE, start=T(14))
    _real_warnings(monkeypatch)
    asked: list[str] = []
    page = _page(qtbot, runner, TUE)
    answered = answer_modals(_read_then_answer(asked, "医師了承済"))
    assert _drop(page, detail.appointment.id, TUE, T(16))
    assert answered.pending == 0
    assert len(asked) == 1 and "時間外" in asked[0]
    moved = get_case(clinic, case_id)
    assert moved.appointment.start_time == T(16)
    assert any("理由：医師了承済" in h.summary for h in moved.history)


def test_booking_from_the_boards_card(qtbot, runner, clinic: Store, make_case) -> None:
    from desktop_app.ui.board.page import BoardPage

    case_id = _waiting(clinic, make_case)

    def enter_on_the_first_slot(dialog) -> None:
        assert isinstance(dialog, BookingDialog), type(dialog)
        assert dialog.slot_list.currentRow() == 0
        QTest.keyClick(dialog.slot_list, Qt.Key.Key_Return)

    # The dialog is modal; the clerk presses Enter on the first (selected) slot, then いいえ.
    asked = answer_modals(enter_on_the_first_slot, no)
    board = BoardPage(runner)
    qtbot.addWidget(board)
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.refresh()
    menu = board.context_menu(case_id)
    book_action = next(a for a in menu.actions() if a.text() == "予約…")
    book_action.trigger()
    assert asked.pending == 0
    assert get_case(clinic, case_id).stage is Stage.BOOKED
    assert board._cards[case_id].stage is Stage.BOOKED, "the card followed the booking"
    assert "予約…" not in [a.text() for a in board.context_menu(case_id).actions()]
