"""The 統計 page: a period, a chart for the report, and the tables, each exportable to Excel
or CSV; the period's cases and payments too (the cases only for a role that may export them).

The figures are counted off the UI thread (ServiceRunner.run_in_background); the page shows
a busy bar meanwhile and keeps the last figures until the new ones arrive. It reloads when
cases or enquiries changed, but only while it is on screen (otherwise when next shown).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.statistics import (
    Period,
    PeriodKind,
    calendar_year,
    custom_period,
    fiscal_year,
    fiscal_year_of,
)
from desktop_app.services.export import (
    ExportResult,
    export_cases,
    export_payments,
    export_stats,
    export_stats_table,
)
from desktop_app.services.statistics import statistics
from desktop_app.services.statistics_data import (
    TABLE_MONTHS,
    TABLE_REVENUE,
    TOTAL_LABEL,
    StatsData,
    StatsTable,
    stats_tables,
)
from desktop_app.services.store import StoreError
from desktop_app.ui import actions, text_size
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.file_dialogs import ask_export_file
from desktop_app.ui.layout_tools import TwoPartRow, fit_date_edit
from desktop_app.ui.permissions import gate
from desktop_app.ui.rows_model import AnyIndex, RowsModel
from desktop_app.ui.stats_chart import MonthlyChart
from desktop_app.ui.style import ACCENT

# The period buttons show which one is chosen (the global sheet has no checked state).
PERIOD_BUTTONS_STYLE = f"""
QPushButton:checked {{
    background: #e6eef7; color: {ACCENT}; border: 1px solid {ACCENT}; font-weight: bold;
}}
"""
FIRST_COLUMN_SLACK = 24
# Short tab names; the table's full title is in the exported file and the tooltip.
TAB_NAMES = {
    "months": "月別",
    "doctors": "診療科・担当医",
    "referrers": "紹介元",
    "exclusions": "対象外の理由",
    "lead_times": "所要日数",
    "revenue": "収入",
}


def ask_save_path(
    parent: QWidget | None, suggested: str, title: str = "統計を書き出す"
) -> str | None:
    """Where to save an export, Excel (.xlsx) offered first, CSV second; None when the clerk
    cancels. ``suggested`` ends in .xlsx; the suffix follows the type the clerk picks."""
    return ask_export_file(parent, title, suggested)


class _TotalsModel(RowsModel):
    """Rows of text with the 合計 line in bold."""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            first = super().data(self.index(index.row(), 0), Qt.ItemDataRole.DisplayRole)
            if first == TOTAL_LABEL:
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)


class StatsTableView(QWidget):
    """One table and its export button."""

    def __init__(self, key: str, page: StatsPage) -> None:
        super().__init__()
        self.key = key
        self.model = RowsModel((), self)
        self.view = QTableView()
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.export_button = QPushButton("この表を書き出す（Excel・CSV）…")
        self.export_button.clicked.connect(lambda: page.export_table(self.key))
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        # The row the table opens on (this month), scrolled to once the view has its size.
        self.focus_row: int | None = None
        self._scroll_pending = False

    def show_table(self, table: StatsTable, focus_row: int | None = None) -> None:
        numbers = frozenset(
            i for i in range(len(table.headers)) if table.rows and isinstance(table.rows[0][i], int)
        )
        numbers |= frozenset(i for i, h in enumerate(table.headers) if "中央値" in h)
        model = _TotalsModel(table.headers, self, right_aligned=numbers)
        model.set_rows([[_text(v) for v in row] for row in table.rows])
        self.view.setModel(model)
        self.model.deleteLater()
        self.model = model
        header = self.view.horizontalHeader()
        # The first column (month, name, reason) as wide as its text; the figures share the rest.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self._fit_first_column()
        self.view.setToolTip(table.title)
        self.focus_row = focus_row
        self._scroll_pending = focus_row is not None
        self.scroll_to_focus()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # 文字の大きさ changed: measured again
            self._fit_first_column()

    def _fit_first_column(self) -> None:
        """The first column as wide as its text, in the font in use."""
        if self.model.columnCount() == 0:
            return
        self.view.resizeColumnToContents(0)
        # Room for the cell padding of the style sheet, which the size hint leaves out.
        self.view.setColumnWidth(0, self.view.columnWidth(0) + text_size.px(FIRST_COLUMN_SLACK))

    def scroll_to_focus(self) -> None:
        """Bring the focus row (this month) into the middle of the view and make it current.

        A table on a tab not yet shown has no size to scroll in: it scrolls when first shown.
        """
        if not self._scroll_pending or self.focus_row is None:
            return
        index = self.model.index(self.focus_row, 0)
        if not index.isValid():
            self._scroll_pending = False
            return
        self.view.setCurrentIndex(index)
        if not self.view.isVisible():
            return
        self.view.scrollTo(index, QTableView.ScrollHint.PositionAtCenter)
        self._scroll_pending = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._scroll_pending:
            # After the view has laid out its rows for its new size.
            QTimer.singleShot(0, self.scroll_to_focus)


class StatsPage(QWidget):
    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.data: StatsData | None = None
        self._loading = 0  # the number of the newest request; older answers are dropped
        self._answered = 0
        self._stale = True
        today = clock.today()

        title = QLabel("統計")
        title.setObjectName("pageTitle")
        self.kind_buttons = QButtonGroup(self)
        self.kind_buttons.setExclusive(True)
        kinds = QHBoxLayout()
        kinds.setSpacing(4)
        for kind in PeriodKind:
            button = QPushButton(kind.label)
            button.setCheckable(True)
            text_size.set_style(button, PERIOD_BUTTONS_STYLE)
            button.setProperty("kind", kind.value)
            self.kind_buttons.addButton(button)
            kinds.addWidget(button)
        self.kind_buttons.buttons()[0].setChecked(True)
        self.year = QSpinBox()
        self.year.setAccessibleName("集計する年")
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.year.setSuffix("年")
        self.year.setAccelerated(True)
        self.date_from = QDateEdit(QDate(today.year, 1, 1))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy/MM/dd")
            fit_date_edit(edit)
        self.range_sep = QLabel("〜")
        self.count_button = QPushButton("集計")
        self.count_button.setObjectName("primary")
        self.export_all_button = QPushButton("すべての表…")
        self.export_all_button.setToolTip("この期間の統計の表を、表ごとのシートにして書き出します")
        self.cases_button = QPushButton("案件一覧…")
        self.cases_button.setToolTip(
            "この期間に受け付けた案件を、患者の個人情報とともにExcelかCSVに書き出します"
        )
        self.payments_button = QPushButton("入金一覧…")
        self.payments_button.setToolTip(
            "この期間の入金（領収書番号・金額。個人情報なし）をExcelかCSVに書き出します"
        )
        self._exporting = False  # a list export is being written off the UI thread
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no known end: a moving bar
        text_size.keep(self.busy, fixed_width=120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.status = QLabel("")
        self.status.setObjectName("muted")

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(16)
        top.addLayout(kinds)
        top.addSpacing(8)
        for widget in (self.year, self.date_from, self.range_sep, self.date_to):
            top.addWidget(widget)
        top.addWidget(self.count_button)
        top.addSpacing(8)
        top.addWidget(self.busy)
        top.addStretch(1)

        self.period_label = QLabel("")
        self.period_label.setObjectName("periodLabel")
        text_size.set_style(self.period_label, "font-size: 12pt; font-weight: bold;")
        info = QHBoxLayout()
        info.addWidget(self.period_label)
        info.addSpacing(12)
        info.addWidget(self.status, 1)
        # The period's files: the exports, and the report to print (one row, so the page fits
        # a 1280-pixel screen with the sidebar; the report under the exports where the page is
        # narrower, at 文字の大きさ 特大).
        exports = QHBoxLayout()
        exports.addStretch(1)
        exports.addWidget(QLabel("この期間を書き出す（Excel・CSV）："))
        for button in (self.export_all_button, self.cases_button, self.payments_button):
            exports.addWidget(button)
        report = QHBoxLayout()
        report.addStretch(1)
        report.addSpacing(16)
        # 月報: the period on screen on one printed page, through the print preview.
        from desktop_app.services.access import PRINT_FORMS  # light: no printing loaded

        self.report_button = QPushButton("月報を印刷…")
        self.report_button.setToolTip("この期間の件数・グラフ・表を1枚の月報にして印刷します")
        self.report_button.clicked.connect(self.print_monthly_report)
        report.addWidget(self.report_button)
        gate(self.report_button, runner, PRINT_FORMS)
        self.files_row = TwoPartRow(exports, report)

        self.chart = MonthlyChart()
        self.chart.setAccessibleName("月別の件数のグラフ")
        self.tabs = QTabWidget()
        self.tables: dict[str, StatsTableView] = {}
        for key, name in TAB_NAMES.items():
            view = StatsTableView(key, self)
            view.view.setAccessibleName(f"{name}の表")
            self.tables[key] = view
            self.tabs.addTab(view, name)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.tabs)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([text_size.px(300), text_size.px(400)])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(info)
        layout.addWidget(self.files_row)
        layout.addWidget(splitter, 1)

        self.kind_buttons.buttonClicked.connect(lambda _b: self._kind_changed())
        self.year.editingFinished.connect(self.refresh)
        self.count_button.clicked.connect(self.refresh)
        self.export_all_button.clicked.connect(self.export_all)
        self.cases_button.clicked.connect(self.export_cases)
        self.payments_button.clicked.connect(self.export_payments)
        runner.changed.connect(self._on_changed)
        self._kind_changed(load=False)
        self.gate_exports()

    # The period chosen on screen.
    def kind(self) -> PeriodKind:
        button = self.kind_buttons.checkedButton()
        return PeriodKind(button.property("kind")) if button else PeriodKind.CALENDAR_YEAR

    def set_kind(self, kind: PeriodKind) -> None:
        for button in self.kind_buttons.buttons():
            button.setChecked(button.property("kind") == kind.value)
        self._kind_changed()

    def period(self) -> Period:
        kind = self.kind()
        if kind == PeriodKind.CALENDAR_YEAR:
            return calendar_year(self.year.value())
        if kind == PeriodKind.FISCAL_YEAR:
            return fiscal_year(self.year.value())
        return custom_period(_day(self.date_from), _day(self.date_to))

    def _kind_changed(self, load: bool = True) -> None:
        kind = self.kind()
        custom = kind == PeriodKind.CUSTOM
        for widget in (self.date_from, self.range_sep, self.date_to):
            widget.setVisible(custom)
        self.year.setVisible(not custom)
        today = clock.today()
        if kind == PeriodKind.FISCAL_YEAR:
            self.year.setSuffix("年度")
            self.year.setValue(fiscal_year_of(today))
        elif kind == PeriodKind.CALENDAR_YEAR:
            self.year.setSuffix("年")
            self.year.setValue(today.year)
        if load and not custom:
            self.refresh()

    # Loading.
    def refresh(self) -> None:
        """Count the chosen period again, off the UI thread."""
        try:
            period = self.period()
        except ValidationError as exc:
            actions.show_error(self, exc.message)
            return
        self._stale = False
        self._loading += 1
        number = self._loading
        self._set_busy(True)
        self.status.setText("集計しています…")
        self.runner.run_in_background(
            self, statistics, period,
            on_done=lambda data: self._loaded(number, data),
            on_failed=lambda exc: self._failed(number, exc),
        )  # fmt: skip

    def is_busy(self) -> bool:
        return self._answered < self._loading

    def _set_busy(self, busy: bool) -> None:
        # 集計 stays enabled while counting (a second press is harmless: an older answer is
        # dropped by its number), so Tab out of 集計する年, which starts a count, reaches it.
        self.busy.setVisible(busy or self._exporting)

    def _loaded(self, number: int, data: StatsData) -> None:
        self._answered = max(self._answered, number)
        if number != self._loading:
            return  # a newer period was asked for meanwhile
        self._set_busy(False)
        self.data = data
        self.period_label.setText(data.period.label)
        total = data.total
        self.status.setText(
            f"問い合わせ {total.enquiries:,}件　申込書受領 {total.applications:,}件　"
            f"実施 {total.sessions:,}件　収入 {total.revenue_yen:,}円"
        )
        self.chart.show_data(data)
        # The month tables open on this month, not on the period's first (January).
        today = clock.today()
        this_month = next(
            (
                row
                for row, month in enumerate(data.period.months())
                if (month.year, month.month) == (today.year, today.month)
            ),
            None,
        )
        for table in stats_tables(data):
            focus = this_month if table.key in (TABLE_MONTHS, TABLE_REVENUE) else None
            self.tables[table.key].show_table(table, focus)

    def _failed(self, number: int, exc: Exception) -> None:
        self._answered = max(self._answered, number)
        if number != self._loading:
            return
        self._set_busy(False)
        self.status.setText("集計できませんでした。")
        message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
        actions.show_error(self, f"集計できませんでした：{message}")

    def _on_changed(self, notice: ChangeNotice) -> None:
        if not notice.touches(Change.CASES | Change.ENQUIRIES | Change.SETTINGS):
            return
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.gate_exports()  # another member of staff may have signed in meanwhile
        if self._stale:
            self.refresh()

    # Export.
    def export_table(self, key: str) -> ExportResult | None:
        if self.data is None:
            return None
        name = f"統計_{TAB_NAMES[key]}_{_file_part(self.data.period)}.xlsx"
        path = ask_save_path(self, name, "この表を書き出す")
        if path is None:
            return None
        # The save dialog asked before replacing a file; a database is refused all the same.
        return self._exported(
            self.runner.run(self, export_stats_table, path, self.data, key, overwrite=True)
        )

    def export_all(self) -> ExportResult | None:
        try:
            period = self.data.period if self.data is not None else self.period()
        except ValidationError as exc:
            actions.show_error(self, exc.message)
            return None
        path = ask_save_path(self, f"統計_{_file_part(period)}.xlsx", "すべての表を書き出す")
        if path is None:
            return None
        return self._exported(self.runner.run(self, export_stats, path, period, overwrite=True))

    def export_cases(self) -> None:
        """The period's cases (by 受付日), personal data included, written off the UI thread."""
        self._export_list(export_cases, "案件一覧")

    def export_payments(self) -> None:
        """The period's payments (by 入金日), written off the UI thread."""
        self._export_list(export_payments, "入金一覧")

    def is_exporting(self) -> bool:
        return self._exporting

    def gate_exports(self) -> None:
        """Each export button enabled only for a role its service allows (the reason on hover)."""
        gate(self.export_all_button, self.runner, export_stats)
        for view in self.tables.values():
            gate(view.export_button, self.runner, export_stats_table)
        # One list at a time: the buttons wait while one is being written.
        gate(self.cases_button, self.runner, export_cases, enabled=not self._exporting)
        gate(self.payments_button, self.runner, export_payments, enabled=not self._exporting)

    def _export_list(self, service: Any, what: str) -> None:
        if self._exporting:
            return
        try:
            period = self.data.period if self.data is not None else self.period()
        except ValidationError as exc:
            actions.show_error(self, exc.message)
            return
        path = ask_save_path(self, f"{what}_{_file_part(period)}.xlsx", f"{what}を書き出す")
        if path is None:
            return
        self._set_exporting(True)
        self.status.setText(f"{what}を書き出しています…")
        # The save dialog asked before replacing a file; a database is refused all the same.
        self.runner.run_in_background(
            self, service, path, date_from=period.start, date_to=period.end, overwrite=True,
            on_done=self._list_exported, on_failed=self._list_failed,
        )  # fmt: skip

    def _set_exporting(self, exporting: bool) -> None:
        self._exporting = exporting
        self.busy.setVisible(exporting or self.is_busy())
        self.gate_exports()

    def _list_exported(self, result: ExportResult) -> None:
        self._set_exporting(False)
        self._exported(result)

    def _list_failed(self, exc: Exception) -> None:
        self._set_exporting(False)
        self.status.setText("書き出せませんでした。")
        if isinstance(exc, ValidationError | StoreError):
            message = getattr(exc, "message", None) or str(exc)
            actions.show_error(self, f"書き出せませんでした：{message}")
        else:
            actions.show_unexpected(self, exc)

    def _exported(self, result: ExportResult | None) -> ExportResult | None:
        if result is not None:
            self.status.setText(f"書き出しました：{result.path}（{result.rows:,}行）")
        return result

    def print_monthly_report(self) -> QWidget | None:
        """The 月報 of the period on screen (the figures shown, else the period chosen) in the
        print preview; None when it could not be made (the clerk has been told why)."""
        # Here, not at the top: printing and Qt's PDF view load when a report is first made.
        from desktop_app.domain.forms import FormKind
        from desktop_app.services.forms import RenderedForm
        from desktop_app.services.monthly_report import monthly_report, record_monthly_report
        from desktop_app.ui.layout_tools import settle_layout
        from desktop_app.ui.print_preview import PrintPreviewDialog

        try:
            period = self.data.period if self.data is not None else self.period()
        except ValidationError as exc:
            actions.show_error(self, exc.message)
            return None
        pdf = self.runner.read(self, monthly_report, period)
        if pdf is None:
            return None
        title = f"月報（{period.label}）"
        # The preview wants a FormKind, which the report has none of: the kind is never used,
        # as the report notes its own prints (record_monthly_report).
        form = RenderedForm(FormKind.DAYLIST, pdf, title, f"月報_{_file_part(period)}.pdf")

        def record(how: str) -> None:
            self.runner.run(dialog, record_monthly_report, period, how=how)

        dialog = PrintPreviewDialog(self.runner, form, self, heading=title, record=record)
        dialog.finished.connect(dialog.deleteLater)
        settle_layout(dialog)
        dialog.open()
        return dialog


def _file_part(period: Period) -> str:
    if period.kind == PeriodKind.CALENDAR_YEAR:
        return f"{period.start.year}年"
    if period.kind == PeriodKind.FISCAL_YEAR:
        return f"{period.start.year}年度"
    return f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def _text(value: str | int) -> str:
    return f"{value:,}" if isinstance(value, int) else value


def _day(edit: QDateEdit) -> dt.date:
    day = edit.date().toPython()
    assert isinstance(day, dt.date)
    return day
