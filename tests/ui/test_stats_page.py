"""The 統計 page shows the known year's numbers after the background count, and exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from desktop_app.domain import clock
from desktop_app.domain.statistics import PeriodKind
from desktop_app.services.store import Store
from desktop_app.ui import stats_page
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.main_window import PAGE_STATS
from desktop_app.ui.stats_page import StatsPage
from tests.services.stats_dataset import build_known_year

# The offscreen platform says so whenever a top-level widget with a chart view is shown.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _cells(page: StatsPage, key: str) -> list[list[str]]:
    model = page.tables[key].view.model()
    return [
        [model.data(model.index(r, c, QModelIndex())) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def _wait(qtbot, page: StatsPage) -> None:
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=20_000)


@pytest.fixture
def page(qtbot, store: Store, model_tester) -> StatsPage:
    build_known_year(store)
    widget = StatsPage(ServiceRunner(store))
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    return widget


def test_shown_page_counts_the_year_off_the_ui_thread(qtbot, page: StatsPage) -> None:
    page.show()  # the first show starts the count
    assert page.is_busy() and page.busy.isVisibleTo(page)
    _wait(qtbot, page)
    assert not page.busy.isVisibleTo(page)
    assert page.period_label.text().startswith("2026年")
    months = _cells(page, "months")
    assert months[3] == ["2026年4月", "1", "0", "1", "2", "1", "0"]
    assert months[-1][0] == "合計" and months[-1][1:5] == ["7", "1", "5", "2"]
    assert _cells(page, "doctors")[0] == ["呼吸器内科", "青木 一郎", "1", "45"]
    assert _cells(page, "lead_times")[1] == ["申込書受領 → 予約", "2", "8.5"]
    assert _cells(page, "revenue")[-1] == ["合計", "2", "16,500"]
    assert page.chart.bar_values["実施"][3] == 2
    assert page.chart.revenue_values[3] == 16500
    model = page.tables["months"].view.model()
    assert model.data(model.index(12, 0), Qt.ItemDataRole.FontRole).bold()


def test_fiscal_year_and_a_custom_period(qtbot, page: StatsPage) -> None:
    page.show()
    _wait(qtbot, page)
    page.year.setValue(2025)
    page.set_kind(PeriodKind.FISCAL_YEAR)  # resets to this 年度, then counts
    page.year.setValue(2025)
    page.refresh()
    _wait(qtbot, page)
    assert page.period_label.text().startswith("2025年度")
    assert _cells(page, "months")[0][0] == "2025年4月"
    assert _cells(page, "revenue")[-1] == ["合計", "1", "5,500"]
    page.set_kind(PeriodKind.CUSTOM)
    assert page.date_from.isVisibleTo(page) and not page.year.isVisibleTo(page)


def test_reversed_custom_period_is_told_not_counted(qtbot, page: StatsPage, shown_errors) -> None:
    page.show()
    _wait(qtbot, page)
    page.set_kind(PeriodKind.CUSTOM)
    page.date_from.setDate(page.date_to.date().addDays(1))
    page.refresh()
    assert not page.is_busy()
    assert shown_errors and "開始日" in shown_errors[-1]


def test_export_button_writes_the_table(
    qtbot, page: StatsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.show()
    _wait(qtbot, page)
    target = tmp_path / "月別.csv"
    asked: list[str] = []

    def ask(_parent: object, name: str, _title: str = "") -> str:
        asked.append(name)
        return str(target)  # the clerk typed a .csv name: a CSV as before

    monkeypatch.setattr(stats_page, "ask_save_path", ask)
    page.tables["revenue"].export_button.click()
    assert asked == ["統計_収入_2026年.xlsx"]
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["月", "入金件数", "金額（円）"] and rows[-1] == ["合計", "2", "16500"]
    assert "書き出しました" in page.status.text()


def test_the_window_has_the_page(qtbot, window) -> None:
    window.show_page(PAGE_STATS)
    assert window.stack.currentWidget() is window.stats_page
    _wait(qtbot, window.stats_page)


def test_the_month_tables_open_on_this_month(qtbot, page: StatsPage) -> None:
    page.resize(1264, 640)  # a 1280x720 laptop: some months are out of view
    page.show()
    _wait(qtbot, page)
    today = clock.today()
    for key in ("months", "revenue"):
        page.tabs.setCurrentWidget(page.tables[key])  # the second is shown for the first time
        table = page.tables[key]
        view = table.view
        row = today.month - 1  # the page opens on this calendar year
        index = view.model().index(row, 0)
        assert index.data() == f"{today.year}年{today.month}月"
        qtbot.waitUntil(
            lambda view=view, index=index: view.viewport().rect().contains(view.visualRect(index))
        )
        assert view.currentIndex().row() == row
        if today.month >= 8:  # (SODESK_TEST_TODAY may move the day into the first months)
            january = view.visualRect(view.model().index(0, 0))
            assert not view.viewport().rect().intersects(january), key
