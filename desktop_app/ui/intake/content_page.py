"""4 相談内容: what the caller wants to ask, and the screening questions for exclusions."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.eligibility import ExclusionReason, Route, screening_questions
from desktop_app.domain.people import ConsultationCategory
from desktop_app.ui import text_size
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.fields import MEDIUM_WIDTH, Choice, FieldRow, line_edit
from desktop_app.ui.intake.state import screening_hits
from desktop_app.ui.intake.values import ContentValues
from desktop_app.ui.value_combo import ValueCombo

UNANSWERED = (
    "対象外にあたる回答があります。「対象外として登録へ進む」を押すか、回答を見直してください。"
)


class ContentStep(IntakeStep):
    key = "content"
    title = "相談内容"
    lead = "ご相談の内容を伺い、最後に確認の質問をします（はいの場合はチェック）。"

    exclusion_confirmed = Signal()

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.exclusion_code = ""
        self.category = Choice([(c.value, c.label) for c in ConsultationCategory], columns=2)
        self.category.set_value(ConsultationCategory.OTHER)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("例：手術を勧められたが、薬の治療もできないか聞きたい")
        text_size.keep(self.text, fixed_height=72)
        self.department = ValueCombo()
        text_size.keep(self.department, fixed_width=MEDIUM_WIDTH)
        self.dates = FieldRow(line_edit("例：平日の午前、12月中旬以降", 300))

        form = self.form()
        form.addRow(self.label("相談の種類"), self.category)
        form.addRow(self.label("相談内容"), self.text)
        form.addRow(self.label("希望する診療科"), self.department)
        form.addRow(self.label("希望日"), self.dates)
        self.body().addLayout(form)

        self.questions_box = QGroupBox("確認の質問（対象外の確認）")
        self.questions_layout = QVBoxLayout(self.questions_box)
        self.questions_layout.setSpacing(4)
        self.checks: dict[str, QCheckBox] = {}
        self.body().addWidget(self.questions_box)

        self.hit_box = QFrame()
        self.hit_box.setObjectName("scriptBox")
        self.hit_layout = QVBoxLayout(self.hit_box)
        self.hit_text = QLabel()
        self.hit_text.setWordWrap(True)
        self.hit_text.setObjectName("script")
        self.confirm_button = QPushButton("対象外として登録へ進む")
        self.confirm_button.setObjectName("primary")
        self.confirm_button.clicked.connect(self.confirm_exclusion)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addStretch(1)
        self.hit_error = QLabel()
        self.hit_error.setObjectName("fieldError")
        self.hit_error.hide()
        self.hit_layout.addWidget(self.hit_text)
        self.hit_layout.addLayout(buttons)
        self.hit_layout.addWidget(self.hit_error)
        self.hit_box.hide()
        self.body().addWidget(self.hit_box)
        self.body().addStretch(1)

        self.category.changed.connect(self.changed)
        self.text.textChanged.connect(self.changed)
        self.department.currentIndexChanged.connect(self.changed)
        self.dates.editor.textEdited.connect(self.changed)
        self.context_changed()

    def context_changed(self) -> None:
        chosen = self.department.value()
        self.department.blockSignals(True)
        self.department.clear()
        self.department.add("指定なし", None)
        for dep in self.context.departments:
            self.department.add(dep.name, dep.id)
        self._select_department(chosen)
        self.department.blockSignals(False)
        answers = self.answers()
        for check in self.checks.values():
            self.questions_layout.removeWidget(check)
            check.deleteLater()
        self.checks = {}
        for reason in screening_questions(self.context.settings.exclusion_reasons):
            check = QCheckBox(reason.screening_question)
            check.setChecked(answers.get(reason.code, False))
            check.toggled.connect(self._answers_changed)
            self.questions_layout.addWidget(check)
            self.checks[reason.code] = check
        self.questions_box.setVisible(bool(self.checks))
        self._show_hits()

    def _select_department(self, dep_id: object) -> None:
        index = self.department.index_of(dep_id) if dep_id is not None else 0
        self.department.setCurrentIndex(max(index, 0))

    def answers(self) -> dict[str, bool]:
        return {code: check.isChecked() for code, check in self.checks.items()}

    def hits(self) -> tuple[ExclusionReason, ...]:
        content = replace(self.snapshot.content, answers=self.answers())
        return screening_hits(replace(self.snapshot, content=content), self.context.settings)

    def _answers_changed(self) -> None:
        if self.exclusion_code not in {r.code for r in self.hits()}:
            self.exclusion_code = ""
        self._show_hits()
        self.changed.emit()

    def _show_hits(self) -> None:
        hits = [r for r in self.hits() if r.code in self.checks]
        self.hit_error.hide()
        if not hits:
            self.hit_box.hide()
            return
        parts = []
        for reason in hits:
            route = (
                f"<br>ご案内先：<b>{reason.route.label}</b>" if reason.route != Route.NONE else ""
            )
            parts.append(
                f"<b style='color:#b3261e'>対象外：{reason.label}</b><br>"
                f"次のようにお伝えしてください：<br>「{reason.script}」{route}"
            )
        self.hit_text.setText("<br><br>".join(parts))
        self.hit_box.show()

    def confirm_exclusion(self) -> None:
        hits = [r for r in self.hits() if r.code in self.checks]
        if not hits:
            return
        self.exclusion_code = hits[0].code
        self.changed.emit()
        self.exclusion_confirmed.emit()

    def values(self) -> ContentValues:
        department = self.department.value()
        return ContentValues(
            category=ConsultationCategory(self.category.value() or ConsultationCategory.OTHER),
            text=self.text.toPlainText(),
            department_id=department if isinstance(department, int) else None,
            dates=self.dates.editor.text(),
            answers=self.answers(),
            exclusion_code=self.exclusion_code,
        )

    def load(self, values: ContentValues) -> None:
        """Put saved values back (draft recovery, 破棄)."""
        self.category.set_value(values.category)
        self.text.setPlainText(values.text)
        self._select_department(values.department_id)
        self.dates.editor.setText(values.dates)
        for code, check in self.checks.items():
            check.blockSignals(True)
            check.setChecked(bool(values.answers.get(code)))
            check.blockSignals(False)
        self.exclusion_code = values.exclusion_code
        self._show_hits()

    def validate(self) -> bool:
        if any(r.code in self.checks for r in self.hits()):
            self.hit_error.setText(UNANSWERED)
            self.hit_error.show()
            return False
        return True

    def inputs(self) -> list[QWidget]:
        return [
            self.category,
            self.text,
            self.department,
            self.dates.editor,
            *self.checks.values(),
        ]
