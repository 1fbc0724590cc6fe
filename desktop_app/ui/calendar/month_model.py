"""The month view: six weeks from the Monday before the 1st, with counts per day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.domain import clock
from desktop_app.domain.slots import BLOCK_MINUTES
from desktop_app.services.calendar import CalendarData

AnyIndex = QModelIndex | QPersistentModelIndex
DATE_ROLE = Qt.ItemDataRole.UserRole + 1
COUNTS_ROLE = Qt.ItemDataRole.UserRole + 2  # (live bookings, free half hours)
WEEKS = 6
HEADERS = ("月", "火", "水", "木", "金", "土", "日")
CLOSED = QColor("#eceff1")
FREE = QColor("#e8f5e9")
TODAY = QColor("#fff8d6")
OTHER_MONTH = QColor("#9aa3ab")


def month_grid_start(day: dt.date) -> dt.date:
    """The Monday on or before the 1st of ``day``'s month."""
    first = day.replace(day=1)
    return first - dt.timedelta(days=first.weekday())


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


class MonthModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data: CalendarData | None = None
        self._month = clock.today().replace(day=1)
        self._today = clock.today()
        self._counts: dict[dt.date, tuple[int, int]] = {}

    def set_month(self, data: CalendarData, month: dt.date, today: dt.date) -> None:
        self.beginResetModel()
        self._data, self._month, self._today = data, month.replace(day=1), today
        self._counts = {}
        for info in data.days:
            live = [a for a in data.on(info.date) if a.state.is_live]
            half_hours = sum((_minutes(w.end) - _minutes(w.start)) // 30 for w in info.windows)
            taken = sum(-(-a.minutes // BLOCK_MINUTES) for a in live)
            self._counts[info.date] = (len(live), max(half_hours - taken, 0))
        self.endResetModel()

    def date_at(self, row: int, column: int) -> dt.date:
        return month_grid_start(self._month) + dt.timedelta(days=row * 7 + column)

    def index_of(self, day: dt.date) -> QModelIndex:
        offset = (day - month_grid_start(self._month)).days
        if not 0 <= offset < WEEKS * 7:
            return QModelIndex()
        return self.index(offset // 7, offset % 7)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._data is None else WEEKS

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < 7 else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._data is None:
            return None
        day = self.date_at(index.row(), index.column())
        info = self._data.day(day)
        booked, free = self._counts.get(day, (0, 0))
        if role == DATE_ROLE:
            return day
        if role == COUNTS_ROLE:
            return booked, free
        if role == Qt.ItemDataRole.DisplayRole:
            lines = [f"{day.day}" + ("　今日" if day == self._today else "")]
            if info and info.closure and day.weekday() < 5:
                lines.append(info.closure)
            if booked:
                lines.append(f"予約 {booked}件")
            if free:
                lines.append(f"空き {free}枠")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.BackgroundRole:
            if day == self._today:
                return QBrush(TODAY)
            if info is not None and info.closure:
                return QBrush(CLOSED)
            return QBrush(FREE) if free else None
        if role == Qt.ItemDataRole.ForegroundRole and day.month != self._month.month:
            return QBrush(OTHER_MONTH)
        if role == Qt.ItemDataRole.FontRole and day == self._today:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
