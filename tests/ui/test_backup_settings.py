"""設定: the backup folder field, 参照…, and 今すぐバックアップ."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.services.backup import default_backup_folder
from desktop_app.services.settings import get_settings
from desktop_app.ui import backup_settings
from desktop_app.ui.main_window import PAGE_SETTINGS, MainWindow
from desktop_app.ui.settings_page import SettingsPage


@pytest.fixture
def page(qtbot, runner) -> SettingsPage:
    p = SettingsPage(runner)
    qtbot.addWidget(p)
    yield p
    p.backups.wait()


def test_the_field_shows_the_default_folder_and_saves(qtbot, page, runner, store, tmp_path) -> None:
    edit = page.edits["backup_folder"]
    assert edit.text() == ""
    assert str(default_backup_folder()) in edit.placeholderText()
    folder = tmp_path / "usb"
    qtbot.keyClicks(edit, str(folder))
    with qtbot.waitSignal(runner.changed):
        page.save_button.click()
    assert get_settings(store).backup_folder == str(folder)
    assert edit.text() == str(folder)


def test_browse_fills_the_field(page, monkeypatch, tmp_path) -> None:
    asked: list[str] = []

    def answer(_parent, title: str, start: str) -> str:
        asked.append(start)
        return str(tmp_path)

    monkeypatch.setattr(backup_settings, "choose_folder", answer)
    page.backup_box.browse_button.click()
    assert asked == [str(default_backup_folder())]
    assert page.edits["backup_folder"].text() == str(tmp_path)
    monkeypatch.setattr(backup_settings, "choose_folder", lambda *_a: "")
    page.backup_box.browse_button.click()  # cancelled: the field keeps its text
    assert page.edits["backup_folder"].text() == str(tmp_path)


def test_a_relative_folder_is_refused_beside_the_field(qtbot, window: MainWindow, store) -> None:
    page = window.settings_page
    window.show_page(PAGE_SETTINGS)
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClicks(page.edits["backup_folder"], "backups")
    with qtbot.assertNotEmitted(window.runner.changed):
        page.save_button.click()
    error = page.errors["backup_folder"]
    assert error.isVisible()
    assert "バックアップの保存先" in error.text()
    assert get_settings(store).backup_folder == ""


def test_backup_now_goes_to_the_saved_folder(qtbot, page, runner, tmp_path: Path) -> None:
    folder = tmp_path / "chosen"
    qtbot.keyClicks(page.edits["backup_folder"], str(folder))
    page.save()
    box = page.backup_box
    with qtbot.waitSignal(page.backups.finished, timeout=10_000):
        box.backup_button.click()
        assert not box.backup_button.isEnabled()
    made = list(folder.glob("sodesk-*.db"))
    assert len(made) == 1
    assert box.message.text() == f"バックアップを作成しました：{made[0]}"
    assert box.backup_button.isEnabled()


def test_backup_now_failure_shows_beside_the_button(qtbot, page, tmp_path: Path) -> None:
    qtbot.keyClicks(page.edits["backup_folder"], str(tmp_path / "gone" / "SODesk"))
    page.save()
    with qtbot.waitSignal(page.backups.failed, timeout=10_000):
        page.backup_box.backup_button.click()
    assert "見つかりません" in page.backup_box.message.text()
    assert page.backup_box.message.objectName() == "fieldError"
