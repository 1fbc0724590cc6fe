"""Answering the project's real modal dialogs in a test, as a clerk would.

A click that opens a modal dialog does not return until the dialog closes, so the answers are
queued first: ``answer_modals(step, step, …)`` runs each step on the next modal widget that
opens (in order), then waits for the one after. A step sets the dialog's real widgets and
clicks its real buttons; nothing of ours is replaced. ``pending`` tells whether every step
ran, so a test fails when a dialog it expected never opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

Step = Callable[[QWidget], None]


class Answers(list[Step]):
    """The steps not yet run (empty when every expected dialog opened and was answered)."""

    @property
    def pending(self) -> int:
        return len(self)


def answer_modals(*steps: Step) -> Answers:
    """Answer the modal dialogs that will open, in order, as the clerk would."""
    remaining = Answers(steps)

    def next_step() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or not remaining:
            if remaining:
                QTimer.singleShot(10, next_step)
            return
        step = remaining.pop(0)
        if remaining:
            QTimer.singleShot(10, lambda: wait_for_next(modal))
        try:
            step(modal)
        except BaseException:
            # A failed answer must not leave the dialog waiting for the test's timeout:
            # close it, and let pytest-qt report the error raised in the event loop.
            remaining.clear()
            if isinstance(modal, QDialog):
                modal.reject()
            else:
                modal.close()
            raise

    def wait_for_next(previous: QWidget) -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or modal is previous:
            QTimer.singleShot(10, lambda: wait_for_next(previous))
        else:
            next_step()

    QTimer.singleShot(0, next_step)
    return remaining


def _plain(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


def button(dialog: QWidget, text: str) -> QAbstractButton:
    """The dialog's visible button labelled ``text`` (mnemonics and … ignored)."""
    found = [
        b
        for b in dialog.findChildren(QAbstractButton)
        if _plain(b.text()) == _plain(text) and b.isVisible()
    ]
    labels = [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    assert found, f"no button {text!r} in {dialog.windowTitle()!r}: {labels}"
    return found[0]


def click(dialog: QWidget, text: str) -> None:
    """Click the button labelled ``text``; it must be enabled, as for a clerk."""
    target = button(dialog, text)
    assert target.isEnabled(), f"{text!r} is disabled in {dialog.windowTitle()!r}"
    target.click()


def press(text: str) -> Step:
    """A step that clicks one button of the dialog (a message box's はい, a form's 登録)."""
    return lambda dialog: click(dialog, text)


def yes(dialog: QWidget) -> None:
    assert isinstance(dialog, QMessageBox), type(dialog)
    dialog.button(QMessageBox.StandardButton.Yes).click()


def no(dialog: QWidget) -> None:
    assert isinstance(dialog, QMessageBox), type(dialog)
    dialog.button(QMessageBox.StandardButton.No).click()


def message_text(dialog: QWidget) -> str:
    assert isinstance(dialog, QMessageBox), type(dialog)
    return dialog.text()


def enter(dialog: QWidget) -> None:
    """Press Enter where the focus is, as the clerk would after typing."""
    from PySide6.QtTest import QTest

    target = dialog.focusWidget() or dialog
    QTest.keyClick(target, Qt.Key.Key_Return)


def input_text(text: str) -> Step:
    """A step that types ``text`` into a QInputDialog (a reason) and presses its OK."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog), type(dialog)
        dialog.setTextValue(text)
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        box.button(QDialogButtonBox.StandardButton.Ok).click()

    return step


def print_to_pdf(path: Path) -> Step:
    """A step that answers Qt's own print dialog as a clerk who picks the PDF printer, types
    the file's name and presses 印刷 (the OS print dialog; its widgets, its OK)."""

    def step(dialog: QWidget) -> None:
        from PySide6.QtPrintSupport import QPrintDialog

        assert isinstance(dialog, QPrintDialog), type(dialog)
        for combo in dialog.findChildren(QComboBox):
            for index in range(combo.count()):
                if "PDF" in combo.itemText(index):
                    combo.setCurrentIndex(index)
        names = [e for e in dialog.findChildren(QLineEdit) if e.objectName() == "filename"]
        assert names, "the print dialog has no file name field"
        names[0].setText(str(path))
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        box.button(QDialogButtonBox.StandardButton.Ok).click()

    return step


def close(dialog: QWidget) -> None:
    assert isinstance(dialog, QDialog), type(dialog)
    dialog.reject()
