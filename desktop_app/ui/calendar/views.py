"""The grid views: keys move between days and weeks; Enter acts on the cell."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop_app.ui.accessibility import is_menu_key
from desktop_app.ui.calendar.delegate import SlotDelegate

ROW_HEIGHT = 30


class CalendarView(QTableView):
    """Left/Right: a day; PageUp/PageDown: a week; T: today; Enter: open or book the cell.

    In the month view Up/Down move a week too (rows are weeks there).
    """

    navigate = Signal(int)  # days to move
    today_requested = Signal()
    cell_activated = Signal(QModelIndex)

    def __init__(self, *, month: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.month = month
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setHighlightSections(False)
        self.verticalHeader().setHighlightSections(False)
        self.doubleClicked.connect(self.cell_activated)
        if month:
            self.verticalHeader().hide()
            self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        else:
            self.setShowGrid(False)
            self.setItemDelegate(SlotDelegate(self))
            # Few half hours fill the height; many keep a readable minimum and scroll.
            self.verticalHeader().setMinimumSectionSize(ROW_HEIGHT)
            self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            self.setDragEnabled(True)
            self.setAcceptDrops(True)
            self.setDropIndicatorShown(True)
            self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
            self.setDefaultDropAction(Qt.DropAction.CopyAction)
            self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_PageUp: -7}
        steps[Qt.Key.Key_PageDown] = 7
        if self.month:
            steps.update({Qt.Key.Key_Up: -7, Qt.Key.Key_Down: 7})
        if key in steps and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.navigate.emit(steps[Qt.Key(key)])
        elif key == Qt.Key.Key_T:
            self.today_requested.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.cell_activated.emit(self.currentIndex())
        elif is_menu_key(event) and not self.month and self.currentIndex().isValid():
            # The booking's menu at the chosen half hour (where the mouse would be).
            where = self.visualRect(self.currentIndex()).center()
            self.customContextMenuRequested.emit(where)
        else:
            super().keyPressEvent(event)
