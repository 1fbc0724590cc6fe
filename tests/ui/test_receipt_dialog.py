from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain import clock
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.paper_trail import mark_received
from desktop_app.ui.receipt_dialog import (
    ReceiptDialog,
    looks_like_case_number,
    open_receipt_dialog,
    parse_case_number,
)
from tests.services.trail_helpers import audit_actions, doc_of, to_booked
from tests.ui.conftest import type_japanese

K = DocumentKind

# A shown top-level dialog on the offscreen platform; harmless there, not in real use.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise\(\)")


@pytest.fixture
def dialog(qtbot, runner) -> ReceiptDialog:
    d = ReceiptDialog(runner)
    qtbot.addWidget(d)
    d.show()
    return d


def _enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_case_numbers_in_any_spelling() -> None:
    assert parse_case_number("SO-2026-0001") == "SO-2026-0001"
    assert parse_case_number("so20260001") == "SO-2026-0001"
    assert parse_case_number("ＳＯ－２０２６－０００７") == "SO-2026-0007"
    assert parse_case_number("2026-12") == "SO-2026-0012"
    assert parse_case_number("やまだ") is None
    assert looks_like_case_number("SO-20X") and looks_like_case_number("SO-2026-")
    assert not looks_like_case_number("やまだ") and not looks_like_case_number("0144112233")


def test_barcode_text_and_enter_shows_the_checklist_and_records(
    qtbot, dialog, make_case, store
) -> None:
    case = make_case()
    move_stage(store, case.id, Stage.FORMS_SENT)
    qtbot.keyClicks(dialog.query_edit, case.case_number)  # what the reader types
    _enter(qtbot, dialog.query_edit)
    assert dialog.case_panel.isVisible() and dialog.detail is not None
    assert dialog.stage_label.text() == "書類送付済"
    assert dialog.checklist.hasFocus()
    # Keyboard only: the first line (the application) is current; Space ticks it.
    qtbot.keyClick(dialog.checklist, Qt.Key.Key_Space)
    app = doc_of(case, K.APPLICATION)
    assert dialog.ticked_ids() == [app.id]
    _enter(qtbot, dialog.checklist)
    after = get_case(store, case.id)
    assert doc_of(after, K.APPLICATION).received_on == clock.today()
    assert doc_of(after, K.APPLICATION).channel == Channel.MAIL  # the default
    # The automatic move is shown, and the dialog is ready for the next paper.
    assert after.stage == Stage.APPLICATION_RECEIVED
    assert "書類送付済 → 申込書受領" in dialog.done_label.text()
    assert dialog.query_edit.text() == "" and dialog.query_edit.hasFocus()
    assert not dialog.case_panel.isVisible()


def test_by_number_several_items_in_one_call_with_a_channel(qtbot, dialog, make_case, store):
    case = make_case(materials=(K.IMAGING_CD,))
    qtbot.keyClicks(dialog.query_edit, case.case_number.lower().replace("-", ""))
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    letter, cd = doc_of(case, K.REFERRAL_LETTER), doc_of(case, K.IMAGING_CD)
    dialog.tick(letter.id)
    dialog.tick(cd.id)
    dialog.set_channel(Channel.BROUGHT.value)
    before = len(audit_actions(store, case.id))
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    after = get_case(store, case.id)
    assert len(audit_actions(store, case.id)) == before + 1  # one call, one entry
    assert doc_of(after, K.REFERRAL_LETTER).channel == Channel.BROUGHT
    assert doc_of(after, K.IMAGING_CD).received_on == clock.today()
    assert "ほか1件" in dialog.done_label.text()


def test_by_name_in_another_kana_spelling_with_a_choice(qtbot, dialog, make_case, store):
    first = make_case()
    make_case(name="山田　次郎", furigana="ヤマダ　ジロウ")
    make_case(name="鈴木　一郎", furigana="スズキ　イチロウ")
    type_japanese(dialog.query_edit, "やまだ")
    _enter(qtbot, dialog.query_edit)
    assert dialog.results_list.isVisible() and dialog.results_list.count() == 2
    assert dialog.results_list.hasFocus()
    # Newest first: move down to the first case and pick it with Enter.
    qtbot.keyClick(dialog.results_list, Qt.Key.Key_Down)
    _enter(qtbot, dialog.results_list)
    assert dialog.detail is not None and dialog.detail.id == first.id
    dialog.query_edit.clear()
    type_japanese(dialog.query_edit, "すずき")
    _enter(qtbot, dialog.query_edit)  # one match: shown at once
    assert dialog.detail is not None and dialog.detail.patient.name == "鈴木　一郎"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("SO-2026-9999", "見つかりません"),
        ("SO-20X6", "案件番号の形式ではありません"),
        ("zzzz", "該当する受付中の案件はありません"),
        ("", "入力してください"),
    ],
)
def test_unknown_malformed_or_empty_writes_nothing(
    qtbot, dialog, make_case, store, typed, message
) -> None:
    case = make_case()
    before = audit_actions(store, case.id)
    qtbot.keyClicks(dialog.query_edit, typed)
    _enter(qtbot, dialog.query_edit)
    assert message in dialog.message_label.text()
    assert dialog.message_label.isVisible()
    assert not dialog.case_panel.isVisible() and not dialog.record_button.isEnabled()
    dialog.record()
    assert audit_actions(store, case.id) == before


def test_a_closed_case_is_refused(qtbot, dialog, make_case, store) -> None:
    case = make_case()
    move_stage(store, case.id, Stage.CANCELLED, reason="ご本人の都合")
    before = audit_actions(store, case.id)
    qtbot.keyClicks(dialog.query_edit, case.case_number)
    _enter(qtbot, dialog.query_edit)
    assert "キャンセル」で終了しています" in dialog.message_label.text()
    assert not dialog.case_panel.isVisible()
    dialog.record()
    assert audit_actions(store, case.id) == before


def test_nothing_ticked_is_refused(qtbot, dialog, make_case, store) -> None:
    case = make_case()
    qtbot.keyClicks(dialog.query_edit, case.case_number)
    _enter(qtbot, dialog.query_edit)
    _enter(qtbot, dialog.checklist)
    assert "チェックを付けてください" in dialog.message_label.text()
    assert get_case(store, case.id).history[-1].action == "case.create"


def test_received_lines_are_shown_but_cannot_be_ticked(qtbot, dialog, make_case, store):
    case = make_case()
    app = doc_of(case, K.APPLICATION)
    mark_received(store, case.id, app.id, on=clock.today(), channel=Channel.FAX)
    qtbot.keyClicks(dialog.query_edit, case.case_number)
    _enter(qtbot, dialog.query_edit)
    texts = [dialog.checklist.item(i).text() for i in range(dialog.checklist.count())]
    assert any("受領済" in t and "FAX" in t for t in texts)
    dialog.tick(app.id)
    assert dialog.ticked_ids() == []
    assert dialog.checklist.currentItem().data(Qt.ItemDataRole.UserRole) != app.id


def test_everything_in_moves_a_booked_case_to_materials(qtbot, runner, make_case, store):
    booked = to_booked(store, make_case())
    dialog = open_receipt_dialog(runner, None, booked.id)
    qtbot.addWidget(dialog)
    letter = doc_of(booked, K.REFERRAL_LETTER, Direction.IN)
    dialog.tick(letter.id)
    dialog.record()
    assert get_case(store, booked.id).stage == Stage.MATERIALS_RECEIVED
    assert "予約確定 → 資料受領" in dialog.done_label.text()


def test_another_desk_first_is_shown_not_overwritten(qtbot, dialog, make_case, store, shown_errors):
    case = make_case()
    qtbot.keyClicks(dialog.query_edit, case.case_number)
    _enter(qtbot, dialog.query_edit)
    letter = doc_of(case, K.REFERRAL_LETTER)
    mark_received(store, case.id, letter.id, on=clock.today(), channel=Channel.FAX)
    dialog.tick(letter.id)
    dialog.record()
    assert shown_errors  # the conflict was told
    assert doc_of(get_case(store, case.id), K.REFERRAL_LETTER).channel == Channel.FAX
    assert dialog.detail is not None and dialog.ticked_ids() == []
