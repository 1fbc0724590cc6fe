"""3 主治医: the referring institution and doctor (autocomplete from the master), diagnosis."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop_app.domain.japanese import search_key
from desktop_app.domain.people import INFORMED_LABELS
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.fields import MEDIUM_WIDTH, Choice, FieldRow, line_edit
from desktop_app.ui.intake.values import (
    INFORMED_NO,
    INFORMED_UNKNOWN,
    INFORMED_YES,
    DoctorValues,
    informed_code,
    informed_from_code,
)

REMINDER = (
    "主治医の先生の紹介状（専用診療情報提供書）が原則必要です。"
    "セカンドオピニオンを受けることを主治医の先生にお伝えいただき、"
    "紹介状の作成と検査資料の貸し出しをお願いするようご案内してください。"
)


def _completer(parent: QLineEdit) -> QCompleter:
    completer = QCompleter(QStringListModel(parent), parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setMaxVisibleItems(10)
    parent.setCompleter(completer)
    return completer


def _set_items(completer: QCompleter, items: list[str]) -> None:
    model = completer.model()
    assert isinstance(model, QStringListModel)
    model.setStringList(list(dict.fromkeys(i for i in items if i)))


class DoctorStep(IntakeStep):
    key = "doctor"
    title = "主治医"
    lead = "いまかかっている医療機関と主治医を伺います。一覧にない医療機関は登録時に追加されます。"

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.institution = FieldRow(
            line_edit("例：みなと内科クリニック（一部を入力すると候補）", 200)
        )
        self.department = FieldRow(line_edit("例：消化器内科", 100), width=MEDIUM_WIDTH)
        self.doctor = FieldRow(line_edit("例：北村　誠司", 100), width=MEDIUM_WIDTH)
        self.diagnosis = FieldRow(line_edit("わかる範囲で（例：胃がん）", 200))
        self.informed = Choice(
            [
                (INFORMED_YES, INFORMED_LABELS[True]),
                (INFORMED_NO, INFORMED_LABELS[False]),
                (INFORMED_UNKNOWN, INFORMED_LABELS[None]),
            ]
        )
        self.informed.set_value(INFORMED_UNKNOWN)
        self.institution_completer = _completer(self.institution.editor)
        self.department_completer = _completer(self.department.editor)
        self.doctor_completer = _completer(self.doctor.editor)

        form = self.form()
        form.addRow(self.label("紹介元医療機関"), self.institution)
        form.addRow(self.label("診療科"), self.department)
        form.addRow(self.label("主治医"), self.doctor)
        form.addRow(self.label("病名"), self.diagnosis)
        form.addRow(self.label("主治医への相談"), self.informed)
        self.body().addLayout(form)

        self.reminder = QFrame()
        self.reminder.setObjectName("noteBox")
        box = QVBoxLayout(self.reminder)
        title = QLabel("お伝えすること")
        title.setObjectName("scriptTitle")
        text = QLabel(REMINDER)
        text.setWordWrap(True)
        box.addWidget(title)
        box.addWidget(text)
        self.body().addWidget(self.reminder)
        self.body().addStretch(1)

        for row in (self.institution, self.department, self.doctor, self.diagnosis):
            row.editor.textEdited.connect(self.changed)
        self.informed.changed.connect(self.changed)
        self.informed.changed.connect(self._show_reminder)
        self.institution.editor.editingFinished.connect(self._narrow_to_institution)
        self.institution_completer.activated.connect(lambda _text: self._narrow_to_institution())
        self.context_changed()
        self._show_reminder()

    def _show_reminder(self) -> None:
        self.reminder.setVisible(self.informed.value() == INFORMED_NO)

    def context_changed(self) -> None:
        referrers = self.context.referrers
        _set_items(self.institution_completer, [r.institution for r in referrers])
        self._narrow_to_institution()

    def _narrow_to_institution(self) -> None:
        """Departments and doctors of the institution typed, or of the whole master."""
        key = search_key(self.institution.editor.text())
        entries = [r for r in self.context.referrers if not key or search_key(r.institution) == key]
        hospital = [d.name for d in self.context.departments]
        _set_items(self.department_completer, [r.department for r in entries] + hospital)
        _set_items(self.doctor_completer, [r.doctor for r in entries])

    def values(self) -> DoctorValues:
        return DoctorValues(
            institution=self.institution.editor.text(),
            department=self.department.editor.text(),
            doctor=self.doctor.editor.text(),
            diagnosis=self.diagnosis.editor.text(),
            informed=informed_from_code(self.informed.value()),
        )

    def load(self, values: DoctorValues) -> None:
        """Put saved values back (draft recovery, 破棄)."""
        self.institution.editor.setText(values.institution)
        self.department.editor.setText(values.department)
        self.doctor.editor.setText(values.doctor)
        self.diagnosis.editor.setText(values.diagnosis)
        self.informed.set_value(informed_code(values.informed))
        self._narrow_to_institution()
        self._show_reminder()

    def inputs(self) -> list[QWidget]:
        return [
            self.institution.editor,
            self.department.editor,
            self.doctor.editor,
            self.diagnosis.editor,
            self.informed,
        ]
