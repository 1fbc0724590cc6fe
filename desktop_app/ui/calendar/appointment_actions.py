"""What the clerk can do to one appointment from the calendar: cancel, no-show, 日時連絡済."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.documents import NOTIFY_CHANNELS, Channel
from desktop_app.domain.errors import ValidationError
from desktop_app.services.booking import (
    BookingWarning,
    cancel_appointment,
    mark_notified,
    reschedule,
)
from desktop_app.services.calendar import CalendarAppointment
from desktop_app.services.dto import CaseDetail
from desktop_app.ui import actions, booking_dialog
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.keys import enter_presses, never_on_enter
from desktop_app.ui.value_combo import ValueCombo


def _when(a: CalendarAppointment) -> str:
    return f"{a.date.month}月{a.date.day}日 {a.start:%H:%M} {a.patient} 様"


def ask_cancel(parent: QWidget, appointment: CalendarAppointment) -> tuple[str, bool] | None:
    """(reason, end the case) for a cancellation, or None. Tests patch it."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("予約のキャンセル")
    reason = QLineEdit()
    reason.setPlaceholderText("例：体調不良のため")
    keep = QRadioButton("案件を続ける（日程を取り直す）")
    end = QRadioButton("案件を終了する")
    keep.setChecked(True)
    # Not the box's Ok (AcceptRole): the box makes that the default when it shows, and a
    # default button takes Enter when focused, so a tab to it and Enter cancelled.
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    record = buttons.addButton("キャンセルを記録", QDialogButtonBox.ButtonRole.ActionRole)
    record.clicked.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout()
    form.addRow("予約", QLineEdit(_when(appointment), readOnly=True))
    form.addRow("理由", reason)
    form.addRow("", keep)
    form.addRow("", end)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(buttons)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("戻る")
    enter_presses(dialog, None)  # a cancellation is clicked, never pressed by Enter
    never_on_enter(record)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return reason.text().strip(), end.isChecked()


def confirm_no_show(parent: QWidget, appointment: CalendarAppointment) -> bool:
    """Ask before recording 無断キャンセル. Tests patch it."""
    answer = QMessageBox.question(
        parent, "無断キャンセル", f"{_when(appointment)}の予約を無断キャンセルとして記録しますか？"
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_notified(parent: QWidget, appointment: CalendarAppointment) -> tuple[Channel, bool] | None:
    """(channel, the primary doctor told too) for 日時連絡済, or None. Tests patch it."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("日時連絡済")
    channel = ValueCombo()
    for c in NOTIFY_CHANNELS:
        channel.add(c.label, c)
    doctor_too = QCheckBox("主治医にも連絡した")
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout(dialog)
    form.addRow("予約", QLineEdit(_when(appointment), readOnly=True))
    form.addRow("連絡方法", channel)
    form.addRow("", doctor_too)
    form.addRow(buttons)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
    enter_presses(dialog, buttons.button(QDialogButtonBox.StandardButton.Ok))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return channel.value(), doctor_too.isChecked()


def cancel(
    runner: ServiceRunner, parent: QWidget, appointment: CalendarAppointment
) -> CaseDetail | None:
    answer = ask_cancel(parent, appointment)
    if answer is None:
        return None
    reason, end_case = answer
    return runner.run(
        parent,
        cancel_appointment,
        appointment.id,
        reason=reason,
        end_case=end_case,
        changes=Change.CASES,
    )


def no_show(
    runner: ServiceRunner, parent: QWidget, appointment: CalendarAppointment
) -> CaseDetail | None:
    if not confirm_no_show(parent, appointment):
        return None
    return runner.run(
        parent, cancel_appointment, appointment.id, reason="", no_show=True, changes=Change.CASES
    )


def notified(
    runner: ServiceRunner, parent: QWidget, appointment: CalendarAppointment
) -> CaseDetail | None:
    answer = ask_notified(parent, appointment)
    if answer is None:
        return None
    channel, doctor_too = answer
    return runner.run(
        parent,
        mark_notified,
        appointment.id,
        on=clock.today(),
        channel=channel,
        doctor_too=doctor_too,
        changes=Change.CASES,
    )


def move(
    runner: ServiceRunner,
    parent: QWidget,
    old: CalendarAppointment,
    doctor_id: int | None,
    day: dt.date,
    start: dt.time,
    reason: str = "",
) -> CaseDetail | None:
    """Move a session (dragged in the grid); a warning asks for a reason and tries again."""
    warned: list[BookingWarning] = []

    def on_error(exc: ValidationError) -> None:
        if isinstance(exc, BookingWarning):
            warned.append(exc)
        else:
            actions.show_error(parent, exc.message)

    done = runner.run(
        parent,
        reschedule,
        old.id,
        doctor_id=doctor_id or old.doctor_id,
        date=day,
        start=start,
        minutes=old.minutes,
        override_reason=reason,
        changes=Change.CASES,
        on_error=on_error,
    )
    if warned:
        answer = booking_dialog.ask_override_reason(parent, warned[0].warnings)
        return move(runner, parent, old, doctor_id, day, start, answer) if answer else None
    return done
