"""The week and day grids: rows are half hours, columns are days (week) or doctors (day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop_app.domain import clock
from desktop_app.domain.slots import BLOCK_MINUTES
from desktop_app.domain.wareki import weekday_ja
from desktop_app.services.calendar import CalendarAppointment, CalendarData

AnyIndex = QModelIndex | QPersistentModelIndex
CELL_ROLE = Qt.ItemDataRole.UserRole + 1  # a Cell
APPOINTMENT_ROLE = Qt.ItemDataRole.UserRole + 2  # the first live appointment's id, or None
MIME_TYPE = "application/x-sodesk-appointment"
DEFAULT_HOURS = (9, 17)


@dataclass(frozen=True)
class Column:
    date: dt.date
    doctor_id: int | None  # the day view's doctor; None in the week view (all doctors)
    title: str


@dataclass(frozen=True)
class Cell:
    """One half hour of one column: closure, whose window is open, who is free, who is booked."""

    date: dt.date
    start: dt.time
    doctor_id: int | None
    closure: str
    today: bool
    open_doctors: tuple[int, ...]
    free_doctors: tuple[int, ...]
    appointments: tuple[CalendarAppointment, ...]  # starting in this half hour
    continued: tuple[CalendarAppointment, ...]  # live ones that began earlier and run on

    @property
    def live(self) -> tuple[CalendarAppointment, ...]:
        return tuple(a for a in self.appointments if a.state.is_live)

    @property
    def is_free(self) -> bool:
        return bool(self.free_doctors)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


class SlotGridModel(QAbstractTableModel):
    """Week (a column per day) or day (a column per doctor) over CalendarData."""

    # An appointment dropped on another slot: (appointment id, doctor id or None, date, start).
    move_requested = Signal(int, object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data: CalendarData | None = None
        self._columns: list[Column] = []
        self._first_minute = DEFAULT_HOURS[0] * 60
        self._rows = (DEFAULT_HOURS[1] - DEFAULT_HOURS[0]) * 2
        self._names: dict[int, str] = {}
        self._today = clock.today()

    # -- loading ---------------------------------------------------------------------------
    def set_week(self, data: CalendarData, days: list[dt.date], today: dt.date) -> None:
        """A column per day in ``days``."""
        columns = [Column(d, None, self._day_title(data, d, today)) for d in days]
        self._load(data, columns, today)

    def set_day(self, data: CalendarData, day: dt.date, today: dt.date) -> None:
        """A column per doctor who works or is booked that day (all shown doctors if none)."""
        info = data.day(day)
        working = {w.doctor_id for w in info.windows} if info else set()
        working |= {a.doctor_id for a in data.on(day) if not a.moved}
        doctors = [d for d in data.doctors if d.id in working] or list(data.doctors)
        columns = [Column(day, d.id, f"{d.name}\n{d.department}") for d in doctors]
        self._load(data, columns, today)

    def _load(self, data: CalendarData, columns: list[Column], today: dt.date) -> None:
        self.beginResetModel()
        self._data = data
        self._columns = columns
        self._today = today
        self._names = {d.id: d.name for d in data.doctors}
        self._names.update({a.doctor_id: a.doctor for a in data.appointments})
        # The doctors' hours (and what is booked) with an hour either side, not a whole day.
        spans = [(_minutes(w.start), _minutes(w.end)) for d in data.days for w in d.windows]
        spans += [(_minutes(a.start), _minutes(a.start) + a.minutes) for a in data.appointments]
        if spans:
            first = max(min(s for s, _e in spans) - 60, 0)
            last = min(max(e for _s, e in spans) + 60, 24 * 60)
        else:
            first, last = DEFAULT_HOURS[0] * 60, DEFAULT_HOURS[1] * 60
        self._first_minute = first - first % 60
        self._rows = -(-(last - self._first_minute) // BLOCK_MINUTES)
        self.endResetModel()

    @staticmethod
    def _day_title(data: CalendarData, day: dt.date, today: dt.date) -> str:
        info = data.day(day)
        head = f"{day.month}/{day.day}（{weekday_ja(day)}）"
        closure = info.closure if info and day.weekday() < 5 else ""
        second = "\n".join(s for s in ("今日" if day == today else "", closure) if s)
        return f"{head}\n{second}" if second else head

    # -- lookups -----------------------------------------------------------------------------
    def columns(self) -> list[Column]:
        return list(self._columns)

    def doctor_name(self, doctor_id: int) -> str:
        return self._names.get(doctor_id, "")

    def time_at(self, row: int) -> dt.time:
        at = self._first_minute + row * BLOCK_MINUTES
        return dt.time(at // 60, at % 60)

    def row_of(self, start: dt.time) -> int:
        return (_minutes(start) - self._first_minute) // BLOCK_MINUTES

    def column_of(self, day: dt.date, doctor_id: int | None = None) -> int:
        for k, c in enumerate(self._columns):
            if c.date == day and (c.doctor_id is None or doctor_id in (None, c.doctor_id)):
                return k
        return -1

    def cell(self, row: int, column: int) -> Cell | None:
        if self._data is None or not (0 <= row < self._rows and 0 <= column < len(self._columns)):
            return None
        col = self._columns[column]
        info = self._data.day(col.date)
        at = self._first_minute + row * BLOCK_MINUTES
        start = dt.time(at // 60, at % 60)

        def mine(doctor_id: int) -> bool:
            return col.doctor_id is None or doctor_id == col.doctor_id

        open_doctors = tuple(
            dict.fromkeys(
                w.doctor_id
                for w in (info.windows if info else ())
                if mine(w.doctor_id) and _minutes(w.start) <= at and at + 30 <= _minutes(w.end)
            )
        )
        todays = [a for a in self._data.on(col.date) if mine(a.doctor_id) and not a.moved]
        starting = tuple(a for a in todays if _minutes(a.start) == at)
        running = tuple(
            a
            for a in todays
            if a.state.is_live and _minutes(a.start) < at < _minutes(a.start) + a.minutes
        )
        busy = {a.doctor_id for a in starting + running if a.state.is_live}
        return Cell(
            date=col.date,
            start=start,
            doctor_id=col.doctor_id,
            closure=info.closure if info else "",
            today=col.date == self._today,
            open_doctors=open_doctors,
            free_doctors=tuple(d for d in open_doctors if d not in busy),
            appointments=starting,
            continued=running,
        )

    # -- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self._columns else self._rows

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title if 0 <= section < len(self._columns) else None
        return f"{self.time_at(section):%H:%M}" if 0 <= section < self._rows else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self.cell(index.row(), index.column())
        if cell is None:
            return None
        if role == CELL_ROLE:
            return cell
        if role == APPOINTMENT_ROLE:
            live = cell.live or cell.continued
            return live[0].id if live else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._describe(cell, tooltip=role == Qt.ItemDataRole.ToolTipRole)
        return None

    def _describe(self, cell: Cell, *, tooltip: bool) -> str:
        lines = [
            f"{a.start:%H:%M} {a.patient}（{a.doctor}・{a.state.label}）" for a in cell.appointments
        ]
        if cell.free_doctors:
            names = "・".join(self.doctor_name(d) for d in cell.free_doctors)
            lines.append(f"空き：{names}")
        if cell.closure:  # grey on the screen: said in words too (tooltip, screen reader)
            lines.insert(0, f"休診：{cell.closure}")
        if tooltip and cell.free_doctors:
            lines.append("ダブルクリックまたは Enter で予約待ちの案件を予約します")
        return "\n".join(lines)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        cell = self.cell(index.row(), index.column())
        if cell is not None and cell.live:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        if cell is not None:
            # A closed day takes the drop too: the page then says why nothing moves, where a
            # refused drop would only look as if the mouse had missed.
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    # -- drag and drop: moving an appointment --------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction  # nothing is removed from the grid: the store moves it

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData | None:  # type: ignore[override]
        for index in indexes:
            cell = self.cell(index.row(), index.column())
            if cell is not None and cell.live:
                data = QMimeData()
                data.setData(MIME_TYPE, QByteArray(str(cell.live[0].id).encode()))
                return data
        return None

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        if not data.hasFormat(MIME_TYPE) or not parent.isValid():
            return False
        return self.cell(parent.row(), parent.column()) is not None

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        """Ask (through ``move_requested``) to move the dragged appointment to this cell, a
        closed day's too (the page tells the clerk it is closed)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            appointment_id = int(bytes(data.data(MIME_TYPE).data()).decode())
        except ValueError:
            return False
        cell = self.cell(parent.row(), parent.column())
        assert cell is not None
        self.move_requested.emit(appointment_id, cell.doctor_id, cell.date, cell.start)
        return True
