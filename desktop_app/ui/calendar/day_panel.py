"""本日の予約: the list of one day (today unless chosen), with the day-list print."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.forms import FormKind
from desktop_app.services.calendar import DayListRow, day_list
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.calendar.delegate import surname
from desktop_app.ui.check_in import check_in_case
from desktop_app.ui.layout_tools import fit_date_edit
from desktop_app.ui.print_menu import day_list_heading, open_preview
from desktop_app.ui.rows_model import RowsModel

HEADERS = ("時刻", "患者", "担当医", "資料", "来院")
PANEL_WIDTH = 330


class DayListPanel(QWidget):
    case_requested = Signal(int)  # a row double-clicked: open that case

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.rows: tuple[DayListRow, ...] = ()
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.day_edit = QDateEdit(QDate(clock.today()))
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setLocale(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
        self.day_edit.setDisplayFormat("M月d日（ddd）")
        self.day_edit.setAccessibleName("予約一覧の日")
        fit_date_edit(self.day_edit)
        self.day_edit.dateChanged.connect(lambda _d: self.reload())
        self.print_button = QPushButton("印刷…")
        self.print_button.setToolTip("この日の予約一覧を表示して印刷します")
        self.print_button.clicked.connect(self.print_list)
        self.model = RowsModel(HEADERS, self)
        self.table = QTableView()
        self.table.setAccessibleName("この日の予約一覧")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open_row)
        self.check_in_button = QPushButton("当日受付")
        self.check_in_button.setObjectName("primary")
        self.check_in_button.setToolTip("選んだ患者さんの来院を受け付けます（予約日のみ）")
        self.check_in_button.clicked.connect(self.check_in_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._fit_button())
        self.empty_label = QLabel("この日の予約はありません。")
        self.empty_label.setObjectName("muted")

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        row = QHBoxLayout()
        row.addWidget(self.day_edit, 1)
        row.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.check_in_button)
        self._fit_button()

    def day(self) -> dt.date:
        d = self.day_edit.date()
        return dt.date(d.year(), d.month(), d.day())

    def set_day(self, day: dt.date) -> None:
        self.day_edit.setDate(QDate(day.year, day.month, day.day))

    def reload(self) -> None:
        day = self.day()
        self.title.setText(day_list_heading(day))
        self.rows = self._runner.read(self, day_list, day) or ()
        self.model.set_rows(
            [
                (
                    f"{r.start:%H:%M}",
                    r.patient,
                    surname(r.doctor),
                    "揃" if r.materials_complete else "未着",
                    "済" if r.checked_in else "",
                )
                for r in self.rows
            ]
        )
        self.empty_label.setVisible(not self.rows)
        self._fit_button()

    def selected_row(self) -> DayListRow | None:
        picked = self.table.selectionModel().selectedRows()
        if not picked or not 0 <= picked[0].row() < len(self.rows):
            return None
        return self.rows[picked[0].row()]

    def _fit_button(self) -> None:
        row = self.selected_row()
        today = self.day() == clock.today()
        self.check_in_button.setEnabled(row is not None and today and not row.checked_in)

    def check_in_selected(self) -> None:
        """当日受付 for the chosen row (missing papers ask for a reason first)."""
        row = self.selected_row()
        if row is None:
            return
        if check_in_case(self._runner, self, row.case_id) is not None:
            self.reload()

    def _open_row(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.rows):
            self.case_requested.emit(self.rows[index.row()].case_id)

    def print_list(self) -> None:
        open_preview(self._runner, self, FormKind.DAYLIST, day=self.day())
