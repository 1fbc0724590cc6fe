"""設定 → 台帳の取り込み (ui/ledger_import_dialog.py): choose, check, change a column, import."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt

from desktop_app.domain.ledger import Field
from desktop_app.domain.roles import Actor, Role
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case
from desktop_app.services.masters import DoctorInput, add_department, add_doctor
from desktop_app.services.store import Store
from desktop_app.ui import ledger_import_dialog
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.ledger_import_dialog import LedgerImportDialog
from desktop_app.ui.settings_page import SettingsPage

ROWS = [
    ["受付日", "氏名", "フリガナ", "生年月日", "担当医", "実施日", "実施時間", "料金", "備考"],
    ["2024/4/1", "山田　太郎", "ヤマダ　タロウ", "S45.3.15", "鈴木", "2024/4/20", 30, 5500, "x"],
    ["2024/4/2", "佐藤　花子", "サトウ　ハナコ", "2024/2/30", "", "", "", "", ""],
    ["2024/4/3", "田中　次郎", "タナカ　ジロウ", "H2.1.1", "", "", "", "", "メモ"],
]


@pytest.fixture
def ledger(tmp_path: Path, store: Store) -> Path:
    dept = add_department(store, "内科")
    add_doctor(store, DoctorInput(department_id=dept.id, name="鈴木　一郎"))
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    path = tmp_path / "台帳.xlsx"
    book.save(path)
    return path


def _wait(qtbot, dialog: LedgerImportDialog, runner: ServiceRunner) -> None:
    runner.wait_for_background()
    qtbot.waitUntil(lambda: not dialog.busy)


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, showing a dialog
def test_choose_check_edit_and_import(
    qtbot, runner: ServiceRunner, store: Store, ledger: Path, monkeypatch
) -> None:
    settings = SettingsPage(runner)
    qtbot.addWidget(settings)
    settings.show()
    settings.ledger_button.click()
    dialog = settings.ledger_dialog
    assert isinstance(dialog, LedgerImportDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.import_button.isEnabled()
    assert dialog.check_button.isDefault() and not dialog.import_button.isDefault()

    monkeypatch.setattr(ledger_import_dialog, "choose_ledger_file", lambda _p: str(ledger))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, dialog, runner)
    assert [c.value() for c in dialog.combos][:3] == [Field.RECEIVED_ON, Field.NAME, Field.FURIGANA]
    assert "登録する案件: 2" in dialog.summary.text()
    assert dialog.refused_table.rowCount() == 1
    assert [dialog.refused_table.item(0, c).text() for c in range(3)] == [
        "3", "生年月日", "2024/2/30 は日付として正しくありません",
    ]  # fmt: skip

    # The clerk leaves 備考 out and checks again: nothing is written by 確認.
    dialog.combos[8].set_value(None)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, dialog, runner)
    assert dialog.preview is not None and dialog.preview.mapping.column_of(Field.NOTE) is None
    assert dialog.import_button.isEnabled()

    with qtbot.waitSignal(runner.changed, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, dialog, runner)
    result = dialog.import_result
    assert result is not None and result.created == 2
    assert "案件 2 件を登録" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()  # 確認 again before another import
    stages = sorted(get_case(store, i).stage for i in result.case_ids)
    assert stages == sorted([Stage.SETTLED, Stage.INQUIRY])
    assert all(get_case(store, i).consultation == "" for i in result.case_ids)


def test_a_receptionist_has_no_import_button(qtbot, runner: ServiceRunner, store: Store) -> None:
    store.user = Actor("uketsuke", "受付 太郎", Role.RECEPTION)
    settings = SettingsPage(runner)
    qtbot.addWidget(settings)
    assert settings.ledger_button.isHidden()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_an_unreadable_file_is_said_in_one_sentence(
    qtbot, runner: ServiceRunner, store: Store, tmp_path: Path
) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"nonsense")
    dialog = LedgerImportDialog(runner)
    qtbot.addWidget(dialog)
    dialog.open_file(bad)
    _wait(qtbot, dialog, runner)
    assert dialog.summary.text() == "x.xlsx は Excel のファイル（.xlsx）として読めません。"
    assert not dialog.import_button.isEnabled()
