"""One column of the board: its title with the count, and the list of cards."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.stages import Stage
from desktop_app.ui import text_size
from desktop_app.ui.accessibility import is_menu_key
from desktop_app.ui.board.delegate import CardDelegate
from desktop_app.ui.board.model import BoardColumnModel, CaseIdRole

COLUMN_MIN_WIDTH = 120
COLUMN_STYLE = """
QFrame#boardColumnFrame { background: #e9edf2; border-radius: 6px; }
QListView#boardColumn { background: transparent; border: none; }
QLabel#boardColumnTitle { font-weight: bold; color: #374151; padding: 2px 2px 0 2px; }
QListView#boardColumn QScrollBar:vertical { width: 6px; background: transparent; margin: 0; }
QListView#boardColumn QScrollBar::handle:vertical {
    background: #b8c0ca; border-radius: 3px; min-height: 24px;
}
QListView#boardColumn QScrollBar::add-line:vertical,
QListView#boardColumn QScrollBar::sub-line:vertical { height: 0; }
QListView#boardColumn QScrollBar::add-page:vertical,
QListView#boardColumn QScrollBar::sub-page:vertical { background: transparent; }
"""

# Keys that move a card one stage (besides Ctrl+→ and Ctrl+←).
ADVANCE_KEYS = (Qt.Key.Key_Period,)
BACK_KEYS = (Qt.Key.Key_Comma,)


class BoardColumnView(QListView):
    """The cards of one stage; arrows, Enter and the move keys are turned into signals."""

    # -1 or +1 (the column to the left or right), and the row the focus is on
    neighbour_requested = Signal(int, int)
    open_requested = Signal(int)  # case id
    step_requested = Signal(int, int)  # case id, +1 (advance) or -1 (back)
    menu_requested = Signal(int, QPoint)  # case id, global position

    def __init__(self, model: BoardColumnModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(CardDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Card heights depend on the width: ask the delegate again when the column resizes.
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu_at)
        self.doubleClicked.connect(self._open_index)
        self.setObjectName("boardColumn")
        # A card that leaves the column (dragged or moved to another stage) takes its highlight
        # with it: Qt would hand the selected look to the card below it.
        self._current_leaving = False
        model.rowsRemoved.connect(self._rows_left)

    def column_model(self) -> BoardColumnModel:
        model = self.model()
        assert isinstance(model, BoardColumnModel)
        return model

    def current_case_id(self) -> int | None:
        index = self.currentIndex()
        return int(index.data(CaseIdRole)) if index.isValid() else None

    def focus_row(self, row: int) -> None:
        """Focus the card at ``row`` (clamped); the column itself when it is empty."""
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        count = self.model().rowCount()
        if count == 0:
            return
        index = self.model().index(max(0, min(row, count - 1)), 0)
        self.setCurrentIndex(index)
        self.scrollTo(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        case_id = self.current_case_id()
        row = self.currentIndex().row() if self.currentIndex().isValid() else 0
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and case_id is not None:
            self.open_requested.emit(case_id)
        elif case_id is not None and (key in ADVANCE_KEYS or (ctrl and key == Qt.Key.Key_Right)):
            self.step_requested.emit(case_id, 1)
        elif case_id is not None and (key in BACK_KEYS or (ctrl and key == Qt.Key.Key_Left)):
            self.step_requested.emit(case_id, -1)
        elif key == Qt.Key.Key_Left:
            self.neighbour_requested.emit(-1, row)
        elif key == Qt.Key.Key_Right:
            self.neighbour_requested.emit(1, row)
        elif is_menu_key(event) and case_id is not None:
            rect = self.visualRect(self.currentIndex())
            self.menu_requested.emit(case_id, self.viewport().mapToGlobal(rect.center()))
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        super().startDrag(supportedActions)
        # The drop is over (the card moves once the page has asked the service): nothing in
        # this column stays pressed or lit under a mouse that has gone elsewhere.
        self.clearSelection()
        self.viewport().update()

    def rowsAboutToBeRemoved(
        self, parent: QModelIndex | QPersistentModelIndex, start: int, end: int
    ) -> None:
        current = self.currentIndex()
        self._current_leaving = current.isValid() and start <= current.row() <= end
        super().rowsAboutToBeRemoved(parent, start, end)

    def _rows_left(self, *_args: object) -> None:
        if self._current_leaving:
            self._current_leaving = False
            self.selectionModel().clear()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        # One highlighted card on the board: the one in the column with the focus. (A menu or
        # a dialog taking the focus leaves it lit.)
        if isinstance(QApplication.focusWidget(), BoardColumnView):
            self.clearSelection()

    def _menu_at(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if index.isValid():
            self.setCurrentIndex(index)
            self.menu_requested.emit(int(index.data(CaseIdRole)), self.viewport().mapToGlobal(pos))

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(int(index.data(CaseIdRole)))


class BoardColumn(QFrame):
    """A stage's title and count above its cards."""

    def __init__(self, stage: Stage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.setObjectName("boardColumnFrame")
        self.model = BoardColumnModel(stage, self)
        self.view = BoardColumnView(self.model, self)
        self.title = QLabel()
        self.title.setObjectName("boardColumnTitle")
        # Wider with 文字の大きさ, so a card's number and name are not cut off.
        text_size.keep(self, minimum_width=COLUMN_MIN_WIDTH)
        text_size.set_style(self, COLUMN_STYLE)
        self.view.setSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 4, 3, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        self.update_title()
        self.model.rowsInserted.connect(lambda *_: self.update_title())
        self.model.rowsRemoved.connect(lambda *_: self.update_title())
        self.model.modelReset.connect(self.update_title)
        self.model.dataChanged.connect(lambda *_: self.update_title())

    def update_title(self) -> None:
        count = self.model.rowCount()
        urgent = sum(1 for c in self.model.cards() if c.reasons)
        text = f"{self.stage.label} {count}"
        if urgent:
            text += f"<br><span style='color:#b3261e'>要対応 {urgent}</span>"
        else:
            text += "<br>&nbsp;"  # the same height in every column
        self.title.setText(text)
        # Said by a screen reader as the clerk Tabs to the column (the title is read by eye).
        spoken = f"{self.stage.label}の列 {count}件" + (f"、要対応 {urgent}件" if urgent else "")
        self.view.setAccessibleName(spoken)
