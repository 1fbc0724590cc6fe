"""What Enter does in a dialog: its main action once the input is valid, and nothing else.

Qt's own rule is looser: Enter pressed anywhere in a dialog clicks its default button, and a
push button that has had the focus becomes the default (autoDefault). So a field's Enter could
cancel a form, or move a case a stage back because 段階を変更 was the last button focused.
``enter_presses`` replaces that rule for one dialog: Enter reaching the dialog clicks the
named button when it is enabled and does nothing otherwise; no other button is ever the
default. A focused button still takes its own Enter, as a keyboard user expects, except
those passed to ``never_on_enter`` (a stage change, a cancellation: Space or a click only).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QPushButton

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EnterFilter(QObject):
    def __init__(self, dialog: QDialog, button: QPushButton | None) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._button = button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # When Python's garbage collector frees a closed dialog, it may clear this filter's
        # attributes before Qt sends the dying dialog its last events (ChildRemoved, …).
        if "_dialog" not in self.__dict__:
            return False
        if watched is self._dialog and event.type() == QEvent.Type.Show and self._button is None:
            # A QDialogButtonBox makes its accept button the default as the dialog shows:
            # undone here, so a focused 記録 or キャンセルを記録 does not take Enter either.
            never_on_enter(*self._dialog.findChildren(QPushButton))
            return False
        if (
            watched is self._dialog
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in ENTER_KEYS
        ):
            button = self._button
            if button is not None and button.isEnabled() and button.isVisible():
                button.click()
            return True
        return False


def enter_presses(dialog: QDialog, button: QPushButton | None) -> None:
    """Enter in ``dialog`` clicks ``button`` while it is enabled; None: Enter does nothing.

    Call it once the dialog's buttons exist. Pass None for a window whose buttons change
    records one by one (a case's stage, its papers): there, Enter presses nothing, not even
    a focused button (Space does), since Qt would make the first button the default when
    the window is shown.
    """
    for other in dialog.findChildren(QPushButton):
        other.setDefault(False)
        if button is None:
            # Else Qt makes the first of them the default as the window is shown.
            other.setAutoDefault(False)
    if button is not None:
        button.setAutoDefault(True)
        button.setDefault(True)  # drawn as the default, so the clerk sees what Enter does
    dialog.installEventFilter(_EnterFilter(dialog, button))


def never_on_enter(*buttons: QPushButton) -> None:
    """These buttons ignore Enter even when focused (it goes on to the dialog's rule)."""
    for button in buttons:
        button.setAutoDefault(False)
        button.setDefault(False)
