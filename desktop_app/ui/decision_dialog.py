"""担当医確認: the doctor's decision on a case (department, doctor, 受入/お断り/一般外来へ)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision
from desktop_app.services.decisions import DecisionResult, record_decision
from desktop_app.services.dto import CaseDetail
from desktop_app.services.masters import list_departments, list_doctors
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.print_menu import open_preview

CHOICES = (Decision.ACCEPTED, Decision.DECLINED, Decision.GENERAL_OUTPATIENT)


def letter_for(result: DecisionResult) -> FormKind:
    """お断りのご連絡 for a decline; the cover letter when the case goes to general outpatient."""
    return FormKind.DECLINE if result.case.decision is Decision.DECLINED else FormKind.COVER


def offer_letter(parent: QWidget, result: DecisionResult) -> bool:
    """Ask whether to prepare the letter to the caller now. Tests patch this."""
    how = result.notify_channel.label if result.notify_channel else ""
    answer = QMessageBox.question(
        parent,
        "ご連絡",
        f"この案件は終了しました（{result.case.end_reason}）。\n"
        f"{result.notify_name} 様へのお知らせ（{letter_for(result).menu_label}、{how}）を"
        "今作成しますか？",
    )
    return answer == QMessageBox.StandardButton.Yes


class DecisionDialog(QDialog):
    """Record the second-opinion doctor's decision; ``result`` holds it after 記録."""

    def __init__(self, runner: ServiceRunner, detail: CaseDetail, parent: QWidget | None = None):
        super().__init__(parent)
        self._runner = runner
        self.detail = detail
        self.result_: DecisionResult | None = None
        self.setWindowTitle(f"担当医確認 － {detail.case_number} {detail.patient.name} 様")

        self.department_combo = QComboBox()
        self.department_combo.setMinimumWidth(220)
        for dep in runner.read(self, list_departments) or ():
            self.department_combo.addItem(dep.name, dep.id)
        self.doctor_combo = QComboBox()
        self.department_combo.currentIndexChanged.connect(self._fill_doctors)

        self.decision_group = QButtonGroup(self)
        decision_row = QHBoxLayout()
        for index, decision in enumerate(CHOICES):
            button = QRadioButton(decision.label)
            self.decision_group.addButton(button, index)
            decision_row.addWidget(button)
        decision_row.addStretch(1)
        self.decision_group.button(0).setChecked(True)

        self.reason_edit = QLineEdit(detail.decision_reason)
        self.reason_edit.setPlaceholderText("お断りの場合は必須")
        self.reason_edit.setMinimumWidth(320)
        self.date_edit = QDateEdit(QDate(dt.date.today()))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy/MM/dd")
        self.date_edit.setMaximumDate(QDate(dt.date.today()))
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow("診療科", self.department_combo)
        form.addRow("担当医", self.doctor_combo)
        form.addRow("判断", decision_row)
        form.addRow("理由", self.reason_edit)
        form.addRow("判断日", self.date_edit)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("記録")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self._fill_doctors()

    def _fill_doctors(self) -> None:
        self.doctor_combo.clear()
        dep_id = self.department_combo.currentData()
        if dep_id is None:
            return
        for doc in self._runner.read(self, list_doctors, dep_id) or ():
            self.doctor_combo.addItem(doc.name, doc.id)

    def set_decision(self, decision: Decision) -> None:
        self.decision_group.button(CHOICES.index(decision)).setChecked(True)

    def save(self) -> None:
        dep_id, doctor_id = self.department_combo.currentData(), self.doctor_combo.currentData()
        if dep_id is None or doctor_id is None:
            self.error_label.setText("診療科と担当医を選んでください。")
            return
        result = self._runner.run(
            self,
            record_decision,
            self.detail.id,
            department_id=dep_id,
            doctor_id=doctor_id,
            decision=CHOICES[self.decision_group.checkedId()],
            reason=self.reason_edit.text(),
            on=self.date_edit.date().toPython(),
            expected_version=self.detail.version,
            changes=Change.CASES,
            on_error=lambda exc: self.error_label.setText(exc.message),
        )
        if result is None:
            return
        self.result_ = result
        self.accept()
        if result.ended and offer_letter(self.parentWidget() or self, result):
            open_preview(
                self._runner, self.parentWidget() or self, letter_for(result), result.case.id
            )
