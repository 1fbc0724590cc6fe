"""Paints a half hour of the week or day grid: closed, free window, appointments by state."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_app.domain.appointment_state import AppointmentState
from desktop_app.ui.calendar.grid_model import CELL_ROLE, Cell

CLOSED = QColor("#e3e6e8")
FREE = QColor("#dff2e1")
FREE_TEXT = QColor("#2e6b37")
TODAY = QColor("#fffbe6")
GRID = QColor("#d5dadf")
SELECTED = QColor("#1f6feb")
# Fill and border for each state; cancelled ones are pale and struck through.
STATE_COLOURS: dict[AppointmentState, tuple[str, str]] = {
    AppointmentState.BOOKED: ("#cfe2ff", "#3b78c2"),
    AppointmentState.WAITING_MATERIALS: ("#ffe1b3", "#d98a1a"),
    AppointmentState.CHECKED_IN: ("#c8ecd0", "#2f8a45"),
    AppointmentState.CANCELLED: ("#f1f1f1", "#b0b0b0"),
    AppointmentState.NO_SHOW: ("#f7cccc", "#c0392b"),
}


class SlotDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        cell: Cell | None = index.data(CELL_ROLE)
        rect: QRect = option.rect
        if cell is None:
            return
        painter.save()
        if cell.closure:
            painter.fillRect(rect, CLOSED)
        elif cell.today:
            painter.fillRect(rect, TODAY)
        if cell.open_doctors and not cell.closure:
            free = rect.adjusted(1, 1, -1, -1)
            painter.fillRect(free, FREE)
        self._paint_appointments(painter, rect, cell)
        busy = len(cell.live) + len(cell.continued)
        if cell.free_doctors:
            # Beside the bookings of other doctors in the same half hour, in the week view.
            share = rect.width() * busy // (busy + 1)
            free = rect.adjusted(share + 6, 0, -4, 0)
            names = "・".join(self._short(index, d) for d in cell.free_doctors)
            text = f"空き {names}"
            if painter.fontMetrics().horizontalAdvance(text) > free.width():
                text = f"空き {len(cell.free_doctors)}名"
            painter.setPen(FREE_TEXT)
            painter.drawText(free, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        painter.setPen(QPen(GRID))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.topRight(), rect.bottomRight())
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(SELECTED, 2))
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.restore()

    @staticmethod
    def _short(index: QModelIndex | QPersistentModelIndex, doctor_id: int) -> str:
        model = index.model()
        name = model.doctor_name(doctor_id) if hasattr(model, "doctor_name") else ""
        return name.split(" ")[0] if name else ""

    def _paint_appointments(self, painter: QPainter, rect: QRect, cell: Cell) -> None:
        shown = [a for a in cell.appointments if a.state.is_live] + list(cell.continued)
        cancelled = [a for a in cell.appointments if not a.state.is_live]
        items = shown or cancelled
        if not items:
            return
        slots = len(items) + (1 if cell.free_doctors and shown else 0)
        width = max(rect.width() // slots, 1)
        for k, a in enumerate(items):
            fill, border = STATE_COLOURS[a.state]
            box = QRect(rect.left() + k * width + 2, rect.top() + 1, width - 4, rect.height() - 2)
            painter.fillRect(box, QColor(fill))
            painter.fillRect(QRect(box.left(), box.top(), 4, box.height()), QColor(border))
            if a in cell.continued:
                continue  # the second half of a 60-minute session: colour only
            font = QFont(painter.font())
            font.setStrikeOut(not a.state.is_live)
            painter.setFont(font)
            painter.setPen(QColor("#1d2327"))
            text = f"{a.patient}　{a.state.label}"
            if not cell.doctor_id:
                text = f"{a.patient}（{a.doctor.split(' ')[0]}）{a.state.label}"
            painter.drawText(
                box.adjusted(8, 0, -2, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                painter.fontMetrics().elidedText(
                    text, Qt.TextElideMode.ElideRight, max(box.width() - 10, 0)
                ),
            )
