"""休診日・祝日: the hospital's one-off closures (typed, with a reason) beside the national
holidays of the coming year (from jpholiday, shown, never typed) and the yearly closures."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.closures import format_closures
from desktop_app.services import closures
from desktop_app.services.closures import ClosureData
from desktop_app.services.settings import get_settings
from desktop_app.ui import masters_dialogs as dialogs
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.rows_model import RowsModel

WEEKDAYS = "月火水木金土日"


def _day(day: dt.date) -> str:
    return f"{day:%Y/%m/%d}（{WEEKDAYS[day.weekday()]}）"


class ClosuresPanel(QWidget):
    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.rows: tuple[ClosureData, ...] = ()
        self.closures_model = RowsModel(("日付", "理由"), self)
        self.closures_view = dialogs.read_only_table(self.closures_model)
        self.closures_view.setAccessibleName("病院の休診日の一覧")
        self.add_button = QPushButton("休診日を追加")
        self.add_button.clicked.connect(self.add_closure)
        self.remove_button = QPushButton("削除")
        self.remove_button.clicked.connect(self.remove_closure)
        QShortcut(QKeySequence.StandardKey.Delete, self.closures_view, self.remove_closure)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        own = QGroupBox("病院の休診日（今日以降）")
        own_layout = QVBoxLayout(own)
        own_layout.addWidget(self.closures_view, 1)
        own_layout.addLayout(buttons)

        self.annual_label = QLabel()
        self.annual_label.setWordWrap(True)
        annual_hint = QLabel("毎年の休診日は「設定」画面の「毎年の休診日」で変更します。")
        annual_hint.setObjectName("muted")
        annual_hint.setWordWrap(True)
        annual = QGroupBox("毎年の休診日")
        annual_layout = QVBoxLayout(annual)
        annual_layout.addWidget(self.annual_label)
        annual_layout.addWidget(annual_hint)

        self.holidays_model = RowsModel(("日付", "祝日"), self)
        self.holidays_view = dialogs.read_only_table(self.holidays_model)
        self.holidays_view.setAccessibleName("祝日の一覧")
        holidays_hint = QLabel("祝日・振替休日・国民の休日は自動で休診になります。")
        holidays_hint.setObjectName("muted")
        holidays_hint.setWordWrap(True)
        holidays = QGroupBox("祝日（これから1年）")
        holidays_layout = QVBoxLayout(holidays)
        holidays_layout.addWidget(self.holidays_view, 1)
        holidays_layout.addWidget(holidays_hint)

        left = QVBoxLayout()
        left.addWidget(own, 1)
        left.addWidget(annual)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(16)
        layout.addLayout(left, 3)
        layout.addWidget(holidays, 2)
        runner.changed.connect(self._on_changed)

    def reload(self) -> None:
        today = clock.today()
        self.rows = self.runner.read(self, closures.list_closures, today) or ()
        self.closures_model.set_rows([(_day(c.date), c.reason) for c in self.rows])
        self.remove_button.setEnabled(bool(self.rows))
        settings = self.runner.read(self, get_settings)
        if settings is not None:
            self.annual_label.setText(format_closures(settings.annual_closures) or "なし")
        self.holidays_model.set_rows(
            [(_day(h.date), h.name) for h in closures.national_holidays(today)]
        )

    def _on_changed(self, notice: ChangeNotice) -> None:
        if notice.touches(Change.MASTERS | Change.SETTINGS):
            self.reload()

    def add_closure(self) -> None:
        """A new closure; bookings left on that day are offered for rescheduling at once."""
        dialog = dialogs.ClosureDialog(self.runner, parent=self)
        if dialogs.run_dialog(dialog):
            added: ClosureData = dialog.result_value
            if added.bookings:
                RescheduleOffer(self.runner, added, self).exec()

    def remove_closure(self) -> None:
        index = self.closures_view.currentIndex()
        if not index.isValid():
            return
        row = self.rows[index.row()]
        question = f"{_day(row.date)} の休診日（{row.reason}）を取り消しますか？"
        if dialogs.confirm(self, "休診日の削除", question):
            self.runner.run(self, closures.remove_closure, row.id, changes=Change.MASTERS)


class RescheduleOffer(QDialog):
    """After a closure: the day's bookings (time, patient, doctor), each case to open (its
    予約… moves the session) and the calendar of that day, until the clerk closes it."""

    def __init__(self, runner: ServiceRunner, closure: ClosureData, parent: QWidget) -> None:
        super().__init__(parent)
        self.runner = runner
        self.closure = closure
        self.setWindowTitle("休診日の予約")
        day = dialogs.day_text(closure.date)
        self.title_label = QLabel(
            f"{day}を休診日にしました。この日の予約 {len(closure.bookings)}件の"
            "日時を変更してください。"
        )
        self.title_label.setWordWrap(True)
        self.bookings_list = QListWidget()
        for booking in closure.bookings:
            self.bookings_list.addItem(f"{dialogs.booking_line(booking)}　{booking.case_number}")
        self.bookings_list.setCurrentRow(0)
        self.bookings_list.itemActivated.connect(lambda _item: self.open_case())
        self.case_button = QPushButton("案件を開く")
        self.case_button.setDefault(True)
        self.case_button.clicked.connect(self.open_case)
        self.calendar_button = QPushButton("カレンダーで開く")
        self.calendar_button.clicked.connect(self.open_calendar)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        buttons.addButton(self.case_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.calendar_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.bookings_list, 1)
        layout.addWidget(buttons)
        self.resize(520, 320)

    def open_case(self) -> QDialog | None:
        """The chosen booking's case, over this window (its 予約… moves the session)."""
        from desktop_app.ui.case_detail import open_case_window  # not needed at start

        row = self.bookings_list.currentRow()
        if not 0 <= row < len(self.closure.bookings):
            return None
        return open_case_window(self.runner, self.closure.bookings[row].case_id, self)

    def open_calendar(self) -> QDialog:
        """The calendar on the closed day (day view): each booking's menu has 日時変更…."""
        from desktop_app.ui.calendar.page import CalendarDialog  # not needed at start

        dialog = CalendarDialog(self.runner, self.closure.date, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog
