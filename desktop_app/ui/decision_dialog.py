"""担当医確認: the doctor's decision on a case (department, doctor, 受入/お断り/一般外来へ)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
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

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision
from desktop_app.services.decisions import DecisionResult, record_decision
from desktop_app.services.dto import CaseDetail
from desktop_app.services.masters import list_departments, list_doctors
from desktop_app.ui import text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.keys import enter_presses
from desktop_app.ui.layout_tools import fit_date_edit
from desktop_app.ui.print_menu import open_preview
from desktop_app.ui.value_combo import ValueCombo

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


CHOOSE_DOCTOR = "（担当医を選んでください）"


class DecisionDialog(QDialog):
    """Record the second-opinion doctor's decision; ``result`` holds it after 記録."""

    def __init__(self, runner: ServiceRunner, detail: CaseDetail, parent: QWidget | None = None):
        super().__init__(parent)
        self._runner = runner
        self.detail = detail
        self.result_: DecisionResult | None = None
        self.setWindowTitle(f"担当医確認 － {detail.case_number} {detail.patient.name} 様")

        self.department_combo = ValueCombo()
        text_size.keep(self.department_combo, minimum_width=220)
        for dep in runner.read(self, list_departments) or ():
            self.department_combo.add(dep.name, dep.id)
        self.doctor_combo = ValueCombo()
        # The department already decided, else the one the caller asked for; no doctor is
        # chosen for the clerk (記録 with the first name in the list recorded the wrong one).
        wanted = detail.department or detail.desired_department
        found = self.department_combo.findText(wanted) if wanted else -1
        self.department_combo.setCurrentIndex(max(found, 0))
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
        text_size.keep(self.reason_edit, minimum_width=320)
        self.date_edit = QDateEdit(QDate(clock.today()))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy/MM/dd")
        self.date_edit.setMaximumDate(QDate(clock.today()))
        fit_date_edit(self.date_edit)
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
        self.record_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.doctor_combo.currentIndexChanged.connect(self._update)
        self._fill_doctors()
        if detail.doctor:
            self.doctor_combo.setCurrentIndex(max(self.doctor_combo.findText(detail.doctor), 0))
        # The decision moves the case (不可 ends it): it is clicked, never pressed by Enter.
        enter_presses(self, None)

    def _fill_doctors(self) -> None:
        self.doctor_combo.clear()
        dep_id = self.department_combo.value()
        if dep_id is None:
            self._update()
            return
        self.doctor_combo.add(CHOOSE_DOCTOR, None)
        for doc in self._runner.read(self, list_doctors, dep_id) or ():
            self.doctor_combo.add(doc.name, doc.id)
        self._update()

    def _update(self) -> None:
        chosen = self.doctor_combo.value() is not None
        self.record_button.setEnabled(chosen)
        self.record_button.setToolTip("" if chosen else "担当医を選んでください")

    def set_decision(self, decision: Decision) -> None:
        self.decision_group.button(CHOICES.index(decision)).setChecked(True)

    def save(self) -> None:
        dep_id, doctor_id = self.department_combo.value(), self.doctor_combo.value()
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
