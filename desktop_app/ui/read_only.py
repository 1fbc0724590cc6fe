"""Small tools for showing a form read-only (a role that may look but not change) and for
lining up the fields of forms that sit one above the other."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractSpinBox, QFormLayout, QLineEdit, QWidget

# Read-only fields on a grey ground, so they do not look as if they took typing.
READ_ONLY_STYLE = "QLineEdit, QSpinBox { background: #f1f3f6; }"


def set_read_only(editors: Iterable[QLineEdit | QAbstractSpinBox], read_only: bool) -> None:
    """Text stays readable and selectable; spin boxes lose their arrows while read-only."""
    symbols = QAbstractSpinBox.ButtonSymbols
    for editor in editors:
        editor.setReadOnly(read_only)
        if isinstance(editor, QAbstractSpinBox):
            editor.setButtonSymbols(symbols.NoButtons if read_only else symbols.UpDownArrows)


class DoubleClickGuard(QObject):
    """Swallows double clicks on the watched widgets while ``active`` (a table whose
    double click would open an editor)."""

    def __init__(self, *watched: QWidget) -> None:
        super().__init__(watched[0] if watched else None)
        self.active = False
        for widget in watched:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active and event.type() == QEvent.Type.MouseButtonDblClick:
            return True
        return super().eventFilter(watched, event)


def align_labels(form: QFormLayout, like: QFormLayout) -> None:
    """Give ``form``'s labels the width of ``like``'s widest, so the fields line up."""
    role = QFormLayout.ItemRole.LabelRole

    def labels(f: QFormLayout) -> list[QWidget]:
        items = (f.itemAt(row, role) for row in range(f.rowCount()))
        return [w for w in (i.widget() if i else None for i in items) if w is not None]

    width = max((w.sizeHint().width() for w in labels(like)), default=0)
    for label in labels(form):
        label.setMinimumWidth(width)
