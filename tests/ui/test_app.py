from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop_app.ui.app import APP_TITLE, run_gui, setup_application


def test_bundled_fonts_are_the_application_font(qapp: QApplication) -> None:
    setup_application(qapp)  # a second call changes nothing
    families = QFontDatabase.families()
    assert "IPAexGothic" in families
    assert "IPAexMincho" in families
    assert qapp.font().family() == "IPAexGothic"


def test_standard_buttons_are_japanese(qapp: QApplication) -> None:
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "キャンセル"


def test_run_gui_shows_the_window_and_returns_the_exit_code(qapp: QApplication, store) -> None:
    seen: list[str] = []

    def close() -> None:
        seen.extend(w.windowTitle() for w in qapp.topLevelWidgets() if w.isVisible())
        qapp.closeAllWindows()

    QTimer.singleShot(0, close)
    assert run_gui(store) == 0
    assert APP_TITLE in seen


def test_an_uncaught_error_is_logged_and_shown(monkeypatch, caplog) -> None:
    import logging
    import sys

    from desktop_app.ui import actions, app

    shown: list[BaseException] = []
    monkeypatch.setattr(actions, "show_unexpected", lambda _parent, exc: shown.append(exc))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    app._report_uncaught_errors()
    error = RuntimeError("in fetchMore")
    with caplog.at_level(logging.ERROR):
        sys.excepthook(RuntimeError, error, None)
    assert shown == [error]
    assert "uncaught error" in caplog.text
