from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_detail import CaseDetailDialog
from tests.ui.modals import answer_modals, close, input_text


@pytest.fixture
def open_detail(qtbot, runner: ServiceRunner, model_tester):
    def open_(case_id: int) -> CaseDetailDialog:
        dialog = CaseDetailDialog(runner, case_id)
        qtbot.addWidget(dialog)
        for model in (
            dialog.documents_model,
            dialog.contacts_model,
            dialog.payments_model,
            dialog.history_model,
        ):
            model_tester(model)
        assert dialog.load()
        return dialog

    return open_


def _history(dialog: CaseDetailDialog) -> list[tuple[str, str, str]]:
    model = dialog.history_model
    return [
        tuple(model.index(r, c).data() for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def test_shows_the_case_in_groups(make_case, open_detail) -> None:
    case = make_case()
    dialog = open_detail(case.id)
    assert case.case_number in dialog.number_label.text()
    assert dialog.stage_label.text() == "問い合わせ受付"
    assert dialog.documents_model.rowCount() == len(case.documents) > 0
    assert dialog.contacts_model.rowCount() == 1
    first = [dialog.documents_model.index(0, c).data() for c in range(7)]
    assert first[0] == "送付状"
    assert first[1] == "送付"
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles[0] == "概要"
    assert titles[-1] == "変更履歴（1）"


def test_stage_change_appears_in_the_history(qtbot, make_case, open_detail, runner) -> None:
    case = make_case()
    dialog = open_detail(case.id)
    dialog.select_target(Stage.FORMS_SENT)
    with qtbot.waitSignal(runner.changed):
        dialog.move_button.click()
    assert dialog.stage_label.text() == "書類送付済"
    rows = _history(dialog)
    assert len(rows) == 2
    newest = rows[0]
    assert newest[1] == "テスト担当"
    assert "問い合わせ受付 → 書類送付済" in newest[2]


def test_refused_transition_shows_the_message_and_changes_nothing(
    store, make_case, open_detail, shown_errors
) -> None:
    case = make_case()
    for stage in (Stage.FORMS_SENT, Stage.APPLICATION_RECEIVED, Stage.DOCTOR_REVIEW):
        move_stage(store, case.id, stage, override_reason="申込書はFAXで確認")
    dialog = open_detail(case.id)
    before = get_case(store, case.id)
    dialog.select_target(Stage.BOOKED)
    dialog.move_button.click()
    assert shown_errors == ["担当医の判断が「受入」になっていません。"]
    after = get_case(store, case.id)
    assert after.stage == Stage.DOCTOR_REVIEW
    assert after.history == before.history
    assert dialog.stage_label.text() == "担当医確認"


def test_cancel_asks_for_a_reason(qtbot, store, make_case, open_detail) -> None:
    questions: list[str] = []

    def read_then_answer(dialog) -> None:
        questions.append(f"{dialog.windowTitle()}|{dialog.labelText()}")
        input_text("ご本人のご都合")(dialog)

    case = make_case()
    dialog = open_detail(case.id)
    dialog.select_target(Stage.CANCELLED)
    asked = answer_modals(read_then_answer)
    dialog.move_button.click()
    assert asked.pending == 0
    assert questions == ["キャンセルの理由|キャンセルにする理由を入力してください："]
    detail = get_case(store, case.id)
    assert detail.stage == Stage.CANCELLED
    assert detail.end_reason == "ご本人のご都合"
    assert not dialog.move_button.isEnabled()  # a finished case cannot move


def test_backing_out_of_the_reason_changes_nothing(store, make_case, open_detail) -> None:
    case = make_case()
    dialog = open_detail(case.id)
    dialog.select_target(Stage.EXCLUDED)
    asked = answer_modals(close)
    dialog.move_button.click()
    assert asked.pending == 0
    assert get_case(store, case.id).stage == Stage.INQUIRY
    assert [h.action for h in get_case(store, case.id).history] == ["case.create"]


def test_excluded_passes_the_reason_code(store, make_case, open_detail) -> None:
    offered: list[list[str]] = []

    def choose(dialog) -> None:
        assert isinstance(dialog, QInputDialog), type(dialog)
        offered.append(dialog.comboBoxItems())
        input_text("転医・転院のご希望")(dialog)

    case = make_case()
    dialog = open_detail(case.id)
    dialog.select_target(Stage.EXCLUDED)
    asked = answer_modals(choose)
    dialog.move_button.click()
    assert asked.pending == 0
    assert "転医・転院のご希望" in offered[0]
    detail = get_case(store, case.id)
    assert (detail.stage, detail.exclusion_code) == (Stage.EXCLUDED, "transfer")
    assert detail.end_reason == "転医・転院のご希望"


def test_an_ended_case_greys_the_forms_that_would_say_something_untrue(
    store, make_case, open_detail
) -> None:
    """受付日 and 終了日 in the overview; a cancelled case's print menu greys 予約確認書,
    ご報告書 and the packet with the reason (render_form refuses them too)."""
    case = make_case()
    move_stage(store, case.id, Stage.CANCELLED, reason="ご本人の都合")
    dialog = open_detail(case.id)
    menu = dialog.print_button.menu()
    assert menu is not None
    state = {a.data(): (a.isEnabled(), a.toolTip()) for a in menu.actions() if a.data()}
    for kind in ("confirmation", "report", "packet"):
        assert state[kind] == (False, "「キャンセル」の案件には印刷しません")
    assert state["cover"][0] and state["label"][0]
    text = dialog.overview_area.widget().findChildren(type(dialog.stage_label))
    shown = " ".join(label.text() for label in text)
    assert "受付日" in shown and "終了日" in shown
