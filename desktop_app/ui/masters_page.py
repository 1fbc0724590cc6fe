"""担当医・診療枠: departments and their doctors on the left, the chosen doctor's hours right.

Reached from 設定. Every write goes through the ServiceRunner with Change.MASTERS, so the
calendar and the board refresh; this page reloads on any MASTERS notice, keeping the choice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.services import doctor_hours, masters
from desktop_app.services.doctor_hours import DoctorHoursData, ExceptionAdded
from desktop_app.services.masters import DepartmentMaster, DoctorMaster
from desktop_app.ui import masters_dialogs as dialogs
from desktop_app.ui import text_size
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.closures_panel import ClosuresPanel
from desktop_app.ui.layout_tools import fit_to_screen
from desktop_app.ui.rows_model import RowsModel

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "department" or "doctor"
ID_ROLE = Qt.ItemDataRole.UserRole + 2
INACTIVE = QColor("#8a949e")
LEFT_WIDTH = 380
ROW_HEIGHT = 28


def button(text: str, slot: Callable[[], Any]) -> QPushButton:
    b = QPushButton(text)
    b.clicked.connect(slot)
    return b


def _period(window: doctor_hours.WindowData) -> str:
    if window.valid_from is None and window.valid_to is None:
        return "期限なし"
    start = f"{window.valid_from:%Y/%m/%d}" if window.valid_from else ""
    end = f"{window.valid_to:%Y/%m/%d}" if window.valid_to else ""
    return f"{start} 〜 {end}"


class DoctorsPanel(QWidget):
    """The departments-and-doctors tree and the chosen doctor's windows and exceptions."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.departments: dict[int, DepartmentMaster] = {}
        self.doctors: dict[int, DoctorMaster] = {}
        self.hours: DoctorHoursData | None = None

        self.tree_model = QStandardItemModel(self)
        self.tree_model.setHorizontalHeaderLabels(["診療科・担当医"])
        self.tree = QTreeView()
        self.tree.setAccessibleName("診療科と担当医")
        self.tree.setModel(self.tree_model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setHeaderHidden(True)
        self.tree.activated.connect(lambda _index: self.edit_selected())
        self.tree.selectionModel().currentChanged.connect(self._on_current)

        self.buttons = {
            "add_department": button("診療科を追加", self.add_department),
            "add_doctor": button("担当医を追加", self.add_doctor),
            "edit": button("編集", self.edit_selected),
            "active": button("使用停止", self.toggle_active),
            "delete": button("削除", self.delete_selected),
            "up": button("↑ 上へ", lambda: self.move_department(-1)),
            "down": button("↓ 下へ", lambda: self.move_department(1)),
        }
        grid = QGridLayout()
        for n, key in enumerate(("add_department", "add_doctor", "edit", "active", "delete")):
            grid.addWidget(self.buttons[key], n // 2, n % 2)
        moves = QHBoxLayout()
        moves.addWidget(self.buttons["up"])
        moves.addWidget(self.buttons["down"])
        grid.addLayout(moves, 2, 1)
        hint = QLabel("案件や予約で使われた診療科・担当医は、削除せず使用停止にします。")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.tree, 1)
        left.addLayout(grid)
        left.addWidget(hint)

        self.doctor_label = QLabel()
        self.doctor_label.setObjectName("sectionTitle")
        text_size.set_style(self.doctor_label, "font-size: 13pt; font-weight: bold;")
        self.windows_model = RowsModel(("曜日", "開始", "終了", "期間"), self)
        self.windows_view = dialogs.read_only_table(self.windows_model)
        self.windows_view.setAccessibleName("診療枠")
        self.windows_view.activated.connect(lambda _index: self.edit_window())
        self.exceptions_model = RowsModel(("日付", "種類", "時間", "メモ"), self)
        self.exceptions_view = dialogs.read_only_table(self.exceptions_model)
        self.exceptions_view.setAccessibleName("臨時の休診・診療")
        self.hour_buttons = {
            "add_window": button("枠を追加", self.add_window),
            "edit_window": button("枠を編集", self.edit_window),
            "remove_window": button("枠を削除", self.remove_window),
            "add_exception": button("休み・臨時枠を追加", self.add_exception),
            "remove_exception": button("削除", self.remove_exception),
        }
        windows_box = self._box(
            "毎週の診療枠",
            self.windows_view,
            [self.hour_buttons[k] for k in ("add_window", "edit_window", "remove_window")],
        )
        exceptions_box = self._box(
            "休み・臨時枠（今日以降）",
            self.exceptions_view,
            [self.hour_buttons[k] for k in ("add_exception", "remove_exception")],
        )
        right = QVBoxLayout()
        right.addWidget(self.doctor_label)
        right.addWidget(windows_box, 1)
        right.addWidget(exceptions_box, 1)

        left_widget = QWidget()
        left_widget.setLayout(left)
        text_size.keep(left_widget, fixed_width=LEFT_WIDTH)  # wider at 大 and 特大
        left.setContentsMargins(0, 0, 0, 0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(16)
        layout.addWidget(left_widget)
        layout.addLayout(right, 1)

        QShortcut(QKeySequence.StandardKey.Delete, self.tree, self.delete_selected)
        QShortcut(QKeySequence.StandardKey.Delete, self.windows_view, self.remove_window)
        QShortcut(QKeySequence.StandardKey.Delete, self.exceptions_view, self.remove_exception)
        runner.changed.connect(self._on_changed)

    @staticmethod
    def _box(title: str, view: QTableView, buttons: list[QPushButton]) -> QGroupBox:
        box = QGroupBox(title)
        row = QHBoxLayout()
        for b in buttons:
            row.addWidget(b)
        row.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addWidget(view, 1)
        layout.addLayout(row)
        return box

    # Loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        kind, chosen = self.selected()
        departments = self.runner.read(self, masters.master_departments) or ()
        doctors = self.runner.read(self, masters.master_doctors) or ()
        self.departments = {d.id: d for d in departments}
        self.doctors = {d.id: d for d in doctors}
        self.tree_model.removeRows(0, self.tree_model.rowCount())
        for dept in departments:
            dept_item = self._item(dept.name, dept.active, "department", dept.id)
            for doc in (d for d in doctors if d.department_id == dept.id):
                text = f"{doc.name}（{doc.title}）" if doc.title else doc.name
                dept_item.appendRow(self._item(text, doc.active, "doctor", doc.id))
            self.tree_model.appendRow(dept_item)
        self.tree.expandAll()
        if kind is not None and chosen is not None:
            self.select(kind, chosen)
        self._show_selection()

    @staticmethod
    def _item(text: str, active: bool, kind: str, item_id: int) -> QStandardItem:
        item = QStandardItem(text if active else f"{text}（使用停止）")
        if kind == "department":
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        item.setSizeHint(QSize(0, ROW_HEIGHT))
        item.setData(kind, KIND_ROLE)
        item.setData(item_id, ID_ROLE)
        if not active:
            item.setForeground(QBrush(INACTIVE))
        return item

    def _on_changed(self, notice: ChangeNotice) -> None:
        if notice.touches(Change.MASTERS):
            self.reload()

    def selected(self) -> tuple[str | None, int | None]:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None, None
        return index.data(KIND_ROLE), index.data(ID_ROLE)

    def select(self, kind: str, item_id: int) -> bool:
        """Make a department or doctor current (True when it is in the tree)."""
        for row in range(self.tree_model.rowCount()):
            dept = self.tree_model.item(row)
            candidates = [dept] + [dept.child(r) for r in range(dept.rowCount())]
            for item in candidates:
                if item.data(KIND_ROLE) == kind and item.data(ID_ROLE) == item_id:
                    self.tree.setCurrentIndex(item.index())
                    return True
        return False

    def selected_doctor(self) -> DoctorMaster | None:
        kind, item_id = self.selected()
        return self.doctors.get(item_id) if kind == "doctor" and item_id is not None else None

    def selected_department(self) -> DepartmentMaster | None:
        kind, item_id = self.selected()
        if item_id is None:
            return None
        if kind == "doctor":
            return self.departments.get(self.doctors[item_id].department_id)
        return self.departments.get(item_id)

    def _on_current(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_selection()

    def _show_selection(self) -> None:
        kind, _ = self.selected()
        doctor = self.selected_doctor()
        active = (doctor.active if doctor else None) if kind == "doctor" else None
        if kind == "department":
            dept = self.selected_department()
            active = dept.active if dept else None
        self.buttons["edit"].setEnabled(kind is not None)
        self.buttons["delete"].setEnabled(kind is not None)
        self.buttons["active"].setEnabled(kind is not None)
        self.buttons["active"].setText("使用再開" if active is False else "使用停止")
        self.buttons["up"].setEnabled(kind == "department")
        self.buttons["down"].setEnabled(kind == "department")
        self.buttons["add_doctor"].setEnabled(bool(self.departments))
        self.hours = None
        if doctor is not None:
            self.hours = self.runner.read(self, doctor_hours.doctor_hours, doctor.id)
        self._fill_hours(doctor)

    def _fill_hours(self, doctor: DoctorMaster | None) -> None:
        if doctor is None:
            self.doctor_label.setText("担当医を選ぶと、毎週の診療枠と休みが表示されます。")
        else:
            parts = [doctor.department] + ([doctor.title] if doctor.title else [])
            state = "" if doctor.active else "　［使用停止］"
            self.doctor_label.setText(f"{doctor.name}（{'・'.join(parts)}）{state}")
        hours = self.hours
        self.windows_model.set_rows(
            [
                (w.weekday_label, f"{w.start:%H:%M}", f"{w.end:%H:%M}", _period(w))
                for w in (hours.windows if hours else ())
            ]
        )
        self.exceptions_model.set_rows(
            [
                (
                    f"{e.date:%Y/%m/%d}（{'月火水木金土日'[e.date.weekday()]}）",
                    e.kind.label,
                    "終日" if e.whole_day else f"{e.start:%H:%M}–{e.end:%H:%M}",
                    e.note,
                )
                for e in (hours.exceptions if hours else ())
            ]
        )
        for b in self.hour_buttons.values():
            b.setEnabled(hours is not None)

    def _row_of(self, view: QTableView) -> int | None:
        index = view.currentIndex()
        return index.row() if index.isValid() else None

    # Departments and doctors -------------------------------------------------------------

    def add_department(self) -> None:
        dialog = dialogs.DepartmentDialog(self.runner, parent=self)
        if dialogs.run_dialog(dialog):
            self.select("department", dialog.result_value.id)

    def add_doctor(self) -> None:
        dept = self.selected_department()
        dialog = dialogs.DoctorDialog(
            self.runner,
            list(self.departments.values()),
            department_id=dept.id if dept else None,
            parent=self,
        )
        if dialogs.run_dialog(dialog):
            self.select("doctor", dialog.result_value.id)

    def edit_selected(self) -> None:
        doctor = self.selected_doctor()
        if doctor is not None:
            dialogs.run_dialog(
                dialogs.DoctorDialog(
                    self.runner, list(self.departments.values()), doctor=doctor, parent=self
                )
            )
            return
        dept = self.selected_department()
        if dept is not None:
            dialogs.run_dialog(dialogs.DepartmentDialog(self.runner, dept, parent=self))

    def toggle_active(self) -> None:
        doctor = self.selected_doctor()
        if doctor is not None:
            self._run(
                masters.set_doctor_active, doctor.id, not doctor.active, version=doctor.version
            )
            return
        dept = self.selected_department()
        if dept is not None:
            self._run(masters.set_department_active, dept.id, not dept.active, version=dept.version)

    def delete_selected(self) -> None:
        doctor = self.selected_doctor()
        dept = None if doctor else self.selected_department()
        name = doctor.name if doctor else dept.name if dept else ""
        if not name or not dialogs.confirm(self, "削除", f"「{name}」を削除しますか？"):
            return
        if doctor is not None:
            self._run(masters.delete_doctor, doctor.id, version=doctor.version)
        elif dept is not None:
            self._run(masters.delete_department, dept.id, version=dept.version)

    def move_department(self, step: int) -> None:
        dept = self.selected_department()
        if dept is not None and self.selected()[0] == "department":
            self._run(masters.move_department, dept.id, step, version=dept.version)

    # Hours -------------------------------------------------------------------------------

    def add_window(self) -> None:
        if self.hours is not None:
            dialogs.run_dialog(dialogs.WindowDialog(self.runner, self.hours.doctor_id, parent=self))

    def edit_window(self) -> None:
        row = self._row_of(self.windows_view)
        if self.hours is not None and row is not None:
            window = self.hours.windows[row]
            dialogs.run_dialog(
                dialogs.WindowDialog(self.runner, self.hours.doctor_id, window, parent=self)
            )

    def remove_window(self) -> None:
        row = self._row_of(self.windows_view)
        if self.hours is None or row is None:
            return
        w = self.hours.windows[row]
        question = f"{w.weekday_label} {w.start:%H:%M}–{w.end:%H:%M} の枠を削除しますか？"
        if dialogs.confirm(self, "診療枠の削除", question):
            self._run(doctor_hours.remove_window, w.id, version=w.version)

    def add_exception(self) -> None:
        if self.hours is None:
            return
        dialog = dialogs.ExceptionDialog(self.runner, self.hours.doctor_id, parent=self)
        if dialogs.run_dialog(dialog):
            added: ExceptionAdded = dialog.result_value
            if added.clashing:
                dialogs.tell(
                    self,
                    "この日の予約",
                    "休みの時間に次の予約があります。予約の変更を忘れずに行ってください。\n"
                    + "\n".join(added.clashing),
                )

    def remove_exception(self) -> None:
        row = self._row_of(self.exceptions_view)
        if self.hours is None or row is None:
            return
        e = self.hours.exceptions[row]
        question = f"{e.date:%Y/%m/%d} の{e.kind.label}を削除しますか？"
        if dialogs.confirm(self, "休み・臨時枠の削除", question):
            self._run(doctor_hours.remove_exception, e.id)

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.runner.run(self, fn, *args, changes=Change.MASTERS, **kwargs)


class MastersPage(QWidget):
    """Two tabs: 担当医・診療枠, and 休診日・祝日."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("担当医・診療枠・休診日")
        title.setObjectName("pageTitle")
        note = QLabel("予約のカレンダーは、ここに登録した担当医の枠と休診日から空き枠を作ります。")
        note.setObjectName("muted")
        self.doctors = DoctorsPanel(runner)
        self.closures = ClosuresPanel(runner)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.doctors, "担当医・診療枠")
        self.tabs.addTab(self.closures, "休診日・祝日")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.tabs, 1)

    def reload(self) -> None:
        self.doctors.reload()
        self.closures.reload()


class MastersDialog(QDialog):
    """The masters page in its own window, opened from 設定."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("担当医・診療枠・休診日")
        fit_to_screen(self, 1180, 740)
        self.page = MastersPage(runner)
        close = QPushButton("閉じる")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 12, 12)
        layout.addWidget(self.page, 1)
        layout.addLayout(row)
        self.page.reload()
