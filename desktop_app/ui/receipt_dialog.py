"""書類受領: a returned form in the clerk's hand, recorded in a few keystrokes.

The clerk types the case number, or a USB barcode reader types it (the Code 128 on every form
encodes the case number and the form, e.g. ``SO20260001AP``; older forms the bare
``SO-2026-0001``: domain/barcodes.py reads both) followed by Enter, or types a name in any kana
spelling and picks the case. The case's incoming checklist appears; the clerk ticks what
arrived, chooses how it came and records it in one service call. The dialog is then ready for
the next paper.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.barcodes import parse_case_number
from desktop_app.domain.changes import Change
from desktop_app.domain.documents import Channel, Direction
from desktop_app.domain.japanese import search_key
from desktop_app.domain.paper_trail import RECEIPT_CHANNELS
from desktop_app.services.case_rows import CaseRow
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail, DocumentData
from desktop_app.services.paper_trail import receive_many
from desktop_app.ui import text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_lookup import fill_results, look_up_case
from desktop_app.ui.formats import short_date
from desktop_app.ui.layout_tools import fit_date_edit, fit_to_screen

_LOOKS_LIKE_NUMBER = re.compile(r"^(?:SO[-\d].*|[\d-]*-[\d-]*)$")


def looks_like_case_number(text: str) -> bool:
    """True for text meant as a case number (even a mistyped one) rather than a name."""
    key = search_key(text).upper().replace(" ", "")
    return bool(key) and bool(_LOOKS_LIKE_NUMBER.match(key))


class ReceiptDialog(QDialog):
    """Find a case by number, barcode or name; tick what came in; record it."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.detail: CaseDetail | None = None
        self.setWindowTitle("書類受領")
        fit_to_screen(self, 720, 620)

        title = QLabel("書類受領")
        title.setObjectName("pageTitle")
        hint = QLabel(
            "案件番号を入力するか、書類のバーコードを読み取ってください。氏名でも検索できます。"
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)

        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText("例：SO-2026-0001　／　やまだ たろう")
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.setMinimumHeight(34)
        self.find_button = QPushButton("検索")
        self.find_button.setAutoDefault(False)
        self.find_button.clicked.connect(self.look_up)
        query_row = QHBoxLayout()
        query_label = QLabel("案件番号・氏名(&N)")
        query_label.setBuddy(self.query_edit)
        query_row.addWidget(query_label)
        query_row.addWidget(self.query_edit, 1)
        query_row.addWidget(self.find_button)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setObjectName("fieldError")

        self.results_list = QListWidget()
        self.results_list.setObjectName("receiptResults")
        text_size.set_style(
            self.results_list, "QListWidget#receiptResults::item { padding: 5px 4px; }"
        )
        text_size.keep(self.results_list, maximum_height=180)
        self.results_list.itemActivated.connect(self._pick_result)
        self.results_list.hide()

        self.case_label = QLabel()
        self.case_label.setObjectName("pageTitle")
        text_size.set_style(self.case_label, "font-size: 13pt;")
        self.stage_label = QLabel()
        self.stage_label.setObjectName("stageBadge")
        case_row = QHBoxLayout()
        case_row.addWidget(self.case_label)
        case_row.addSpacing(8)
        case_row.addWidget(self.stage_label)
        case_row.addStretch(1)

        checklist_label = QLabel("届いた書類にチェックを付けてください(&C)（スペースキーで切替）")
        self.checklist = QListWidget()
        self.checklist.setObjectName("receiptChecklist")
        self.checklist.setMinimumHeight(160)
        text_size.set_style(
            self.checklist, "QListWidget#receiptChecklist::item { padding: 5px 4px; }"
        )
        checklist_label.setBuddy(self.checklist)

        self.channel_group = QButtonGroup(self)
        channel_row = QHBoxLayout()
        channel_row.addWidget(QLabel("受領方法"))
        for index, channel in enumerate(RECEIPT_CHANNELS):
            button = QRadioButton(channel.label)
            button.setProperty("channel", channel.value)
            self.channel_group.addButton(button, index)
            channel_row.addWidget(button)
        self.channel_group.button(0).setChecked(True)
        channel_row.addSpacing(24)
        date_label = QLabel("受領日(&D)")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy/MM/dd")
        fit_date_edit(self.date_edit)
        date_label.setBuddy(self.date_edit)
        channel_row.addWidget(date_label)
        channel_row.addWidget(self.date_edit)
        channel_row.addStretch(1)

        self.case_panel = QFrame()
        panel = QVBoxLayout(self.case_panel)
        panel.setContentsMargins(0, 6, 0, 0)
        panel.setSpacing(8)
        panel.addLayout(case_row)
        panel.addWidget(checklist_label)
        panel.addWidget(self.checklist, 1)
        panel.addLayout(channel_row)
        self.case_panel.hide()

        self.done_label = QLabel()
        self.done_label.setObjectName("savedLabel")
        self.done_label.setWordWrap(True)

        self.record_button = QPushButton("受領を記録 (Ctrl+Enter)")
        self.record_button.setObjectName("primary")
        self.record_button.setAutoDefault(False)
        self.record_button.setEnabled(False)
        self.record_button.clicked.connect(self.record)
        close_button = QPushButton("閉じる")
        close_button.setAutoDefault(False)
        close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.done_label, 1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(query_row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.results_list)
        layout.addWidget(self.case_panel, 1)
        layout.addStretch(0)
        layout.addLayout(buttons)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.record)
        self.reset_for_next()

    # Finding the case ---------------------------------------------------------------------

    def look_up(self) -> None:
        """Find the case for what is in the field: by number, else by name."""
        text = self.query_edit.text().strip()
        self._clear_case()
        if not text:
            self._say("案件番号または氏名を入力してください。")
            return
        number = parse_case_number(text)
        if number is None and looks_like_case_number(text):
            self._say(f"「{text}」は案件番号の形式ではありません（例：SO-2026-0001）。")
            return
        found = look_up_case(self._runner, self, text)
        if found.case_id is not None:
            self.show_case(found.case_id)
        elif found.rows:
            self._show_results(found.rows, found.total, found.capped)
        else:
            self._say(found.message)

    def _show_results(self, rows: tuple[CaseRow, ...], total: int, capped: bool = False) -> None:
        fill_results(self.results_list, rows)
        more = f"（最初の{len(rows)}件を表示）" if total > len(rows) else ""
        found = f"{total}件以上" if capped else f"{total}件"  # the count stopped (issue #13)
        self._say(f"{found}見つかりました。選んで Enter を押してください。{more}", error=False)
        self.results_list.show()
        self.results_list.setFocus()

    def _pick_result(self, item: QListWidgetItem) -> None:
        self.show_case(int(item.data(Qt.ItemDataRole.UserRole)))

    def show_case(self, case_id: int) -> None:
        """Show one case's incoming checklist (or why nothing can be recorded on it)."""
        self.results_list.hide()
        detail = self._runner.read(self, get_case, case_id)
        if detail is None:
            return
        if not detail.stage.is_open:
            self._clear_case()
            self._say(
                f"案件 {detail.case_number}（{detail.patient.name} 様）は「{detail.stage.label}」"
                "で終了しています。書類の受領は記録できません。"
            )
            self.query_edit.selectAll()
            self.query_edit.setFocus()
            return
        self.detail = detail
        self._fill(detail)

    def _fill(self, detail: CaseDetail) -> None:
        self.case_label.setText(f"{detail.case_number}　{detail.patient.name} 様")
        self.stage_label.setText(detail.stage.label)
        self.checklist.clear()
        waiting = 0
        for doc in detail.documents:
            if doc.direction != Direction.IN:
                continue
            item = QListWidgetItem(_line(doc))
            item.setData(Qt.ItemDataRole.UserRole, doc.id)
            if doc.is_done:
                item.setFlags(Qt.ItemFlag.NoItemFlags)  # shown for context, greyed out
            else:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                              | Qt.ItemFlag.ItemIsSelectable)  # fmt: skip
                item.setCheckState(Qt.CheckState.Unchecked)
                waiting += 1
            self.checklist.addItem(item)
        self.case_panel.show()
        self.record_button.setEnabled(waiting > 0)
        if waiting:
            self._say("", error=False)
            first = next(i for i in range(self.checklist.count()) if self._is_open_line(i))
            self.checklist.setCurrentRow(first)
            self.checklist.setFocus()
        else:
            self._say("この案件には未受領の書類はありません。", error=False)
            self.query_edit.selectAll()
            self.query_edit.setFocus()

    # Recording ----------------------------------------------------------------------------

    def ticked_ids(self) -> list[int]:
        return [
            int(self.checklist.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.checklist.count())
            if self._is_open_line(i)
            and self.checklist.item(i).checkState() == Qt.CheckState.Checked
        ]

    def tick(self, document_id: int, ticked: bool = True) -> None:
        """Tick (or untick) one checklist line by its document id."""
        for i in range(self.checklist.count()):
            item = self.checklist.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == document_id and self._is_open_line(i):
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def channel(self) -> str:
        button = self.channel_group.checkedButton()
        return str(button.property("channel")) if button is not None else Channel.MAIL.value

    def set_channel(self, value: str) -> None:
        for button in self.channel_group.buttons():
            button.setChecked(button.property("channel") == value)

    def record(self) -> None:
        """Record every ticked document in one call; then get ready for the next paper."""
        detail = self.detail
        if detail is None or not self.case_panel.isVisible():
            return
        ids = self.ticked_ids()
        if not ids:
            self._say("届いた書類にチェックを付けてください。")
            self.checklist.setFocus()
            return
        channel = Channel(self.channel())
        result = self._runner.run(
            self,
            receive_many,
            detail.id,
            ids,
            on=self.date_edit.date().toPython(),
            channel=channel,
            expected_version=detail.version,
            changes=Change.CASES,
            on_error=lambda exc: self._say(exc.message),
        )
        if result is None:
            self._reload_after_failure(detail.id)
            return
        names = [d.display_label for d in result.documents if d.id in ids]
        what = names[0] + (f" ほか{len(names) - 1}件" if len(names) > 1 else "")
        moved = (
            f"　段階：{detail.stage.label} → {result.stage.label}"
            if result.stage != detail.stage
            else ""
        )
        self.reset_for_next()
        self.done_label.setText(
            f"記録しました：{result.case_number} {result.patient.name} 様　{what}"
            f"（{channel.label}）{moved}"
        )

    def _reload_after_failure(self, case_id: int) -> None:
        # Another desk may have recorded the same paper: show the case as it is now.
        detail = self._runner.read(self, get_case, case_id)
        if detail is not None and detail.stage.is_open:
            message = self.message_label.text()
            self.detail = detail
            self._fill(detail)
            if message:
                self._say(message)

    def reset_for_next(self) -> None:
        """Empty field, focused; today's date; ready for the next paper."""
        self._clear_case()
        self.query_edit.clear()
        self._say("", error=False)
        self.date_edit.setMaximumDate(QDate(clock.today()))
        self.date_edit.setDate(QDate(clock.today()))
        self.query_edit.setFocus()

    # Keyboard -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if focus is self.query_edit:
                self.look_up()
            elif focus is self.results_list:
                item = self.results_list.currentItem()
                if item is not None:
                    self._pick_result(item)
            elif focus is not None and self.case_panel.isAncestorOf(focus):
                self.record()
            event.accept()
            return
        super().keyPressEvent(event)

    # Helpers ------------------------------------------------------------------------------

    def _is_open_line(self, row: int) -> bool:
        return bool(self.checklist.item(row).flags() & Qt.ItemFlag.ItemIsUserCheckable)

    def _clear_case(self) -> None:
        self.detail = None
        self.checklist.clear()
        self.case_panel.hide()
        self.results_list.hide()
        self.record_button.setEnabled(False)

    def _say(self, text: str, *, error: bool = True) -> None:
        self.message_label.setObjectName("fieldError" if error else "muted")
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        if text:
            self.done_label.clear()


def _line(doc: DocumentData) -> str:
    tags = []
    if doc.required:
        tags.append("必須")
    if doc.borrowed:
        tags.append("返却要")
    text = doc.display_label + (f"　［{'・'.join(tags)}］" if tags else "")
    if doc.received_on is not None:
        how = f"・{doc.channel.label}" if doc.channel else ""
        return f"{text}　— 受領済 {short_date(doc.received_on)}{how}"
    if doc.waived_on is not None:
        return f"{text}　— 不要（{doc.waived_reason}）"
    if doc.due_date is not None:
        text += f"　期限 {short_date(doc.due_date)}"
    return text


def open_receipt_dialog(
    runner: ServiceRunner, parent: QWidget | None = None, case_id: int | None = None
) -> ReceiptDialog:
    """Open the 書類受領 dialog (non-modal), with a case already shown when ``case_id`` is given."""
    dialog = ReceiptDialog(runner, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if case_id is not None:
        dialog.show_case(case_id)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
