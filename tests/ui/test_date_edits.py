"""Every date edit shows 10-31 whole, in its field and in its drop-down calendar.

The application's stylesheet pads table cells; the calendar that drops down from a date edit
is a table too and measured its cells without that padding, so days 10-31 showed as 「…」.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QTableView,
    QWidget,
)

from desktop_app.ui import case_actions, masters_dialogs, visit_dialogs
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.audit_viewer import AuditViewer
from desktop_app.ui.calendar.day_panel import DayListPanel
from desktop_app.ui.case_list import CaseListPage
from desktop_app.ui.layout_tools import JAPANESE, fit_date_edit
from desktop_app.ui.receipt_dialog import ReceiptDialog
from desktop_app.ui.stats_page import StatsPage

LAST_DAY = QDate(2026, 12, 31)


def _plain(display_format: str) -> QDateEdit:
    edit = QDateEdit(LAST_DAY)
    edit.setCalendarPopup(True)
    edit.setLocale(JAPANESE)
    edit.setDisplayFormat(display_format)
    return edit


def _edits(runner: ServiceRunner) -> dict[str, Callable[[], tuple[object, QDateEdit]]]:
    """Every date edit of the screens, made as the screens make them (with the screen that
    owns it, which must live as long as the test looks at it)."""

    def of(owner: object, name: str) -> tuple[object, QDateEdit]:
        edit = getattr(owner, name)
        assert isinstance(edit, QDateEdit)
        return owner, edit

    def alone(edit: QDateEdit) -> tuple[object, QDateEdit]:
        return edit, edit

    return {
        "案件一覧 本日の予約一覧": lambda: of(CaseListPage(runner), "day_edit"),
        "カレンダー 本日の予約一覧": lambda: of(DayListPanel(runner), "day_edit"),
        "書類受領": lambda: of(ReceiptDialog(runner), "date_edit"),
        "統計 期間": lambda: of(StatsPage(runner), "date_to"),
        "監査ログ": lambda: of(AuditViewer(runner), "date_from"),
        "マスタ": lambda: alone(masters_dialogs.date_edit(None)),
        "マスタ 指定なし": lambda: alone(masters_dialogs.date_edit(None, optional=True)),
        "来院・会計": lambda: alone(visit_dialogs._date_edit(None)),
    }


def _shown_at_its_narrowest(qtbot, edit: QDateEdit) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.addWidget(edit)
    row.addStretch(1)
    qtbot.addWidget(holder)
    holder.resize(40, 40)  # the edit gets no more than its minimum width
    holder.show()
    qtbot.waitExposed(holder)
    return holder


def _whole_text_shown(edit: QDateEdit) -> bool:
    """With the cursor at the end, the start of the text is still in view: nothing scrolled."""
    line = edit.findChild(QLineEdit)
    assert line is not None
    line.end(False)
    QApplication.processEvents()
    left = QPoint(line.contentsRect().left() + 2, line.height() // 2)
    return line.cursorPositionAt(left) == 0 and line.cursorRect().right() <= line.width()


def _days_drawn_whole(qtbot, edit: QDateEdit) -> list[int]:
    """The days 10-31 of the month whose cell in the drop-down calendar is drawn as 「…」:
    an ellipsis is a row of dots, two or three pixels high; two digits are about ten."""
    calendar = edit.calendarWidget()
    calendar.setSelectedDate(QDate(2026, 12, 1))
    qtbot.addWidget(calendar)
    calendar.resize(calendar.minimumSizeHint().expandedTo(calendar.minimumSize()))
    calendar.show()
    qtbot.waitExposed(calendar)
    view = calendar.findChild(QTableView)
    assert view is not None
    image = calendar.grab().toImage()
    model = view.model()
    origin = view.viewport().mapTo(calendar, QPoint(0, 0))
    cut: list[int] = []
    for row in range(1, model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column, QModelIndex())
            day = int(model.data(index, Qt.ItemDataRole.DisplayRole) or 0)
            # Rows 1-2 start the month; from row 4 on, small numbers are next month's.
            if day < 10 or (row <= 2 and day > 14) or (row >= 4 and day < 15):
                continue
            rect = view.visualRect(index).translated(origin).intersected(image.rect())
            paper = QColor(image.pixel(rect.left() + 1, rect.top() + 1)).lightness()
            inked_rows = sum(
                1
                for y in range(rect.top(), rect.bottom())
                if any(
                    abs(QColor(image.pixel(x, y)).lightness() - paper) > 60
                    for x in range(rect.left() + 1, rect.right())
                )
            )
            if inked_rows < 6:
                cut.append(day)
    return cut


def test_a_padded_calendar_cuts_two_digit_days(qtbot) -> None:
    """The fault this guards against, seen through the same measure: the table padding the
    app's stylesheet once gave every view, calendars included (style.py now exempts them)."""
    edit = _plain("yyyy/MM/dd")
    edit.calendarWidget().setStyleSheet("QTableView::item { padding: 0 4px; }")
    assert _days_drawn_whole(qtbot, edit), "Qt now sizes the cells itself: simplify fit_date_edit"


@pytest.mark.parametrize("display_format", ["yyyy/MM/dd", "yyyy年M月d日（ddd）", "M月d日（ddd）"])
def test_a_fitted_date_edit_shows_the_31st_whole(qtbot, display_format: str) -> None:
    edit = fit_date_edit(_plain(display_format))
    holder = _shown_at_its_narrowest(qtbot, edit)
    assert edit.width() <= max(edit.minimumWidth(), edit.sizeHint().width())
    assert "31" in edit.text()
    assert _whole_text_shown(edit), f"{edit.text()!r} scrolls in {edit.width()} px"
    assert _days_drawn_whole(qtbot, edit) == []
    holder.close()


def test_every_date_edit_of_the_screens_shows_every_day(qtbot, runner: ServiceRunner) -> None:
    for name, make in _edits(runner).items():
        owner, edit = make()
        if isinstance(owner, QWidget):
            qtbot.addWidget(owner)
        edit.setEnabled(True)  # the audit log's are off until its date filter is ticked
        edit.setMaximumDate(QDate(2100, 12, 31))
        edit.setDate(LAST_DAY)
        holder = _shown_at_its_narrowest(qtbot, edit)
        assert _whole_text_shown(edit), f"{name}: {edit.text()!r} scrolls in {edit.width()} px"
        assert _days_drawn_whole(qtbot, edit) == [], name
        holder.close()


def test_the_ask_dialog_date_field_is_fitted(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    """case_actions builds its date fields inside a modal dialog: look at them as it opens."""
    seen: list[QDateEdit] = []

    def look(dialog: object) -> int:
        assert isinstance(dialog, QWidget)
        seen.extend(dialog.findChildren(QDateEdit))
        return 0  # rejected

    monkeypatch.setattr(QDialog, "exec", look)
    parent = QWidget()
    qtbot.addWidget(parent)
    field = case_actions.Field("day", "受領日", "date")
    assert case_actions.ask_fields(parent, "受領", [field]) is None
    assert seen and all(edit.calendarWidget().minimumWidth() > 0 for edit in seen)
    assert all(edit.minimumWidth() >= edit.sizeHint().width() for edit in seen)
