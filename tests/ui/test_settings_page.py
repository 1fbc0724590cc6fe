from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QWidget

from desktop_app.domain.contact import MESSAGE_POSTAL
from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS, ExclusionReason
from desktop_app.domain.settings import DateStyle
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.ui import exclusion_reasons_editor as reasons_editor
from desktop_app.ui.exclusion_reasons_editor import ReasonDialog
from desktop_app.ui.main_window import PAGE_SETTINGS, MainWindow
from desktop_app.ui.settings_page import SettingsPage
from tests.ui.conftest import type_japanese
from tests.ui.modals import Answers, answer_modals, click


@pytest.fixture
def page(qtbot, runner) -> SettingsPage:
    p = SettingsPage(runner)
    qtbot.addWidget(p)
    return p


def test_shows_the_settings_formatted(page: SettingsPage) -> None:
    assert page.edits["hospital_name"].text() == "苫小牧市立病院"
    assert page.edits["postal_code"].text() == "053-8567"
    assert page.edits["tel"].text() == "0144-84-0158"
    assert page.edits["fax"].text() == "0144-33-4678"
    assert page.spins["fee_per_block_yen"].value() == 5500
    assert page.date_style.value() is DateStyle.WAREKI


def test_saves_a_valid_change(qtbot, page: SettingsPage, runner, store) -> None:
    page.edits["hospital_name"].clear()
    type_japanese(page.edits["hospital_name"], "苫小牧市立総合病院")
    page.edits["tel"].clear()
    qtbot.keyClicks(page.edits["tel"], "0144 84 0159")
    page.spins["fee_per_block_yen"].setValue(6000)
    page.date_style.setCurrentIndex(page.date_style.index_of(DateStyle.SEIREKI))
    with qtbot.waitSignal(runner.changed):
        page.save_button.click()
    saved = get_settings(store)
    assert saved.hospital_name == "苫小牧市立総合病院"
    assert saved.tel == "0144840159"
    assert saved.fee_per_block_yen == 6000
    assert saved.date_style == DateStyle.SEIREKI
    assert page.edits["tel"].text() == "0144-84-0159"  # shown again as the store has it
    assert page.saved_label.text() == "保存しました。"


def test_bad_postal_code_shows_beside_the_field(qtbot, window: MainWindow, store):
    # Inside the main window, shown, as the clerk sees it (focus needs a visible window).
    runner, page = window.runner, window.settings_page
    window.show_page(PAGE_SETTINGS)
    window.show()
    qtbot.waitExposed(window)
    before = get_settings(store)
    edit = page.edits["postal_code"]
    edit.clear()
    qtbot.keyClicks(edit, "12345")
    page.edits["hospital_name"].clear()
    type_japanese(page.edits["hospital_name"], "別の病院")
    with qtbot.assertNotEmitted(runner.changed):
        page.save_button.click()
    error = page.errors["postal_code"]
    assert error.isVisible()
    assert error.text() == MESSAGE_POSTAL
    assert error.parentWidget() is edit.parentWidget()  # in the field's own cell
    assert not any(e.isVisible() for name, e in page.errors.items() if name != "postal_code")
    qtbot.waitUntil(edit.hasFocus)
    assert get_settings(store) == before
    # Correcting it clears the message on the next save.
    edit.clear()
    qtbot.keyClicks(edit, "0538567")
    page.save_button.click()
    assert not error.isVisible()
    assert get_settings(store).hospital_name == "別の病院"


# Exclusion reasons and yearly closures -------------------------------------------------------

NEW_REASON = ExclusionReason(
    code="ignored",  # the editor keeps the code it offered the dialog
    label="亡くなった患者さんについて",
    script="亡くなられた方についてのご相談はお受けしておりません。",
    screening_question="亡くなった方についてのご相談ですか？",
)


Reply = Callable[[ExclusionReason], ExclusionReason] | None


class ReasonDialogAnswers:
    """Answers the real 対象外の理由 dialog (ReasonDialog) as the clerk would.

    Each reply appended queues one answer for the next dialog that opens: it notes what the
    dialog offered (the reason its fields show, and whether it was 追加), then types the
    reply's wording into the fields and clicks 決定; a None reply clicks キャンセル.
    """

    def __init__(self) -> None:
        self.offered: list[tuple[ExclusionReason, bool]] = []
        self.queued: list[Answers] = []
        self.replies = self._Replies(self)

    class _Replies(list):
        def __init__(self, owner: ReasonDialogAnswers) -> None:
            super().__init__()
            self._owner = owner

        def append(self, reply: Reply) -> None:
            self._owner.queued.append(answer_modals(self._owner.step(reply)))

    def step(self, reply: Reply) -> Callable[[QWidget], None]:
        def answer(dialog: QWidget) -> None:
            assert isinstance(dialog, ReasonDialog), type(dialog)
            offered = dialog.reason()
            self.offered.append((offered, dialog.windowTitle() == "対象外の理由を追加"))
            if reply is None:
                click(dialog, "キャンセル")
                return
            wanted = reply(offered)
            dialog.label_edit.setText(wanted.label)
            dialog.script_edit.setPlainText(wanted.script)
            assert dialog.route_combo.set_value(wanted.route)
            dialog.question_edit.setText(wanted.screening_question)
            click(dialog, "決定")

        return answer

    @property
    def pending(self) -> int:
        return sum(a.pending for a in self.queued)


@pytest.fixture
def reason_dialog() -> Iterator[ReasonDialogAnswers]:
    answers = ReasonDialogAnswers()
    yield answers
    assert answers.pending == 0, "a reason dialog the test answered never opened"


def _codes(reasons: tuple[ExclusionReason, ...]) -> list[str]:
    return [r.code for r in reasons]


def _save(qtbot, page: SettingsPage, runner) -> None:
    with qtbot.waitSignal(runner.changed):
        page.save_button.click()
    assert page.saved_label.text() == "保存しました。"


def test_reasons_list_passes_the_model_tester(page: SettingsPage, model_tester, runner) -> None:
    model_tester(page.reasons_editor.model)
    page.reload()
    assert _codes(page.reasons_editor.reasons()) == _codes(DEFAULT_EXCLUSION_REASONS)


def test_adds_a_reason_with_a_custom_code(
    qtbot, page: SettingsPage, runner, store, reason_dialog: ReasonDialogAnswers
) -> None:
    reason_dialog.replies.append(lambda offered: NEW_REASON)
    page.reasons_editor.add_button.click()
    offered, adding = reason_dialog.offered[0]
    assert adding
    assert offered.label == ""
    assert offered.code.startswith("custom_")
    assert page.reasons_editor.current_row() == len(DEFAULT_EXCLUSION_REASONS)
    _save(qtbot, page, runner)
    saved = get_settings(store).exclusion_reasons
    assert _codes(saved) == [*_codes(DEFAULT_EXCLUSION_REASONS), offered.code]
    assert saved[-1] == dataclasses.replace(NEW_REASON, code=offered.code)
    # Cancelling a second 追加 adds nothing.
    reason_dialog.replies.append(None)
    page.reasons_editor.add_button.click()
    assert page.reasons_editor.reasons() == saved


def test_a_built_in_reason_cannot_be_deleted(page: SettingsPage) -> None:
    editor = page.reasons_editor
    for row in range(len(DEFAULT_EXCLUSION_REASONS)):
        editor.select_row(row)
        assert not editor.remove_button.isEnabled()
        assert "過去の案件" in editor.remove_button.toolTip()
    editor.remove_selected()  # even if asked directly
    assert editor.reasons() == DEFAULT_EXCLUSION_REASONS


def test_a_custom_reason_can_be_deleted(qtbot, page: SettingsPage, runner, store) -> None:
    custom = dataclasses.replace(NEW_REASON, code="custom_0badf00d")
    update_settings(
        store,
        dataclasses.replace(
            get_settings(store), exclusion_reasons=(custom, *DEFAULT_EXCLUSION_REASONS)
        ),
    )
    page.reload()
    editor = page.reasons_editor
    editor.select_row(0)
    assert editor.remove_button.isEnabled()
    editor.remove_button.click()
    _save(qtbot, page, runner)
    assert get_settings(store).exclusion_reasons == DEFAULT_EXCLUSION_REASONS


def test_reordering_persists(qtbot, page: SettingsPage, runner, store) -> None:
    editor = page.reasons_editor
    editor.select_row(3)  # transfer
    editor.up_button.click()
    editor.up_button.click()
    assert editor.current_row() == 1
    editor.select_row(0)  # third_party
    editor.down_button.click()
    _save(qtbot, page, runner)
    assert _codes(get_settings(store).exclusion_reasons) == [
        "transfer",
        "third_party",
        "family_without_consent",
        "complaint",
        "accident_lawsuit",
        "general_outpatient",
    ]


def test_editing_a_built_in_script_keeps_its_code(
    qtbot, page: SettingsPage, runner, store, reason_dialog: ReasonDialogAnswers
) -> None:
    script = "恐れ入りますが、医療事故や訴訟のご相談はお受けしておりません。"
    # The code is not shown in the dialog: past cases keep referring to it.
    reason_dialog.replies.append(
        lambda offered: dataclasses.replace(offered, code="changed", script=script)
    )
    editor = page.reasons_editor
    editor.select_row(4)
    editor.edit_button.click()
    assert reason_dialog.offered[0] == (DEFAULT_EXCLUSION_REASONS[4], False)
    _save(qtbot, page, runner)
    saved = get_settings(store).exclusion_reasons
    assert _codes(saved) == _codes(DEFAULT_EXCLUSION_REASONS)
    assert saved[4] == dataclasses.replace(DEFAULT_EXCLUSION_REASONS[4], script=script)


def test_a_blank_script_is_refused_in_the_dialog(
    qtbot, page: SettingsPage, runner, store, shown_errors
) -> None:
    seen: list[str] = []

    def blank_then_back_out(dialog) -> None:
        assert isinstance(dialog, ReasonDialog), type(dialog)
        dialog.script_edit.setPlainText(" ")
        click(dialog, "決定")
        assert dialog.isVisible()  # refused beside the buttons, not closed
        seen.append(dialog.error_label.text())
        click(dialog, "キャンセル")

    asked = answer_modals(blank_then_back_out)
    page.reasons_editor.select_row(0)
    page.reasons_editor.edit_button.click()
    assert asked.pending == 0
    assert seen == [reasons_editor.MESSAGE_NO_SCRIPT]
    assert page.reasons_editor.reasons() == DEFAULT_EXCLUSION_REASONS
    assert shown_errors == []


def test_reasons_error_from_the_service_shows_beside_the_list(
    qtbot, page: SettingsPage, runner, store, shown_errors
) -> None:
    # The dialog refuses an empty script; the service is the second line of defence (for
    # reasons that reached the list another way, e.g. an older settings file).
    bad = dataclasses.replace(DEFAULT_EXCLUSION_REASONS[0], script=" ")
    page.reasons_editor.set_reasons((bad, *DEFAULT_EXCLUSION_REASONS[1:]))
    with qtbot.assertNotEmitted(runner.changed):
        page.save_button.click()
    error = page.errors["exclusion_reasons"]
    assert not error.isHidden()
    assert "説明文" in error.text()
    assert shown_errors == []
    assert get_settings(store).exclusion_reasons == DEFAULT_EXCLUSION_REASONS


def test_closures_are_saved_from_the_text(qtbot, page: SettingsPage, runner, store) -> None:
    assert page.closures_edit.text() == "12/29, 12/30, 12/31, 1/1, 1/2, 1/3"
    page.closures_edit.clear()
    qtbot.keyClicks(page.closures_edit, "12/30, 12/31, 1/1, 8/15")
    _save(qtbot, page, runner)
    assert get_settings(store).annual_closures == ((12, 30), (12, 31), (1, 1), (8, 15))
    assert page.closures_edit.text() == "12/30, 12/31, 1/1, 8/15"


def test_bad_closure_shows_beside_the_field_and_saves_nothing(
    qtbot, window: MainWindow, store, shown_errors, reason_dialog: ReasonDialogAnswers
) -> None:
    runner, page = window.runner, window.settings_page
    window.show_page(PAGE_SETTINGS)
    window.show()
    qtbot.waitExposed(window)
    before = get_settings(store)
    # Other edits on the page are not saved either.
    page.edits["hospital_name"].clear()
    type_japanese(page.edits["hospital_name"], "別の病院")
    reason_dialog.replies.append(lambda offered: NEW_REASON)
    page.reasons_editor.add_button.click()
    # The desktop gives the window back its activation when the dialog closes; offscreen,
    # the test does (the focus checked below is only given in the active window).
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    edit = page.closures_edit
    edit.clear()
    qtbot.keyClicks(edit, "12/29, 13/40, 1/1")
    with qtbot.assertNotEmitted(runner.changed):
        page.save_button.click()
    error = page.errors["annual_closures"]
    assert error.isVisible()
    assert "「13/40」" in error.text()
    assert error.parentWidget() is edit.parentWidget()
    assert edit.property("invalid") is True
    qtbot.waitUntil(edit.hasFocus)
    assert shown_errors == []
    assert get_settings(store) == before
    # Corrected, everything is saved together and the message goes.
    edit.clear()
    qtbot.keyClicks(edit, "12/29, 1/1")
    with qtbot.waitSignal(runner.changed):
        page.save_button.click()
    assert not error.isVisible()
    assert not edit.property("invalid")
    saved = get_settings(store)
    assert saved.annual_closures == ((12, 29), (1, 1))
    assert saved.hospital_name == "別の病院"
    assert saved.exclusion_reasons[-1].label == NEW_REASON.label


def test_revert_restores_reasons_and_closures(
    qtbot, page: SettingsPage, runner, store, reason_dialog: ReasonDialogAnswers
) -> None:
    editor = page.reasons_editor
    reason_dialog.replies.append(lambda offered: NEW_REASON)
    editor.add_button.click()
    editor.select_row(2)
    editor.up_button.click()
    page.closures_edit.clear()
    qtbot.keyClicks(page.closures_edit, "13/40")
    page.save_button.click()  # refused: the message shows
    assert not page.errors["annual_closures"].isHidden()
    with qtbot.assertNotEmitted(runner.changed):
        page.revert_button.click()
    assert editor.reasons() == DEFAULT_EXCLUSION_REASONS
    assert page.closures_edit.text() == "12/29, 12/30, 12/31, 1/1, 1/2, 1/3"
    assert page.errors["annual_closures"].isHidden()
    assert not page.closures_edit.property("invalid")
    assert get_settings(store).exclusion_reasons == DEFAULT_EXCLUSION_REASONS
