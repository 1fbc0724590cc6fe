"""設定 → 台帳の取り込み: choose the office's ledger, check the columns, see what a dry run
finds (確認), then import (取り込む). Reading and importing run off the UI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.ledger import Field, LedgerMapping
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.file_dialogs import documents_folder
from desktop_app.ui.value_combo import ValueCombo

if TYPE_CHECKING:
    from desktop_app.services.ledger_import import ImportPreview, ImportResult

TITLE = "台帳の取り込み"
NOT_IMPORTED = "（取り込まない）"
HINT = (
    "Excel（.xlsx）か CSV の受付台帳から案件を登録します。まず「確認」で、登録する行と"
    "取り込めない行を確かめてください。同じファイルをもう一度取り込んでも、同じ行は登録されません。"
)
FILE_FILTER = "受付台帳 (*.xlsx *.xlsm *.csv *.txt);;すべてのファイル (*)"


def choose_ledger_file(parent: QWidget | None) -> str:
    """The file the clerk picks ('' when cancelled). Tests patch this."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, "台帳のファイルを選ぶ", str(documents_folder()), FILE_FILTER
    )
    return path


class LedgerImportDialog(QDialog):
    """One ledger file: its column mapping (a combo per column), the dry run, the import."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.resize(820, 640)
        self._runner = runner
        self.path: Path | None = None
        self.preview: ImportPreview | None = None
        self.import_result: ImportResult | None = None
        self.busy = False

        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("ファイルを選んでください")
        self.choose_button = QPushButton("ファイルを選ぶ…")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)

        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setHorizontalHeaderLabels(["ファイルの見出し", "取り込む項目"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.combos: list[ValueCombo] = []

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.refused_table = QTableWidget(0, 3)
        self.refused_table.setAccessibleName("取り込めない行")
        self.refused_table.setHorizontalHeaderLabels(["行", "列", "取り込めない理由"])
        self.refused_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        self.refused_table.verticalHeader().setVisible(False)
        self.refused_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.check_button = QPushButton("確認")
        self.check_button.setDefault(True)  # Enter runs the dry run, which writes nothing
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton("取り込む")
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(self.run_import)
        self.close_button = QPushButton("閉じる")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(file_row)
        layout.addWidget(QLabel("列の割り当て（見出しから推定。違うときは選び直してください）"))
        layout.addWidget(self.mapping_table, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.refused_table, 3)
        layout.addLayout(buttons)
        self._update_buttons()

    # The file and its columns -----------------------------------------------------------

    def choose_file(self) -> None:
        chosen = choose_ledger_file(self)
        if chosen:
            self.open_file(Path(chosen))

    def open_file(self, path: Path) -> None:
        """Read the file's columns and run the dry run with the guessed mapping."""
        self.path = path
        self.file_edit.setText(str(path))
        self.preview = None
        self.import_result = None
        self.combos = []
        self.mapping_table.setRowCount(0)
        self._run_preview(None)

    def mapping(self) -> dict[str, str]:
        """The mapping as shown: header → field value ('' for a column left out)."""
        out: dict[str, str] = {}
        for row, combo in enumerate(self.combos):
            item = self.mapping_table.item(row, 0)
            header = item.text() if item is not None else ""
            if header:
                value = combo.value()
                out[header] = value.value if isinstance(value, Field) else ""
        return out

    def _fill_mapping(self, mapping: LedgerMapping) -> None:
        self.mapping_table.setRowCount(len(mapping.headers))
        self.combos = []
        for row, (header, field) in enumerate(zip(mapping.headers, mapping.fields, strict=True)):
            self.mapping_table.setItem(row, 0, QTableWidgetItem(header or "（見出しなし）"))
            combo = ValueCombo()
            combo.add(NOT_IMPORTED, None)
            for f in Field:
                combo.add(f.label, f)
            combo.set_value(field)
            combo.setEnabled(bool(header))
            self.mapping_table.setCellWidget(row, 1, combo)
            self.combos.append(combo)

    # The dry run and the import ---------------------------------------------------------

    def check(self) -> None:
        """確認: the dry run with the mapping as shown."""
        if self.path is not None and not self.busy:
            self._run_preview(self.mapping() if self.combos else None)

    def _run_preview(self, mapping: dict[str, str] | None) -> None:
        from desktop_app.services.ledger_import import preview_ledger

        if self.path is None:
            return
        self._set_busy(True, "確認しています…")
        self._runner.run_in_background(
            self,
            preview_ledger,
            self.path,
            mapping,
            on_done=self._show_preview,
            on_failed=self._failed,
        )

    def _show_preview(self, preview: ImportPreview) -> None:
        self.busy = False
        self.preview = preview
        self.import_result = None
        if not self.combos:
            self._fill_mapping(preview.mapping)
        self._show(preview, "確認しました（まだ何も書き込んでいません）。")

    def run_import(self) -> None:
        """取り込む: the rows that pass, in one step (refused rows are left out)."""
        from desktop_app.services.ledger_import import import_ledger

        if self.path is None or self.preview is None or self.busy:
            return
        self._set_busy(True, "取り込んでいます…")
        self._runner.run_in_background(
            self,
            import_ledger,
            self.path,
            self.mapping(),
            on_done=self._show_result,
            on_failed=self._failed,
            changes=Change.CASES | Change.MASTERS | Change.SETTINGS,
        )

    def _show_result(self, result: ImportResult) -> None:
        self.busy = False
        self.import_result = result
        self.preview = result.preview
        self._show(
            result.preview,
            f"取り込みました：案件 {result.created:,} 件を登録"
            f"（新しい患者 {result.new_patients:,} 人）。",
        )

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        message = getattr(exc, "message", None) or f"取り込めませんでした（{type(exc).__name__}）。"
        self.summary.setText(message)
        self._update_buttons()

    def _show(self, preview: ImportPreview, headline: str) -> None:
        from desktop_app.services.ledger_import import summary_lines

        self.summary.setText("\n".join([headline, *summary_lines(preview)]))
        problems = preview.refused
        self.refused_table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            for column, text in enumerate((str(problem.row), problem.column, problem.message)):
                self.refused_table.setItem(row, column, QTableWidgetItem(text))
        self._update_buttons()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        if text:
            self.summary.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.path is not None and not self.busy
        self.check_button.setEnabled(ready)
        self.choose_button.setEnabled(not self.busy)
        # Once imported, 確認 again first (a second import would find every row done).
        can_import = (
            ready
            and self.import_result is None
            and self.preview is not None
            and self.preview.to_create
        )
        self.import_button.setEnabled(bool(can_import))
