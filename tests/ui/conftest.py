"""UI fixtures: the application set up as in real use, a runner, and Japanese typing."""

from __future__ import annotations

import os

# Harmless beside tests/conftest.py, which does the same before Qt is imported.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.services.store import Store
from desktop_app.ui import actions
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.app import setup_application
from desktop_app.ui.main_window import MainWindow


def type_japanese(widget: QWidget, text: str) -> None:
    """Enter ``text`` as an input method commits it.

    qtbot.keyClicks with non-ASCII text aborts the process on this PySide6, and a real clerk
    types Japanese through an IME anyway, which delivers exactly this event.
    """
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture(autouse=True)
def _application(qapp: QApplication) -> None:
    setup_application(qapp)


@pytest.fixture(autouse=True)
def _unexpected_errors_fail(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An 予期しないエラー box is a bug: the test fails with the exception, instead of
    waiting forever on a modal box nobody answers (or passing with the error swallowed)."""
    seen: list[BaseException] = []

    def record(_parent: QWidget | None, exc: BaseException) -> None:
        seen.append(exc)
        raise AssertionError(f"unexpected error shown to the clerk: {exc!r}") from exc

    monkeypatch.setattr(actions, "show_unexpected", record)
    yield
    if seen:
        raise AssertionError(f"unexpected error shown to the clerk: {seen[0]!r}") from seen[0]


@pytest.fixture
def runner(store: Store) -> Iterator[ServiceRunner]:
    r = ServiceRunner(store)
    yield r
    r.wait_for_background()  # nothing may still be reading when the test's files go


@pytest.fixture
def window(qtbot, store: Store) -> Iterator[MainWindow]:
    w = MainWindow(store, auto_backup=False)
    qtbot.addWidget(w)
    yield w
    w.runner.wait_for_background()


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the clerk would have seen in a warning box, instead of a modal box."""
    messages: list[str] = []
    monkeypatch.setattr(actions, "show_error", lambda _parent, message: messages.append(message))
    return messages


@pytest.fixture
def model_tester() -> Iterator[Callable[[QAbstractItemModel], QAbstractItemModelTester]]:
    """Attach Qt's model tester; any violation is a Qt warning, which fails the test."""
    testers: list[QAbstractItemModelTester] = []

    def attach(model: QAbstractItemModel) -> QAbstractItemModelTester:
        tester = QAbstractItemModelTester(
            model, QAbstractItemModelTester.FailureReportingMode.Warning
        )
        testers.append(tester)
        return tester

    yield attach
    testers.clear()


@pytest.fixture(autouse=True)
def _not_sent_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """After printing, the preview asks whether the papers went out; a test that does not say
    otherwise answers "not yet", so no modal question waits for a click."""
    from desktop_app.ui import print_preview

    monkeypatch.setattr(print_preview, "ask_sent", lambda _parent, _title: None)


@pytest.fixture
def print_to(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The OS print dialog answered with a PDF 'printer' writing into tmp_path (the one
    dialog of the system's that tests answer for the clerk)."""
    from PySide6.QtPrintSupport import QPrinter

    from desktop_app.ui import print_preview

    target = tmp_path / "printed.pdf"

    def choose(_parent: QWidget, printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return True

    monkeypatch.setattr(print_preview, "ask_printer", choose)
    return target
