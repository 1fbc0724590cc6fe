"""Steps for ``tests.ui.modals.answer_modals`` that fill the project's own small forms.

Each step checks it met the dialog it expected, sets the real widgets as the clerk would and
clicks the real button; ``seen`` (when given) gets the dialog first, so a test can check what
the form showed (the prefilled fee, the methods offered) after it closed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from desktop_app.domain.documents import ReportChannel
from desktop_app.ui.value_combo import ValueCombo
from desktop_app.ui.visit_dialogs import (
    MinutesDialog,
    OverrideDialog,
    PaymentDialog,
    ReportDialog,
    TextDialog,
)
from tests.ui.modals import Step, click


def _note(seen: list[Any] | None, dialog: QWidget) -> None:
    if seen is not None:
        seen.append(dialog)


def override(reason: str, seen: list[Any] | None = None) -> Step:
    """当日受付の確認: type the reason, click 理由を記録して受付."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, OverrideDialog), type(dialog)
        _note(seen, dialog)
        dialog.reason_edit.setText(reason)
        click(dialog, "理由を記録して受付")

    return step


def minutes(value: int, seen: list[Any] | None = None) -> Step:
    """実施時間の記録: set the minutes, click 登録."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, MinutesDialog), type(dialog)
        _note(seen, dialog)
        dialog.spin.setValue(value)
        click(dialog, "登録")

    return step


def report(
    channel: ReportChannel | None,
    *,
    written_on: dt.date | None = None,
    delivered_on: dt.date | None = None,
    seen: list[Any] | None = None,
) -> Step:
    """主治医への報告書: the dates (None: as prefilled) and how it was handed over."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, ReportDialog), type(dialog)
        _note(seen, dialog)
        if written_on is not None:
            dialog.written_edit.setDate(QDate(written_on))
        assert dialog.channel_combo.set_value(channel), channel
        if delivered_on is not None:
            assert dialog.delivered_edit.isEnabled()
            dialog.delivered_edit.setDate(QDate(delivered_on))
        click(dialog, "登録")

    return step


def payment(
    method: str | None = None,
    *,
    amount: int | None = None,
    reason: str = "",
    paid_on: dt.date | None = None,
    seen: list[Any] | None = None,
) -> Step:
    """お会計: the method (None: the first), another amount and its reason, click 登録."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, PaymentDialog), type(dialog)
        _note(seen, dialog)
        if paid_on is not None:
            dialog.paid_edit.setDate(QDate(paid_on))
        if method is not None:
            index = dialog.method_combo.findText(method)
            assert index >= 0, method
            dialog.method_combo.setCurrentIndex(index)
        if amount is not None:
            dialog.amount_spin.setValue(amount)
        if reason:
            dialog.reason_edit.setText(reason)
        click(dialog, "登録")

    return step


def text(answer: str, seen: list[Any] | None = None) -> Step:
    """A TextDialog (a reason): type it, click 登録."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, TextDialog), type(dialog)
        _note(seen, dialog)
        dialog.edit.setText(answer)
        click(dialog, "登録")

    return step


def cancel(dialog: QWidget) -> None:
    """The clerk backs out with the form's キャンセル."""
    click(dialog, "キャンセル")


# case_actions.ask_fields: a plain QDialog with a QFormLayout ---------------------------------


def form_rows(dialog: QWidget) -> dict[str, QWidget]:
    """The form's fields by their label text."""
    form = dialog.findChild(QFormLayout)
    assert form is not None, f"no form in {dialog.windowTitle()!r}"
    rows: dict[str, QWidget] = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is None or field is None or field.widget() is None:
            continue
        label_widget = label.widget()
        assert isinstance(label_widget, QLabel)
        rows[label_widget.text()] = field.widget()
    return rows


def set_field(widget: QWidget, value: Any) -> None:
    """Set one form field as the clerk would choose or type it."""
    if isinstance(widget, QDateEdit):
        widget.setDate(QDate(value))
    elif isinstance(widget, ValueCombo):
        assert widget.set_value(value), f"{value!r} is not offered: {widget.values()}"
    elif isinstance(widget, QSpinBox):
        widget.setValue(int(value))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value))
    else:  # pragma: no cover - a new kind of field needs a line here
        raise AssertionError(f"cannot fill {type(widget).__name__}")


def fields(values: dict[str, Any], *, title: str = "", seen: list[Any] | None = None) -> Step:
    """An ask_fields form: set the fields named by their labels, then click OK."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, QDialog), type(dialog)
        if title:
            assert dialog.windowTitle() == title, dialog.windowTitle()
        rows = form_rows(dialog)
        _note(seen, {label: _read(w) for label, w in rows.items()})
        for label, value in values.items():
            assert label in rows, f"no field {label!r}: {list(rows)}"
            set_field(rows[label], value)
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        ok = box.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled()
        ok.click()

    return step


def _read(widget: QWidget) -> Any:
    if isinstance(widget, QDateEdit):
        return widget.date().toPython()
    if isinstance(widget, ValueCombo):
        return widget.value()
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QLineEdit):
        return widget.text()
    return None


def close_form(dialog: QWidget) -> None:
    """An ask_fields form closed with キャンセル."""
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Cancel).click()


# Print previews opened (not modal to the application: they stay open) ------------------------


def open_previews() -> list[Any]:
    """The print previews showing now, oldest first."""
    from desktop_app.ui.print_preview import PrintPreviewDialog

    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, PrintPreviewDialog) and w.isVisible()
    ]


def take_previews() -> list[Any]:
    """The previews showing now (their forms), each then closed as the clerk would."""
    previews = open_previews()
    forms = [p.form for p in previews]
    for p in previews:
        p.close()
    return forms
