"""Screenshots for the manual (desktop_app/manual/images/), made from the demo offscreen.

    .venv/bin/python tools/manual_screenshots.py [--out FOLDER] [NAME ...]

Builds a demo database in a temporary folder on a fixed day (the test suite's, 2026-12-03
09:30, so a picture changes only when its screen does), opens the main window (1280x800),
its pages and the dialogs the manual shows, offscreen, and saves each one's widget.grab() as
NAME.png. The images are generated files (.gitignore): run this before building a wheel or a
bundle that should carry them. The manual reads without them (each picture has a caption).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.ui.actions import ServiceRunner
    from desktop_app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "desktop_app" / "manual" / "images"
DAY = dt.datetime(2026, 12, 3, 9, 30)
WINDOW_SIZE = (1280, 800)
SHOWN_LOCATION = "~/.local/share/SODesk/sodesk-demo.db"
# How long each picture is given to load what it reads off the UI thread and paint.
SETTLE_SECONDS = 0.8

# Each picture the manual uses: its file name (without .png) and what it shows. The pages of
# the main window are named by their label in the navigation (main_window.PAGE_NAMES).
PAGE_SHOTS = {
    "intake": "受付",
    "board": "書類ボード",
    "fax-inbox": "受信FAX",
    "calendar": "カレンダー",
    "cases": "案件一覧",
    "stats": "統計",
    "settings": "設定",
}
DIALOG_SHOTS = (
    "case-window",
    "visit",
    "receipt",
    "booking",
    "print-preview",
    "sign-in",
    "first-admin",
    "lock",
)
SHOTS = (*PAGE_SHOTS, *DIALOG_SHOTS)


def _prepare_environment(home: Path) -> None:
    """Before Qt or the app is imported: offscreen, the fixed day, a private data folder
    (no backup, draft or log of this run lands in the clerk's)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["XDG_DATA_HOME"] = str(home)
    os.environ["LOCALAPPDATA"] = str(home)
    os.environ.pop("SODESK_DATABASE_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from desktop_app.domain import clock

    os.environ[clock.OFFSET_VARIABLE] = str(clock.offset_to(DAY))


def make_screenshots(out: Path, names: tuple[str, ...] = SHOTS) -> list[Path]:
    """Write ``NAME.png`` into ``out`` for each name; the files written. A page the main
    window does not have (yet) is skipped."""
    with tempfile.TemporaryDirectory(prefix="sodesk-manual-") as temp:
        _prepare_environment(Path(temp))
        return _shoot(Path(temp), out, names)


def _shoot(temp: Path, out: Path, names: tuple[str, ...]) -> list[Path]:
    # Imported here: the environment above must be set first.
    from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget

    from desktop_app.domain.forms import FormKind
    from desktop_app.domain.stages import Stage
    from desktop_app.services.backup import backup_database
    from desktop_app.services.case_rows import search_cases
    from desktop_app.services.maintenance import rebuild_demo
    from desktop_app.ui.actions import ServiceRunner
    from desktop_app.ui.app import setup_application
    from desktop_app.ui.case_detail import CaseDetailDialog
    from desktop_app.ui.main_window import PAGE_NAMES, MainWindow
    from desktop_app.ui.sign_in import FirstAdminDialog, SignInDialog, sign_in_at_start

    app = QApplication.instance() or QApplication([sys.argv[0], "-style", "Fusion"])
    assert isinstance(app, QApplication)
    setup_application(app)
    store = rebuild_demo(str(temp / "sodesk-demo.db"))
    written: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)
    try:
        runner = ServiceRunner(store)
        if not sign_in_at_start(runner):
            raise SystemExit("the demo clerk could not sign in")
        backup_database(store)  # the status bar shows a recent backup, as on a desk in use
        window = MainWindow(store, auto_backup=False)
        window.resize(*WINDOW_SIZE)
        # Where a clinic's demo lives, not this run's temporary folder.
        window.location_label.setText(f"データの場所：{SHOWN_LOCATION}")
        window.show()
        settle(window.runner)

        def case_in(stage: Stage) -> int:
            rows = search_cases(store, stages=(stage,), limit=1).rows
            if not rows:
                raise SystemExit(f"the demo has no case in {stage}")
            return rows[0].id

        def save(name: str, widget: QWidget) -> None:
            settle(window.runner)
            path = out / f"{name}.png"
            if not widget.grab().save(str(path), "PNG"):
                raise SystemExit(f"could not write {path}")
            written.append(path)

        def case_window(stage: Stage, tab: int = 0) -> CaseDetailDialog:
            dialog = CaseDetailDialog(window.runner, case_in(stage), window)
            dialog.load()
            dialog.findChild(QTabWidget).setCurrentIndex(tab)  # type: ignore[union-attr]
            dialog.show()
            return dialog

        def dialog_shot(name: str) -> QWidget | None:
            if name == "case-window":
                return case_window(Stage.BOOKED)
            if name == "visit":
                return case_window(Stage.CHECKED_IN, tab=3)
            if name == "receipt":
                from desktop_app.ui.receipt_dialog import open_receipt_dialog

                return open_receipt_dialog(window.runner, window, case_in(Stage.FORMS_SENT))
            if name == "booking":
                from desktop_app.ui.booking_dialog import BookingDialog

                booking = BookingDialog(window.runner, case_in(Stage.DOCTOR_REVIEW), window)
                booking.show()
                return booking
            if name == "print-preview":
                from desktop_app.ui.print_menu import open_preview

                return open_preview(window.runner, window, FormKind.PACKET, case_in(Stage.INQUIRY))
            if name == "sign-in":
                dialog: QDialog = SignInDialog(ServiceRunner(store), window, login="uketsuke")
                dialog.show()
                return dialog
            if name == "first-admin":
                dialog = FirstAdminDialog(ServiceRunner(store), window)
                dialog.show()
                return dialog
            if name == "lock":
                from desktop_app.ui.lock import LockForm

                form = LockForm(window.screen_lock)
                form.show()
                return form
            raise SystemExit(f"no such screenshot: {name}")

        shots: dict[str, Callable[[], QWidget | None]] = {}
        for name, label in PAGE_SHOTS.items():
            if label in PAGE_NAMES:
                shots[name] = partial(_page, window, PAGE_NAMES.index(label))
        for name in DIALOG_SHOTS:
            shots[name] = partial(dialog_shot, name)
        for name in names:
            make = shots.get(name)
            if make is None:
                print(f"skipped {name}: the window has no such page", file=sys.stderr)
                continue
            widget = make()
            if widget is None:
                raise SystemExit(f"{name}: nothing to show")
            save(name, widget)
            if widget is not window:
                widget.close()
                widget.deleteLater()
        window.close()
        window.runner.wait_for_background()
    finally:
        store.close()
    return written


def _page(window: MainWindow, index: int) -> MainWindow:
    window.show_page(index)
    return window


def settle(runner: ServiceRunner) -> None:
    """Let the screens lay themselves out, load what they read off the UI thread (the
    board, the statistics) and render what they draw later (a PDF's pages)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    until = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < until:
        runner.wait_for_background(2000)
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help="、".join(SHOTS) + "（既定: すべて）"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in SHOTS]
    if unknown:
        parser.error(f"no such screenshot: {', '.join(unknown)}")
    written = make_screenshots(args.out, tuple(args.names) or SHOTS)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
