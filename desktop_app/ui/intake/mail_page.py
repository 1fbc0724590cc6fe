"""6 送付: where and how the mail-out packet goes, and what is in it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from desktop_app.domain.contact import format_postal, validate_postal
from desktop_app.domain.documents import Channel, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.services.postal import lookup
from desktop_app.ui.intake.attendance_page import bullet_list
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.fields import MEDIUM_WIDTH, SHORT_WIDTH, Choice, FieldRow, line_edit
from desktop_app.ui.intake.patient_page import NOT_FOUND
from desktop_app.ui.intake.state import MAIL_TO_OTHER, MAIL_TO_PATIENT, needs, page, text

CHANNELS = (Channel.MAIL, Channel.FAX, Channel.HANDED)


class MailStep(IntakeStep):
    key = "mail"
    title = "送付"
    lead = "ご案内・申込書などをお送りする先と方法を伺います。"

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._filled_address = ""
        self.channel = Choice([(c.value, c.label) for c in CHANNELS])
        self.channel.set_value(Channel.MAIL)
        self.target = Choice(
            [(MAIL_TO_PATIENT, "患者さんのご住所"), (MAIL_TO_OTHER, "別の宛先（ご家族など）")]
        )
        self.target.set_value(MAIL_TO_PATIENT)
        self.patient_address = QLabel()
        self.patient_address.setWordWrap(True)
        self.patient_error = QLabel()
        self.patient_error.setObjectName("fieldError")
        self.patient_error.hide()
        patient_box = QWidget()
        patient_layout = QVBoxLayout(patient_box)
        patient_layout.setContentsMargins(0, 0, 0, 0)
        patient_layout.addWidget(self.patient_address)
        patient_layout.addWidget(self.patient_error)
        self.name = FieldRow(line_edit("例：山田　花子 様", 100), width=MEDIUM_WIDTH)
        self.postal = FieldRow(line_edit("例：053-0022", 10), width=SHORT_WIDTH, note=True)
        self.address = FieldRow(line_edit("番地・建物名まで", 300))

        form = self.form()
        form.addRow(self.label("送付方法", required=True), self.channel)
        form.addRow(self.label("送付先", required=True), self.target)
        form.addRow(self.label("患者さんのご住所"), patient_box)
        form.addRow(self.label("宛名"), self.name)
        form.addRow(self.label("郵便番号"), self.postal)
        form.addRow(self.label("住所"), self.address)
        self.body().addLayout(form)

        box = QGroupBox("お送りする書類")
        box_layout = QVBoxLayout(box)
        self.documents = QLabel()
        box_layout.addWidget(self.documents)
        self.body().addWidget(box)
        self.body().addStretch(1)

        self.channel.changed.connect(self.changed)
        self.target.changed.connect(self.changed)
        self.target.changed.connect(self._target_changed)
        for row in (self.name, self.postal, self.address):
            row.editor.textEdited.connect(self.changed)
        self.postal.editor.textChanged.connect(self._postal_typed)
        self.postal.editor.editingFinished.connect(self._postal_left)
        self._target_changed()

    def _to_other(self) -> bool:
        return self.target.value() == MAIL_TO_OTHER

    def _target_changed(self) -> None:
        other = self._to_other()
        for row in (self.name, self.postal, self.address):
            row.editor.setEnabled(other)
            if not other:
                row.set_error("")
        self.patient_error.hide()

    def _postal_typed(self, value: str) -> None:
        try:
            digits = validate_postal(value)
        except ValidationError:
            self.postal.set_note("")
            return
        self.postal.set_error("")
        found = lookup(digits) if digits else None
        if digits and found is None:
            self.postal.set_note(NOT_FOUND)
            return
        self.postal.set_note(found.text if found else "")
        address = self.address.editor.text().strip()
        if found and (not address or address == self._filled_address):
            self.address.editor.setText(found.text)
            self._filled_address = found.text
            self.changed.emit()

    def _postal_left(self) -> bool:
        try:
            digits = validate_postal(self.postal.editor.text())
        except ValidationError as exc:
            self.postal.set_error(exc.message)
            return False
        if digits:
            self.postal.editor.setText(format_postal(digits, mark=False))
        self.postal.set_error("")
        return True

    def enter(self, snapshot: dict[str, dict[str, Any]]) -> None:
        super().enter(snapshot)
        patient = page(snapshot, "patient")
        postal = text(patient, "postal")
        address = text(patient, "address")
        shown = f"{text(patient, 'name')} 様　{('〒' + postal + '　') if postal else ''}{address}"
        self.patient_address.setText(shown if address else "（住所が未入力です）")
        need = needs(snapshot, self.context.settings, self.context.today())
        self.documents.setText(bullet_list(need.mailout, frozenset({DocumentKind.CONSENT_FORM})))

    def values(self) -> dict[str, Any]:
        return {
            "channel": self.channel.value() or Channel.MAIL.value,
            "target": self.target.value() or MAIL_TO_PATIENT,
            "name": self.name.editor.text(),
            "postal": self.postal.editor.text(),
            "address": self.address.editor.text(),
        }

    def load(self, values: dict[str, Any]) -> None:
        self.channel.set_value(values.get("channel") or Channel.MAIL)
        self.target.set_value(values.get("target") or MAIL_TO_PATIENT)
        for name in ("name", "postal", "address"):
            row: FieldRow = getattr(self, name)
            row.editor.setText(values.get(name, ""))
        self._target_changed()

    def validate(self) -> bool:
        by_mail = self.channel.value() == Channel.MAIL
        if not self._to_other():
            has_address = bool(text(page(self.snapshot, "patient"), "address"))
            if by_mail and not has_address:
                self.patient_error.setText(
                    "郵送には住所が必要です。「患者」に戻って住所を入力するか、別の宛先を選んでください。"
                )
                self.patient_error.show()
                return False
            return True
        ok = self._postal_left()
        for row, message in (
            (self.name, "宛名を入力してください。"),
            (self.address, "送付先の住所を入力してください。"),
        ):
            missing = not row.editor.text().strip()
            row.set_error(message if missing and by_mail else "")
            ok &= not (missing and by_mail)
        return ok

    def inputs(self) -> list[QWidget]:
        return [
            self.channel,
            self.target,
            self.name.editor,
            self.postal.editor,
            self.address.editor,
        ]
