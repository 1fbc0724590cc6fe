"""The 統計 page's exports through the real save dialog: Excel offered first and CSV second,
the suffix following the type picked; the period's cases and payments as lists; a role that
may not export personal data sees the cases button disabled with the reason."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QFileDialog, QLineEdit, QWidget

from desktop_app.domain.roles import Permission, Role
from desktop_app.services.export import CASE_HEADERS, PAYMENT_HEADERS
from desktop_app.services.staff import create_first_admin, sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import Store
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.stats_page import StatsPage
from tests.services.stats_dataset import build_known_year
from tests.ui.modals import answer_modals

pytestmark = [
    pytest.mark.usefixtures("quick_hashes"),
    pytest.mark.qt_log_ignore("propagateSizeHints"),
]
EXCEL, CSV = "Excel ブック (*.xlsx)", "CSV ファイル (*.csv)"


@pytest.fixture
def page(qtbot, store: Store, runner: ServiceRunner) -> StatsPage:
    build_known_year(store)
    widget = StatsPage(runner)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    qtbot.waitUntil(lambda: not widget.is_busy(), timeout=20_000)
    return widget


def save_as(
    folder: Path, name: str, seen: dict[str, object], *, csv_type: bool = False
) -> Callable[[QWidget], None]:
    """The clerk reads the dialog, picks CSV from its type list when told (with the keyboard),
    types ``name`` without a suffix and presses 保存."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog), type(dialog)
        name_edit = dialog.findChild(QLineEdit, "fileNameEdit")
        assert name_edit is not None
        seen["filters"] = dialog.nameFilters()
        seen["chosen"] = dialog.selectedNameFilter()
        seen["suggested"] = name_edit.text()
        seen["title"] = dialog.windowTitle()
        if csv_type:
            combo = dialog.findChild(QComboBox, "fileTypeCombo")
            assert combo is not None
            combo.setFocus()
            QTest.keyClick(combo, Qt.Key.Key_Down)
            seen["renamed"] = name_edit.text()
        dialog.setDirectory(str(folder))
        name_edit.setText(name)
        dialog.accept()

    return step


def test_a_table_goes_to_an_excel_workbook_by_default(
    qtbot, page: StatsPage, tmp_path: Path
) -> None:
    seen: dict[str, object] = {}
    button = page.tables["revenue"].export_button
    assert button.text() == "この表を書き出す（Excel・CSV）…"
    asked = answer_modals(save_as(tmp_path, "収入", seen))
    button.click()
    assert not asked.pending
    assert seen["filters"] == [EXCEL, CSV] and seen["chosen"] == EXCEL
    assert seen["suggested"] == "統計_収入_2026年.xlsx"
    out = tmp_path / "収入.xlsx"
    ws = load_workbook(out)["月別の収入"]
    total = [c.value for c in ws[ws.max_row]]
    assert total == ["合計", 2, 16500] and ws.cell(ws.max_row, 3).number_format == "#,##0"
    assert ws.freeze_panes == "A2"
    assert page.status.text() == f"書き出しました：{out}（13行）"


def test_picking_csv_makes_the_suffix_csv(qtbot, page: StatsPage, tmp_path: Path) -> None:
    seen: dict[str, object] = {}
    asked = answer_modals(save_as(tmp_path, "統計", seen, csv_type=True))
    assert page.export_all_button.text() == "すべての表…"
    result = page.export_all()
    assert not asked.pending
    assert seen["renamed"] == "統計_2026年.csv"  # the name field follows the type
    assert result is not None and result.path == tmp_path / "統計.csv"
    with result.path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["月別件数　2026年（1月〜12月）"] and ["合計", "2", "16500"] in rows
    assert not (tmp_path / "統計.xlsx").exists()


def test_every_table_in_one_workbook(qtbot, page: StatsPage, tmp_path: Path) -> None:
    asked = answer_modals(save_as(tmp_path, "統計", {}))
    result = page.export_all()
    assert not asked.pending and result is not None
    assert load_workbook(tmp_path / "統計.xlsx").sheetnames == [
        "月別件数", "診療科・担当医別の実施件数", "紹介元医療機関別", "対象外の理由別",
        "所要日数（中央値）", "月別の収入",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("button", "title", "headers", "csv_type"),
    [
        ("cases_button", "案件一覧を書き出す", CASE_HEADERS, False),
        ("payments_button", "入金一覧を書き出す", PAYMENT_HEADERS, True),
    ],
)
def test_the_periods_lists(
    qtbot, page: StatsPage, tmp_path: Path, button: str, title: str, headers, csv_type: bool
) -> None:
    seen: dict[str, object] = {}
    widget = getattr(page, button)
    assert widget.text() == f"{title.removesuffix('を書き出す')}…" and widget.isEnabled()
    asked = answer_modals(save_as(tmp_path, "一覧", seen, csv_type=csv_type))
    widget.click()
    assert not asked.pending
    qtbot.waitUntil(lambda: not page.is_exporting(), timeout=20_000)
    assert seen["title"] == title
    assert str(seen["suggested"]).endswith("_2026年.xlsx")
    assert widget.isEnabled()
    if csv_type:
        with (tmp_path / "一覧.csv").open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert tuple(rows[0]) == headers and len(rows) == 3  # the year's two payments
        assert [r[6] for r in rows[1:]] == ["11000", "5500"]
    else:
        ws = load_workbook(tmp_path / "一覧.xlsx").worksheets[0]
        assert tuple(c.value for c in ws[1]) == headers and ws.max_row > 1
        assert isinstance(ws.cell(2, 1).value, str)
    assert "書き出しました" in page.status.text()


def test_a_doctor_sees_the_export_buttons_disabled_with_the_reason(
    qtbot, store: Store, runner: ServiceRunner
) -> None:
    create_first_admin(store, "kanri", "管理 花子", "kanri-pass-1", "kanri-pass-1")
    add_account(store, "ishi", "医師 次郎", Role.DOCTOR, "ishi-pass-01", "ishi-pass-01")
    sign_in(store, "ishi", "ishi-pass-01")
    page = StatsPage(runner)
    qtbot.addWidget(page)
    reason = Permission.CASE_WORK.refusal
    for button in (page.cases_button, page.payments_button, page.export_all_button):
        assert not button.isEnabled(), button.text()
        assert button.toolTip() == reason, button.text()
    assert not page.tables["months"].export_button.isEnabled()
    # The clerk signs in at the same desk: the buttons come back when the page is shown.
    sign_in(store, "kanri", "kanri-pass-1")
    page.show()
    assert page.cases_button.isEnabled()
    assert "個人情報" in page.cases_button.toolTip()
