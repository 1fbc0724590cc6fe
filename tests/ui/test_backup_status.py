"""Backups from the window: the status bar line, the background run and the schedule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.domain import clock
from desktop_app.services.backup import backup_database, default_backup_folder, last_backup
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import Store
from desktop_app.ui.backup_status import (
    DAILY_MAX_AGE,
    NONE_TEXT,
    SERVER_TEXT,
    STALE_TEXT,
    START_MAX_AGE,
    AutomaticBackups,
    BackgroundBackup,
    BackupStatusLabel,
    backup_status_text,
)
from desktop_app.ui.main_window import MainWindow

TAKEN = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC)


def local(at: dt.datetime) -> str:
    return at.astimezone().strftime("%Y/%m/%d %H:%M")


@pytest.fixture
def backups(qtbot, store) -> Iterator[BackgroundBackup]:
    b = BackgroundBackup(store)
    yield b
    b.wait()


def label_at(qtbot, backups: BackgroundBackup, now: dt.datetime) -> BackupStatusLabel:
    label = BackupStatusLabel(backups, now=lambda: now)
    qtbot.addWidget(label)
    return label


def test_none_fresh_and_stale(qtbot, store, backups) -> None:
    label = label_at(qtbot, backups, TAKEN)
    assert label.text() == NONE_TEXT
    assert label.warning and label.property("warning") is True

    backup_database(store, now=TAKEN)
    fresh = label_at(qtbot, backups, TAKEN + dt.timedelta(hours=47))
    assert fresh.text() == f"最終バックアップ：{local(TAKEN)}"
    assert not fresh.warning and fresh.property("warning") is False
    assert str(default_backup_folder()) in fresh.toolTip()

    stale = label_at(qtbot, backups, TAKEN + dt.timedelta(days=2, minutes=1))
    assert stale.text() == f"最終バックアップ：{local(TAKEN)}　{STALE_TEXT}"
    assert stale.warning


def test_status_text_is_local_time() -> None:
    from desktop_app.services.backup import BackupInfo

    text, warning = backup_status_text(BackupInfo(at=TAKEN, path="x"), TAKEN)
    assert text == "最終バックアップ：" + TAKEN.astimezone().strftime("%Y/%m/%d %H:%M")
    assert not warning


def test_background_backup_finishes_and_the_label_follows(qtbot, store, backups) -> None:
    label = label_at(qtbot, backups, clock.utcnow())
    with qtbot.waitSignal(backups.finished, timeout=10_000) as finished:
        assert backups.start()
        assert not backups.start()  # one at a time
    result = finished.args[0]
    assert result.path.exists()
    assert result.path.parent == default_backup_folder()
    assert label.text().startswith("最終バックアップ：")
    assert not label.warning
    assert last_backup(store) is not None


def test_a_failed_backup_is_told_in_the_status_bar_not_a_box(
    qtbot, store, backups, tmp_path: Path, shown_errors
) -> None:
    unplugged = tmp_path / "usb" / "SODesk"
    settings = dataclasses.replace(get_settings(store), backup_folder=str(unplugged))
    update_settings(store, settings)
    label = label_at(qtbot, backups, clock.utcnow())
    with qtbot.waitSignal(backups.failed, timeout=10_000):
        backups.start()
    assert label.text().startswith("バックアップに失敗しました：")
    assert "USB" in label.text()
    assert label.warning
    assert shown_errors == []
    # The next good backup clears the message.
    update_settings(store, dataclasses.replace(settings, backup_folder=""))
    with qtbot.waitSignal(backups.finished, timeout=10_000):
        backups.start()
    assert label.text().startswith("最終バックアップ：")


def test_schedule_backs_up_only_when_due(qtbot, store, backups) -> None:
    backup_database(store, now=TAKEN)
    clock = [TAKEN + dt.timedelta(minutes=30)]
    auto = AutomaticBackups(backups, now=lambda: clock[0], start_delay_ms=60_000)
    assert auto.enabled
    assert auto.hourly.isActive()
    assert not auto.check(START_MAX_AGE)
    clock[0] = TAKEN + dt.timedelta(hours=2)
    assert not auto.check(DAILY_MAX_AGE)
    with qtbot.waitSignal(backups.finished, timeout=10_000):
        assert auto.check(START_MAX_AGE)
    auto.stop()
    assert not auto.hourly.isActive()


def test_start_up_backup_runs_in_the_background(qtbot, store, backups) -> None:
    AutomaticBackups(backups, start_delay_ms=0, parent=backups)
    folder = default_backup_folder()
    qtbot.waitUntil(lambda: folder.exists() and any(folder.glob("sodesk-*.db")), timeout=10_000)
    qtbot.waitUntil(lambda: not backups.running, timeout=10_000)


def test_the_window_backs_up_on_start_and_shows_it(qtbot, store) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    assert window.backup_label.text() == NONE_TEXT
    qtbot.waitUntil(lambda: last_backup(store) is not None, timeout=15_000)
    qtbot.waitUntil(lambda: window.backup_label.text().startswith("最終バックアップ："))
    assert any(default_backup_folder().glob("sodesk-*.db"))


def test_no_automatic_backup_without_a_database_file(qtbot) -> None:
    # A store with no file behind it, as on a server (open_store refuses sqlite:// itself).
    from sqlalchemy.engine import make_url

    from desktop_app.db.engine import make_engine
    from desktop_app.db.migrate import upgrade

    engine = make_engine(make_url("sqlite://"))
    upgrade(engine)
    memory = Store(engine=engine)
    try:
        backups = BackgroundBackup(memory)
        auto = AutomaticBackups(backups, start_delay_ms=0)
        assert not auto.enabled
        assert not auto.hourly.isActive()
        label = BackupStatusLabel(backups)
        qtbot.addWidget(label)
        assert label.text() == SERVER_TEXT
        assert not label.warning
    finally:
        memory.close()
