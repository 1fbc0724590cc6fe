"""The カレンダー page: week (default), day and month views, the filters and 本日の予約."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.services.access import refusal_for
from desktop_app.services.booking import cancel_appointment
from desktop_app.services.booking_targets import WaitingCase, waiting_cases
from desktop_app.services.calendar import CalendarAppointment, CalendarData, calendar_range
from desktop_app.services.masters import list_departments, list_doctors
from desktop_app.ui import actions, text_size
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.booking_dialog import BookingDialog
from desktop_app.ui.calendar import appointment_actions
from desktop_app.ui.calendar.day_panel import DayListPanel
from desktop_app.ui.calendar.grid_model import CELL_ROLE, Cell, SlotGridModel
from desktop_app.ui.calendar.month_model import WEEKS, MonthModel, month_grid_start
from desktop_app.ui.calendar.views import CalendarView
from desktop_app.ui.case_detail import CaseDetailDialog, open_case_window
from desktop_app.ui.layout_tools import TwoPartRow, fit_to_screen
from desktop_app.ui.value_combo import ValueCombo

WEEK, DAY, MONTH = "week", "day", "month"
MODE_LABELS = {WEEK: "週", DAY: "日", MONTH: "月"}
AppointmentAction = Callable[[ServiceRunner, QWidget, CalendarAppointment], object]


def choose_waiting_case(parent: QWidget, cases: tuple[WaitingCase, ...]) -> WaitingCase | None:
    """Which case waiting for a date to book. Tests patch it."""
    labels = [
        f"{c.case_number}　{c.patient}　{c.desired_department or '診療科未定'}" for c in cases
    ]
    text, ok = QInputDialog.getItem(parent, "予約する案件", "予約待ちの案件：", labels, 0, False)
    return cases[labels.index(text)] if ok and text in labels else None


class CalendarPage(QWidget):
    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.today = clock.today()
        self.current = self.today
        self.mode = WEEK
        self.data: CalendarData | None = None
        self._dirty = False

        title = QLabel("カレンダー")
        title.setObjectName("pageTitle")
        self.range_label = QLabel()
        self.range_label.setObjectName("sectionTitle")
        self.prev_button = QPushButton("◀")
        self.prev_button.setToolTip("前へ（PageUp）")
        self.today_button = QPushButton("今日")
        self.today_button.setToolTip("今日へ（T）")
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("次へ（PageDown）")
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(self.go_today)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[str, QPushButton] = {}
        for mode, label in MODE_LABELS.items():
            button = QPushButton(label)
            button.setCheckable(True)
            text_size.keep(button, fixed_width=44)
            button.clicked.connect(lambda _c=False, m=mode: self.set_mode(m))
            self.mode_group.addButton(button)
            self.mode_buttons[mode] = button
        self.mode_buttons[WEEK].setChecked(True)
        self.department_combo = ValueCombo()
        self.department_combo.setMinimumWidth(140)
        self.department_combo.setAccessibleName("診療科")
        self.doctor_combo = ValueCombo()
        self.doctor_combo.setMinimumWidth(150)
        self.doctor_combo.setAccessibleName("担当医")
        self.department_combo.currentIndexChanged.connect(self._department_changed)
        self.doctor_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.waiting_button = QPushButton("予約待ち…")
        self.waiting_button.setObjectName("primary")
        self.waiting_button.setToolTip(
            "担当医が受入とした、日時の決まっていない案件を予約します（Ctrl+B）"
        )
        self.waiting_button.setShortcut("Ctrl+B")
        self.waiting_button.clicked.connect(self.book_waiting)

        self.grid_model = SlotGridModel(self)
        self.grid_model.move_requested.connect(self.move_appointment)
        self.grid = CalendarView()
        self.grid.setAccessibleName("予約表（時間帯と日）")
        self.grid.setModel(self.grid_model)
        self.month_model = MonthModel(self)
        self.month_view = CalendarView(month=True)
        self.month_view.setAccessibleName("予約表（月）")
        self.month_view.setModel(self.month_model)
        for view in (self.grid, self.month_view):
            view.navigate.connect(self.move_days)
            view.today_requested.connect(self.go_today)
            view.cell_activated.connect(self.activate)
        self.grid.customContextMenuRequested.connect(self._context_menu)
        self.views = QStackedWidget()
        self.views.addWidget(self.grid)
        self.views.addWidget(self.month_view)
        self.day_panel = DayListPanel(runner)
        self.day_panel.case_requested.connect(self.open_case)

        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(12)
        for w in (self.prev_button, self.today_button, self.next_button):
            bar.addWidget(w)
        bar.addSpacing(8)
        bar.addWidget(self.range_label)
        bar.addStretch(1)
        # The view and filters: under the dates where the page is too narrow (特大).
        filters = QHBoxLayout()
        filters.addStretch(1)
        for button in self.mode_buttons.values():
            filters.addWidget(button)
        filters.addSpacing(8)
        filters.addWidget(self.department_combo)
        filters.addWidget(self.doctor_combo)
        filters.addWidget(self.waiting_button)
        splitter = QSplitter()
        splitter.addWidget(self.views)
        splitter.addWidget(self.day_panel)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([780, 330])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(TwoPartRow(bar, filters))
        layout.addWidget(splitter, 1)

        runner.changed.connect(self._on_changed)
        self._fill_filters()
        self.refresh()
        self.day_panel.reload()

    # -- filters -------------------------------------------------------------------------
    def _fill_filters(self) -> None:
        chosen = self.department_combo.value()
        self.department_combo.blockSignals(True)
        self.department_combo.clear()
        self.department_combo.add("すべての診療科", None)
        for d in self._runner.read(self, list_departments) or ():
            self.department_combo.add(d.name, d.id)
        self.department_combo.setCurrentIndex(max(self.department_combo.index_of(chosen), 0))
        self.department_combo.blockSignals(False)
        self._fill_doctors()

    def _fill_doctors(self) -> None:
        chosen = self.doctor_combo.value()
        self.doctor_combo.blockSignals(True)
        self.doctor_combo.clear()
        self.doctor_combo.add("すべての担当医", None)
        department = self.department_combo.value()
        for d in self._runner.read(self, list_doctors, department) or ():
            self.doctor_combo.add(d.name, d.id)
        self.doctor_combo.setCurrentIndex(max(self.doctor_combo.index_of(chosen), 0))
        self.doctor_combo.blockSignals(False)

    def _department_changed(self, _index: int) -> None:
        self._fill_doctors()
        self.refresh()

    def set_department(self, department_id: int | None) -> None:
        self.department_combo.setCurrentIndex(self.department_combo.index_of(department_id))

    # -- range and navigation -------------------------------------------------------------
    def visible_range(self) -> tuple[dt.date, dt.date]:
        if self.mode == DAY:
            return self.current, self.current
        if self.mode == MONTH:
            first = month_grid_start(self.current)
            return first, first + dt.timedelta(days=WEEKS * 7 - 1)
        monday = self.current - dt.timedelta(days=self.current.weekday())
        return monday, monday + dt.timedelta(days=6)

    def refresh(self) -> None:
        """Read the visible range again and show it, keeping the current day and row."""
        self._dirty = False
        first, last = self.visible_range()
        row = max(self.grid.currentIndex().row(), 0)
        data = self._runner.read(
            self,
            calendar_range,
            first,
            last,
            department_id=self.department_combo.value(),
            doctor_id=self.doctor_combo.value(),
        )
        if data is None:
            return
        self.data = data
        if self.mode == MONTH:
            self.month_model.set_month(data, self.current, self.today)
            self.views.setCurrentWidget(self.month_view)
        else:
            if self.mode == WEEK:
                days = [first + dt.timedelta(days=k) for k in range(7)]
                self.grid_model.set_week(data, days, self.today)
            else:
                self.grid_model.set_day(data, self.current, self.today)
            self.views.setCurrentWidget(self.grid)
        self._select_current(row)
        self.range_label.setText(self._range_text(first, last))

    def _range_text(self, first: dt.date, last: dt.date) -> str:
        if self.mode == MONTH:
            return f"{self.current.year}年{self.current.month}月"
        if self.mode == DAY:
            info = self.data.day(self.current) if self.data else None
            closure = f"　{info.closure}" if info and info.closure else ""
            return f"{first:%Y}年{first.month}月{first.day}日{closure}"
        return f"{first:%Y}年{first.month}月{first.day}日 〜 {last.month}月{last.day}日"

    def _select_current(self, row: int) -> None:
        if self.mode == MONTH:
            self.month_view.setCurrentIndex(self.month_model.index_of(self.current))
            return
        column = 0 if self.mode == DAY else self.grid_model.column_of(self.current)
        if self.grid_model.rowCount() and column >= 0:
            row = min(row, self.grid_model.rowCount() - 1)
            self.grid.setCurrentIndex(self.grid_model.index(row, column))

    def show_date(self, day: dt.date) -> None:
        first, last = self.visible_range()
        self.current = day
        if self.mode == DAY or not first <= day <= last or self.mode == MONTH:
            self.refresh()
        else:
            self._select_current(max(self.grid.currentIndex().row(), 0))

    def move_days(self, days: int) -> None:
        self.show_date(self.current + dt.timedelta(days=days))

    def step(self, direction: int) -> None:
        """◀ / ▶: a day, a week or a month, as the view shows."""
        if self.mode == MONTH:
            first = self.current.replace(day=1)
            moved = first + dt.timedelta(days=32) if direction > 0 else first - dt.timedelta(days=1)
            self.show_date(moved.replace(day=1))
        else:
            self.move_days(direction * (1 if self.mode == DAY else 7))

    def go_today(self) -> None:
        self.today = clock.today()
        self.show_date(self.today)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.mode_buttons[mode].setChecked(True)
        self.refresh()
        (self.month_view if mode == MONTH else self.grid).setFocus()

    # -- acting on a cell -------------------------------------------------------------------
    def cell_at(self, index: QModelIndex) -> Cell | None:
        return index.data(CELL_ROLE) if index.isValid() else None

    def activate(self, index: QModelIndex) -> QWidget | None:
        """Enter or double-click: an appointment opens its case; a free slot books one;
        a day of the month opens that day."""
        if self.mode == MONTH:
            if index.isValid():
                self.current = self.month_model.date_at(index.row(), index.column())
                self.set_mode(DAY)
            return None
        cell = self.cell_at(index)
        if cell is None:
            return None
        self.current = cell.date
        live = cell.live or cell.continued
        if live:
            return self.open_case(live[0].case_id)
        if cell.appointments:
            return self.open_case(cell.appointments[0].case_id)
        if cell.free_doctors:
            return self.book_from_slot(cell)
        return None

    def open_case(self, case_id: int) -> CaseDetailDialog | None:
        return open_case_window(self._runner, case_id, self)

    def book_waiting(self, cell: Cell | None = None) -> BookingDialog | None:
        """Choose a case waiting for a date and open the booking dialog (preset to ``cell``)."""
        cases = self._runner.read(self, waiting_cases)
        if not cases:
            actions.show_error(self, "予約待ちの案件（担当医確認で受入、日時未定）はありません。")
            return None
        chosen = choose_waiting_case(self, cases)
        if chosen is None:
            return None
        preset = None
        if cell is not None and self.data is not None:
            departments = {d.id: d.department_id for d in self.data.doctors}
            wanted = chosen.desired_department_id
            fits = [d for d in cell.free_doctors if departments.get(d) == wanted]
            doctor = (fits or list(cell.free_doctors))[0]
            preset = (doctor, cell.date, cell.start)
        dialog = BookingDialog(self._runner, chosen.case_id, self, preset=preset)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def book_from_slot(self, cell: Cell) -> BookingDialog | None:
        return self.book_waiting(cell)

    # -- one appointment: menu, drag --------------------------------------------------------
    def appointment_menu(self, appointment: CalendarAppointment) -> QMenu:
        menu = QMenu(self)
        menu.addAction("案件を開く", lambda: self.open_case(appointment.case_id))
        if appointment.state.is_live:
            menu.addAction("日時変更…", lambda: self.reschedule_dialog(appointment))
            menu.addAction(
                "日時連絡済…", lambda: self._act(appointment_actions.notified, appointment)
            )
            menu.addSeparator()
            menu.addAction(
                "キャンセル…", lambda: self._act(appointment_actions.cancel, appointment)
            )
            menu.addAction(
                "無断キャンセル", lambda: self._act(appointment_actions.no_show, appointment)
            )
            refusal = refusal_for(self._runner.store, cancel_appointment)
            if refusal is not None:
                # 医師: the booking's own actions are the desk's; opening the case is not.
                menu.setToolTipsVisible(True)
                for action in menu.actions()[1:]:
                    action.setEnabled(False)
                    action.setToolTip(refusal)
        return menu

    def _act(self, fn: AppointmentAction, appointment: CalendarAppointment) -> None:
        if fn(self._runner, self, appointment) is not None:
            self.refresh()

    def _context_menu(self, pos: QPoint) -> None:
        cell = self.cell_at(self.grid.indexAt(pos))
        if cell is None:
            return
        shown = cell.live or cell.continued or cell.appointments
        if shown:
            self.appointment_menu(shown[0]).exec(self.grid.viewport().mapToGlobal(pos))

    def reschedule_dialog(self, appointment: CalendarAppointment) -> BookingDialog:
        dialog = BookingDialog(
            self._runner,
            appointment.case_id,
            self,
            preset=(appointment.doctor_id, appointment.date, appointment.start),
            appointment_id=appointment.id,
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def find_appointment(self, appointment_id: int) -> CalendarAppointment | None:
        found = (a for a in (self.data.appointments if self.data else ()) if a.id == appointment_id)
        return next(found, None)

    def move_appointment(
        self,
        appointment_id: int,
        doctor_id: int | None,
        day: dt.date,
        start: dt.time,
        reason: str = "",
    ) -> bool:
        """A drop on another slot: move the session there (same doctor in the week view).
        A closed day is refused with its reason (「12月29日は休診日です（年末年始…）。」)."""
        old = self.find_appointment(appointment_id)
        if old is None or (old.date, old.start, old.doctor_id) == (
            day,
            start,
            doctor_id or old.doctor_id,
        ):
            return False
        info = self.data.day(day) if self.data is not None else None
        if info is not None and info.closure:
            actions.show_error(self, f"{day.month}月{day.day}日は休診日です（{info.closure}）。")
            return False
        done = appointment_actions.move(self._runner, self, old, doctor_id, day, start)
        self.current = day
        self.refresh()
        return done is not None

    # -- change notices -----------------------------------------------------------------------
    def _on_changed(self, notice: ChangeNotice) -> None:
        masters = notice.touches(Change.MASTERS | Change.SETTINGS)
        if not masters and not notice.touches(Change.CASES):
            return
        if masters:
            self._fill_filters()
        if self.isVisible():
            self.refresh()
            self.day_panel.reload()
        else:
            self._dirty = True  # read again when shown, not behind the clerk's back

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()
            self.day_panel.reload()
        (self.month_view if self.mode == MONTH else self.grid).setFocus()


class CalendarDialog(QDialog):
    """The calendar in a window of its own, on one day (day view): for a window that cannot
    switch the main window's page, such as the masters after a 休診日 was added."""

    def __init__(self, runner: ServiceRunner, day: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"カレンダー（{day.month}月{day.day}日）")
        fit_to_screen(self, 1100, 700)
        self.page = CalendarPage(runner)
        self.page.mode = DAY
        self.page.mode_buttons[DAY].setChecked(True)
        self.page.show_date(day)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addWidget(buttons)
