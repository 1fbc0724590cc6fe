"""Start the desktop application: fonts, Japanese standard dialogs, the main window."""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.domain.errors import ValidationError
from desktop_app.resources import GOTHIC_FONT_FILE, MINCHO_FONT_FILE, font_path
from desktop_app.services.store import Store, StoreError
from desktop_app.ui import single_instance, text_size
from desktop_app.ui.style import FONT_POINT_SIZE, stylesheet

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

APP_TITLE = "SO Desk セカンドオピニオン外来 受付"
_SETUP_DONE = "sodesk_setup_done"
_FUSION = "sodesk_made_with_fusion"
# benchmarks/run.py times the start: with this set, the window prints "shown <seconds since
# run_gui> <CPU seconds of the process>" once its first page is painted, "ready ..." once
# the rest of the start is done (MainWindow.finish_start), and quits.
ENV_BENCH_EXIT = "SODESK_BENCH_EXIT_AFTER_SHOWN"


def setup_application(app: QApplication) -> None:
    """Bundled fonts, Qt's Japanese translation and the stylesheet (at the text size in use,
    ui/text_size); safe to call twice."""
    if app.property(_SETUP_DONE):
        return
    family = _register_fonts()
    if family:
        # The bundled font first, so Japanese shows even where the system has no Japanese font.
        font = QFont(family)
        font.setPointSizeF(FONT_POINT_SIZE * text_size.scale())
        app.setFont(font)
    _install_qt_translation(app)
    # Fusion looks the same on Windows and Linux, so screenshots and the manual match the desk.
    # (run_gui's application is made with it: no Python wrapper of the style, whose enums
    # take PySide6 about 9 ms to build, is needed at start.)
    if not app.property(_FUSION):
        app.setStyle("Fusion")
    app.setStyleSheet(stylesheet(text_size.scale()))
    from desktop_app.ui.help import install_help  # F1 from any window, the sign-in's too

    install_help(app)
    from desktop_app.ui.accessibility import install_accessibility  # names as windows show

    install_accessibility(app)
    app.setProperty(_SETUP_DONE, True)


def _register_fonts() -> str | None:
    """Register IPAex Gothic and Mincho; the Gothic family name, or None if it failed."""
    gothic: str | None = None
    for file_name in (GOTHIC_FONT_FILE, MINCHO_FONT_FILE):
        try:
            path = font_path(file_name)
        except FileNotFoundError:
            log.exception("bundled font missing: %s", file_name)
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            log.error("could not register font %s", path)
            continue
        if file_name == GOTHIC_FONT_FILE:
            gothic = families[0]
    return gothic


def _install_qt_translation(app: QApplication) -> None:
    # Parented to the app so it lives as long as the app does.
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(
        QLocale(QLocale.Language.Japanese, QLocale.Country.Japan), "qtbase", "_", folder
    ):
        QCoreApplication.installTranslator(translator)
    else:
        log.warning("Qt's Japanese translation not found in %s", folder)


def _report_uncaught_errors() -> None:
    """An error no ServiceRunner caught (e.g. in a model's fetchMore) is logged and shown.

    Without this hook PySide6 prints it to a console the clerk does not have, and it vanishes.
    """

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught error", exc_info=(kind, exc, tb))
        if isinstance(exc, Exception):
            from desktop_app.ui.actions import show_unexpected

            tell_terminal(exc)
            show_unexpected(QApplication.activeWindow(), exc)

    sys.excepthook = hook


def log_file() -> str | None:
    """The file the log is written to (cli configures it: sodesk.log in the data folder)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            return handler.baseFilename
    return None


def unexpected_line(exc: BaseException) -> str:
    """One line for the terminal: what kind of error, and where its details are."""
    where = log_file()
    line = f"SO Desk: 予期しないエラー（{exc.__class__.__name__}）。"
    return line + (f"詳細は sodesk.log：{where}" if where else "詳細はログをご覧ください。")


def tell_terminal(exc: BaseException) -> None:
    """When the window was started from a terminal, it gets one line too (the dialog is the
    clerk's; whoever started it from a terminal looks there). Without a console (a windowed
    executable) there is no stderr, and nothing to do."""
    stream = sys.stderr
    if stream is None:
        return
    line = unexpected_line(exc) + "\n"
    try:
        try:
            stream.write(line)
        except UnicodeEncodeError:  # a terminal that cannot show Japanese: "?" for it
            encoding = getattr(stream, "encoding", None) or "ascii"
            stream.write(line.encode(encoding, "replace").decode(encoding))
        stream.flush()
    except (OSError, ValueError):
        pass  # a closed or broken terminal: the log and the dialog have it


def _started() -> None:
    """The window is up and its start finished: collect cycles again if cli.main turned the
    collector off for the start. What the start made is frozen first, so later collections,
    on the UI thread, do not walk it again and again. (A caller that left the collector on
    is left alone.)"""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _report_start(app: QApplication, window: MainWindow, started: float) -> None:
    """The benchmark's hook: "shown" once the first page is painted, "ready" once the rest
    of the start is done (seconds since run_gui), then quit."""

    def say(what: str) -> None:
        print(f"{what} {time.perf_counter() - started:.4f} {time.process_time():.4f}", flush=True)

    def ready() -> None:
        say("ready")
        app.quit()

    window.first_painted.connect(lambda: say("shown"))
    window.start_finished.connect(ready)


def run_gui(store: Store) -> int:
    """Show the main window on ``store`` and run until it is closed; the exit code."""
    started = time.perf_counter()
    # Imported here so that ``desktop_app.ui.app`` stays cheap to import for the CLI.
    from desktop_app.ui.actions import ServiceRunner
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.sign_in import sign_in_at_start

    app = QApplication.instance()
    if app is None:
        app = QApplication([*sys.argv, "-style", "Fusion"])
        app.setProperty(_FUSION, True)
    assert isinstance(app, QApplication)
    app.setApplicationName("SO Desk")
    setup_application(app)
    # This desk's 文字の大きさ, before the first window (the sign-in) is made.
    text_size.apply_saved(app)
    lock = None
    if store.file is not None:
        lock = single_instance.acquire(store.file)
        if lock is None:
            who = single_instance.holder(store.file)
            QMessageBox.warning(
                None,
                "SO Desk",
                "SO Desk はこのデータベースですでに開いています"
                + (f"（{who}）" if who else "")
                + "。\n開いている画面をお使いください。\n\n"
                + f"データの場所：{store.location}",
            )
            return 1
    _report_uncaught_errors()
    try:
        # The first administrator, the demo clerk, or a sign-in: no window before someone
        # is signed in (終了 leaves without opening it).
        greeter = ServiceRunner(store)
        if not sign_in_at_start(greeter):
            return 0
        if store.user is None:
            raise RuntimeError("the main window needs a signed-in member of staff")
        window = MainWindow(store)
        window.setWindowTitle(APP_TITLE)
        text_size.install_shortcuts(window)
        window.start_finished.connect(_started)
        if os.environ.get(ENV_BENCH_EXIT):
            _report_start(app, window, started)
        window.show()
        return app.exec()
    except (ValidationError, StoreError):
        raise  # a problem the clerk can act on: cli says it in one line, as for a command
    except Exception as exc:
        # The window could not be opened: logged, told in a box and, for a terminal, one line
        # (cli would print its own line as well if this went on up).
        log.exception("the window could not start")
        from desktop_app.ui.actions import show_unexpected

        tell_terminal(exc)
        show_unexpected(None, exc)
        return 1
    finally:
        from desktop_app.services.audit_witness import note_close  # never raises

        note_close(store)  # the witness log keeps the chain's head, the sign-out included
        if lock is not None:
            lock.unlock()
