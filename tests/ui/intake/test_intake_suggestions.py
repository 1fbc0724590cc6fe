"""A suggestion taken with Enter moves on to the next field, as Enter does elsewhere.

The suggestion list takes Enter itself (the field never sees it), so the next answer used to
land in the same field: 「消化器内科北村 誠司」.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import type_japanese


def _take_first_suggestion(qtbot, editor, completer, typed: str) -> None:
    editor.setFocus()
    type_japanese(editor, typed)
    completer.setCompletionPrefix(typed)
    completer.complete()
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)


def test_enter_on_a_suggestion_takes_it_and_moves_on(qtbot, drive, make_case) -> None:
    make_case()  # みなと内科クリニック / 内科 / 北村 誠司 are now in the referrers' master
    drive.wizard._load_context()  # as the wizard does when it is opened
    for step in drive.wizard.steps:
        step.context_changed()
    drive.caller_self(phone="0144-99-8877")
    drive.patient(name="佐藤　花子", furigana="さとう　はなこ")
    assert drive.page() == "doctor"
    page = drive.wizard.doctor
    assert page.institution_completer.model().stringList() == ["みなと内科クリニック"]

    _take_first_suggestion(qtbot, page.institution.editor, page.institution_completer, "みなと")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.department.editor)
    assert page.institution.editor.text() == "みなと内科クリニック"

    _take_first_suggestion(qtbot, page.department.editor, page.department_completer, "内")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.doctor.editor)
    assert page.department.editor.text() == "内科"
    type_japanese(page.doctor.editor, "北村　誠司")
    assert page.department.editor.text() == "内科"
    assert page.doctor.editor.text() == "北村　誠司"
