"""Backups from the window: run off the UI thread, on a schedule, with a line in the status bar.

Only a SQLite file is backed up automatically; a PostgreSQL server is backed up on the server
(pg_dump), so the desk only says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.domain import clock
from desktop_app.domain.errors import ValidationError
from desktop_app.services.backup import (
    BackupInfo,
    BackupResult,
    backup_database,
    backup_due,
    backup_is_stale,
    is_file_database,
    last_backup,
)
from desktop_app.services.store import Store, StoreError
from desktop_app.ui.actions import ServiceRunner

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

START_DELAY_MS = 2_000  # after the window is up
CHECK_INTERVAL_MS = 60 * 60 * 1000  # hourly
START_MAX_AGE = dt.timedelta(hours=1)
DAILY_MAX_AGE = dt.timedelta(hours=24)

SERVER_TEXT = "バックアップ：pg_dump（サーバー側）"
NONE_TEXT = "バックアップがまだありません"
STALE_TEXT = "バックアップが2日以上ありません"
RUNNING_TEXT = "バックアップ中…"
FAILED_TEXT = "バックアップに失敗しました：{reason}"


def utc_now() -> dt.datetime:
    return clock.utcnow()


def local_time_text(at: dt.datetime) -> str:
    """2026/11/24 15:30 in the desk's local time."""
    return at.astimezone().strftime("%Y/%m/%d %H:%M")


def backup_status_text(info: BackupInfo | None, now: dt.datetime) -> tuple[str, bool]:
    """The status bar's words for the last backup, and whether they are a warning."""
    if info is None:
        return NONE_TEXT, True
    text = f"最終バックアップ：{local_time_text(info.at)}"
    if backup_is_stale(info, now):
        return f"{text}　{STALE_TEXT}", True
    return text, False


class BackgroundBackup(QObject):
    """Runs :func:`backup_database` off the UI thread through ``ServiceRunner.run_in_background``,
    one backup at a time; a failure is reported on ``failed`` (the status bar), never a dialog,
    as the hourly backup runs while the clerk is doing something else."""

    started = Signal()
    finished = Signal(object)  # BackupResult
    failed = Signal(str)  # the reason, in Japanese

    def __init__(
        self, store: Store, parent: QObject | None = None, *, runner: ServiceRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        # The window's runner; a private one when used alone (tests, a settings page preview).
        self._runner = runner if runner is not None else ServiceRunner(store, self)
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> bool:
        """Start a backup unless one is running; True when one was started."""
        if self._running:
            return False
        self._running = True
        self.started.emit()
        self._runner.run_in_background(
            None, _backup, on_done=self._on_done, on_failed=self._on_failed
        )
        return True

    def wait(self, msecs: int = -1) -> bool:
        """Block until a running backup has finished (the window waits for it on close)."""
        return self._runner.wait_for_background(msecs)

    def _on_done(self, result: BackupResult) -> None:
        self._running = False
        self.finished.emit(result)

    def _on_failed(self, exc: Exception) -> None:
        self._running = False
        if isinstance(exc, StoreError):
            reason = str(exc)
        elif isinstance(exc, ValidationError):
            reason = exc.message
        else:  # logged with its traceback by the runner
            reason = f"予期しないエラー（{exc.__class__.__name__}）"
        log.warning("backup failed: %s", reason)
        self.failed.emit(reason)


def _backup(store: Store) -> BackupResult:
    return backup_database(store)


class AutomaticBackups(QObject):
    """At start (last backup over an hour old) and hourly (over a day old): back up."""

    def __init__(
        self,
        backups: BackgroundBackup,
        *,
        now: Clock = utc_now,
        start_delay_ms: int = START_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._backups = backups
        self._now = now
        self.enabled = is_file_database(backups.store)
        self.hourly = QTimer(self)
        self.hourly.setInterval(CHECK_INTERVAL_MS)
        self.hourly.timeout.connect(lambda: self.check(DAILY_MAX_AGE))
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.timeout.connect(lambda: self.check(START_MAX_AGE))
        if self.enabled:
            self._first.start(start_delay_ms)
            self.hourly.start()

    def check(self, max_age: dt.timedelta) -> bool:
        """Start a backup when the last good one is older than ``max_age``; True if started."""
        try:
            info = last_backup(self._backups.store)
        except Exception:  # a busy or unreachable database: try again at the next check
            log.exception("cannot read the last backup")
            return False
        if not backup_due(info, self._now(), max_age=max_age):
            return False
        return self._backups.start()

    def stop(self) -> None:
        self._first.stop()
        self.hourly.stop()


class BackupStatusLabel(QLabel):
    """最終バックアップ：… in the status bar; red when there is none for two days or it failed."""

    def __init__(
        self, backups: BackgroundBackup, *, now: Clock = utc_now, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backupStatus")
        self._backups = backups
        self._now = now
        self.warning = False
        self.failure: str | None = None
        backups.started.connect(self._on_started)
        backups.finished.connect(self._on_finished)
        backups.failed.connect(self._on_failed)
        # The two-day warning appears without a backup happening, so look again now and then.
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        if not is_file_database(self._backups.store):
            self._show(SERVER_TEXT, warning=False)
            return
        if self._backups.running:
            self._show(RUNNING_TEXT, warning=False)
            return
        if self.failure is not None:
            self._show(FAILED_TEXT.format(reason=self.failure), warning=True)
            return
        try:
            info = last_backup(self._backups.store)
        except Exception:
            log.exception("cannot read the last backup")
            self._show("バックアップの状態を読めません", warning=True)
            return
        text, warning = backup_status_text(info, self._now())
        self._show(text, warning=warning)
        if info is not None:
            self.setToolTip(f"保存先：{info.path}")

    def _show(self, text: str, *, warning: bool) -> None:
        self.warning = warning
        self.setText(text)
        self.setToolTip(text)
        self.setProperty("warning", warning)  # red in the stylesheet
        if self.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
            # Polished already: again, for the new colour (the first polish, when the label
            # is first shown, reads the property itself).
            self.style().polish(self)

    def _on_started(self) -> None:
        self.refresh()

    def _on_finished(self, _result: BackupResult) -> None:
        self.failure = None
        self.refresh()

    def _on_failed(self, reason: str) -> None:
        self.failure = reason
        self.refresh()
