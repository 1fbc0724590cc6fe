"""Field rows with their Japanese message beside them, choice rows, and IME-aware Enter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Generic, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.contact import format_phone, validate_phone
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.japanese import validate_furigana
from desktop_app.domain.validation import validate_fax
from desktop_app.ui import text_size

COMPOSING = "imeComposing"
SHORT_WIDTH = 170
MEDIUM_WIDTH = 280


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Red border through the stylesheet's [invalid="true"] rule."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


EditorT = TypeVar("EditorT", bound=QWidget)


class FieldRow(QWidget, Generic[EditorT]):
    """An editor, an optional note to its right (e.g. the parsed date), its error underneath.

    Generic in its editor, so ``row.editor`` is a QLineEdit where the row holds one.
    """

    def __init__(
        self,
        editor: EditorT,
        *,
        width: int | None = None,
        note: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        if width is not None:
            text_size.keep(editor, fixed_width=width)  # wider with 文字の大きさ
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(10)
        line.addWidget(editor, 0 if width is not None else 1)
        self.note = QLabel()
        self.note.setObjectName("fieldNote")
        self.note.setWordWrap(True)  # a long note wraps rather than widen the page
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setVisible(note)
        if width is not None or note:
            line.addWidget(self.note, 1)
        if width is not None:
            line.addStretch(0)  # keeps a fixed-width editor at the left when the note is hidden
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(line)
        layout.addWidget(self.error)

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        set_invalid(self.editor, bool(message))

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisible() or self.error.text() else ""

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))


def beside(first: QWidget, label: str, second: FieldRow) -> QWidget:
    """Two fields on one form row, the second named by its own label (電話番号 and FAX)."""
    row = QWidget()
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    line.setSpacing(10)
    line.addWidget(first, 0, Qt.AlignmentFlag.AlignTop)
    name = QLabel(label)
    name.setBuddy(second.editor)
    # As high as the editor, so the label stays level with it when an error shows below.
    name.setMinimumHeight(second.editor.sizeHint().height())
    line.addSpacing(8)
    line.addWidget(name, 0, Qt.AlignmentFlag.AlignTop)
    line.addWidget(second, 0, Qt.AlignmentFlag.AlignTop)
    line.addStretch(1)
    return row


def line_edit(placeholder: str = "", max_length: int = 200) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)
    return edit


class Choice(QWidget):
    """Radio buttons in a row (or a grid): arrow keys move between them, Tab leaves them."""

    changed = Signal()

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        *,
        columns: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setHorizontalSpacing(18)
        layout.setVerticalSpacing(6)
        for index, (value, label) in enumerate(options):
            button = QRadioButton(label)
            self.group.addButton(button)
            self.buttons[value] = button
            row, column = (index // columns, index % columns) if columns else (0, index)
            layout.addWidget(button, row, column)
            button.toggled.connect(self._toggled)
        layout.setColumnStretch(layout.columnCount(), 1)

    def _toggled(self, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def value(self) -> str | None:
        return next((v for v, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value: str | None) -> None:
        button = self.buttons.get(value or "")
        if button is not None:
            button.setChecked(True)

    def focus_target(self) -> QWidget:
        checked = self.group.checkedButton()
        return checked if checked is not None else next(iter(self.buttons.values()))

    def focus_chain(self) -> list[QWidget]:
        return list(self.buttons.values())


def focus_chain(widget: QWidget) -> list[QWidget]:
    """The widgets Tab visits inside an input, in screen order."""
    if isinstance(widget, Choice):
        return widget.focus_chain()
    return [widget]


def focus_target(widget: QWidget) -> QWidget:
    return widget.focus_target() if isinstance(widget, Choice) else widget


MOVES_ON_CHOICE = "_sodesk_moves_on_choice"


class EnterFilter(QObject):
    """Enter moves on (like Tab, then 次へ), but never while the input method is converting.

    A Japanese IME sends the text being converted as a preedit string; while one is showing,
    Enter belongs to the IME (it confirms the conversion), so we leave the key alone.
    """

    def __init__(self, on_enter: Callable[[QWidget], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_enter = on_enter

    def watch(self, widget: QWidget) -> None:
        for target in focus_chain(widget):
            target.installEventFilter(self)
            completer = target.completer() if isinstance(target, QLineEdit) else None
            if (
                isinstance(target, QLineEdit)
                and completer is not None
                and not target.property(MOVES_ON_CHOICE)
            ):
                # Enter in a suggestion list goes to the list, which takes the suggestion and
                # hands the key to the field directly, past this filter: the field's own
                # returnPressed then moves on (else the next answer lands here too). A plain
                # Enter never gets there, as the filter takes it first.
                target.setProperty(MOVES_ON_CHOICE, True)
                target.returnPressed.connect(partial(self._chosen, target))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.InputMethod:
            preedit = getattr(event, "preeditString", lambda: "")()
            watched.setProperty(COMPOSING, bool(preedit))
        elif kind == QEvent.Type.FocusOut:
            watched.setProperty(COMPOSING, False)
        elif (
            kind == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            return self._enter(watched, event)
        return False

    def _chosen(self, target: QWidget) -> None:
        if not is_composing(target):
            self._on_enter(target)

    def _enter(self, watched: QObject, event: QKeyEvent) -> bool:
        if not isinstance(watched, QWidget) or is_composing(watched):
            return False
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if isinstance(watched, QPlainTextEdit) and not ctrl:
            return False  # a new line in the consultation text
        if isinstance(watched, QLineEdit) and watched.completer() is not None:
            popup = watched.completer().popup()
            if popup is not None and popup.isVisible():
                return False
        if isinstance(watched, QPushButton):
            return False  # a button's own Enter presses it
        return self._on_enter(watched)


def is_composing(widget: QWidget) -> bool:
    return bool(widget.property(COMPOSING))


# Checks shared by the pages: each shows its message beside the field and says if it passed.


def check_required(row: FieldRow, message: str) -> bool:
    edit = row.editor
    assert isinstance(edit, QLineEdit)
    ok = bool(edit.text().strip())
    row.set_error("" if ok else message)
    return ok


def check_furigana(row: FieldRow, *, required: bool, field: str = "furigana") -> bool:
    """Normalise to full-width katakana in place; kanji or latin letters are an error."""
    edit = row.editor
    assert isinstance(edit, QLineEdit)
    raw = edit.text()
    if not raw.strip() and not required:
        row.set_error("")
        return True
    try:
        kana = validate_furigana(raw, field)
    except ValidationError as exc:
        row.set_error(exc.message)
        return False
    if kana != raw:
        edit.setText(kana)
    row.set_error("")
    return True


def check_phone(row: FieldRow, field: str = "phone") -> bool:
    """Show the number with its hyphens once it is valid."""
    return _check_number(row, field, validate_phone)


def check_fax(row: FieldRow, field: str = "fax") -> bool:
    """A FAX number: the phones' rule and display, its own message."""
    return _check_number(row, field, validate_fax)


def _check_number(row: FieldRow, field: str, validate: Callable[[str, str], str]) -> bool:
    edit = row.editor
    assert isinstance(edit, QLineEdit)
    try:
        digits = validate(edit.text(), field)
    except ValidationError as exc:
        row.set_error(exc.message)
        return False
    shown = format_phone(digits)
    if digits and shown != edit.text():
        edit.setText(shown)
    row.set_error("")
    return True
