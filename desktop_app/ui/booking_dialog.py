"""Booking (or moving) a session: a doctor, the next free slots, 30 or 60 minutes, 予約する."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.wareki import weekday_ja
from desktop_app.services.booking import BookingWarning, SlotData, book, find_free_slots, reschedule
from desktop_app.services.booking_targets import BookingTarget, booking_target
from desktop_app.services.dto import CaseDetail, DoctorData
from desktop_app.services.masters import list_doctors
from desktop_app.ui import text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.layout_tools import fit_to_screen
from desktop_app.ui.print_menu import open_preview
from desktop_app.ui.value_combo import ValueCombo

Preset = tuple[int, dt.date, dt.time]  # doctor id, date, start
SLOT_LIMIT = 40


def ask_override_reason(parent: QWidget, warnings: tuple[str, ...]) -> str | None:
    """The warnings, and the reason the clerk books anyway (None: not booked). Tests patch it."""
    text, ok = QInputDialog.getText(
        parent,
        "確認してください",
        "\n".join(warnings) + "\n\nこのまま予約する場合は理由を入力してください：",
    )
    return text.strip() if ok and text.strip() else None


def offer_confirmation(parent: QWidget) -> bool:
    """Ask whether to print the 予約確認書 now. Tests patch it."""
    answer = QMessageBox.question(
        parent,
        "予約しました",
        "予約確認書を印刷しますか？",
        defaultButton=QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


def slot_text(slot: SlotData) -> str:
    extension = "　延長可" if slot.extendable else ""
    late = "" if slot.materials_in_time else "　※資料の期限に間に合いません"
    return (
        f"{slot.date.month:>2}月{slot.date.day:>2}日（{weekday_ja(slot.date)}）　{slot.start:%H:%M}"
        f"　{slot.doctor}（{slot.department}）{extension}{late}"
    )


class BookingDialog(QDialog):
    def __init__(
        self,
        runner: ServiceRunner,
        case_id: int,
        parent: QWidget | None = None,
        *,
        preset: Preset | None = None,
        appointment_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.case_id = case_id
        self.preset = preset
        self.appointment_id = appointment_id  # set: reschedule this appointment
        self.result_: CaseDetail | None = None
        self.target: BookingTarget | None = runner.read(self, booking_target, case_id)
        self._doctors: tuple[DoctorData, ...] = runner.read(self, list_doctors) or ()
        moving = appointment_id is not None
        self.setWindowTitle("予約の日時変更" if moving else "予約")
        fit_to_screen(self, 620, 520)

        who = QLabel(f"{self.target.case_number}　{self.target.patient} 様" if self.target else "")
        who.setObjectName("pageTitle")
        self.doctor_combo = ValueCombo()
        self._fill_doctors()
        self.doctor_combo.currentIndexChanged.connect(self.load_slots)

        self.slot_list = QListWidget()
        text_size.set_style(self.slot_list, "QListWidget::item { padding: 4px 6px; }")
        self.slot_list.itemActivated.connect(lambda _item: self.submit())
        self.slot_list.currentItemChanged.connect(lambda *_: self._fit_minutes())
        self.minutes_30 = QRadioButton("30分")
        self.minutes_60 = QRadioButton("60分（延長）")
        self.minutes_30.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.minutes_30)
        group.addButton(self.minutes_60)
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.setWordWrap(True)

        self.book_button = QPushButton("日時を変更する" if moving else "予約する")
        self.book_button.setObjectName("primary")
        self.book_button.setDefault(True)
        self.book_button.clicked.connect(self.submit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.book_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        doctor_row = QHBoxLayout()
        doctor_row.addWidget(QLabel("担当医"))
        doctor_row.addWidget(self.doctor_combo, 1)
        minutes_row = QHBoxLayout()
        minutes_row.addWidget(QLabel("時間"))
        minutes_row.addWidget(self.minutes_30)
        minutes_row.addWidget(self.minutes_60)
        minutes_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addLayout(doctor_row)
        layout.addWidget(QLabel("空いている枠（↑↓で選び Enter で予約）"))
        layout.addWidget(self.slot_list, 1)
        layout.addLayout(minutes_row)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.load_slots()
        self._fit_width()
        self.slot_list.setFocus()

    def _fit_width(self) -> None:
        """Wide enough that no slot row is cut off (within the screen)."""
        wanted = self.slot_list.sizeHintForColumn(0) + 2 * self.slot_list.frameWidth() + 80
        screen = self.screen().availableGeometry().width() if self.screen() else wanted
        self.resize(max(self.width(), min(wanted, screen - 40)), self.height())

    def _fill_doctors(self) -> None:
        """The case's department first (its chosen doctor at the top), then everyone else."""
        target = self.target
        department = target.department_id if target else None
        mine = [d for d in self._doctors if d.department_id == department]
        if target and target.doctor_id:
            mine.sort(key=lambda d: d.id != target.doctor_id)
        others = [d for d in self._doctors if d.department_id != department]
        if mine:
            self.doctor_combo.add(f"{mine[0].department}の担当医すべて", tuple(d.id for d in mine))
        for d in mine + others:
            self.doctor_combo.add(f"{d.name}（{d.department}）", (d.id,))
        if not mine:
            self.doctor_combo.insert(0, "すべての担当医", tuple(d.id for d in others))
        # The doctor of the slot clicked in the calendar, else the one the decision named,
        # so the list starts there (the department's other doctors are one choice away).
        chosen = self.preset[0] if self.preset is not None else (target and target.doctor_id)
        if chosen:
            found = self.doctor_combo.index_of((chosen,))
            if found >= 0:
                self.doctor_combo.setCurrentIndex(found)
        self.doctor_combo.setCurrentIndex(max(self.doctor_combo.currentIndex(), 0))

    def load_slots(self) -> None:
        """The next free slots of the chosen doctor(s), from today on whether booking or
        moving; the preset one (the cell clicked) in the list and selected."""
        ids = self.doctor_combo.value() or ()
        slots = self._runner.read(
            self, find_free_slots, doctor_ids=tuple(ids), preset=self.preset, limit=SLOT_LIMIT
        )
        self.slot_list.clear()
        for slot in slots or ():
            item = QListWidgetItem(slot_text(slot))
            item.setData(Qt.ItemDataRole.UserRole, slot)
            if not slot.materials_in_time:
                item.setForeground(QColor("#8a5a00"))
            self.slot_list.addItem(item)
        # The first slot the materials can still arrive for; a preset slot wins.
        chosen = next(
            (
                row
                for row in range(self.slot_list.count())
                if self.slot_list.item(row).data(Qt.ItemDataRole.UserRole).materials_in_time
            ),
            0,
        )
        if self.preset is not None:
            doctor_id, day, start = self.preset
            for row in range(self.slot_list.count()):
                s: SlotData = self.slot_list.item(row).data(Qt.ItemDataRole.UserRole)
                if (s.doctor_id, s.date, s.start) == (doctor_id, day, start):
                    chosen = row
                    break
        if self.slot_list.count():
            self.slot_list.setCurrentRow(chosen)
        else:
            self.error_label.setText("この条件では6週間先まで空いている枠がありません。")
        self._fit_minutes()

    def selected_slot(self) -> SlotData | None:
        item = self.slot_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _fit_minutes(self) -> None:
        slot = self.selected_slot()
        extendable = slot is not None and slot.extendable
        self.minutes_60.setEnabled(extendable)
        if not extendable:
            self.minutes_30.setChecked(True)

    def minutes(self) -> int:
        return 60 if self.minutes_60.isChecked() else 30

    def submit(self, override_reason: str = "") -> CaseDetail | None:
        """Book (or move to) the selected slot; a warning asks for a reason and tries again."""
        slot = self.selected_slot()
        if slot is None:
            self.error_label.setText("枠を選んでください。")
            return None
        self.error_label.clear()
        warned: list[BookingWarning] = []

        def on_error(exc: ValidationError) -> None:
            if isinstance(exc, BookingWarning):
                warned.append(exc)
            else:
                self.error_label.setText(exc.message)

        common: dict[str, Any] = {
            "doctor_id": slot.doctor_id,
            "date": slot.date,
            "start": slot.start,
            "minutes": self.minutes(),
            "override_reason": override_reason,
        }
        if self.appointment_id is not None:
            done = self._runner.run(
                self,
                reschedule,
                self.appointment_id,
                changes=Change.CASES,
                on_error=on_error,
                **common,
            )
        else:
            done = self._runner.run(
                self, book, self.case_id, changes=Change.CASES, on_error=on_error, **common
            )
        if warned:
            reason = ask_override_reason(self, warned[0].warnings)
            return self.submit(reason) if reason else None
        if done is None:
            self.load_slots()  # the slot may just have gone to another desk
            return None
        self.result_ = done
        if offer_confirmation(self):
            open_preview(self._runner, self.parentWidget() or self, FormKind.CONFIRMATION, done.id)
        self.accept()
        return done
