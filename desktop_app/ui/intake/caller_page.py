"""1 相談者: who is calling. Someone who is neither the patient nor family ends as an enquiry."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.domain.eligibility import THIRD_PARTY, reason_by_code
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import Relationship, check_relation
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.fields import (
    MEDIUM_WIDTH,
    SHORT_WIDTH,
    FieldRow,
    beside,
    check_fax,
    check_furigana,
    check_phone,
    check_required,
    line_edit,
)
from desktop_app.ui.intake.values import CallerValues
from desktop_app.ui.relation_choice import SELF_CODE, RelationChoice


class CallerStep(IntakeStep):
    key = "caller"
    title = "相談者"
    lead = "お電話の方の患者さんとのご関係（続柄）を伺います。ご本人・ご家族以外の方は対象外です。"

    enquiry_requested = Signal()

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        # One question, the relation itself (父, 妻…); the category follows for statistics.
        self.relationship = RelationChoice()
        self.relationship.set_value(SELF_CODE)
        self.name = FieldRow(line_edit("例：山田　花子", 100), width=MEDIUM_WIDTH, note=True)
        self.furigana = FieldRow(line_edit("例：ヤマダ　ハナコ", 100), width=MEDIUM_WIDTH)
        self.phone = FieldRow(line_edit("例：090-1234-5678", 20), width=SHORT_WIDTH, note=True)
        self.phone.set_note("折り返しの連絡先")
        # A family caller's home fax, where forms can be faxed (ご本人: the patient's page asks).
        self.fax = FieldRow(line_edit("例：0144-11-2234", 20), width=SHORT_WIDTH)
        self.fax.editor.setAccessibleName("相談者のFAX")

        form = self.form()
        form.addRow(self.label("ご関係（続柄）", required=True), self.relationship)
        form.addRow(self.label("相談者の氏名"), self.name)
        form.addRow(self.label("相談者のフリガナ"), self.furigana)
        form.addRow(self.label("相談者の電話番号"), beside(self.phone, "FAX", self.fax))
        self.body().addLayout(form)

        self.third_party = QFrame()
        self.third_party.setObjectName("scriptBox")
        box = QVBoxLayout(self.third_party)
        heading = QLabel("対象外：ご本人・ご家族以外からのご相談")
        heading.setObjectName("scriptTitle")
        read_out = QLabel("次のようにお伝えしてください：")
        self.script = QLabel()
        self.script.setObjectName("script")
        self.script.setWordWrap(True)
        self.enquiry_button = QPushButton("問い合わせとして記録して終了（案件は作りません）")
        self.enquiry_button.setObjectName("primary")
        self.enquiry_button.clicked.connect(self._request_enquiry)
        for widget in (heading, read_out, self.script):
            box.addWidget(widget)
        row = QHBoxLayout()
        row.addWidget(self.enquiry_button)
        row.addStretch(1)
        box.addLayout(row)
        self.body().addWidget(self.third_party)
        self.body().addStretch(1)

        self.relationship.changed.connect(self._relationship_changed)
        self.relationship.changed.connect(self.changed)
        for field in (self.name, self.furigana, self.phone, self.fax):
            field.editor.textEdited.connect(self.changed)
        self.name.editor.editingFinished.connect(self._check_name)
        self.furigana.editor.editingFinished.connect(
            lambda: check_furigana(self.furigana, required=False, field="caller_furigana")
        )
        self.phone.editor.editingFinished.connect(lambda: check_phone(self.phone))
        self.fax.editor.editingFinished.connect(lambda: check_fax(self.fax, "caller_fax"))
        self._relationship_changed()

    def current_relationship(self) -> Relationship:
        return self.relationship.category() or Relationship.SELF

    def _relationship_changed(self) -> None:
        rel = self.current_relationship()
        is_self = rel == Relationship.SELF
        for row in (self.name, self.furigana, self.fax):
            row.editor.setEnabled(not is_self)
            if is_self:
                row.set_error("")
        self.name.set_note("ご本人のお名前は次の「患者」で伺います" if is_self else "")
        reason = reason_by_code(self.context.settings.exclusion_reasons, THIRD_PARTY)
        self.script.setText(reason.script if reason else "")
        self.third_party.setVisible(not rel.is_eligible)

    def _check_name(self) -> bool:
        if self.current_relationship() == Relationship.SELF:
            return True
        return check_required(self.name, "相談者の氏名を入力してください。")

    def _request_enquiry(self) -> None:
        if self._check_name() & check_phone(self.phone):
            self.enquiry_requested.emit()

    def is_third_party(self) -> bool:
        return not self.current_relationship().is_eligible

    def values(self) -> CallerValues:
        return CallerValues(
            relationship=self.current_relationship(),
            relation=self.relationship.relation(),
            name=self.name.editor.text(),
            furigana=self.furigana.editor.text(),
            phone=self.phone.editor.text(),
            fax=self.fax.editor.text(),
        )

    def load(self, values: CallerValues) -> None:
        """Put saved values back (draft recovery, 破棄)."""
        self.relationship.set_relation(values.relationship, values.relation)
        self.name.editor.setText(values.name)
        self.furigana.editor.setText(values.furigana)
        self.phone.editor.setText(values.phone)
        self.fax.editor.setText(values.fax)
        self._relationship_changed()

    def validate(self) -> bool:
        ok = self._check_name()
        ok &= self.current_relationship() == Relationship.SELF or check_furigana(
            self.furigana, required=False, field="caller_furigana"
        )
        ok &= check_phone(self.phone)
        ok &= self.current_relationship() == Relationship.SELF or check_fax(self.fax, "caller_fax")
        try:
            check_relation(self.current_relationship(), self.relationship.relation())
        except ValidationError as exc:
            self.relationship.set_error(exc.message)
            ok = False
        return ok and not self.is_third_party()

    def inputs(self) -> list[QWidget]:
        return [
            self.relationship,
            self.name.editor,
            self.furigana.editor,
            self.phone.editor,
            self.fax.editor,
        ]

    def context_changed(self) -> None:
        self._relationship_changed()
