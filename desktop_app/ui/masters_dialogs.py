"""Small forms of the 担当医・診療枠 page: department, doctor, weekly window, leave, closure.

Each form saves through one service call; a refusal shows in red under the field it names
and the form stays open, so nothing is lost and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.hours_rules import WEEKDAY_LABELS
from desktop_app.domain.slots import HoursChange
from desktop_app.domain.wareki import weekday_ja
from desktop_app.services import closures, doctor_hours, masters
from desktop_app.services.closures import DayBooking
from desktop_app.services.doctor_hours import ExceptionInput, WindowData, WindowInput
from desktop_app.services.masters import DepartmentMaster, DoctorInput, DoctorMaster
from desktop_app.ui import text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.keys import enter_presses
from desktop_app.ui.layout_tools import fit_date_edit
from desktop_app.ui.rows_model import RowsModel
from desktop_app.ui.value_combo import ValueCombo

# The times offered: every half hour of a working day (the rule: windows on the half hour).
FIRST_HOUR, LAST_HOUR = 7, 21
HALF_HOURS = tuple(
    dt.time(h, m) for h in range(FIRST_HOUR, LAST_HOUR + 1) for m in (0, 30) if (h, m) != (21, 30)
)
# A QDateEdit at its minimum shows 「指定なし」: an open end of a date range.
NO_DATE = QDate(2000, 1, 1)
FIELD_WIDTH = 260


def read_only_table(model: RowsModel) -> QTableView:
    """A read-only table a clerk walks with the arrow keys; Enter opens the row."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setAlternatingRowColors(True)
    return view


def time_combo(selected: dt.time | None = None) -> QComboBox:
    """Every half hour of the day's range; read it back with ``time_of``."""
    combo = QComboBox()
    for t in HALF_HOURS:
        combo.addItem(f"{t:%H:%M}")
    if selected in HALF_HOURS:
        combo.setCurrentIndex(HALF_HOURS.index(selected))
    return combo


def time_of(combo: QComboBox) -> dt.time:
    return HALF_HOURS[max(combo.currentIndex(), 0)]


def date_edit(day: dt.date | None, *, optional: bool = False) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy/MM/dd")
    if optional:
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("指定なし")

        def leave_no_date(day: QDate) -> None:
            # The first step away from 「指定なし」 lands on today, not on 2000/01/02.
            if NO_DATE < day < NO_DATE.addMonths(2):
                edit.setDate(QDate(clock.today()))

        edit.dateChanged.connect(leave_no_date)
    edit.setDate(QDate(day) if day is not None else (NO_DATE if optional else QDate(clock.today())))
    return fit_date_edit(edit)


def date_of(edit: QDateEdit) -> dt.date | None:
    """The date shown, or None when an optional edit shows 「指定なし」."""
    if edit.specialValueText() and edit.date() == edit.minimumDate():
        return None
    day = edit.date().toPython()
    assert isinstance(day, dt.date)
    return day


class FormDialog(QDialog):
    """A form of labelled fields, an error line under each, 保存 and キャンセル."""

    def __init__(self, runner: ServiceRunner, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.runner = runner
        self.result_value: Any = None
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.setVerticalSpacing(6)
        self.general_error = QLabel()
        self.general_error.setObjectName("fieldError")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        enter_presses(self, self.buttons.button(QDialogButtonBox.StandardButton.Save))

    def add_field(self, name: str, label: str, editor: QWidget) -> None:
        text_size.keep(editor, minimum_width=FIELD_WIDTH)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        cell = QWidget()
        cell_layout = QVBoxLayout(cell)
        cell_layout.setContentsMargins(0, 0, 0, 0)
        cell_layout.setSpacing(2)
        cell_layout.addWidget(editor)
        cell_layout.addWidget(error)
        self.form.addRow(label, cell)
        self.editors[name] = editor
        self.errors[name] = error

    def save_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def save(self) -> Any:
        """Run the service call; its result, or None after a refusal (already shown)."""
        raise NotImplementedError

    def submit(self) -> None:
        self.clear_errors()
        result = self.save()
        if result is not None:
            self.result_value = result
            self.accept()

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.runner.run(
            self, fn, *args, changes=Change.MASTERS, on_error=self.show_error, **kwargs
        )

    def clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.clear()
            label.hide()
        for editor in self.editors.values():
            if editor.property("invalid"):
                editor.setProperty("invalid", False)
                editor.style().polish(editor)

    def show_error(self, error: ValidationError) -> None:
        label = self.errors.get(error.field or "")
        if label is None:
            label = self.general_error
        label.setText(error.message)
        label.show()
        editor = self.editors.get(error.field or "")
        if editor is not None:
            editor.setProperty("invalid", True)
            editor.style().polish(editor)
            editor.setFocus()


class DepartmentDialog(FormDialog):
    """Add a department, or rename one."""

    def __init__(
        self,
        runner: ServiceRunner,
        department: DepartmentMaster | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, "診療科の名前を変更" if department else "診療科を追加", parent)
        self.department = department
        self.name_edit = QLineEdit(department.name if department else "")
        self.name_edit.setPlaceholderText("例：呼吸器内科")
        self.add_field("name", "診療科名", self.name_edit)

    def save(self) -> Any:
        if self.department is None:
            return self.run(masters.add_department, self.name_edit.text())
        return self.run(
            masters.rename_department,
            self.department.id,
            self.name_edit.text(),
            version=self.department.version,
        )


class DoctorDialog(FormDialog):
    """Add a doctor, or correct one's department, name, フリガナ and title."""

    def __init__(
        self,
        runner: ServiceRunner,
        departments: Sequence[DepartmentMaster],
        *,
        doctor: DoctorMaster | None = None,
        department_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, "担当医を編集" if doctor else "担当医を追加", parent)
        self.doctor = doctor
        self.department_combo = ValueCombo()
        for dept in departments:
            if dept.active or (doctor and dept.id == doctor.department_id):
                self.department_combo.add(dept.name, dept.id)
        wanted = doctor.department_id if doctor else department_id
        self.department_combo.setCurrentIndex(max(self.department_combo.index_of(wanted), 0))
        self.name_edit = QLineEdit(doctor.name if doctor else "")
        self.name_edit.setPlaceholderText("例：西田　直子")
        self.furigana_edit = QLineEdit(doctor.furigana if doctor else "")
        self.furigana_edit.setPlaceholderText("例：ニシダ　ナオコ（任意）")
        self.title_edit = QLineEdit(doctor.title if doctor else "")
        self.title_edit.setPlaceholderText("例：部長（任意）")
        self.add_field("department_id", "診療科", self.department_combo)
        self.add_field("name", "氏名", self.name_edit)
        self.add_field("furigana", "フリガナ", self.furigana_edit)
        self.add_field("title", "役職", self.title_edit)

    def save(self) -> Any:
        data = DoctorInput(
            department_id=self.department_combo.value() or 0,
            name=self.name_edit.text(),
            furigana=self.furigana_edit.text(),
            title=self.title_edit.text(),
        )
        if self.doctor is None:
            return self.run(masters.add_doctor, data)
        return self.run(masters.update_doctor, self.doctor.id, data, version=self.doctor.version)


class WindowDialog(FormDialog):
    """A weekly window: weekday, start, end, and the dates it holds between (optional)."""

    def __init__(
        self,
        runner: ServiceRunner,
        doctor_id: int,
        window: WindowData | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, "診療枠を編集" if window else "診療枠を追加", parent)
        self.doctor_id = doctor_id
        self.editing = window
        self.weekday_combo = ValueCombo()
        for number, label in enumerate(WEEKDAY_LABELS[:5]):
            self.weekday_combo.add(label, number)
        self.weekday_combo.setCurrentIndex(window.weekday if window else 0)
        self.start_combo = time_combo(window.start if window else dt.time(14, 0))
        self.end_combo = time_combo(window.end if window else dt.time(16, 0))
        self.from_edit = date_edit(window.valid_from if window else None, optional=True)
        self.to_edit = date_edit(window.valid_to if window else None, optional=True)
        self.add_field("weekday", "曜日", self.weekday_combo)
        self.add_field("start", "開始", self.start_combo)
        self.add_field("end", "終了", self.end_combo)
        self.add_field("valid_from", "期間の始まり", self.from_edit)
        self.add_field("valid_to", "期間の終わり", self.to_edit)
        hint = QLabel("期間を「指定なし」にすると、その端は限りなく続きます。")
        hint.setObjectName("muted")
        self.form.addRow("", hint)

    def save(self) -> Any:
        data = WindowInput(
            weekday=self.weekday_combo.value(),
            start=time_of(self.start_combo),
            end=time_of(self.end_combo),
            valid_from=date_of(self.from_edit),
            valid_to=date_of(self.to_edit),
        )
        if self.editing is None:
            return self.run(doctor_hours.add_window, self.doctor_id, data)
        return self.run(
            doctor_hours.update_window, self.editing.id, data, version=self.editing.version
        )


class ExceptionDialog(FormDialog):
    """Leave on a date (the whole day or some hours), or an extra session."""

    def __init__(self, runner: ServiceRunner, doctor_id: int, parent: QWidget | None = None):
        super().__init__(runner, "休み・臨時枠を追加", parent)
        self.doctor_id = doctor_id
        self.date_edit = date_edit(clock.today())
        self.date_edit.setMinimumDate(QDate(clock.today()))
        self.kind_combo = ValueCombo()
        for kind in HoursChange:
            self.kind_combo.add(kind.label, kind)
        self.whole_day = QCheckBox("終日")
        self.whole_day.setChecked(True)
        self.start_combo = time_combo(dt.time(14, 0))
        self.end_combo = time_combo(dt.time(16, 0))
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("例：学会出張")
        self.add_field("date", "日付", self.date_edit)
        self.add_field("kind", "種類", self.kind_combo)
        self.add_field("whole_day", "", self.whole_day)
        self.add_field("start", "開始", self.start_combo)
        self.add_field("end", "終了", self.end_combo)
        self.add_field("note", "メモ", self.note_edit)
        self.kind_combo.currentIndexChanged.connect(self._update)
        self.whole_day.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        leave = self.kind_combo.value() == HoursChange.LEAVE
        self.whole_day.setEnabled(leave)
        timed = not (leave and self.whole_day.isChecked())
        self.start_combo.setEnabled(timed)
        self.end_combo.setEnabled(timed)

    def save(self) -> Any:
        timed = self.start_combo.isEnabled()
        data = ExceptionInput(
            date=date_of(self.date_edit) or clock.today(),
            kind=self.kind_combo.value(),
            start=time_of(self.start_combo) if timed else None,
            end=time_of(self.end_combo) if timed else None,
            note=self.note_edit.text(),
        )
        return self.run(doctor_hours.add_exception, self.doctor_id, data)


def day_text(day: dt.date) -> str:
    """「12月10日（木）」."""
    return f"{day.month}月{day.day}日（{weekday_ja(day)}）"


def booking_line(booking: DayBooking) -> str:
    """「10:30　鈴木　花子 様（馬場 二郎）」: when, who, with which doctor."""
    return f"{booking.start:%H:%M}　{booking.patient} 様（{booking.doctor}）"


def closure_question(day: dt.date, booked: Sequence[DayBooking]) -> str:
    lines = "\n".join(f"　{booking_line(b)}" for b in booked)
    return (
        f"{day_text(day)}には予約が {len(booked)}件あります。\n\n{lines}\n\n"
        "休診日にしても予約は動きません。登録のあと、それぞれの日時を変更してください。\n"
        "休診日に登録しますか？"
    )


class ClosureDialog(FormDialog):
    """A day the hospital is closed, with the reason. A day with bookings is saved only
    after the clerk has seen them (name, time, doctor) and said yes."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "休診日を追加", parent)
        self.date_edit = date_edit(clock.today())
        self.date_edit.setMinimumDate(QDate(clock.today()))
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("例：電気設備の点検")
        self.add_field("date", "日付", self.date_edit)
        self.add_field("reason", "理由", self.reason_edit)

    def save(self) -> Any:
        day = date_of(self.date_edit) or clock.today()
        if self.reason_edit.text().strip():  # a form refused for its reason asks nothing
            booked = self.runner.read(self, closures.bookings_on, day) or ()
            if booked and not confirm(self, "休診日の予約", closure_question(day, booked)):
                return None
        return self.run(closures.add_closure, day, self.reason_edit.text())


def run_dialog(dialog: FormDialog) -> bool:
    """Show a form modally; True when it saved. Tests patch this to fill the form in."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def confirm(parent: QWidget | None, title: str, message: str) -> bool:
    """A yes/no question. Tests patch this instead of answering a modal box."""
    answer = QMessageBox.question(
        parent,
        title,
        message,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def tell(parent: QWidget | None, title: str, message: str) -> None:
    """Something the clerk should know after a save. Tests patch this."""
    QMessageBox.information(parent, title, message)
