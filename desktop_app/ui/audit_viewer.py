"""変更履歴（監査ログ）: who did what and when, filtered, paged and exported (Excel or CSV).

For administrators (issue #14): the services refuse whoever the role does not allow
read the log, so the viewer needs no check of its own beyond showing that refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.services.access import NotAllowed
from desktop_app.services.audit_log import (
    AuditFilter,
    AuditRow,
    count_entries,
    export_csv,
    list_entries,
    local_minutes,
    staff_names,
)
from desktop_app.ui import actions, text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.file_dialogs import ask_export_file
from desktop_app.ui.layout_tools import TwoPartRow, fit_date_edit, fit_to_screen
from desktop_app.ui.rows_model import AnyIndex, ReadOnlyTableModel
from desktop_app.ui.value_combo import ValueCombo

HEADERS = ("番号", "日時", "担当者", "操作", "案件番号", "内容")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the AuditRow itself

PageLoader = Callable[[AuditFilter, int | None], tuple[AuditRow, ...] | None]


def ask_export_path(parent: QWidget | None, suggested: str) -> str | None:
    """Ask where to save the export, starting in Documents, Excel (.xlsx) offered first and
    CSV second; None if the clerk backs out."""
    return ask_export_file(parent, "変更履歴を書き出す", suggested)


class AuditLogModel(ReadOnlyTableModel):
    """The matching entries, newest first, fetched a page at a time as the view scrolls."""

    def __init__(self, load_page: PageLoader, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)
        self._load_page = load_page
        self._filter = AuditFilter()
        self._rows: list[AuditRow] = []
        self._total = 0
        self._resetting = False

    @property
    def total(self) -> int:
        return self._total

    def reset(self, f: AuditFilter, total: int) -> None:
        """Start again with another filter (``total`` matching entries), the first page loaded."""
        first = (self._load_page(f, None) or ()) if total else ()
        # Views (and Qt's model tester) ask for more while the reset is announced; the first
        # page is already in, and inserting rows inside a reset is not allowed.
        self._resetting = True
        try:
            self.beginResetModel()
            self._filter, self._rows = f, list(first)
            self._total = total if first else 0
            self.endResetModel()
        finally:
            self._resetting = False

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._resetting and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        before = self._rows[-1].id if self._rows else None
        page = self._load_page(self._filter, before)
        if not page:
            self._total = len(self._rows)  # the log shrank under us, or the load failed
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def row_at(self, row: int) -> AuditRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.row_at(index.row()) if index.isValid() else None
        if entry is None:
            return None
        if role == ROW_ROLE:
            return entry
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                str(entry.id),
                local_minutes(entry.at),
                entry.staff,
                entry.action_label,
                entry.case_number,
                entry.summary,
            )
            return values[index.column()] if 0 <= index.column() < len(values) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


class AuditViewer(QDialog):
    """The audit log in its own window, opened from 設定."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.refused = False  # the signed-in role may not read the log (the service said so)
        self.setWindowTitle("変更履歴（監査ログ）")
        fit_to_screen(self, 1180, 720)

        self.staff = ValueCombo()
        text_size.keep(self.staff, minimum_width=150)
        self.case_number = QLineEdit()
        self.case_number.setPlaceholderText("例：SO-2026-0012")
        self.case_number.setClearButtonEnabled(True)
        text_size.keep(self.case_number, minimum_width=170)
        self.action = ValueCombo()
        self.action.add("すべての操作", None)
        for action in AuditAction:
            self.action.add(action.label, action)
        self.use_dates = QCheckBox("期間")
        today = QDate(clock.today())
        self.date_from = self._date_edit(today.addDays(-30))
        self.date_to = self._date_edit(today)
        self.search_button = QPushButton("検索")
        self.search_button.setObjectName("primary")
        text_size.keep(self.search_button, minimum_width=90)

        # Who, which case, what; then when and 検索 — beside them, or under them where the
        # window is narrower (a small screen, 文字の大きさ 特大).
        filters = QHBoxLayout()
        filters.setSpacing(8)
        for label, widget in (("担当者", self.staff), ("案件番号", self.case_number)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(QLabel("操作"))
        filters.addWidget(self.action)
        filters.addSpacing(8)
        when = QHBoxLayout()
        when.setSpacing(8)
        when.addWidget(self.use_dates)
        when.addWidget(self.date_from)
        when.addWidget(QLabel("〜"))
        when.addWidget(self.date_to)
        when.addStretch(1)
        when.addWidget(self.search_button)
        self.filter_bar = TwoPartRow(filters, when)

        self.model = AuditLogModel(self._load_page, self)
        self.table = QTableView()
        self.table.setAccessibleName("変更履歴の一覧")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        text_size.keep_columns(header, dict(enumerate((70, 165, 120, 160, 130))))
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("行を選ぶと、変更前と変更後の値をここに表示します。")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)

        self.count_label = QLabel()
        self.count_label.setObjectName("muted")
        self.export_button = QPushButton("書き出す（Excel・CSV）…")
        close = QPushButton("閉じる")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        # In place of the log when the service refuses this member of staff.
        self.refusal = QLabel()
        self.refusal.setObjectName("fieldError")
        self.refusal.setWordWrap(True)
        self.refusal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.refusal.hide()
        self.splitter = splitter
        layout.addWidget(self.filter_bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.refusal, 1)
        layout.addLayout(bottom)

        self.use_dates.toggled.connect(self._dates_toggled)
        self._dates_toggled(False)
        self.search_button.clicked.connect(self.search)
        self.case_number.returnPressed.connect(self.search)
        self.staff.activated.connect(self.search)
        self.action.activated.connect(self.search)
        self.export_button.clicked.connect(self.export)
        self.table.selectionModel().selectionChanged.connect(self._show_detail)

        self.reload_staff()
        if not self.refused:
            self.search()

    @staticmethod
    def _date_edit(day: QDate) -> QDateEdit:
        edit = QDateEdit(day)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy/MM/dd")
        return fit_date_edit(edit)

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)

    def reload_staff(self) -> None:
        names = self._runner.run(self, staff_names, on_error=self._refused)
        if names is None:
            return
        current = self.staff.value()
        self.staff.clear()
        self.staff.add("すべての担当者", "")
        for name in names:
            self.staff.add(name, name)
        at = self.staff.index_of(current) if current else 0
        self.staff.setCurrentIndex(max(at, 0))

    def _refused(self, error: ValidationError) -> None:
        """The service's refusal of this role shows in the window itself, once; the filters
        and the export go out of sight. Any other error is shown as usual."""
        if not isinstance(error, NotAllowed):
            actions.show_error(self, error.message)
            return
        self.refused = True
        self.refusal.setText(f"{error.message}\n管理者のアカウントでサインインして開いてください。")
        for widget in (self.filter_bar, self.splitter, self.export_button):
            widget.setEnabled(False)
            widget.hide()
        self.refusal.show()
        self.count_label.clear()

    def current_filter(self) -> AuditFilter:
        action = self.action.value()
        dates: dict[str, dt.date] = {}
        if self.use_dates.isChecked():
            dates = {
                "date_from": self.date_from.date().toPython(),  # type: ignore[dict-item]
                "date_to": self.date_to.date().toPython(),  # type: ignore[dict-item]
            }
        return AuditFilter(
            staff=self.staff.value() or "",
            case_number=self.case_number.text().strip(),
            action=action,
            **dates,
        )

    def search(self) -> None:
        """Load the first page for the filter as it stands (and count every match)."""
        if self.refused:
            return
        f = self.current_filter()
        total = self._runner.read(self, count_entries, f)
        if total is None:
            return
        self.detail.clear()
        self.model.reset(f, total)
        self._update_count()

    def _load_page(self, f: AuditFilter, before: int | None) -> tuple[AuditRow, ...] | None:
        page = self._runner.read(self, list_entries, f, before_id=before)
        shown = (self.model.rowCount() if before is not None else 0) + len(page or ())
        self._update_count(shown=shown)
        return page

    def _update_count(self, shown: int | None = None) -> None:
        shown = self.model.rowCount() if shown is None else shown
        total = self.model.total
        if total == 0:
            self.count_label.setText("該当する変更履歴はありません")
        elif shown >= total:
            self.count_label.setText(f"該当 {total:,} 件")
        else:
            self.count_label.setText(
                f"該当 {total:,} 件（新しい順に {shown:,} 件を表示。下へスクロールすると続きを読み込みます）"
            )
        self.export_button.setEnabled(total > 0)

    def _show_detail(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        entry = self.model.row_at(indexes[0].row()) if indexes else None
        if entry is None:
            self.detail.clear()
            return
        lines = [
            f"{entry.id} 行目　{local_minutes(entry.at)}　{entry.staff}　{entry.action_label}",
            f"対象：{entry.entity} {entry.entity_id}".rstrip(),
            f"内容：{entry.summary}",
            f"変更前：{entry.before or 'なし'}",
            f"変更後：{entry.after or 'なし'}",
        ]
        self.detail.setPlainText("\n".join(lines))

    def export(self) -> None:
        """Write what the filter matches to the workbook or CSV the clerk names (the suffix
        says which); the export is audited."""
        f = self.current_filter()
        suggested = f"変更履歴-{clock.today():%Y%m%d}.xlsx"
        path = ask_export_path(self, suggested)
        if path is None:
            return
        # The save dialog asked before replacing a file; a database is refused all the same.
        written = self._runner.run(self, export_csv, f, Path(path), overwrite=True)
        if written is None:
            return
        self.count_label.setText(f"{written:,} 件を書き出しました：{path}")
        self.reload_staff()
        self.search()
        self.count_label.setText(f"{written:,} 件を書き出しました：{path}")
