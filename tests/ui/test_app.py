from __future__ import annotations

import gc

import pytest
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


def test_the_collector_comes_back_once_the_window_is_up() -> None:
    """cli.main loads the program with the collector off; the window's first turn turns it
    on, with the start's objects frozen. A caller that left it on is left alone."""
    from desktop_app.ui.app import _started

    gc.disable()
    try:
        _started()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()
    _started()
    assert gc.get_freeze_count() == 0


def test_standard_buttons_are_japanese(qapp: QApplication) -> None:
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "キャンセル"


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, showing a dialog
def test_run_gui_shows_the_window_and_returns_the_exit_code(
    qapp: QApplication, store, quick_hashes
) -> None:
    """A new database: the first administrator is made, then the window opens for them."""
    from desktop_app.ui.sign_in import FirstAdminDialog

    seen: list[str] = []

    def first_admin() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, FirstAdminDialog)
        for name, text in (
            ("login", "kanri"),
            ("display_name", "Kanri Hanako"),
            ("password", "kanri-pass-1"),
            ("repeated", "kanri-pass-1"),
        ):
            dialog.editors[name].setText(text)
        dialog.ok_button.click()
        QTimer.singleShot(0, close)

    def close() -> None:
        seen.extend(w.windowTitle() for w in qapp.topLevelWidgets() if w.isVisible())
        qapp.closeAllWindows()

    QTimer.singleShot(0, first_admin)
    assert run_gui(store) == 0
    assert APP_TITLE in seen
    assert store.user is not None and store.user.login == "kanri"


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
