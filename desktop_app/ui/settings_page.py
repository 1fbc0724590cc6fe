"""設定: the clinic's names, addresses and numbers; errors show beside the field they concern."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.contact import format_phone, format_postal
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.settings import ClinicSettings, DateStyle
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.ui import actions
from desktop_app.ui.actions import SETTINGS, ServiceRunner

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


class SettingsPage(QWidget):
    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._current: ClinicSettings | None = None
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
            self._add_number(rules_form, name)
        self.date_style = QComboBox()
        self.date_style.setMaximumWidth(EDITOR_WIDTH)
        self.date_style.setMinimumHeight(EDITOR_HEIGHT)
        for style in DateStyle:
            self.date_style.addItem(style.label, style.value)
        self._add_row(rules_form, "date_style", "日付の表示", self.date_style)

        lists = QGroupBox("休診日・対象外の理由（表示のみ）")
        lists_form = self._form(lists)
        self.closures_label = QLabel()
        self.closures_label.setWordWrap(True)
        lists_form.addRow(self._label("毎年の休診日"), self.closures_label)
        self.reasons_list = QListWidget()
        self.reasons_list.setObjectName("reasons")
        self.reasons_list.setMinimumHeight(150)
        lists_form.addRow(self._label("対象外の理由"), self.reasons_list)

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

        body = QWidget()
        columns = QHBoxLayout()
        columns.setSpacing(16)
        left = QVBoxLayout()
        left.addWidget(office)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(rules)
        right.addWidget(lists)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(columns)
        body_layout.addStretch(1)
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
        self.reload()

    # Building --------------------------------------------------------------------------

    @staticmethod
    def _form(box: QGroupBox) -> QFormLayout:
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

    def _add_row(self, form: QFormLayout, name: str, label: str, editor: QWidget) -> None:
        # The editor with a red message under it, hidden until the service names this field.
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        self.errors[name] = error
        cell = QWidget()
        cell_layout = QVBoxLayout(cell)
        cell_layout.setContentsMargins(0, 0, 0, 0)
        cell_layout.setSpacing(2)
        cell_layout.addWidget(editor)
        cell_layout.addWidget(error)
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
        spin.setGroupSeparatorShown(True)
        spin.setMinimumWidth(140)
        spin.setMaximumWidth(EDITOR_WIDTH)
        spin.setMinimumHeight(EDITOR_HEIGHT)
        self.spins[name] = spin
        self._add_row(form, name, label, spin)

    # Loading and saving ----------------------------------------------------------------

    def reload(self) -> None:
        settings = self._runner.read(self, get_settings)
        if settings is not None:
            self._fill(settings)
        self.clear_errors()
        self.saved_label.clear()

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if SETTINGS in kinds:
            self.reload()

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
        self.date_style.setCurrentIndex(self.date_style.findData(s.date_style.value))
        self.closures_label.setText("、".join(f"{m}/{d}" for m, d in s.annual_closures) or "なし")
        self.reasons_list.clear()
        for reason in s.exclusion_reasons:
            self.reasons_list.addItem(reason.label)

    def edited(self) -> ClinicSettings:
        """The settings as the form shows them, not yet checked."""
        assert self._current is not None
        values: dict[str, object] = {name: edit.text() for name, edit in self.edits.items()}
        values.update({name: spin.value() for name, spin in self.spins.items()})
        values["date_style"] = DateStyle(self.date_style.currentData())
        return dataclasses.replace(self._current, **values)

    def save(self) -> ClinicSettings | None:
        if self._current is None:
            return None
        self.clear_errors()
        self.saved_label.clear()
        saved = self._runner.run(
            self,
            update_settings,
            self.edited(),
            changes=frozenset({SETTINGS}),
            on_error=self.show_field_error,
        )
        if saved is not None:
            self.saved_label.setText("保存しました。")
        return saved

    def clear_errors(self) -> None:
        for name, label in self.errors.items():
            label.clear()
            label.hide()
            editor = self.edits.get(name)
            if editor is not None and editor.property("invalid"):
                editor.setProperty("invalid", False)
                editor.style().polish(editor)

    def show_field_error(self, error: ValidationError) -> None:
        label = self.errors.get(error.field or "")
        if label is None:
            # A field this page does not show (e.g. the exclusion list): a message box, then.
            actions.show_error(self, error.message)
            return
        label.setText(error.message)
        label.show()
        editor = self.edits.get(error.field or "") or self.spins.get(error.field or "")
        if editor is None and error.field == "date_style":
            editor = self.date_style
        if editor is not None:
            if isinstance(editor, QLineEdit):
                editor.setProperty("invalid", True)
                editor.style().polish(editor)
            editor.setFocus()
