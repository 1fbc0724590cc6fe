"""Actions on the case detail's 書類 and 連絡記録 tabs: the paper trail and the contact log.

Each action asks what it needs in a small form (``ask_fields``, patched by tests), runs one
service call through the ServiceRunner and hands the updated case back to the dialog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.documents import TEST_MATERIALS, Channel, ContactKind, Direction
from desktop_app.domain.paper_trail import RECEIPT_CHANNELS, RETURN_CHANNELS, SEND_CHANNELS
from desktop_app.services import contacts, materials, paper_trail
from desktop_app.services.dto import CaseDetail, DocumentData
from desktop_app.services.fax_pages import KeptPage, kept_page_image, kept_pages
from desktop_app.ui import actions
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.keys import enter_presses
from desktop_app.ui.layout_tools import fit_date_edit
from desktop_app.ui.permissions import gate
from desktop_app.ui.value_combo import ValueCombo


@dataclass(frozen=True)
class Field:
    """One input of a small action form: kind is 'date', 'choice', 'text' or 'count'."""

    key: str
    label: str
    kind: str
    choices: tuple[tuple[str, Any], ...] = ()
    default: Any = None


def ask_fields(parent: QWidget, title: str, fields: list[Field]) -> dict[str, Any] | None:
    """A small modal form; the values by key, or None when the clerk backs out.

    Module-level so tests can answer it without a modal dialog.
    """
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    form = QFormLayout()
    readers: dict[str, Callable[[], Any]] = {}
    for f in fields:
        if f.kind == "date":
            edit = QDateEdit(QDate(f.default or clock.today()))
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy/MM/dd")
            edit.setMaximumDate(QDate(clock.today()))
            fit_date_edit(edit)
            readers[f.key] = partial(_date_of, edit)
            widget: QWidget = edit
        elif f.kind == "choice":
            combo = ValueCombo()
            for text, value in f.choices:
                combo.add(text, value)
            readers[f.key] = combo.value
            widget = combo
        elif f.kind == "count":
            spin = QSpinBox()
            spin.setRange(1, materials.MAX_QUANTITY)
            spin.setValue(int(f.default or 1))
            readers[f.key] = spin.value
            widget = spin
        else:
            line = QLineEdit(str(f.default or ""))
            line.setMinimumWidth(280)
            readers[f.key] = line.text
            widget = line
        form.addRow(f.label, widget)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(buttons)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
    enter_presses(dialog, buttons.button(QDialogButtonBox.StandardButton.Ok))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return {key: read() for key, read in readers.items()}


def _date_of(edit: QDateEdit) -> dt.date:
    day = edit.date().toPython()
    assert isinstance(day, dt.date)
    return day


def _channels(channels: tuple[Channel, ...]) -> tuple[tuple[str, Any], ...]:
    return tuple((c.label, c) for c in channels)


class _Panel(QWidget):
    """A tab's table with a row of action buttons under it."""

    def __init__(
        self,
        runner: ServiceRunner,
        table: QTableView,
        on_result: Callable[[CaseDetail], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._on_result = on_result
        self.table = table
        self.detail: CaseDetail | None = None
        self.actions_row = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.setSpacing(8)
        self.actions_row.setContentsMargins(8, 0, 8, 0)
        layout.addWidget(table, 1)
        layout.addLayout(self.actions_row)

    def set_detail(self, detail: CaseDetail) -> None:
        self.detail = detail

    def _run(self, fn: Callable[..., CaseDetail], *args: Any, **kwargs: Any) -> None:
        if self.detail is None:
            return
        result = self._runner.run(
            self,
            fn,
            self.detail.id,
            *args,
            expected_version=self.detail.version,
            changes=Change.CASES,
            **kwargs,
        )
        if result is not None:
            self._on_result(result)


class DocumentsPanel(_Panel):
    """The 書類 tab: the checklist, and 受領 / 送付 / 取消 / 不要 / 資料を追加 / 返却."""

    def __init__(
        self,
        runner: ServiceRunner,
        table: QTableView,
        on_result: Callable[[CaseDetail], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, table, on_result, parent)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("receive", "受領", self.receive),
            ("send", "送付", self.send),
            ("undo", "取消", self.undo),
            ("waive", "不要", self.waive),
            ("add", "資料を追加", self.add_item),
            ("return", "返却", self.return_item),
        ):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            self.buttons[key] = button
            self.actions_row.addWidget(button)
            if key == "waive":
                self.actions_row.addSpacing(16)
        self.actions_row.addStretch(1)
        # The pages of received faxes kept with the case (services/fax_inbox), shown large.
        self.fax_button = QPushButton("受信FAX")
        self.fax_button.setAutoDefault(False)
        self.fax_button.clicked.connect(self.show_faxes)
        self.actions_row.addWidget(self.fax_button)
        self.kept_pages: tuple[KeptPage, ...] = ()
        table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

    def set_detail(self, detail: CaseDetail) -> None:
        super().set_detail(detail)
        self.kept_pages = self._runner.read(self, kept_pages, detail.id) or ()
        count = len(self.kept_pages)
        self.fax_button.setText(f"受信FAX（{count}ページ）" if count else "受信FAX")
        self.fax_button.setEnabled(bool(count))
        self.fax_button.setToolTip(
            "受信FAXから記録したページを表示します" if count else "受信FAXのページはありません"
        )
        self._update_buttons()

    def show_faxes(self) -> None:
        """The case's received fax pages, the selected checklist line's first."""
        if not self.kept_pages:
            return
        from desktop_app.ui.fax_dialogs import FaxImageDialog

        d = self.selected()
        current = next(
            (i for i, p in enumerate(self.kept_pages) if d is not None and p.document_label
             and p.document_label == d.display_label),
            0,
        )  # fmt: skip
        pages = [
            (
                f"{p.received.astimezone():%m/%d %H:%M}　{p.page}ページ"
                f"\n{p.document_label or p.form_label or 'ページのみ'}",
                partial(self._runner.read, self, kept_page_image, p.id),
            )
            for p in self.kept_pages
        ]
        title = f"受信FAX　{self.detail.case_number}" if self.detail else "受信FAX"
        FaxImageDialog(pages, self, title=title, current=current).exec()

    def selected(self) -> DocumentData | None:
        """The document on the current row (rows follow ``detail.documents``)."""
        row = self.table.currentIndex().row()
        if self.detail is None or not 0 <= row < len(self.detail.documents):
            return None
        return self.detail.documents[row]

    def _update_buttons(self) -> None:
        d = self.selected()
        open_case = self.detail is not None and self.detail.stage.is_open
        incoming = d is not None and d.direction == Direction.IN
        waiting = d is not None and not d.is_done
        b, r = self.buttons, self._runner
        gate(b["receive"], r, paper_trail.mark_received, enabled=open_case and incoming and waiting)
        gate(
            b["send"],
            r,
            paper_trail.mark_sent,
            enabled=open_case and not incoming and waiting and d is not None,
        )
        gate(b["waive"], r, paper_trail.waive, enabled=open_case and incoming and waiting)
        gate(
            b["undo"],
            r,
            paper_trail.undo,
            enabled=open_case and d is not None and (d.is_done or d.returned_on is not None),
        )
        gate(b["add"], r, materials.add_item, enabled=open_case)
        gate(
            b["return"],
            r,
            materials.return_item,
            enabled=d is not None
            and d.borrowed
            and d.received_on is not None
            and d.returned_on is None,
        )

    def receive(self) -> None:
        d = self.selected()
        if d is None:
            return
        answer = ask_fields(
            self,
            f"受領：{d.display_label}",
            [
                Field("on", "受領日", "date"),
                Field("channel", "受領方法", "choice", _channels(RECEIPT_CHANNELS)),
                Field("note", "メモ", "text"),
            ],
        )
        if answer is not None:
            self._run(paper_trail.mark_received, d.id, **answer)

    def send(self) -> None:
        d = self.selected()
        if d is None:
            return
        answer = ask_fields(
            self,
            f"送付：{d.display_label}",
            [
                Field("on", "送付日", "date"),
                Field("channel", "送付方法", "choice", _channels(SEND_CHANNELS)),
                Field("note", "メモ", "text"),
            ],
        )
        if answer is not None:
            self._run(paper_trail.mark_sent, d.id, **answer)

    def undo(self) -> None:
        d = self.selected()
        if d is None:
            return
        answer = ask_fields(
            self, f"記録の取消：{d.display_label}", [Field("reason", "取り消す理由", "text")]
        )
        if answer is not None:
            self._run(paper_trail.undo, d.id, reason=answer["reason"])

    def waive(self) -> None:
        d = self.selected()
        if d is None:
            return
        answer = ask_fields(
            self,
            f"不要にする：{d.display_label}",
            [Field("reason", "不要にする理由", "text"), Field("on", "日付", "date")],
        )
        if answer is not None:
            self._run(paper_trail.waive, d.id, **answer)

    def add_item(self) -> None:
        answer = ask_fields(
            self,
            "お借りする資料を追加",
            [
                Field("kind", "種類", "choice", tuple((k.label, k) for k in TEST_MATERIALS)),
                Field("label", "内容（例：CTフィルム 胸部）", "text"),
                Field("quantity", "数量", "count", default=1),
                Field("source", "借用元", "text", default=self._referrer()),
            ],
        )
        if answer is not None:
            kind = answer.pop("kind")
            self._run(materials.add_item, kind, **answer)

    def return_item(self) -> None:
        d = self.selected()
        if d is None or self.detail is None:
            return
        answer = ask_fields(
            self,
            f"返却：{d.display_label}",
            [
                Field("on", "返却日", "date"),
                Field("to", "返却先", "text", default=d.source or self._referrer()),
                Field("channel", "返却方法", "choice", _channels(RETURN_CHANNELS)),
            ],
        )
        if answer is None:
            return
        # Returning is allowed on a closed case too, so no stage check here.
        result = self._runner.run(
            self,
            materials.return_item,
            self.detail.id,
            d.id,
            expected_version=self.detail.version,
            changes=Change.CASES,
            **answer,
        )
        if result is not None:
            self._on_result(result)

    def _referrer(self) -> str:
        ref = self.detail.referrer if self.detail else None
        return ref.institution if ref else ""


class ContactsPanel(_Panel):
    """The 連絡記録 tab: the log, and a one-line quick entry under it."""

    def __init__(
        self,
        runner: ServiceRunner,
        table: QTableView,
        on_result: Callable[[CaseDetail], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, table, on_result, parent)
        self.kind_combo = ValueCombo()
        self.kind_combo.setAccessibleName("連絡の種類")
        for kind in ContactKind:
            self.kind_combo.add(kind.label, kind)
        self.kind_combo.setCurrentIndex(self.kind_combo.index_of(ContactKind.CALL_OUT))
        self.party_edit = QLineEdit()
        self.party_edit.setPlaceholderText("相手（例：ご本人）")
        self.party_edit.setMaximumWidth(180)
        self.summary_edit = QLineEdit()
        self.summary_edit.setPlaceholderText("内容（Enter で記録）")
        self.summary_edit.returnPressed.connect(self.log)
        self.log_button = QPushButton("記録")
        self.log_button.setAutoDefault(False)
        self.log_button.clicked.connect(self.log)
        # Shown while the case has a booking the patient has not been told of: ticking it
        # makes this call (or letter, fax, visit) the 日時連絡 the board asks for.
        self.told_check = QCheckBox("予約日時を伝えた")
        self.told_check.setToolTip(
            "チェックすると、この連絡で予約日時を伝えたことになります（日時連絡済）"
        )
        for widget in (self.kind_combo, self.party_edit):
            self.actions_row.addWidget(widget)
        self.actions_row.addWidget(self.summary_edit, 1)
        self.actions_row.addWidget(self.told_check)
        self.actions_row.addWidget(self.log_button)

    def set_detail(self, detail: CaseDetail) -> None:
        super().set_detail(detail)
        enabled = detail.stage.is_open
        for widget in (self.kind_combo, self.party_edit, self.summary_edit, self.log_button):
            gate(widget, self._runner, contacts.log_contact, enabled=enabled)
        enabled = self.log_button.isEnabled()
        live = detail.appointment
        untold = enabled and live is not None and live.notified_on is None
        self.told_check.setVisible(untold)
        if not untold:
            self.told_check.setChecked(False)

    def log(self) -> None:
        if self.detail is None:
            return
        if not self.party_edit.text().strip() and not self.summary_edit.text().strip():
            actions.show_error(self, "相手か内容を入力してください。")
            return
        before = self.detail
        self._run(
            contacts.log_contact,
            self.kind_combo.value(),
            party=self.party_edit.text(),
            summary=self.summary_edit.text(),
            told_date=not self.told_check.isHidden() and self.told_check.isChecked(),
        )
        if self.detail is not before:
            self.party_edit.clear()
            self.summary_edit.clear()
            self.told_check.setChecked(False)
            self.summary_edit.setFocus()
