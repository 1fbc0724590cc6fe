"""案件一覧: find a case as the clerk types, in any kana spelling or by its number."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import MAIN_LINE, OPEN_STAGES, Stage
from desktop_app.services.access import PRINT_FORMS
from desktop_app.services.case_rows import CasePage, case_rows, search_cases
from desktop_app.services.store import Store
from desktop_app.ui import text_size
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.case_table_model import (
    COL_APPOINTMENT,
    COL_DOCTOR,
    COL_FURIGANA,
    COL_NAME,
    COL_NUMBER,
    COL_REFERRER,
    COL_STAGE,
    PAGE_SIZE,
    CaseIdRole,
    CaseTableModel,
    PageFetcher,
)
from desktop_app.ui.layout_tools import fit_date_edit
from desktop_app.ui.permissions import gate
from desktop_app.ui.print_menu import BLANK_FORMS, day_list_heading, forms_menu, open_preview
from desktop_app.ui.value_combo import ValueCombo

if TYPE_CHECKING:
    from desktop_app.ui.case_detail import CaseDetailDialog, OpenCaseDialogs
    from desktop_app.ui.print_preview import PrintPreviewDialog

SEARCH_DELAY_MS = 150
SEARCH_PLACEHOLDER = "氏名・フリガナ・案件番号・電話番号で検索"
FILTER_ALL = ""
FILTER_OPEN = "open"


def _fetch(
    store: Store, query: str, stages: tuple[Stage, ...] | None, offset: int, limit: int
) -> CasePage:
    return search_cases(store, query, stages=stages, limit=limit, offset=offset)


def _first_page(_store: Store, fetch: PageFetcher) -> CasePage:
    """What a worker thread runs for a keystroke (the fetcher already holds the store)."""
    return fetch(0, PAGE_SIZE)


def count_text(total: int, capped: bool) -> str:
    """「3件」, or 「1,000件以上」 when the count stopped before the last match."""
    return f"{total:,}件以上" if capped else f"{total:,}件"


class CaseListPage(QWidget):
    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        # Made when the first case is opened: the detail dialog's modules load then, not at start.
        self._details: OpenCaseDialogs | None = None

        title = QLabel("案件一覧")
        title.setObjectName("pageTitle")

        # The day list prints for today unless the clerk picks another day beside it.
        self.day_edit = QDateEdit(QDate(clock.today()))
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setLocale(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
        self.day_edit.setDisplayFormat("yyyy年M月d日（ddd）")
        self.day_edit.setToolTip("予約一覧を印刷する日")
        fit_date_edit(self.day_edit)
        self.daylist_button = QPushButton()
        self._daylist_tip = ""
        self._role_applied = False
        self.daylist_button.clicked.connect(self.open_day_list)
        self.day_edit.dateChanged.connect(self._name_day_list)
        self._name_day_list(self.day_edit.date())
        self.blank_button = QPushButton("白紙の用紙")
        self.blank_button.setMenu(forms_menu(self, BLANK_FORMS, self.open_blank_form))

        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(self.day_edit)
        title_row.addWidget(self.daylist_button)
        title_row.addSpacing(12)
        title_row.addWidget(self.blank_button)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        text_size.keep(self.search_edit, minimum_width=340)

        self.stage_filter = ValueCombo()
        self.stage_filter.add("すべての段階", FILTER_ALL)
        self.stage_filter.add("進行中のみ", FILTER_OPEN)
        for stage in (*MAIN_LINE, Stage.CANCELLED, Stage.EXCLUDED):
            self.stage_filter.add(stage.label, stage)

        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        # As wide as the longest count, so the search box does not shift as the clerk types.
        text_size.fit_text(self.count_label, "200,000件以上", margin=4)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(QLabel("段階"))
        bar.addWidget(self.stage_filter)
        bar.addSpacing(12)
        bar.addWidget(self.count_label)

        self.model = CaseTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("案件の一覧")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        text_size.keep(self.table.verticalHeader(), default_section_size=30)
        self._size_columns()
        # Enter and double-click both emit activated.
        self.table.activated.connect(self._open_index)

        hint = QLabel(
            "ひらがな・カタカナ・半角カナ、案件番号・電話番号のどれでも探せます。"
            "Enter またはダブルクリックで詳細を開きます。"
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)  # never what makes the page wider than a small screen

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addLayout(title_row)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)

        # Typing restarts the timer, so the store is asked once the clerk pauses.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_in_background)
        # Bumped by every search: a worker's result for an older one is dropped.
        self._generation = 0
        self.search_edit.textChanged.connect(self._schedule_search)
        self.search_edit.returnPressed.connect(self._focus_first_row)
        self.stage_filter.currentIndexChanged.connect(self.search_now)
        runner.changed.connect(self._on_changed)
        runner.user_changed.connect(lambda _actor: self.apply_role())
        self.apply_role()
        # Scrolling loads further pages, and counts further: 「200件以上」 grows with them.
        self.model.rowsInserted.connect(self._update_count)

        self.search_now()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        widths = {
            COL_NUMBER: 120,
            COL_NAME: 105,
            COL_FURIGANA: 152,
            COL_STAGE: 118,
            COL_APPOINTMENT: 192,
            COL_DOCTOR: 192,
        }
        text_size.keep_columns(header, widths)  # wider at 大 and 特大
        header.setSectionResizeMode(COL_REFERRER, QHeaderView.ResizeMode.Stretch)

    # Searching -------------------------------------------------------------------------

    def stages(self) -> tuple[Stage, ...] | None:
        key = self.stage_filter.value()
        if key == FILTER_ALL:
            return None
        if key == FILTER_OPEN:
            return OPEN_STAGES
        return (key,)

    def _fetcher(self) -> PageFetcher:
        return partial(_fetch, self._runner.store, self.search_edit.text(), self.stages())

    def search_now(self) -> None:
        """Run the query in the box now, on this thread (opening, Enter, the stage filter)."""
        self._search_timer.stop()
        self._generation += 1  # a keystroke's search still running is overtaken
        self._runner.call(self, self.model.set_fetcher, self._fetcher())
        self._update_count()

    def search_in_background(self) -> None:
        """Run the query in the box on a worker thread (the timer, after a pause in typing).

        The box stays live meanwhile; a newer search supersedes this one, whose result is
        then dropped when it arrives.
        """
        self._search_timer.stop()
        self._generation += 1
        fetch = self._fetcher()
        done = partial(self._show_found, self._generation, fetch)
        self._runner.run_in_background(self, _first_page, fetch, on_done=done)

    def _show_found(self, generation: int, fetch: PageFetcher, page: CasePage) -> None:
        if generation != self._generation:
            return  # the clerk typed on (or picked a filter) since: stale
        self.model.show_page(fetch, page)
        self._update_count()

    def _schedule_search(self, _text: str) -> None:
        self._search_timer.start()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _focus_first_row(self) -> None:
        self.search_now()
        if self.model.rowCount() > 0:
            self.table.setFocus()
            self.table.selectRow(0)

    def _update_count(self) -> None:
        self.count_label.setText(count_text(self.model.total, self.model.capped))

    def _on_changed(self, notice: ChangeNotice) -> None:
        if not notice.touches(Change.CASES):
            return
        ids = notice.changes.case_ids
        if ids and all(self.model.row_of_case(i) >= 0 for i in ids):
            # Cases already listed changed: update those rows in place, keep the rest.
            rows = self._runner.read(self, case_rows, tuple(ids))
            stages = self.stages()
            if rows is not None and all(stages is None or r.stage in stages for r in rows):
                self.model.update_rows(rows)
                return
        self._runner.call(self, self.model.refresh)  # a new case, or not known which
        self._update_count()

    # Opening a case --------------------------------------------------------------------

    def _open_index(self, index: QModelIndex) -> None:
        case_id = index.data(CaseIdRole)
        if case_id is not None:
            self.open_case(int(case_id))

    def current_case_id(self) -> int | None:
        index = self.table.currentIndex()
        return None if not index.isValid() else int(index.data(CaseIdRole))

    def open_case(self, case_id: int) -> CaseDetailDialog | None:
        """Show the case's detail; a case already open is brought to the front."""
        if self._details is None:
            from desktop_app.ui.case_detail import OpenCaseDialogs

            self._details = OpenCaseDialogs(self._runner, self)
        return self._details.open(case_id)

    # Printing ----------------------------------------------------------------------------

    def chosen_day(self) -> dt.date:
        return _py_date(self.day_edit.date())

    def _name_day_list(self, day: QDate) -> None:
        # The date is in the box beside the button; the button only says which list it opens.
        today = day == QDate(clock.today())
        self.daylist_button.setText("本日の予約一覧" if today else "この日の予約一覧")
        self._daylist_tip = f"{day_list_heading(_py_date(day))}を表示して印刷します"
        if self._role_applied:
            self.apply_role()  # a refused role keeps the reason as the tooltip
        else:
            self.daylist_button.setToolTip(self._daylist_tip)

    def open_day_list(self) -> PrintPreviewDialog | None:
        """Preview the appointments of the chosen day (today unless changed)."""
        return open_preview(self._runner, self, FormKind.DAYLIST, day=self.chosen_day())

    def apply_role(self) -> None:
        """The print buttons follow the forms services' permission (a 医師 cannot print)."""
        gate(self.daylist_button, self._runner, PRINT_FORMS, tip=self._daylist_tip)
        gate(self.blank_button, self._runner, PRINT_FORMS)
        self._role_applied = True

    def open_blank_form(self, kind: FormKind) -> PrintPreviewDialog | None:
        return open_preview(self._runner, self, kind)


def _py_date(day: QDate) -> dt.date:
    value = day.toPython()
    assert isinstance(value, dt.date)
    return value
