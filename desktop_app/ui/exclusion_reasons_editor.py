"""対象外の理由: the ordered list the settings page edits, and the dialog for one reason.

The order is the order in which the intake asks the screening questions. The guide's own
reasons keep their codes (past cases refer to them), so they can be reworded but not deleted;
reasons the hospital adds get a generated code and can be deleted again.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.eligibility import (
    BUILT_IN_CODES,
    ExclusionReason,
    Route,
    is_built_in,
)
from desktop_app.ui.layout_tools import settle_layout
from desktop_app.ui.rows_model import AnyIndex, ReadOnlyTableModel
from desktop_app.ui.value_combo import ValueCombo

CUSTOM_PREFIX = "custom_"

ReasonRole = Qt.ItemDataRole.UserRole + 1  # the ExclusionReason of the row
BuiltInRole = Qt.ItemDataRole.UserRole + 2  # True for the guide's own reasons

COL_LABEL, COL_ROUTE, COL_QUESTION, COL_KIND = range(4)
_HEADERS = ("理由", "案内先", "確認質問", "区分")

BUILT_IN_NOTE = "当院の案内にある標準の理由です。文言は変えられますが、削除はできません。"
CANNOT_DELETE_TIP = (
    "当院の案内にある標準の理由です。過去の案件がこの理由を使っているため削除できません"
    "（文言は「編集」で変えられます）。"
)
DELETE_TIP = "選んだ理由を一覧から外します（「保存」を押すまで確定しません）。"
MESSAGE_NO_LABEL = "理由（表示名）を入力してください。"
MESSAGE_NO_SCRIPT = "電話で読み上げる文を入力してください。"


def new_code(taken: Collection[str]) -> str:
    """A stable code for a reason the hospital adds, unlike any in ``taken``."""
    while True:
        code = CUSTOM_PREFIX + secrets.token_hex(4)
        if code not in taken and code not in BUILT_IN_CODES:
            return code


class ExclusionReasonsModel(ReadOnlyTableModel):
    """The reasons in intake order; rows are added, replaced, removed and moved in place."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_HEADERS, parent)
        self._reasons: list[ExclusionReason] = []

    def set_reasons(self, reasons: Sequence[ExclusionReason]) -> None:
        self.beginResetModel()
        self._reasons = list(reasons)
        self.endResetModel()

    def reasons(self) -> tuple[ExclusionReason, ...]:
        return tuple(self._reasons)

    def reason(self, row: int) -> ExclusionReason:
        return self._reasons[row]

    def append(self, reason: ExclusionReason) -> int:
        row = len(self._reasons)
        self.beginInsertRows(QModelIndex(), row, row)
        self._reasons.append(reason)
        self.endInsertRows()
        return row

    def replace(self, row: int, reason: ExclusionReason) -> None:
        self._reasons[row] = reason
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(_HEADERS) - 1))

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._reasons[row]
        self.endRemoveRows()

    def move(self, row: int, delta: int) -> int:
        """Move one row up (-1) or down (+1); its new row, or ``row`` if it cannot move."""
        target = row + delta
        if delta not in (-1, 1) or not 0 <= row < len(self._reasons):
            return row
        if not 0 <= target < len(self._reasons):
            return row
        # Qt counts the destination before the move: one further when moving down.
        destination = target + 1 if delta > 0 else target
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._reasons.insert(target, self._reasons.pop(row))
        self.endMoveRows()
        return target

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._reasons)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._reasons):
            return None
        reason = self._reasons[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_LABEL:
                return reason.label
            if column == COL_ROUTE:
                return reason.route.label
            if column == COL_QUESTION:
                return "あり" if reason.screening_question else "なし"
            return "標準" if is_built_in(reason) else "追加"
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_QUESTION:
                return reason.screening_question or "受付では質問しません。"
            if column == COL_KIND:
                return CANNOT_DELETE_TIP if is_built_in(reason) else "当院で追加した理由です。"
            # The label may be elided in its column, so the tip repeats it above the script.
            tip = f"{reason.label}\n\n{reason.script}"
            return f"{tip}\n\n（{BUILT_IN_NOTE}）" if is_built_in(reason) else tip
        if role == Qt.ItemDataRole.TextAlignmentRole and column != COL_LABEL:
            return Qt.AlignmentFlag.AlignCenter
        if role == ReasonRole:
            return reason
        if role == BuiltInRole:
            return is_built_in(reason)
        return None


class ReasonDialog(QDialog):
    """One reason's wording; empty 表示名 or 読み上げ文 are refused here, beside the buttons."""

    def __init__(
        self, reason: ExclusionReason, *, adding: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._code = reason.code
        self.setWindowTitle("対象外の理由を追加" if adding else "対象外の理由を編集")
        self.setMinimumWidth(660)

        self.label_edit = QLineEdit(reason.label)
        self.label_edit.setPlaceholderText("例：亡くなった患者さんについてのご相談")
        self.script_edit = QPlainTextEdit(reason.script)
        self.script_edit.setPlaceholderText("お電話でお断りするときに読み上げる文")
        self.script_edit.setTabChangesFocus(True)
        self.script_edit.setMinimumHeight(110)
        self.route_combo = ValueCombo()
        self.route_combo.setMinimumHeight(30)
        for route in Route:
            self.route_combo.add(route.label, route)
        self.route_combo.setCurrentIndex(self.route_combo.index_of(reason.route))
        self.question_edit = QLineEdit(reason.screening_question)
        self.question_edit.setPlaceholderText("任意　例：亡くなった方についてのご相談ですか？")
        question_hint = QLabel("入力すると、受付の電話でこの質問をします。空欄なら質問しません。")
        question_hint.setObjectName("muted")
        question_hint.setWordWrap(True)
        question_cell = QWidget()
        question_layout = QVBoxLayout(question_cell)
        question_layout.setContentsMargins(0, 0, 0, 0)
        question_layout.setSpacing(3)
        question_layout.addWidget(self.question_edit)
        question_layout.addWidget(question_hint)

        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.addRow(_muted("理由（表示名）"), self.label_edit)
        form.addRow(_muted("電話で読み上げる文"), self.script_edit)
        form.addRow(_muted("案内先"), self.route_combo)
        form.addRow(_muted("受付時の確認質問"), question_cell)

        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("決定")
        self.ok_button.setObjectName("primary")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        if is_built_in(reason):
            note = QLabel(BUILT_IN_NOTE)
            note.setObjectName("muted")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def reason(self) -> ExclusionReason:
        """The reason as the fields show it, with the code it came with."""
        return ExclusionReason(
            code=self._code,
            label=self.label_edit.text().strip(),
            script=self.script_edit.toPlainText().strip(),
            route=self.route_combo.value(),
            screening_question=self.question_edit.text().strip(),
        )

    def accept(self) -> None:
        reason = self.reason()
        if not reason.label:
            self._refuse(MESSAGE_NO_LABEL, self.label_edit)
        elif not reason.script:
            self._refuse(MESSAGE_NO_SCRIPT, self.script_edit)
        else:
            super().accept()

    def _refuse(self, message: str, editor: QWidget) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        editor.setFocus()


def edit_reason(
    parent: QWidget | None, reason: ExclusionReason, *, adding: bool = False
) -> ExclusionReason | None:
    """Ask for one reason's wording in a modal dialog; None when cancelled. Tests patch this."""
    dialog = ReasonDialog(reason, adding=adding, parent=parent)
    settle_layout(dialog)
    try:
        return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


class ExclusionReasonsEditor(QWidget):
    """The list with 追加 / 編集 / 削除 / 上へ / 下へ; nothing is stored until the page saves."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ExclusionReasonsModel(self)
        self.view = QTableView()
        self.view.setObjectName("reasons")
        self.view.setAccessibleName("対象外の理由の一覧")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(28)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.Stretch)
        for column in (COL_ROUTE, COL_QUESTION, COL_KIND):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.doubleClicked.connect(self.edit_selected)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton("追加…")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("編集…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton("削除")
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button = QPushButton("↑ 上へ")
        self.up_button.setToolTip("受付で先に質問します。")
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton("↓ 下へ")
        self.down_button.setToolTip("受付で後に質問します。")
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def set_reasons(self, reasons: Sequence[ExclusionReason]) -> None:
        self.model.set_reasons(reasons)
        self._update_buttons()

    def reasons(self) -> tuple[ExclusionReason, ...]:
        return self.model.reasons()

    def current_row(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)

    def add(self) -> None:
        blank = ExclusionReason(
            code=new_code({r.code for r in self.reasons()}), label="", script=""
        )
        reason = edit_reason(self, blank, adding=True)
        if reason is not None:
            self.select_row(self.model.append(dataclasses.replace(reason, code=blank.code)))

    def edit_selected(self) -> None:
        row = self.current_row()
        if row is None:
            return
        old = self.model.reason(row)
        reason = edit_reason(self, old)
        if reason is not None:
            # The code is what cases store; the dialog may change the wording only.
            self.model.replace(row, dataclasses.replace(reason, code=old.code))

    def remove_selected(self) -> None:
        row = self.current_row()
        if row is None or is_built_in(self.model.reason(row)):
            return
        self.model.remove(row)
        if self.model.rowCount():
            self.select_row(min(row, self.model.rowCount() - 1))
        self._update_buttons()

    def move_selected(self, delta: int) -> None:
        row = self.current_row()
        if row is None:
            return
        self.select_row(self.model.move(row, delta))
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        row = self.current_row()
        selected = row is not None
        built_in = row is not None and is_built_in(self.model.reason(row))
        self.edit_button.setEnabled(selected)
        self.remove_button.setEnabled(selected and not built_in)
        self.remove_button.setToolTip(CANNOT_DELETE_TIP if built_in else DELETE_TIP)
        self.up_button.setEnabled(row is not None and row > 0)
        self.down_button.setEnabled(row is not None and row < self.model.rowCount() - 1)


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setContentsMargins(0, 6, 0, 0)
    return label
