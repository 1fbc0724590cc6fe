"""The audit viewer: reached from 設定, filters, pages as it scrolls, and exports (Excel, CSV)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QDate

from desktop_app.domain import clock
from desktop_app.services.audit_log import AuditFilter, count_entries
from desktop_app.services.demo import build_demo, mark_as_demo
from desktop_app.services.store import Store
from desktop_app.ui import audit_viewer
from desktop_app.ui.audit_viewer import AuditViewer
from desktop_app.ui.settings_page import SettingsPage


@pytest.fixture
def demo_log(store: Store) -> Store:
    mark_as_demo(store)
    build_demo(store, 450)  # the marking, 450 registrations and the build: 452 entries
    return store


@pytest.fixture
def viewer(qtbot, runner, demo_log) -> AuditViewer:
    v = AuditViewer(runner)
    qtbot.addWidget(v)
    return v


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, showing a dialog
def test_settings_opens_the_viewer(qtbot, runner, demo_log) -> None:
    page = SettingsPage(runner)
    qtbot.addWidget(page)
    page.show()
    page.audit_button.click()
    assert isinstance(page.audit_viewer, AuditViewer)
    qtbot.waitUntil(page.audit_viewer.isVisible)
    assert page.audit_viewer.model.total == 452
    page.audit_viewer.close()


def test_pages_are_fetched_as_needed_not_all_at_once(viewer: AuditViewer, model_tester) -> None:
    model = viewer.model
    assert model.total == 452 and model.rowCount() == 200
    assert "452 件" in viewer.count_label.text() and "200 件を表示" in viewer.count_label.text()
    assert model.canFetchMore()
    model.fetchMore()  # as a view does when the clerk scrolls to the bottom
    assert model.rowCount() == 400 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 452 and not model.canFetchMore()
    ids = [model.row_at(r).id for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert ids == list(range(452, 0, -1)), "newest first, nothing twice, nothing missed"
    assert viewer.count_label.text() == "該当 452 件"
    model_tester(model)  # Qt's checks on the loaded model, then through a new search and paging
    viewer.search()
    assert model.rowCount() >= 200


def test_filters_by_case_action_staff_and_dates(
    viewer: AuditViewer, demo_log: Store, model_tester
) -> None:
    model_tester(viewer.model)
    viewer.case_number.setText("0012")
    viewer.search()
    assert viewer.model.total == 1
    assert viewer.model.data(viewer.model.index(0, 4)).endswith("0012")

    viewer.case_number.clear()
    viewer.action.setCurrentIndex(viewer.action.index_of("demo.build"))
    viewer.search()
    assert viewer.model.total == 1
    assert viewer.model.data(viewer.model.index(0, 3)) == "デモデータの作成"

    viewer.action.setCurrentIndex(0)
    viewer.staff.setCurrentIndex(viewer.staff.index_of("demo"))
    viewer.search()
    assert viewer.model.total == 450

    viewer.staff.setCurrentIndex(0)
    today = clock.today()
    viewer.use_dates.setChecked(True)
    viewer.date_from.setDate(QDate(today.year, today.month, today.day))
    viewer.date_to.setDate(QDate(today.year, today.month, today.day))
    viewer.search()
    expected = count_entries(demo_log, AuditFilter(date_from=today, date_to=today))
    assert 1 <= viewer.model.total == expected < 452


def test_selecting_a_row_shows_before_and_after(viewer: AuditViewer) -> None:
    viewer.table.selectRow(1)
    text = viewer.detail.toPlainText()
    assert "451 行目" in text and "変更後：" in text and '"stage"' in text


def test_csv_export_through_the_dialog_helper(
    viewer: AuditViewer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "audit.csv"
    asked: list[str] = []

    def answer(_parent: object, suggested: str) -> str:
        asked.append(suggested)
        return str(target)

    monkeypatch.setattr(audit_viewer, "ask_export_path", answer)
    viewer.action.setCurrentIndex(viewer.action.index_of("demo.build"))
    viewer.export_button.click()
    assert asked and asked[0].startswith("変更履歴-") and asked[0].endswith(".xlsx")
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["番号", "日時", "担当者", "操作"]
    assert len(rows) == 2 and rows[1][3] == "デモデータの作成"
    assert "1 件を書き出しました" in viewer.count_label.text()
    viewer.action.setCurrentIndex(viewer.action.index_of("audit.export"))
    viewer.search()
    assert viewer.model.total == 1, "the export is in the log"


def test_backing_out_of_the_file_dialog_writes_nothing(
    viewer: AuditViewer, monkeypatch: pytest.MonkeyPatch, demo_log: Store
) -> None:
    monkeypatch.setattr(audit_viewer, "ask_export_path", lambda _parent, _name: None)
    viewer.export_button.click()
    assert count_entries(demo_log) == 452


def test_export_to_excel_through_the_real_dialog(
    qtbot, viewer: AuditViewer, tmp_path: Path
) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog, QLineEdit, QWidget

    from tests.ui.modals import answer_modals

    seen: dict[str, object] = {}

    def save(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog), type(dialog)
        name_edit = dialog.findChild(QLineEdit, "fileNameEdit")
        assert name_edit is not None
        seen["filters"] = dialog.nameFilters()
        seen["name"] = name_edit.text()
        dialog.setDirectory(str(tmp_path))
        name_edit.setText("履歴")
        dialog.accept()

    assert viewer.export_button.text() == "書き出す（Excel・CSV）…"
    viewer.action.setCurrentIndex(viewer.action.index_of("demo.build"))
    asked = answer_modals(save)
    viewer.export_button.click()
    assert not asked.pending
    assert seen["filters"] == ["Excel ブック (*.xlsx)", "CSV ファイル (*.csv)"]
    assert str(seen["name"]).startswith("変更履歴-") and str(seen["name"]).endswith(".xlsx")
    ws = load_workbook(tmp_path / "履歴.xlsx")["変更履歴"]
    assert ws.max_row == 2 and ws.cell(2, 4).value == "デモデータの作成"
    assert ws.cell(2, 2).is_date and ws.freeze_panes == "A2"
    assert "1 件を書き出しました" in viewer.count_label.text()
