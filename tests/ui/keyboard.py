"""Typing into the intake's fields as a clerk does: focus, text (Japanese as an input method
commits it), Enter to move on; shared by the intake tests and the journeys."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from desktop_app.ui.intake.fields import Choice, FieldRow
from tests.ui.conftest import type_japanese


class Keyboard:
    """Needs ``self.qtbot``."""

    qtbot: Any

    def focus(self, widget: QWidget) -> None:
        widget.setFocus()
        self.qtbot.waitUntil(widget.hasFocus)

    def type(
        self, field: FieldRow | QWidget, text: str, *, enter: bool = True, replace: bool = True
    ) -> None:
        """Type into a field, then Enter (which moves on and so finishes the field)."""
        widget = field.editor if isinstance(field, FieldRow) else field
        self.focus(widget)
        if not replace:
            self.qtbot.keyClick(widget, Qt.Key.Key_End)
        elif isinstance(widget, QLineEdit):
            widget.selectAll()
            self.qtbot.keyClick(widget, Qt.Key.Key_Delete)
        if text.isascii():
            self.qtbot.keyClicks(widget, text)
        else:
            type_japanese(widget, text)
        if enter:
            self.qtbot.keyClick(widget, Qt.Key.Key_Return)

    def choose(self, choice: Choice, value: str) -> None:
        button = choice.buttons[value]
        self.focus(button)
        self.qtbot.keyClick(button, Qt.Key.Key_Space)
        assert button.isChecked()
