"""Journeys: whole cases walked through the real main window, as the reception clerk does.

Nothing of ours is replaced here, and nothing is stood in for: even the print dialog is Qt's
own, answered through its widgets as a clerk who picks the PDF printer
(``tests.ui.modals.print_to_pdf``), so the pages really go through the printing code to a file.

An 予期しないエラー box, or any modal dialog left unanswered (a 確認してください box nobody
expected), fails the test: a watchdog notes it, closes it (so the test does not hang on it)
and the test fails with what the clerk would have read and the exception behind it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from desktop_app.services import doctor_hours, masters
from desktop_app.services.store import Store
from desktop_app.ui import actions
from desktop_app.ui.app import setup_application
from desktop_app.ui.main_window import PAGE_BOARD, MainWindow
from tests.journeys.desk import Clinic, Desk

# A modal dialog still open after this long was not expected by the test (the test's own
# answers come within milliseconds): it is closed, and the test fails, instead of hanging.
UNANSWERED_MS = 5000


@pytest.fixture(autouse=True)
def _application(qapp: QApplication) -> None:
    setup_application(qapp)


class _Watchdog(logging.Handler):
    """Notes every error box, and every dialog left unanswered, instead of hanging on it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.problems: list[str] = []
        self.exceptions: list[BaseException] = []
        self._modal: QWidget | None = None
        self._modal_ms = 0
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self.look)

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.exceptions.append(record.exc_info[1])

    def look(self) -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            self._modal = None
            return
        if modal is not self._modal:
            self._modal, self._modal_ms = modal, 0
        self._modal_ms += self.timer.interval()
        if isinstance(modal, QMessageBox) and modal.windowTitle() == actions.UNEXPECTED_TITLE:
            self._close(modal, "unexpected error shown to the clerk")
        elif self._modal_ms >= UNANSWERED_MS:
            self._close(modal, "a dialog the test did not answer")

    def _close(self, modal: QWidget, what: str) -> None:
        text = modal.text() if isinstance(modal, QMessageBox) else ""
        self.problems.append(f"{what}: {modal.windowTitle()!r} {text}")
        self._modal = None
        if isinstance(modal, QMessageBox):
            target = modal.escapeButton() or modal.defaultButton()
            if target is not None:
                target.click()
                return
        if isinstance(modal, QDialog):
            modal.reject()
        else:
            modal.close()


@pytest.fixture(autouse=True)
def _error_boxes_fail() -> Iterator[_Watchdog]:
    watchdog = _Watchdog()
    logger = logging.getLogger("desktop_app")
    logger.addHandler(watchdog)
    watchdog.timer.start()
    try:
        yield watchdog
    finally:
        watchdog.timer.stop()
        logger.removeHandler(watchdog)
    if watchdog.problems:
        cause = watchdog.exceptions[0] if watchdog.exceptions else None
        raise AssertionError("; ".join(watchdog.problems)) from cause


@pytest.fixture
def printed() -> list[Path]:
    """The files the OS print dialog was told to print to (the PDF printer), in order; the
    dialog itself is answered through its widgets by ``Desk.print_preview``."""
    return []


@pytest.fixture
def clinic(store: Store) -> Clinic:
    """What the administrator set up before the desk opened: 呼吸器内科 with Dr 青木, who sees
    second-opinion patients on Tuesdays and Thursdays 14:00–16:00, and a colleague."""
    department = masters.add_department(store, "呼吸器内科")
    doctor = masters.add_doctor(store, masters.DoctorInput(department.id, "青木 一郎"))
    other = masters.add_doctor(store, masters.DoctorInput(department.id, "馬場 二郎"))
    for weekday in (1, 3):
        doctor_hours.add_window(
            store,
            doctor.id,
            doctor_hours.WindowInput(weekday=weekday, start=dt.time(14), end=dt.time(16)),
        )
    return Clinic(
        department_id=department.id,
        department=department.name,
        doctor_id=doctor.id,
        doctor=doctor.name,
        other_doctor_id=other.id,
    )


@pytest.fixture
def window(qtbot, store: Store, clinic: Clinic) -> Iterator[MainWindow]:
    """The real main window, shown and in front, as the clerk finds it in the morning."""
    w = MainWindow(store, auto_backup=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.start_done)
    # The board is made (and first read, off the UI thread) shortly after the start; the
    # clerk's first key waits for that, so every journey starts from the same state.
    qtbot.waitUntil(lambda: w.is_built(PAGE_BOARD), timeout=5000)
    w.runner.wait_for_background()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w
    w.runner.wait_for_background()


@pytest.fixture
def desk(qtbot, window: MainWindow, store: Store, clinic: Clinic, printed, monkeypatch) -> Desk:
    return Desk(qtbot, window, store, clinic, printed, monkeypatch)
