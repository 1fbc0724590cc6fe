"""The case list as a Qt table model: pages of ``CaseRow`` loaded as the clerk scrolls."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from desktop_app.domain.wareki import format_short, weekday_ja
from desktop_app.services.case_rows import CasePage, CaseRow
from desktop_app.ui.rows_model import AnyIndex, ReadOnlyTableModel

# Fetches one page: (offset, limit) -> CasePage. The page builds it from the search text, so
# the model knows nothing of the store.
PageFetcher = Callable[[int, int], CasePage]

# Rows fetched per page: about two screens, so a keystroke's search fetches and maps no more
# than the clerk can see soon; scrolling to the end fetches the next page.
PAGE_SIZE = 50

COL_NUMBER = 0
COL_NAME = 1
COL_FURIGANA = 2
COL_STAGE = 3
COL_APPOINTMENT = 4
COL_REFERRER = 5
COL_DOCTOR = 6
HEADERS = ("案件番号", "氏名", "フリガナ", "段階", "予約日時", "紹介元", "担当医")

CaseIdRole = Qt.ItemDataRole.UserRole + 1
StageRole = Qt.ItemDataRole.UserRole + 2
CaseRowRole = Qt.ItemDataRole.UserRole + 3

_CLOSED_COLOUR = QColor("#8a929c")


def appointment_text(at: dt.datetime | None) -> str:
    """'2026/11/24（火）10:30': zero-padded so the column lines up."""
    if at is None:
        return ""
    return f"{format_short(at.date())}（{weekday_ja(at.date())}）{at:%H:%M}"


def _doctor_text(row: CaseRow) -> str:
    if row.doctor and row.department:
        return f"{row.doctor}（{row.department}）"
    return row.doctor or row.department


class CaseTableModel(ReadOnlyTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(HEADERS, parent)
        self._rows: list[CaseRow] = []
        self._total = 0
        self._capped = False
        self._fetch: PageFetcher | None = None

    # Loading ---------------------------------------------------------------------------

    @property
    def total(self) -> int:
        """How many cases match the query, loaded or not."""
        return self._total

    @property
    def capped(self) -> bool:
        """True when more cases match than ``total`` counted (the list says 「N件以上」)."""
        return self._capped

    def set_fetcher(self, fetch: PageFetcher) -> None:
        """A new query: start again from its first page."""
        self.show_page(fetch, fetch(0, PAGE_SIZE))

    def show_page(self, fetch: PageFetcher, page: CasePage) -> None:
        """A new query whose first page was fetched already (on a worker thread)."""
        self.beginResetModel()
        self._fetch = fetch
        self._rows = list(page.rows)
        self._total = page.total
        self._capped = page.capped
        self.endResetModel()

    def refresh(self) -> None:
        """Reload the rows already shown, moving only what changed so selection and scroll stay."""
        if self._fetch is None:
            return
        wanted = max(len(self._rows), PAGE_SIZE)
        rows: list[CaseRow] = []
        total, capped = 0, False
        while len(rows) < wanted:
            page = self._fetch(len(rows), min(PAGE_SIZE, wanted - len(rows)))
            total, capped = page.total, page.capped
            rows.extend(page.rows)
            if not page.rows:
                break
        self._apply(_unique(rows))
        # After the rows: a view asking canFetchMore mid-update must see the old, loaded total.
        self._total, self._capped = total, capped

    def _apply(self, new_rows: list[CaseRow]) -> None:
        old_ids = [r.id for r in self._rows]
        new_ids = [r.id for r in new_rows]
        matcher = difflib.SequenceMatcher(a=old_ids, b=new_ids, autojunk=False)
        # From the end backwards, so the old positions of earlier opcodes stay valid.
        for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
            if tag == "equal":
                continue
            if i2 > i1:
                self.beginRemoveRows(QModelIndex(), i1, i2 - 1)
                del self._rows[i1:i2]
                self.endRemoveRows()
            if j2 > j1:
                self.beginInsertRows(QModelIndex(), i1, i1 + (j2 - j1) - 1)
                self._rows[i1:i1] = new_rows[j1:j2]
                self.endInsertRows()
        changed = [i for i, row in enumerate(new_rows) if self._rows[i] != row]
        self._rows = new_rows
        if changed:
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], last))

    def update_rows(self, rows: tuple[CaseRow, ...] | list[CaseRow]) -> None:
        """Replace the rows of these cases where they are shown; one dataChanged per row."""
        last = self.columnCount() - 1
        for row in rows:
            at = self.row_of_case(row.id)
            if at >= 0 and self._rows[at] != row:
                self._rows[at] = row
                self.dataChanged.emit(self.index(at, 0), self.index(at, last))

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._fetch is None:
            return False
        return len(self._rows) < self._total or self._capped

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        page = self._fetch(len(self._rows), PAGE_SIZE)
        self._total, self._capped = page.total, page.capped
        # A case added since the first page shifts the pages down; skip what we already have.
        known = {r.id for r in self._rows}
        fresh = [r for r in page.rows if r.id not in known]
        if not fresh:
            # Nothing further can arrive from this query.
            self._total, self._capped = len(self._rows), False
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    # Reading ---------------------------------------------------------------------------

    def row_at(self, row: int) -> CaseRow:
        return self._rows[row]

    def row_of_case(self, case_id: int) -> int:
        """The row showing ``case_id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == case_id), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_REFERRER:
            return row.referrer or None
        if role == Qt.ItemDataRole.ForegroundRole and not row.stage.is_open:
            return _CLOSED_COLOUR  # finished cases step back visually
        if role == CaseIdRole:
            return row.id
        if role == StageRole:
            return row.stage.value
        if role == CaseRowRole:
            return row
        return None


def _display(row: CaseRow, column: int) -> str | None:
    if column == COL_NUMBER:
        return row.case_number
    if column == COL_NAME:
        return row.patient_name
    if column == COL_FURIGANA:
        return row.furigana
    if column == COL_STAGE:
        return row.stage.label
    if column == COL_APPOINTMENT:
        return appointment_text(row.appointment)
    if column == COL_REFERRER:
        return row.referrer
    if column == COL_DOCTOR:
        return _doctor_text(row)
    return None


def _unique(rows: list[CaseRow]) -> list[CaseRow]:
    seen: set[int] = set()
    result = []
    for r in rows:
        if r.id not in seen:
            seen.add(r.id)
            result.append(r)
    return result
