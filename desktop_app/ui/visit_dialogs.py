"""The small forms of the 会計 tab: check-in reason, minutes, report, payment, void reason.

Each ``ask_*`` function is module-level so tests can answer it without a modal dialog; the
dialog classes behind them are built and checked directly by tests (their refusals show
beside the field, and 登録 stays disabled while one shows).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.documents import ReportChannel
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.fees import FeeBreakdown, consultation_fee
from desktop_app.domain.settings import ClinicSettings
from desktop_app.ui import text_size
from desktop_app.ui.keys import enter_presses
from desktop_app.ui.layout_tools import fit_date_edit, grow_to_fit
from desktop_app.ui.value_combo import ValueCombo

FIELD_WIDTH = 150
FIELD_MAX = 190


def _date_edit(day: dt.date | None) -> QDateEdit:
    edit = QDateEdit(QDate(day or clock.today()))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy/MM/dd")
    edit.setMaximumDate(QDate(clock.today()))
    text_size.keep(edit, minimum_width=FIELD_WIDTH, maximum_width=FIELD_MAX)
    return fit_date_edit(edit)


def _date_of(edit: QDateEdit) -> dt.date:
    day = edit.date().toPython()
    assert isinstance(day, dt.date)
    return day


def _error_label() -> QLabel:
    # One line, not wrapped: a wrapped label shown later is clipped by the form's row height.
    label = QLabel()
    label.setObjectName("fieldError")
    return label


def _muted(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(wrap)
    return label


def _beside(*widgets: QWidget, stretch_last: bool = True) -> QWidget:
    """Widgets in one row of a form: the editor, then what it says about the value."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    for i, w in enumerate(widgets):
        layout.addWidget(w, 1 if stretch_last and i == len(widgets) - 1 else 0)
    return row


class _FormDialog(QDialog):
    """A titled form with 登録 / キャンセル under it."""

    def __init__(self, title: str, parent: QWidget | None, ok_text: str = "登録") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        text_size.keep(self, minimum_width=640)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(10)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = self.buttons.addButton(
            ok_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(18, 16, 18, 12)
        self.body.setSpacing(12)
        self.body.addLayout(self.form)
        self.body.addWidget(self.buttons)
        enter_presses(self, self.ok_button)


class OverrideDialog(_FormDialog):
    """当日受付 with papers missing: the guide's warning, and the reason to go ahead."""

    def __init__(self, warnings: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__("当日受付の確認", parent, ok_text="理由を記録して受付")
        for text in warnings:
            label = QLabel(text)
            label.setWordWrap(True)
            self.body.insertWidget(self.body.count() - 2, label)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("例：主治医から当日持参と連絡あり")
        text_size.keep(self.reason_edit, minimum_width=340)
        self.form.addRow("理由", self.reason_edit)
        self.reason_edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.reason_edit.text().strip()))


class MinutesDialog(_FormDialog):
    """実施時間: the minutes, with the fee shown as they are typed and refusals beside them."""

    def __init__(
        self, settings: ClinicSettings, current: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__("実施時間の記録", parent)
        self._settings = settings
        self.spin = QSpinBox()
        self.spin.setRange(0, 999)
        self.spin.setSuffix(" 分")
        text_size.keep(self.spin, minimum_width=FIELD_WIDTH, maximum_width=FIELD_MAX)
        self.spin.setValue(current if current is not None else settings.session_minutes)
        self.fee_label = QLabel()
        text_size.keep(self.fee_label, minimum_width=200)
        bold = self.fee_label.font()
        bold.setBold(True)
        self.fee_label.setFont(bold)
        self.error_label = _error_label()
        self.form.addRow("実施時間", _beside(self.spin, self.fee_label))
        self.form.addRow("", self.error_label)
        note = _muted(
            f"{settings.session_minutes}分まで {settings.fee_per_block_yen:,}円、"
            f"延長は{settings.session_minutes}分ごとに {settings.fee_per_block_yen:,}円"
            f"（税込・最大{settings.max_extension_minutes}分）。報告書の作成時間は含めません。"
        )
        self.form.addRow("", note)
        self.spin.valueChanged.connect(self._update)
        self._update()

    def fee(self) -> FeeBreakdown | None:
        try:
            return consultation_fee(self.spin.value(), self._settings)
        except ValidationError:
            return None

    def _update(self) -> None:
        try:
            fee = consultation_fee(self.spin.value(), self._settings)
        except ValidationError as error:
            self.fee_label.setText("料金 —")
            self.error_label.setText(error.message)
            self.error_label.show()
            grow_to_fit(self)
            self.ok_button.setEnabled(False)
            return
        self.fee_label.setText(f"料金 {fee.total_yen:,}円（税込）")
        self.error_label.clear()
        self.error_label.hide()
        self.ok_button.setEnabled(True)


class ReportDialog(_FormDialog):
    """報告書: the date it was written, and whether (and how, when) it was handed over."""

    NOT_YET = "まだ渡していない"

    def __init__(
        self,
        written_on: dt.date | None,
        channel: ReportChannel | None,
        delivered_on: dt.date | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("主治医への報告書", parent)
        self.written_edit = _date_edit(written_on)
        self.channel_combo = ValueCombo()
        text_size.keep(self.channel_combo, maximum_width=FIELD_MAX + 60)
        self.channel_combo.add(self.NOT_YET, None)
        for c in ReportChannel:
            self.channel_combo.add(c.label, c)
        if channel is not None:
            self.channel_combo.setCurrentIndex(self.channel_combo.index_of(channel))
        self.delivered_edit = _date_edit(delivered_on)
        self.form.addRow("作成日", self.written_edit)
        self.form.addRow("お渡し", self.channel_combo)
        self.form.addRow("お渡しの日", self.delivered_edit)
        self.form.addRow("", _muted("ご案内のとおり、報告書は患者さんにお渡ししてからお会計です。"))
        self.channel_combo.currentIndexChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.delivered_edit.setEnabled(self.channel_combo.value() is not None)

    def values(self) -> dict[str, Any]:
        channel = self.channel_combo.value()
        return {
            "written_on": _date_of(self.written_edit),
            "channel": channel,
            "delivered_on": _date_of(self.delivered_edit) if channel is not None else None,
        }


class PaymentDialog(_FormDialog):
    """会計: the computed fee prefilled; another amount needs a reason, said beside it."""

    def __init__(
        self, fee: FeeBreakdown, methods: tuple[str, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__("お会計", parent)
        self.fee = fee
        self.paid_edit = _date_edit(None)
        self.method_combo = QComboBox()
        self.method_combo.addItems(list(methods))
        text_size.keep(self.method_combo, minimum_width=FIELD_WIDTH, maximum_width=FIELD_MAX + 60)
        self.amount_spin = QSpinBox()
        self.amount_spin.setRange(0, 10_000_000)
        self.amount_spin.setSingleStep(500)
        self.amount_spin.setGroupSeparatorShown(True)
        self.amount_spin.setSuffix(" 円")
        text_size.keep(self.amount_spin, minimum_width=FIELD_WIDTH, maximum_width=FIELD_MAX)
        self.amount_spin.setValue(fee.total_yen)
        extension = f"＋延長 {fee.extension_yen:,}円" if fee.extension_yen else ""
        self.fee_label = _muted(
            f"計算した料金 {fee.total_yen:,}円（{fee.minutes}分：基本 {fee.base_yen:,}円"
            f"{extension}・税込）",
            wrap=False,
        )
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("金額を変えるときの理由")
        self.error_label = _error_label()
        self.form.addRow("支払日", self.paid_edit)
        self.form.addRow("支払方法", self.method_combo)
        self.form.addRow("金額", self.amount_spin)
        self.form.addRow("", self.fee_label)
        self.form.addRow("金額変更の理由", self.reason_edit)
        self.form.addRow("", self.error_label)
        self.amount_spin.valueChanged.connect(self._update)
        self.reason_edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        differs = self.amount_spin.value() != self.fee.total_yen
        self.reason_edit.setEnabled(differs)
        missing = differs and not self.reason_edit.text().strip()
        if missing:
            self.error_label.setText(
                f"計算した料金（{self.fee.total_yen:,}円）と違う金額です。理由を入力してください。"
            )
            self.error_label.show()
            grow_to_fit(self)
        else:
            self.error_label.clear()
            self.error_label.hide()
        self.ok_button.setEnabled(not missing)

    def values(self) -> dict[str, Any]:
        amount = self.amount_spin.value()
        differs = amount != self.fee.total_yen
        return {
            "paid_on": _date_of(self.paid_edit),
            "method": self.method_combo.currentText(),
            "amount_yen": amount if differs else None,
            "amount_reason": self.reason_edit.text().strip() if differs else "",
        }


class TextDialog(_FormDialog):
    """One required line of text (a reason)."""

    def __init__(self, title: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.edit = QLineEdit()
        text_size.keep(self.edit, minimum_width=340)
        self.form.addRow(label, self.edit)
        self.edit.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.ok_button.setEnabled(False)


# The patchable entry points ------------------------------------------------------------------


def ask_override(parent: QWidget, warnings: tuple[str, ...]) -> str | None:
    """The reason to check in with papers missing, or None when the clerk backs out."""
    dialog = OverrideDialog(warnings, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason_edit.text().strip()


def ask_minutes(parent: QWidget, settings: ClinicSettings, current: int | None) -> int | None:
    """The session's minutes, or None."""
    dialog = MinutesDialog(settings, current, parent)
    return dialog.spin.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_report(
    parent: QWidget,
    written_on: dt.date | None,
    channel: ReportChannel | None,
    delivered_on: dt.date | None,
) -> dict[str, Any] | None:
    """written_on / channel / delivered_on for ``record_report``, or None."""
    dialog = ReportDialog(written_on, channel, delivered_on, parent)
    return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_payment(
    parent: QWidget, fee: FeeBreakdown, methods: tuple[str, ...]
) -> dict[str, Any] | None:
    """paid_on / method / amount_yen / amount_reason for ``record_payment``, or None."""
    dialog = PaymentDialog(fee, methods, parent)
    return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    """One reason, or None."""
    dialog = TextDialog(title, label, parent)
    return dialog.edit.text().strip() if dialog.exec() == QDialog.DialogCode.Accepted else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question; True for はい."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes
