"""6 送付: where and how the mail-out packet goes, and what is in it."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from desktop_app.domain.case_fields import MESSAGE_MAIL_ADDRESS, MESSAGE_MAIL_NAME
from desktop_app.domain.documents import Channel, DocumentKind
from desktop_app.ui.intake.attendance_page import bullet_list
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.fields import MEDIUM_WIDTH, Choice, FieldRow, line_edit
from desktop_app.ui.intake.postal_row import PostalCodeRow
from desktop_app.ui.intake.state import needs
from desktop_app.ui.intake.values import IntakeSnapshot, MailTarget, MailValues

CHANNELS = (Channel.MAIL, Channel.FAX, Channel.HANDED)


class MailStep(IntakeStep):
    key = "mail"
    title = "送付"
    lead = "ご案内・申込書などをお送りする先と方法を伺います。"

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.channel = Choice([(c.value, c.label) for c in CHANNELS])
        self.channel.set_value(Channel.MAIL)
        self.target = Choice(
            [
                (MailTarget.PATIENT, "患者さんのご住所"),
                (MailTarget.OTHER, "別の宛先（ご家族など）"),
            ]
        )
        self.target.set_value(MailTarget.PATIENT)
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
        self.address = FieldRow(line_edit("番地・建物名まで", 300))
        self.postal = PostalCodeRow(self.address)

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
        self.postal.filled.connect(self.changed)
        self._target_changed()

    def _to_other(self) -> bool:
        return self.target.value() == MailTarget.OTHER

    def _target_changed(self) -> None:
        other = self._to_other()
        for row in (self.name, self.postal, self.address):
            row.editor.setEnabled(other)
            if not other:
                row.set_error("")
        self.patient_error.hide()

    def enter(self, snapshot: IntakeSnapshot) -> None:
        super().enter(snapshot)
        patient = snapshot.patient
        postal = patient.postal.strip()
        address = patient.address.strip()
        shown = f"{patient.name.strip()} 様　{('〒' + postal + '　') if postal else ''}{address}"
        self.patient_address.setText(shown if address else "（住所が未入力です）")
        need = needs(snapshot, self.context.settings, self.context.today())
        self.documents.setText(bullet_list(need.mailout, frozenset({DocumentKind.CONSENT_FORM})))

    def values(self) -> MailValues:
        return MailValues(
            channel=Channel(self.channel.value() or Channel.MAIL),
            target=MailTarget(self.target.value() or MailTarget.PATIENT),
            name=self.name.editor.text(),
            postal=self.postal.editor.text(),
            address=self.address.editor.text(),
        )

    def load(self, values: MailValues) -> None:
        """Put saved values back (draft recovery, 破棄)."""
        self.channel.set_value(values.channel)
        self.target.set_value(values.target)
        self.name.editor.setText(values.name)
        self.postal.editor.setText(values.postal)
        self.address.editor.setText(values.address)
        self._target_changed()

    def validate(self) -> bool:
        by_mail = self.channel.value() == Channel.MAIL
        if not self._to_other():
            has_address = bool(self.snapshot.patient.address.strip())
            if by_mail and not has_address:
                self.patient_error.setText(
                    "郵送には住所が必要です。「患者」に戻って住所を入力するか、別の宛先を選んでください。"
                )
                self.patient_error.show()
                return False
            return True
        ok = self.postal.check()
        for row, message in (
            (self.name, MESSAGE_MAIL_NAME),
            (self.address, MESSAGE_MAIL_ADDRESS),
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
