"""The 書類ボード page: cards moved by the service, a drag, the keyboard and the menu."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog

from desktop_app.domain.changes import Change
from desktop_app.domain.stages import OPEN_STAGES, Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.ui.board.model import CaseIdRole, read_card_mime
from desktop_app.ui.board.page import BoardPage
from desktop_app.ui.layout_tools import settle_layout
from desktop_app.ui.main_window import PAGE_BOARD
from tests.board_setup import TODAY, book, doctor
from tests.ui.modals import answer_modals, close, input_text, no, yes


@pytest.fixture
def board(qtbot, runner, model_tester) -> BoardPage:
    page = BoardPage(runner)
    page.today = TODAY
    qtbot.addWidget(page)
    for column in page.columns.values():
        model_tester(column.model)
    page.resize(1100, 700)
    settle_layout(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def reload(qtbot, page: BoardPage) -> None:
    """The board loads off the UI thread: ask, and wait until the cards are in."""
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.refresh()


def ids_in(page: BoardPage, stage: Stage) -> list[int]:
    model = page.columns[stage].model
    return [model.card_at(r).id for r in range(model.rowCount())]


def resets(page: BoardPage) -> list[Stage]:
    seen: list[Stage] = []
    for stage, column in page.columns.items():
        column.model.modelReset.connect(lambda stage=stage: seen.append(stage))
    return seen


def test_one_column_per_open_stage_with_its_count(qtbot, board, make_case) -> None:
    assert list(board.columns) == list(OPEN_STAGES)
    case = make_case()
    reload(qtbot, board)
    assert ids_in(board, Stage.INQUIRY) == [case.id]
    assert board.columns[Stage.INQUIRY].title.text().startswith("問い合わせ受付 1")
    assert "進行中 1件" in board.summary_label.text()


def test_card_moved_by_the_service_updates_only_that_card(qtbot, board, runner, make_case) -> None:
    one, two = make_case(), make_case()
    reload(qtbot, board)
    reset = resets(board)
    changed: list[int] = []
    board.columns[Stage.INQUIRY].model.dataChanged.connect(lambda a, _b: changed.append(a.row()))
    # Another page (origin None) moves a case through the runner.
    runner.run(None, move_stage, one.id, Stage.FORMS_SENT, changes=Change.CASES)
    assert ids_in(board, Stage.FORMS_SENT) == [one.id]
    assert ids_in(board, Stage.INQUIRY) == [two.id]
    assert reset == [] and changed == []
    assert board.columns[Stage.FORMS_SENT].title.text().startswith("書類送付済 1")


def test_card_moved_by_a_drag(qtbot, board, make_case) -> None:
    case = make_case()
    reload(qtbot, board)
    source = board.columns[Stage.INQUIRY].model
    mime = source.mimeData([source.index(0)])
    assert read_card_mime(mime) == (case.id, case.version, Stage.INQUIRY)
    target = board.columns[Stage.FORMS_SENT].model
    assert not source.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    assert target.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    qtbot.waitUntil(lambda: ids_in(board, Stage.FORMS_SENT) == [case.id])
    assert get_case(board._runner.store, case.id).stage is Stage.FORMS_SENT


def test_card_dropped_on_a_column_view(qtbot, board, make_case) -> None:
    case = make_case()
    reload(qtbot, board)
    source = board.columns[Stage.INQUIRY].model
    view = board.columns[Stage.FORMS_SENT].view
    mime = source.mimeData([source.index(0)])
    event = QDropEvent(
        view.viewport().rect().center().toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dropEvent(event)
    qtbot.waitUntil(lambda: ids_in(board, Stage.FORMS_SENT) == [case.id])


def test_forbidden_drop_is_refused_with_its_reason(qtbot, board, make_case, shown_errors) -> None:
    case = make_case()
    reload(qtbot, board)
    source = board.columns[Stage.INQUIRY].model
    mime = source.mimeData([source.index(0)])
    board.columns[Stage.BOOKED].model.dropMimeData(
        mime, Qt.DropAction.CopyAction, -1, -1, QModelIndex()
    )
    qtbot.waitUntil(lambda: bool(shown_errors))
    assert shown_errors == ["「問い合わせ受付」から「予約確定」へは進めません。"]
    assert ids_in(board, Stage.INQUIRY) == [case.id]


def test_keyboard_moves_focus_opens_and_advances(qtbot, board, make_case) -> None:
    first, second = make_case(), make_case()
    move_stage(board._runner.store, second.id, Stage.FORMS_SENT)
    reload(qtbot, board)
    inquiry = board.columns[Stage.INQUIRY].view
    inquiry.focus_row(0)
    qtbot.keyClick(inquiry, Qt.Key.Key_Right)
    sent = board.columns[Stage.FORMS_SENT].view
    assert sent.hasFocus() and sent.current_case_id() == second.id
    qtbot.keyClick(sent, Qt.Key.Key_Left)
    assert inquiry.hasFocus()
    # "." advances; the focus follows the card into its new column.
    qtbot.keyClick(inquiry, Qt.Key.Key_Period)
    assert ids_in(board, Stage.FORMS_SENT) == [first.id, second.id]
    assert board.focused_case_id() == first.id
    # A step back asks first; いいえ leaves the card where it is, はい moves it.
    asked = answer_modals(no)
    qtbot.keyClick(sent, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert not asked.pending and ids_in(board, Stage.INQUIRY) == []
    asked = answer_modals(yes)
    qtbot.keyClick(sent, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert not asked.pending and ids_in(board, Stage.INQUIRY) == [first.id]
    qtbot.keyClick(inquiry, Qt.Key.Key_Return)
    dialog = board._details[first.id]
    assert dialog.isVisible()
    dialog.close()


def test_context_menu_moves_and_cancels(qtbot, board, make_case, monkeypatch) -> None:
    case = make_case()
    reload(qtbot, board)
    menu = board.context_menu(case.id)
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels == ["次の段階へ（書類送付済）", "キャンセル…", "開く"]
    menu.actions()[0].trigger()
    assert ids_in(board, Stage.FORMS_SENT) == [case.id]
    back = [a for a in board.context_menu(case.id).actions() if a.text().startswith("戻す")]
    asked = answer_modals(yes)
    back[0].trigger()
    assert not asked.pending and ids_in(board, Stage.INQUIRY) == [case.id]
    cancel = [a for a in board.context_menu(case.id).actions() if a.text() == "キャンセル…"]
    asked = answer_modals(input_text("体調不良"))
    cancel[0].trigger()
    assert not asked.pending
    assert all(not ids_in(board, s) for s in OPEN_STAGES)
    assert get_case(board._runner.store, case.id).end_reason == "体調不良"


def test_move_past_missing_documents_asks_and_records_the_reason(
    qtbot, board, make_case, shown_errors
) -> None:
    store = board._runner.store
    case = make_case()
    book(store, case.id, doctor(store), dt.date(2026, 7, 1))
    reload(qtbot, board)
    asked: list[str] = []

    def read_then_back_out(dialog) -> None:
        assert isinstance(dialog, QInputDialog), type(dialog)
        asked.append(dialog.labelText())
        close(dialog)

    answered = answer_modals(read_then_back_out)
    assert not board.step_case(case.id, 1)  # the clerk backs out
    assert answered.pending == 0
    assert asked == [
        "まだ届いていない書類があります：セカンドオピニオン外来申込書、"
        "専用診療情報提供書（紹介状）\n\nこのまま「資料受領」に進める場合は、"
        "理由を入力してください（履歴に残ります）："
    ]
    assert ids_in(board, Stage.BOOKED) == [case.id]
    answered = answer_modals(input_text("当日持参と電話で確認"))
    assert board.step_case(case.id, 1)
    assert answered.pending == 0
    assert ids_in(board, Stage.MATERIALS_RECEIVED) == [case.id]
    history = get_case(store, case.id).history
    assert history[-1].summary.endswith("（確認のうえ進めました：当日持参と電話で確認）")
    assert shown_errors == []


def test_filters_text_department_doctor(qtbot, board, make_case) -> None:
    store = board._runner.store
    yamada = make_case()
    suzuki = make_case(name="鈴木　花子", furigana="スズキ　ハナコ", referrer=None)
    sato = doctor(store)
    book(store, suzuki.id, sato, dt.date(2026, 7, 1))
    board._masters_filled = False  # the department and doctor lists are read on the next load
    reload(qtbot, board)
    board.search_edit.setText("ﾔﾏﾀﾞ")
    reload(qtbot, board)
    assert ids_in(board, Stage.INQUIRY) == [yamada.id] and ids_in(board, Stage.BOOKED) == []
    board.search_edit.setText("minato")  # no such spelling: nothing
    reload(qtbot, board)
    assert all(not ids_in(board, s) for s in OPEN_STAGES)
    board.search_edit.clear()
    with qtbot.waitSignal(board.loaded):
        board.department_combo.setCurrentIndex(board.department_combo.findText("消化器内科"))
    assert ids_in(board, Stage.BOOKED) == [suzuki.id] and ids_in(board, Stage.INQUIRY) == []
    with qtbot.waitSignal(board.loaded):
        board.department_combo.setCurrentIndex(0)
    with qtbot.waitSignal(board.loaded):
        board.doctor_combo.setCurrentIndex(board.doctor_combo.index_of(sato))
    assert ids_in(board, Stage.BOOKED) == [suzuki.id] and ids_in(board, Stage.INQUIRY) == []


def test_attention_only(qtbot, board, make_case) -> None:
    store = board._runner.store
    quiet, urgent = make_case(), make_case()
    book(store, urgent.id, doctor(store), dt.date(2026, 6, 12), notified=False)
    reload(qtbot, board)
    assert "要対応 1件" in board.summary_label.text()
    board.attention_only.setChecked(True)
    assert ids_in(board, Stage.INQUIRY) == [] and ids_in(board, Stage.BOOKED) == [urgent.id]
    card = board.columns[Stage.BOOKED].model.card_at(0)
    assert [a.text for a in card.reasons] == ["資料の期限切れ（6/9）", "予約日を未連絡"]
    board.attention_only.setChecked(False)
    assert ids_in(board, Stage.INQUIRY) == [quiet.id]


def test_cards_are_painted_at_a_fitting_height(qtbot, board, make_case) -> None:
    store = board._runner.store
    case = make_case()
    book(store, case.id, doctor(store), dt.date(2026, 6, 12), notified=False)
    reload(qtbot, board)
    view = board.columns[Stage.BOOKED].view
    rect = view.visualRect(view.model().index(0, 0))
    assert rect.height() > 100  # name, appointment, badges, due date, two reasons
    assert view.indexAt(QPoint(10, 10)).data(CaseIdRole) == case.id
    assert not view.grab().isNull()


# The button opens the receipt dialog, which offscreen Qt cannot raise: it says so.
@pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise\(\)")
def test_board_is_a_page_of_the_window(qtbot, window, make_case) -> None:
    make_case()
    window.show_page(PAGE_BOARD)
    assert window.stack.currentWidget() is window.board
    asked: list[bool] = []
    window.board.receipt_requested.connect(lambda: asked.append(True))
    qtbot.mouseClick(window.board.receipt_button, Qt.MouseButton.LeftButton)
    assert asked == [True]


def test_a_card_dragged_away_leaves_no_card_lit_behind(qtbot, board, make_case) -> None:
    moved, stays = make_case(), make_case()
    reload(qtbot, board)
    source = board.columns[Stage.INQUIRY]
    row = source.model.row_of_case(moved.id)
    source.view.focus_row(row)  # pressed to drag it: selected
    assert source.view.selectionModel().hasSelection()
    mime = source.model.mimeData([source.model.index(row)])
    assert board.columns[Stage.FORMS_SENT].model.dropMimeData(
        mime, Qt.DropAction.CopyAction, -1, -1, QModelIndex()
    )
    qtbot.waitUntil(lambda: ids_in(board, Stage.FORMS_SENT) == [moved.id])
    assert ids_in(board, Stage.INQUIRY) == [stays.id]
    # Qt hands the selected look of a removed row to the card below it: not on this board.
    assert not source.view.selectionModel().hasSelection()
    assert not source.view.currentIndex().isValid()
    # The moved card is the one lit, in its new column, and it alone on the board.
    target = board.columns[Stage.FORMS_SENT].view
    assert target.current_case_id() == moved.id
    lit = [s for s, c in board.columns.items() if c.view.selectionModel().hasSelection()]
    assert lit == [Stage.FORMS_SENT]
