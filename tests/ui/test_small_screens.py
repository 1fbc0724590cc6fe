"""Every window fits a 1280x720 or 1366x768 laptop: no button or status bar off the screen.

The offscreen platform's screen is 800x800 unless a configuration file says otherwise
(``offscreen:configfile=...``, a JSON list of screens), so the helper is checked with given
screens here, and the real windows once on each laptop screen in a child process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from desktop_app.domain.appointment_state import AppointmentState
from desktop_app.domain.forms import FormKind
from desktop_app.services.calendar import CalendarAppointment
from desktop_app.services.forms import render_form
from desktop_app.services.store import Store
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.audit_viewer import AuditViewer
from desktop_app.ui.booking_dialog import BookingDialog
from desktop_app.ui.calendar.delegate import (
    BOX_PADDING,
    cell_layout,
    fit_appointment_text,
    surname,
)
from desktop_app.ui.calendar.grid_model import Cell
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.case_edit_dialog import CaseEditDialog
from desktop_app.ui.layout_tools import FRAME_ALLOWANCE, fit_to_screen, fitted_size
from desktop_app.ui.main_window import PAGE_NAMES, MainWindow
from desktop_app.ui.masters_page import MastersDialog
from desktop_app.ui.print_preview import PrintPreviewDialog
from desktop_app.ui.receipt_dialog import ReceiptDialog
from desktop_app.ui.staff_accounts import StaffAccountsDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

# The laptops of the desks, each less a 40 px taskbar at the bottom (Windows 10/11 at 100 %).
TASKBAR = 40
LAPTOPS = {
    "1280x720": QRect(0, 0, 1280, 720 - TASKBAR),
    "1366x768": QRect(0, 0, 1366, 768 - TASKBAR),
}


def _inside(room: QRect, window: QWidget) -> bool:
    """The window with the frame kept for the window manager lies on the screen."""
    outer = window.geometry().adjusted(
        -FRAME_ALLOWANCE.width() // 2,
        -(FRAME_ALLOWANCE.height() - FRAME_ALLOWANCE.width() // 2),
        FRAME_ALLOWANCE.width() // 2,
        FRAME_ALLOWANCE.width() // 2,
    )
    return room.contains(outer)


# The helper -----------------------------------------------------------------------------------


def test_a_size_that_fits_is_kept_and_one_that_does_not_is_cut_to_the_screen() -> None:
    big = QRect(0, 0, 1920, 1040)
    assert fitted_size(QSize(1280, 800), big) == QSize(1280, 800)
    small = LAPTOPS["1280x720"]
    assert fitted_size(QSize(1280, 800), small) == QSize(1280 - 16, 680 - 40)
    assert fitted_size(QSize(1000, 880), small) == QSize(1000, 680 - 40)


@pytest.mark.parametrize("laptop", LAPTOPS)
def test_a_window_without_parent_is_fitted_and_centred(qtbot, laptop: str) -> None:
    room = LAPTOPS[laptop]
    window = QWidget()
    qtbot.addWidget(window)
    window.setMinimumSize(900, 700)  # taller than the screen: lowered, the contents scroll
    fit_to_screen(window, 1280, 800, room=room)
    assert window.height() <= room.height() - FRAME_ALLOWANCE.height()
    assert window.minimumHeight() <= window.height()
    assert _inside(room, window)
    left = window.geometry().left() - room.left()
    right = room.right() - window.geometry().right()
    assert abs(left - right) <= FRAME_ALLOWANCE.width()


def test_a_dialog_keeps_its_size_on_a_big_screen(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = QWidget(parent)
    fit_to_screen(dialog, 720, 620, room=QRect(0, 0, 1920, 1040))
    assert dialog.size() == QSize(720, 620)


# The windows on a laptop ------------------------------------------------------------------------


@pytest.mark.parametrize("laptop", LAPTOPS)
def test_every_page_of_the_main_window_fits_without_scrolling(
    qtbot, store: Store, laptop: str
) -> None:
    room = LAPTOPS[laptop]
    window = MainWindow(store, auto_backup=False)
    qtbot.addWidget(window)
    fit_to_screen(window, 1280, 800, room=room)
    most = room.size() - FRAME_ALLOWANCE
    assert window.width() <= most.width() and window.height() <= most.height()
    window.show()  # (on the test's own screen: where it lands is checked in a child process)
    qtbot.waitExposed(window)
    for index in range(len(PAGE_NAMES)):
        window.show_page(index)
        QApplication.processEvents()
    # A new clinic's first-run checklist sits above the pages until the setup is done (this
    # store is new): with it the tallest page scrolls a little, without it nothing does.
    banner = getattr(window, "setup_banner", None)
    if isinstance(banner, QWidget):
        banner.hide()
    QApplication.processEvents()
    scroll = window.page_scroll
    name = PAGE_NAMES[window.stack.currentIndex()]
    # The widest and tallest page (the stack's smallest size is theirs) fits as laid out.
    assert scroll.horizontalScrollBar().maximum() == 0, name
    assert scroll.verticalScrollBar().maximum() == 0, name
    assert window.statusBar().geometry().bottom() <= window.height()
    window.runner.wait_for_background()


def test_a_page_too_big_for_the_window_scrolls_instead_of_being_cut(qtbot, store: Store) -> None:
    window = MainWindow(store, auto_backup=False)
    qtbot.addWidget(window)
    fit_to_screen(window, 1280, 800, room=QRect(0, 0, 640, 400))
    window.show()
    qtbot.waitExposed(window)
    window.show_page(PAGE_NAMES.index("カレンダー"))
    QApplication.processEvents()
    # The page keeps its smallest size; the room it lacks is scrolled to, not cut off.
    page, least = window.stack, window.stack.minimumSizeHint()
    assert page.width() >= least.width() and page.height() >= least.height()
    bars = window.page_scroll.horizontalScrollBar(), window.page_scroll.verticalScrollBar()
    assert max(bar.maximum() for bar in bars) > 0
    assert window.statusBar().isVisible()
    assert window.statusBar().geometry().bottom() <= window.height()
    window.runner.wait_for_background()


def _dialogs(runner: ServiceRunner, store: Store, case_id: int) -> dict[str, QWidget]:
    return {
        "印刷プレビュー": PrintPreviewDialog(runner, render_form(store, FormKind.APPLICATION)),
        "案件の詳細": CaseDetailDialog(runner, case_id),
        "案件の内容を訂正": CaseEditDialog(runner, case_id),
        "書類受領": ReceiptDialog(runner),
        "予約": BookingDialog(runner, case_id),
        "担当医・診療枠・休診日": MastersDialog(runner),
        "職員アカウント": StaffAccountsDialog(runner),
        "変更履歴": AuditViewer(runner),
    }


@pytest.mark.parametrize("laptop", LAPTOPS)
def test_every_dialog_fits_and_its_buttons_are_on_the_screen(
    qtbot, runner: ServiceRunner, store: Store, make_case, laptop: str
) -> None:
    room = LAPTOPS[laptop]
    most = room.size() - FRAME_ALLOWANCE
    case_id = make_case().id
    for name, dialog in _dialogs(runner, store, case_id).items():
        qtbot.addWidget(dialog)
        # As the dialog sized itself, on this laptop rather than the test's screen.
        wanted = dialog.size()
        fit_to_screen(dialog, max(wanted.width(), 1), max(wanted.height(), 1), room=room)
        dialog.ensurePolished()
        smallest = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
        assert smallest.width() <= most.width(), name
        assert smallest.height() <= most.height(), name
        assert dialog.width() <= most.width() and dialog.height() <= most.height(), name
        dialog.show()
        qtbot.waitExposed(dialog)
        for button in dialog.findChildren(QPushButton):
            if button.isVisibleTo(dialog):
                where = QRect(button.mapTo(dialog, button.rect().topLeft()), button.size())
                assert dialog.rect().contains(where), f"{name}: {button.text()}"
        dialog.close()


def test_the_print_preview_asks_no_more_than_the_laptop(
    qtbot, runner: ServiceRunner, store: Store
) -> None:
    dialog = PrintPreviewDialog(runner, render_form(store, FormKind.APPLICATION))
    qtbot.addWidget(dialog)
    fit_to_screen(dialog, 1000, 880, room=LAPTOPS["1280x720"])
    assert dialog.height() <= 680 - FRAME_ALLOWANCE.height()
    for button in (dialog.print_button, dialog.save_button, dialog.close_button):
        dialog.show()
        qtbot.waitExposed(dialog)
        bottom = button.mapTo(dialog, button.rect().bottomLeft()).y()
        assert bottom <= dialog.height(), button.text()


# On a real 1280x720 and 1366x768 screen -------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import sys
    from PySide6.QtWidgets import QApplication
    from desktop_app.services.forms import render_form
    from desktop_app.domain.forms import FormKind
    from desktop_app.services.store import open_store
    from desktop_app.ui.app import setup_application
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.print_preview import PrintPreviewDialog

    app = QApplication(sys.argv)
    setup_application(app)
    store = open_store(sys.argv[1], create=True, staff="テスト担当")
    window = MainWindow(store, auto_backup=False)
    window.show()
    app.processEvents()
    preview = PrintPreviewDialog(window.runner, render_form(store, FormKind.APPLICATION), window)
    preview.show()
    app.processEvents()
    room = app.primaryScreen().availableGeometry()
    for w in (window, preview):
        frame = w.frameGeometry()
        print(w.metaObject().className(), room.contains(frame), frame.width(), frame.height())
    window.runner.wait_for_background()
    """
)


def test_on_a_laptop_screen_the_windows_open_on_it(tmp_path: Path) -> None:
    laptop = "1280x720"  # the smaller one; the in-process tests above cover 1366x768 too
    width, height = (int(n) for n in laptop.split("x"))
    config = tmp_path / "screen.json"
    screen = {"name": laptop, "x": 0, "y": 0, "width": width, "height": height}
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "small.sqlite")],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines() if line.strip()]
    assert [line[:2] for line in lines] == [["MainWindow", "True"], ["PrintPreviewDialog", "True"]]


# The week view at 1280 wide ---------------------------------------------------------------------

WEEK_COLUMN_AT_1280 = 96  # (1264 - 170 navigation - 330 day list - 58 times) / 7, about


def _appointment(patient: str, state: AppointmentState) -> CalendarAppointment:
    return CalendarAppointment(
        id=1, case_id=1, case_number="SO-2026-0001", patient=patient, doctor_id=1,
        doctor="柴田 航", department="脳神経外科", date=dt.date(2026, 12, 3),
        start=dt.time(14), minutes=30, state=state,
    )  # fmt: skip


def _cell(*appointments: CalendarAppointment, free: int) -> Cell:
    return Cell(
        date=dt.date(2026, 12, 3), start=dt.time(14), doctor_id=None, closure="", today=True,
        open_doctors=tuple(range(1, free + 2)), free_doctors=tuple(range(2, free + 2)),
        appointments=appointments, continued=(),
    )  # fmt: skip


@pytest.mark.parametrize("patient", ["佐々木　千尋", "林　真由美", "長谷川　修一"])
def test_a_week_column_shows_at_least_the_family_name(qtbot, patient: str) -> None:
    metrics = QWidget().fontMetrics()  # the application's font
    booked = _appointment(patient, AppointmentState.BOOKED)
    labels = ("空き 青木・馬場・堀・柴田・岡本", "空き 5名", "空5")
    layout = cell_layout(metrics, WEEK_COLUMN_AT_1280, _cell(booked, free=5), labels)
    (label,) = layout.labels
    assert label.startswith(surname(patient)), label
    assert "…" not in label or len(label.rstrip("…")) > len(surname(patient))
    assert metrics.horizontalAdvance(label) <= layout.box_width - BOX_PADDING
    assert layout.free_label, "the free doctors are still counted"
    # Where there is room (the day view) all of it is said, and the free doctors named.
    wide = cell_layout(metrics, 600, _cell(booked, free=2), ("空き 青木・馬場", "空き 2名", "空2"))
    assert wide.labels[0].startswith(patient) and "…" not in wide.labels[0]
    assert wide.free_label == "空き 青木・馬場"


def test_a_long_name_in_a_narrow_column_keeps_what_fits() -> None:
    metrics = QWidget().fontMetrics()
    booked = _appointment("勅使河原　三郎", AppointmentState.BOOKED)
    room = metrics.horizontalAdvance("勅使河原　三") + 1
    text = fit_appointment_text(metrics, booked, room, with_doctor=True)
    assert text.startswith("勅使河原") and text.endswith("…")
    tiny = fit_appointment_text(
        metrics, booked, metrics.horizontalAdvance("勅使"), with_doctor=True
    )
    assert tiny.startswith("勅")
