from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.domain.eligibility import (
    BUILT_IN_CODES,
    DEFAULT_EXCLUSION_REASONS,
    ExclusionReason,
    Route,
)
from desktop_app.ui.exclusion_reasons_editor import (
    COL_KIND,
    MESSAGE_NO_LABEL,
    MESSAGE_NO_SCRIPT,
    ExclusionReasonsEditor,
    ExclusionReasonsModel,
    ReasonDialog,
    ReasonRole,
    edit_reason,
    new_code,
)
from tests.ui.conftest import type_japanese

CUSTOM = ExclusionReason(
    code="custom_0001",
    label="亡くなった患者さんについて",
    script="亡くなられた方についてのご相談はお受けしておりません。",
)


# The model ---------------------------------------------------------------------------------


def test_model_passes_the_model_tester_through_every_change(model_tester) -> None:
    model = ExclusionReasonsModel()
    model_tester(model)
    model.set_reasons(DEFAULT_EXCLUSION_REASONS)
    assert model.rowCount() == len(DEFAULT_EXCLUSION_REASONS)
    row = model.append(CUSTOM)
    assert model.index(row, 0).data(ReasonRole) == CUSTOM
    assert model.index(row, COL_KIND).data() == "追加"
    assert model.index(0, COL_KIND).data() == "標準"
    assert model.move(row, -1) == row - 1
    assert model.move(0, -1) == 0  # already first
    assert model.move(model.rowCount() - 1, 1) == model.rowCount() - 1  # already last
    assert model.move(0, 1) == 1
    assert [r.code for r in model.reasons()][:2] == ["family_without_consent", "third_party"]
    model.replace(1, ExclusionReason("third_party", "第三者", "お受けできません。"))
    assert model.index(1, 0).data() == "第三者"
    model.remove(row - 1)
    assert CUSTOM not in model.reasons()
    model.set_reasons(())
    assert model.rowCount() == 0


def test_new_codes_are_custom_and_unique() -> None:
    taken = set(BUILT_IN_CODES)
    for _ in range(50):
        code = new_code(taken)
        assert code.startswith("custom_")
        assert code not in taken
        taken.add(code)


def test_editor_buttons_follow_the_selection(qtbot, model_tester) -> None:
    editor = ExclusionReasonsEditor()
    qtbot.addWidget(editor)
    model_tester(editor.model)
    editor.set_reasons((*DEFAULT_EXCLUSION_REASONS, CUSTOM))
    assert not editor.edit_button.isEnabled()
    assert not editor.remove_button.isEnabled()
    editor.select_row(0)
    assert editor.edit_button.isEnabled()
    assert not editor.remove_button.isEnabled()
    assert "過去の案件" in editor.remove_button.toolTip()
    assert not editor.up_button.isEnabled()
    assert editor.down_button.isEnabled()
    editor.select_row(editor.model.rowCount() - 1)
    assert editor.remove_button.isEnabled()
    assert not editor.down_button.isEnabled()
    editor.remove_button.click()
    assert CUSTOM not in editor.reasons()
    assert editor.current_row() == editor.model.rowCount() - 1  # the row above is selected


# The dialog --------------------------------------------------------------------------------


def test_dialog_builds_a_new_reason_from_its_fields(qtbot) -> None:
    dialog = ReasonDialog(ExclusionReason("custom_abcd1234", "", ""), adding=True)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "対象外の理由を追加"
    type_japanese(dialog.label_edit, "通訳が必要なご相談")
    type_japanese(dialog.script_edit, "申し訳ございません。\n通訳の手配はいたしかねます。")
    dialog.route_combo.setCurrentIndex(dialog.route_combo.index_of(Route.GENERAL_OUTPATIENT))
    type_japanese(dialog.question_edit, "通訳が必要ですか？")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    assert dialog.reason() == ExclusionReason(
        code="custom_abcd1234",
        label="通訳が必要なご相談",
        script="申し訳ございません。\n通訳の手配はいたしかねます。",
        route=Route.GENERAL_OUTPATIENT,
        screening_question="通訳が必要ですか？",
    )


def test_dialog_refuses_an_empty_label_or_script(qtbot) -> None:
    dialog = ReasonDialog(ExclusionReason("custom_abcd1234", "", ""), adding=True)
    qtbot.addWidget(dialog)
    with qtbot.assertNotEmitted(dialog.accepted):
        dialog.ok_button.click()
    assert dialog.error_label.text() == MESSAGE_NO_LABEL
    type_japanese(dialog.label_edit, "通訳が必要なご相談")
    dialog.script_edit.setPlainText("   \n ")
    with qtbot.assertNotEmitted(dialog.accepted):
        dialog.ok_button.click()
    assert dialog.error_label.text() == MESSAGE_NO_SCRIPT
    type_japanese(dialog.script_edit, "お受けできません。")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()


def test_dialog_shows_a_built_in_reason_and_keeps_its_code(qtbot) -> None:
    transfer = next(r for r in DEFAULT_EXCLUSION_REASONS if r.code == "transfer")
    dialog = ReasonDialog(transfer)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "対象外の理由を編集"
    assert dialog.label_edit.text() == transfer.label
    assert dialog.script_edit.toPlainText() == transfer.script
    assert dialog.route_combo.value() is Route.GENERAL_OUTPATIENT
    assert dialog.question_edit.text() == transfer.screening_question
    dialog.question_edit.clear()
    assert dialog.reason() == ExclusionReason(
        "transfer", transfer.label, transfer.script, Route.GENERAL_OUTPATIENT, ""
    )


def test_edit_reason_returns_none_when_cancelled(qtbot) -> None:
    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ReasonDialog)
        dialog.reject()

    QTimer.singleShot(0, cancel)
    assert edit_reason(None, CUSTOM) is None
