"""Paints a half hour of the week or day grid: closed, free window, appointments by state."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_app.domain.appointment_state import AppointmentState
from desktop_app.services.calendar import CalendarAppointment
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
        free_labels = self._free_labels(index, cell)
        layout = cell_layout(painter.fontMetrics(), rect.width(), cell, free_labels)
        self._paint_appointments(painter, rect, cell, layout)
        if layout.free_label:
            # Beside the bookings of other doctors in the same half hour, in the week view.
            free = QRect(
                rect.right() - layout.free_width + 1, rect.top(), layout.free_width, rect.height()
            )
            painter.setPen(FREE_TEXT)
            painter.drawText(
                free.adjusted(6, 0, -4, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                layout.free_label,
            )
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
        return surname(name) if name else ""

    def _free_labels(
        self, index: QModelIndex | QPersistentModelIndex, cell: Cell
    ) -> tuple[str, ...]:
        if not cell.free_doctors:
            return ()
        names = "・".join(self._short(index, d) for d in cell.free_doctors)
        count = len(cell.free_doctors)
        return (f"空き {names}", f"空き {count}名", f"空{count}")

    def _paint_appointments(
        self, painter: QPainter, rect: QRect, cell: Cell, layout: CellLayout
    ) -> None:
        width = layout.box_width
        for k, (a, label) in enumerate(zip(layout.items, layout.labels, strict=True)):
            fill, border = STATE_COLOURS[a.state]
            box = QRect(rect.left() + k * width + 2, rect.top() + 1, width - 4, rect.height() - 2)
            painter.fillRect(box, QColor(fill))
            painter.fillRect(QRect(box.left(), box.top(), 4, box.height()), QColor(border))
            if not label:
                continue  # the second half of a 60-minute session: colour only
            font = QFont(painter.font())
            font.setStrikeOut(not a.state.is_live)
            painter.setFont(font)
            painter.setPen(QColor("#1d2327"))
            painter.drawText(
                box.adjusted(8, 0, -2, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                label,
            )


# Around an appointment's text: the box's 2 px either side, its 4 px stripe and 4 px gap, and
# 2 px on the right.
BOX_PADDING = 14
# Around the free note: 6 px before it and 4 px after.
FREE_PADDING = 10


@dataclass(frozen=True)
class CellLayout:
    """How one half hour is shared: a box per appointment, then the free note."""

    items: tuple[CalendarAppointment, ...]
    labels: tuple[str, ...]  # the text in each box ("" for the second half of a session)
    box_width: int
    free_label: str
    free_width: int


def surname(patient: str) -> str:
    """The family name (of a patient or a doctor): what comes before the (full- or
    half-width) space."""
    return patient.replace(" ", "　").split("　")[0]


# Where the state's word does not fit, a one-word mark before the name says it (予約確定,
# the usual state, has none; キャンセル and 無断キャンセル are struck through as well).
STATE_MARKS = {
    AppointmentState.WAITING_MATERIALS: "待",
    AppointmentState.CHECKED_IN: "済",
    AppointmentState.CANCELLED: "取消",
    AppointmentState.NO_SHOW: "無断",
}


def state_mark(a: CalendarAppointment) -> str:
    """「済 」 before a checked-in patient's name in a narrow box; "" for 予約確定."""
    mark = STATE_MARKS.get(a.state, "")
    return f"{mark} " if mark else ""


def appointment_texts(a: CalendarAppointment, *, with_doctor: bool) -> tuple[str, ...]:
    """What an appointment's box says, from the fullest to the shortest."""
    mark = state_mark(a)
    if with_doctor:
        doctor = surname(a.doctor)
        return (
            f"{a.patient}（{doctor}）{a.state.label}",
            f"{mark}{a.patient}（{doctor}）",
            f"{mark}{a.patient}",
        )
    return (f"{a.patient}　{a.state.label}", f"{mark}{a.patient}")


def fit_appointment_text(
    metrics: QFontMetrics, a: CalendarAppointment, room: int, *, with_doctor: bool
) -> str:
    """The fullest text that fits in ``room`` pixels; in a narrow week column as much of the
    name as fits, and at least the whole family name when that fits (the tooltip has it all)."""
    for text in appointment_texts(a, with_doctor=with_doctor):
        if metrics.horizontalAdvance(text) <= room:
            return text
    mark = state_mark(a)
    room -= metrics.horizontalAdvance(mark)
    family = surname(a.patient)
    elided = metrics.elidedText(a.patient, Qt.TextElideMode.ElideRight, room)
    if len(elided.rstrip("…")) > len(family):
        return mark + elided  # the family name and the start of the given name
    # Not even the family name: as much of it as fits, no room spent on 「…」.
    shown = family
    while len(shown) > 1 and metrics.horizontalAdvance(shown) > room:
        shown = shown[:-1]
    return mark + shown


def cell_layout(
    metrics: QFontMetrics, width: int, cell: Cell, free_labels: tuple[str, ...]
) -> CellLayout:
    """Share ``width`` between the cell's appointments and its free note.

    The boxes are equal, and the free note takes an equal share too when the cell is wide
    enough for every box to say all it has to say (the day view). In a narrow week column the
    boxes come first: the free note shrinks to its shortest label (空2) so the patient's name
    shows rather than 「林…」.
    """
    shown = tuple(a for a in cell.appointments if a.state.is_live) + tuple(cell.continued)
    cancelled = tuple(a for a in cell.appointments if not a.state.is_live)
    items = shown or cancelled
    if not items:
        label = _first_fitting(metrics, free_labels, width - FREE_PADDING)
        return CellLayout((), (), 0, label, width if label else 0)
    with_doctor = not cell.doctor_id
    texts = [
        () if a in cell.continued else appointment_texts(a, with_doctor=with_doctor) for a in items
    ]
    n = len(items)
    need_full = max((metrics.horizontalAdvance(t[0]) for t in texts if t), default=0) + BOX_PADDING
    need_name = (
        max(
            (
                metrics.horizontalAdvance(surname(a.patient))
                for a, t in zip(items, texts, strict=True)
                if t
            ),
            default=0,
        )
        + BOX_PADDING
    )
    free_width = 0
    free_label = ""
    if free_labels:
        equal = width // (n + 1)
        if equal >= need_full:
            free_width = width - equal * n
            free_label = _first_fitting(metrics, free_labels, free_width - FREE_PADDING)
        else:
            options = [(metrics.horizontalAdvance(lab) + FREE_PADDING, lab) for lab in free_labels]
            for wanted in (need_full, need_name, 0):
                fitting = [(w, lab) for w, lab in options if (width - w) // n >= wanted]
                if fitting:
                    free_width, free_label = fitting[0]
                    break
            else:
                free_width, free_label = options[-1]
            # Never more than an equal share, and never less than its shortest label.
            free_width = max(min(free_width, equal), min(w for w, _ in options))
            free_label = _first_fitting(metrics, free_labels, free_width - FREE_PADDING)
    box_width = max((width - free_width) // n, 1)
    room = max(box_width - BOX_PADDING, 0)
    labels = tuple(
        fit_appointment_text(metrics, a, room, with_doctor=with_doctor) if t else ""
        for a, t in zip(items, texts, strict=True)
    )
    return CellLayout(items, labels, box_width, free_label, free_width)


def _first_fitting(metrics: QFontMetrics, labels: tuple[str, ...], room: int) -> str:
    for label in labels:
        if metrics.horizontalAdvance(label) <= room:
            return label
    return ""
