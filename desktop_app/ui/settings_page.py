"""設定: the clinic's names, addresses, numbers, closures and exclusion reasons, and this
desk's 表示 (文字の大きさ).

Errors show beside the field they concern; one 保存 writes everything in one service call.
The 表示 section is this desk's own preference: any clerk changes it, at once, without 保存.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.closures import format_closures, parse_closures
from desktop_app.domain.contact import format_phone, format_postal
from desktop_app.domain.desk import TextSize
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Actor, Permission, may
from desktop_app.domain.settings import ClinicSettings, DateStyle
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.ui import actions, text_size
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.audit_viewer import AuditViewer
from desktop_app.ui.backup_settings import BackupBox
from desktop_app.ui.backup_status import BackgroundBackup
from desktop_app.ui.exclusion_reasons_editor import ExclusionReasonsEditor
from desktop_app.ui.masters_page import MastersDialog
from desktop_app.ui.read_only import (
    READ_ONLY_STYLE,
    DoubleClickGuard,
    align_labels,
    set_read_only,
)
from desktop_app.ui.staff_accounts import StaffAccountsDialog
from desktop_app.ui.value_combo import ValueCombo

# Spin boxes and combos as tall as the line edits beside them.
EDITOR_HEIGHT = 30
EDITOR_WIDTH = 240

# ClinicSettings field -> (label, suffix, minimum, maximum, step) for the numbers.
_NUMBERS: dict[str, tuple[str, str, int, int, int]] = {
    "fee_per_block_yen": ("料金（30分ごと・税込）", " 円", 0, 1_000_000, 500),
    "session_minutes": ("基本の時間", " 分", 5, 240, 5),
    "max_extension_minutes": ("延長の上限", " 分", 0, 240, 5),
    "materials_deadline_days": ("資料の提出期限", " 日前", 0, 30, 1),
    "age_of_majority": ("成年年齢", " 歳", 15, 25, 1),
    "application_reminder_days": ("申込書が届かないとき", " 日で要対応", 1, 90, 1),
    "decision_reminder_days": ("担当医の判断待ち", " 日で要対応", 1, 60, 1),
    "lock_after_minutes": ("画面ロックまでの時間", " 分", 1, 60, 1),
}
_TEXTS: dict[str, tuple[str, str]] = {
    "hospital_name": ("病院名", ""),
    "office_name": ("部署名", ""),
    "postal_code": ("郵便番号", "053-8567"),
    "address": ("住所", ""),
    "tel": ("電話番号", "0144-84-0158"),
    "fax": ("FAX番号", "0144-33-4678"),
    "invoice_registration_number": ("インボイス登録番号", "T1234567890123（任意）"),
}


METHODS_PLACEHOLDER = "例：現金、クレジットカード、電子マネー"
METHODS_HINT = "読点（、）かカンマで区切ります。最初の方法が会計の既定になります。"


def parse_methods(text: str) -> tuple[str, ...]:
    """「現金、クレジットカード」 (or one per line, or commas) as names; checked by the service."""
    for mark in ("，", ",", "\n"):
        text = text.replace(mark, "、")
    return tuple(part.strip() for part in text.split("、") if part.strip())


LOCK_HINT = (
    "この時間キーボードにもマウスにも触れないと画面をロックします。解除にはパスワードが要ります。"
)
READ_ONLY_NOTE = "設定の変更・職員アカウント・変更履歴は管理者のアカウントで行います。"


TEXT_SIZE_HINT = (
    "この端末だけの設定です。選ぶとすぐに画面全体の文字と配置が変わります（保存は不要）。"
    "キーボードでは Ctrl++ で大きく、Ctrl+- で小さく、Ctrl+0 で標準に戻します。"
)


CLOSURES_PLACEHOLDER = "例：12/29, 12/30, 12/31, 1/1, 1/2, 1/3"
CLOSURES_HINT = (
    "月/日 をカンマ（,）か読点（、）で区切って入力します。"
    "土曜・日曜・祝日は入力しなくても休診として扱います。"
)


class SettingsPage(QWidget):
    def __init__(
        self,
        runner: ServiceRunner,
        parent: QWidget | None = None,
        *,
        backups: BackgroundBackup | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        # The window passes its own, so the status bar and this page share one backup at a time.
        self.backups = (
            backups if backups is not None else BackgroundBackup(runner.store, self, runner=runner)
        )
        self._current: ClinicSettings | None = None
        self._filled: tuple[object, ...] = ()
        self._saving = False
        self.masters_dialog: MastersDialog | None = None
        self.audit_viewer: AuditViewer | None = None
        self.staff_dialog: StaffAccountsDialog | None = None
        self.ledger_dialog: QDialog | None = None
        self.read_only = False
        self.edits: dict[str, QLineEdit] = {}
        self.spins: dict[str, QSpinBox] = {}
        self.errors: dict[str, QLabel] = {}

        title = QLabel("設定")
        title.setObjectName("pageTitle")
        note = QLabel("ここで変えた内容は、画面と印刷するすべての書類に使われます。")
        note.setObjectName("muted")

        office = QGroupBox("病院・部署（書類に印刷されます）")
        office_form = self._form(office)
        for name in ("hospital_name", "office_name", "postal_code", "address", "tel", "fax"):
            self._add_text(office_form, name)
        self._add_text(office_form, "invoice_registration_number")

        rules = QGroupBox("料金・時間・期限")
        rules_form = self._form(rules)
        for name in _NUMBERS:
            if name != "lock_after_minutes":
                self._add_number(rules_form, name)
        self.date_style = ValueCombo()
        self.date_style.setMaximumWidth(EDITOR_WIDTH)
        self.date_style.setMinimumHeight(EDITOR_HEIGHT)
        for style in DateStyle:
            self.date_style.add(style.label, style)
        self._add_row(rules_form, "date_style", "日付の表示", self.date_style)
        self.methods_edit = QLineEdit()
        self.methods_edit.setPlaceholderText(METHODS_PLACEHOLDER)
        self.methods_edit.setToolTip(METHODS_HINT)
        self._add_row(rules_form, "payment_methods", "支払方法", self.methods_edit)

        closures = QGroupBox("毎年の休診日（年末年始など）")
        closures_layout = QVBoxLayout(closures)
        closures_layout.setSpacing(4)
        self.closures_edit = QLineEdit()
        self.closures_edit.setPlaceholderText(CLOSURES_PLACEHOLDER)
        closures_hint = QLabel(CLOSURES_HINT)
        closures_hint.setObjectName("muted")
        closures_hint.setWordWrap(True)
        closures_layout.addWidget(self.closures_edit)
        closures_layout.addWidget(self._error_label("annual_closures"))
        closures_layout.addWidget(closures_hint)
        self.masters_button = QPushButton("担当医・診療枠・休診日を編集…")
        self.masters_button.clicked.connect(self.open_masters)
        closures_layout.addWidget(self.masters_button, 0, Qt.AlignmentFlag.AlignLeft)
        # 取り込み: the office's Excel ledger, once the masters hold its doctors.
        self.ledger_button = QPushButton("受付台帳（Excel・CSV）の取り込み…")
        self.ledger_button.clicked.connect(self.open_ledger_import)
        closures_layout.addWidget(self.ledger_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.backup_box = BackupBox(self.backups)
        backup_form = self._form(None)
        self.backup_box.body.insertLayout(0, backup_form)
        self.edits["backup_folder"] = self.backup_box.folder_edit
        self._add_row(
            backup_form, "backup_folder", "バックアップの保存先", self.backup_box.folder_row
        )

        # This desk's own: not the clinic's settings, so not behind 保存 nor the administrator.
        display = QGroupBox("表示（この端末）")
        display_form = self._form(display)
        self.text_size_combo = ValueCombo()
        self.text_size_combo.setMinimumHeight(EDITOR_HEIGHT)
        self.text_size_combo.setMaximumWidth(EDITOR_WIDTH)
        for size in TextSize:
            self.text_size_combo.add(f"{size.label}（{round(size.scale * 100)}%）", size)
        self.text_size_combo.set_value(text_size.current())
        self.text_size_combo.currentIndexChanged.connect(self._text_size_chosen)
        self._add_row(display_form, "text_size", "文字の大きさ", self.text_size_combo)
        text_size_hint = QLabel(TEXT_SIZE_HINT)
        text_size_hint.setObjectName("muted")
        text_size_hint.setWordWrap(True)
        display_form.addRow(text_size_hint)
        text_size.notifier().changed.connect(self._text_size_applied)

        security = QGroupBox("安全管理")
        security_form = self._form(security)
        self._add_number(security_form, "lock_after_minutes")
        self.spins["lock_after_minutes"].setToolTip(LOCK_HINT)
        align_labels(security_form, rules_form)
        align_labels(display_form, rules_form)

        # The PC-FAX driver 「FAXで送る」 prints to: one of this computer's printers, or typed.
        fax = QGroupBox("FAX送信")
        fax_form = self._form(fax)
        self.fax_printer = QComboBox()
        self.fax_printer.setEditable(True)
        self.fax_printer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.fax_printer.addItems(QPrinterInfo.availablePrinterNames())
        self.fax_printer.setMaximumWidth(EDITOR_WIDTH + 120)
        self.fax_printer.setMinimumHeight(EDITOR_HEIGHT)
        fax_edit = QLineEdit()
        self.fax_printer.setLineEdit(fax_edit)
        fax_edit.setPlaceholderText("例：Brother PC-FAX（空欄：FAXで送らない）")
        self.edits["fax_printer"] = fax_edit
        self._add_row(fax_form, "fax_printer", "FAX送信のプリンタ", self.fax_printer)
        align_labels(fax_form, rules_form)

        reasons = QGroupBox("対象外の理由")
        reasons_layout = QVBoxLayout(reasons)
        reasons_layout.setSpacing(6)
        reasons_note = QLabel("上から順に、受付の電話で確認質問をします。")
        reasons_note.setObjectName("muted")
        reasons_note.setWordWrap(True)
        self.reasons_editor = ExclusionReasonsEditor()
        self.reasons_editor.view.setMinimumHeight(6 * 28 + 34)
        reasons_error = self._error_label("exclusion_reasons")
        reasons_layout.addWidget(reasons_note)
        reasons_layout.addWidget(self.reasons_editor, 1)
        reasons_layout.addWidget(reasons_error)

        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("primary")
        self.save_button.setMinimumWidth(120)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("元に戻す")
        self.revert_button.clicked.connect(self.reload)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.saved_label)
        buttons.addStretch(1)
        self.staff_button = QPushButton("職員アカウント…")
        self.staff_button.clicked.connect(self.open_staff_accounts)
        buttons.addWidget(self.staff_button)
        self.audit_button = QPushButton("変更履歴（監査ログ）…")
        self.audit_button.clicked.connect(self.open_audit_viewer)
        buttons.addWidget(self.audit_button)
        # For a 受付 or 医師, in place of 保存: who may change these.
        self.read_only_note = QLabel(READ_ONLY_NOTE)
        self.read_only_note.setObjectName("muted")
        self.read_only_note.hide()
        buttons.insertWidget(0, self.read_only_note)

        body = QWidget()
        columns = QHBoxLayout()
        columns.setSpacing(16)
        left = QVBoxLayout()
        left.addWidget(office)
        left.addWidget(closures)
        left.addWidget(self.backup_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(display)
        right.addWidget(rules)
        right.addWidget(security)
        right.addWidget(fax)
        # The reasons take the rest of the height, so the list shows as many rows as fit.
        right.addWidget(reasons, 1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(columns, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        runner.changed.connect(self._on_changed)
        runner.user_changed.connect(self.apply_role)
        # Read-only, a double click on a reason does not open its editor.
        self._reasons_guard = DoubleClickGuard(self.reasons_editor.view.viewport())
        self.reload()
        self.apply_role(runner.store.user)

    # Building --------------------------------------------------------------------------

    @staticmethod
    def _form(box: QGroupBox | None) -> QFormLayout:
        form = QFormLayout(box)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return form

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("muted")
        # Rows grow downwards when an error shows, so labels sit at the top, level with the text.
        label.setContentsMargins(0, 6, 0, 0)
        return label

    def _error_label(self, name: str) -> QLabel:
        # A red message, hidden until the service names this field.
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        self.errors[name] = error
        return error

    def _add_row(self, form: QFormLayout, name: str, label: str, editor: QWidget) -> None:
        # The editor with its message under it.
        cell = QWidget()
        cell_layout = QVBoxLayout(cell)
        cell_layout.setContentsMargins(0, 0, 0, 0)
        cell_layout.setSpacing(2)
        cell_layout.addWidget(editor)
        cell_layout.addWidget(self._error_label(name))
        form.addRow(self._label(label), cell)

    def _add_text(self, form: QFormLayout, name: str) -> None:
        label, placeholder = _TEXTS[name]
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        self.edits[name] = edit
        self._add_row(form, name, label, edit)

    def _add_number(self, form: QFormLayout, name: str) -> None:
        label, suffix, low, high, step = _NUMBERS[name]
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setSingleStep(step)
        spin.setSuffix(suffix)
        if name == "materials_deadline_days":
            spin.setPrefix("予約日の ")
        elif name == "application_reminder_days":
            spin.setPrefix("送付から ")
        elif name == "lock_after_minutes":
            spin.setPrefix("操作がないまま ")
        spin.setGroupSeparatorShown(True)
        spin.setMinimumWidth(140)
        spin.setMaximumWidth(EDITOR_WIDTH)
        spin.setMinimumHeight(EDITOR_HEIGHT)
        self.spins[name] = spin
        self._add_row(form, name, label, spin)

    # 表示 (this desk's) ---------------------------------------------------------------------

    def _text_size_chosen(self) -> None:
        size = self.text_size_combo.value()
        if not isinstance(size, TextSize):
            return
        error = self.errors["text_size"]
        saved = text_size.choose(size)
        error.setText("" if saved else text_size.NOT_SAVED)
        error.setVisible(not saved)

    def _text_size_applied(self, size: TextSize) -> None:
        """Changed from the keyboard (or another page): the combo follows."""
        if self.text_size_combo.value() != size:
            self.text_size_combo.blockSignals(True)
            self.text_size_combo.set_value(size)
            self.text_size_combo.blockSignals(False)

    def open_masters(self) -> None:
        """The departments, doctors, hours and one-off closures, in their own window."""
        # Window-modal but not blocking: the clerk closes it to come back to the settings.
        self.masters_dialog = MastersDialog(self._runner, self)
        self.masters_dialog.open()

    def open_ledger_import(self) -> None:
        """設定 → 取り込み: the ledger import, in its own window (administrators only)."""
        # Imported here: the import service loads the ORM, which a start leaves for later.
        from desktop_app.ui.ledger_import_dialog import LedgerImportDialog

        self.ledger_dialog = LedgerImportDialog(self._runner, self)
        self.ledger_dialog.open()

    def open_staff_accounts(self) -> None:
        """The staff accounts, in their own window (administrators only)."""
        self.staff_dialog = StaffAccountsDialog(self._runner, self)
        self.staff_dialog.open()

    # Who may change the settings -------------------------------------------------------

    def apply_role(self, actor: Actor | None) -> None:
        """Editable for an administrator (or a program with no sign-in); for a 受付 or 医師
        the settings show read-only, without 保存 and without the administrators' windows.

        The services refuse such changes anyway; this spares the clerk the refusal.
        """
        self.read_only = actor is not None and not may(actor.role, Permission.SETTINGS)
        editable = not self.read_only
        set_read_only(
            (*self.edits.values(), *self.spins.values(), self.closures_edit, self.methods_edit),
            self.read_only,
        )
        self._reasons_guard.active = self.read_only
        self.date_style.setEnabled(editable)
        self.fax_printer.setEnabled(editable)
        self.backup_box.browse_button.setEnabled(editable)
        editor = self.reasons_editor
        for button in (
            editor.add_button,
            editor.edit_button,
            editor.remove_button,
            editor.up_button,
            editor.down_button,
        ):
            button.setVisible(editable)
        for widget in (self.save_button, self.revert_button, self.saved_label):
            widget.setVisible(editable)
        self.read_only_note.setVisible(self.read_only)
        self.setStyleSheet(READ_ONLY_STYLE if self.read_only else "")
        self.masters_button.setVisible(actor is None or may(actor.role, Permission.SETTINGS))
        self.ledger_button.setVisible(actor is None or may(actor.role, Permission.SETTINGS))
        self.staff_button.setVisible(actor is None or may(actor.role, Permission.STAFF))
        self.audit_button.setVisible(actor is None or may(actor.role, Permission.AUDIT))
        if self.read_only:
            self.reload()  # anything typed and not saved goes: nothing here can be saved now

    def open_audit_viewer(self) -> None:
        """The audit log, in its own window (the services refuse whoever may not read it)."""
        self.audit_viewer = AuditViewer(self._runner, self)
        self.audit_viewer.open()

    # Loading and saving ----------------------------------------------------------------

    def reload(self) -> None:
        settings = self._runner.read(self, get_settings)
        if settings is not None:
            self._fill(settings)
        self.clear_errors()
        self.saved_label.clear()

    def _on_changed(self, notice: ChangeNotice) -> None:
        if not notice.touches(Change.SETTINGS) or notice.from_(self):
            return
        if self._saving or not self.is_edited():
            self.reload()  # this save lost to another desk's, or nothing typed would be lost
        else:
            # Another desk saved while the clerk is typing here: what is typed stays. The save
            # writes only the fields changed here and refuses one changed at both desks.
            self.saved_label.setText(
                "他の端末で設定が保存されました（入力中の内容はそのままです）。"
            )

    def _shown_values(self) -> tuple[object, ...]:
        return (
            *(edit.text() for edit in self.edits.values()),
            *(spin.value() for spin in self.spins.values()),
            self.date_style.currentIndex(),
            self.closures_edit.text(),
            self.methods_edit.text(),
            tuple(self.reasons_editor.reasons()),
        )

    def is_edited(self) -> bool:
        """True when the form holds something typed here and not saved."""
        return self._current is not None and self._shown_values() != self._filled

    def _fill(self, s: ClinicSettings) -> None:
        self._current = s
        shown = {
            "postal_code": format_postal(s.postal_code, mark=False),
            "tel": format_phone(s.tel),
            "fax": format_phone(s.fax),
        }
        for name, edit in self.edits.items():
            edit.setText(shown.get(name, getattr(s, name)))
        for name, spin in self.spins.items():
            spin.setValue(getattr(s, name))
        self.date_style.setCurrentIndex(self.date_style.index_of(s.date_style))
        self.closures_edit.setText(format_closures(s.annual_closures))
        self.methods_edit.setText("、".join(s.payment_methods))
        self.reasons_editor.set_reasons(s.exclusion_reasons)
        self._filled = self._shown_values()

    def edited(self) -> ClinicSettings:
        """The settings as the form shows them, not yet checked by the service.

        Raises ValidationError (field ``annual_closures``) when the closures text is not dates.
        """
        assert self._current is not None
        values: dict[str, Any] = {name: edit.text() for name, edit in self.edits.items()}
        values.update({name: spin.value() for name, spin in self.spins.items()})
        values["date_style"] = self.date_style.value()
        values["annual_closures"] = parse_closures(self.closures_edit.text())
        values["exclusion_reasons"] = self.reasons_editor.reasons()
        values["payment_methods"] = parse_methods(self.methods_edit.text())
        return dataclasses.replace(self._current, **values)

    def save(self) -> ClinicSettings | None:
        if self._current is None:
            return None
        self.clear_errors()
        self.saved_label.clear()
        try:
            edited = self.edited()
        except ValidationError as error:
            # Text the page itself reads (the closures): shown like the service's own errors.
            self.show_field_error(error)
            return None
        self._saving = True
        try:
            saved = self._runner.run(
                self,
                update_settings,
                edited,
                based_on=self._current,
                changes=Change.SETTINGS,
                on_error=self.show_field_error,
            )
        finally:
            self._saving = False
        if saved is not None:
            self._fill(saved)  # as the store now has it (tidied: hyphens, spaces)
            self.saved_label.setText("保存しました。")
        return saved

    def clear_errors(self) -> None:
        for name, label in self.errors.items():
            label.clear()
            label.hide()
            editor = self._editor_for(name)
            if editor is not None and editor.property("invalid"):
                editor.setProperty("invalid", False)
                editor.style().polish(editor)

    def show_field_error(self, error: ValidationError) -> None:
        label = self.errors.get(error.field or "")
        if label is None:
            # A field this page does not show: a message box, then.
            actions.show_error(self, error.message)
            return
        label.setText(error.message)
        label.show()
        editor = self._editor_for(error.field or "")
        if editor is not None:
            if isinstance(editor, QLineEdit):
                editor.setProperty("invalid", True)
                editor.style().polish(editor)
            editor.setFocus()

    def _editor_for(self, name: str) -> QWidget | None:
        """The widget a field's error belongs to (it gets the focus and the red border)."""
        others: dict[str, QWidget] = {
            "date_style": self.date_style,
            "annual_closures": self.closures_edit,
            "exclusion_reasons": self.reasons_editor.view,
            "payment_methods": self.methods_edit,
        }
        return self.edits.get(name) or self.spins.get(name) or others.get(name)
