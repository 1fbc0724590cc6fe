"""文字の大きさ (標準・大・特大): remembered per desk, applied to the whole window at once and
at start; and the terminal's one line when the window meets an unexpected error."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from desktop_app.domain.desk import TextSize
from desktop_app.services.demo import mark_as_demo
from desktop_app.services.desk_settings import desk_file, load_desk_settings
from desktop_app.services.store import Store, data_dir
from desktop_app.ui import text_size
from desktop_app.ui.app import FONT_POINT_SIZE, run_gui
from desktop_app.ui.layout_tools import fit_date_edit
from desktop_app.ui.main_window import PAGE_SETTINGS, MainWindow


@pytest.fixture(autouse=True)
def _back_to_standard(qapp: QApplication) -> Iterator[None]:
    """The application is shared by the tests of this process: each leaves it at 標準."""
    yield
    text_size.apply(TextSize.STANDARD, qapp)


def _title(parent: QWidget | None = None) -> QLabel:
    label = QLabel("設定", parent)
    label.setObjectName("pageTitle")  # 16pt in the application's stylesheet, at 標準
    label.ensurePolished()
    return label


# Remembered per desk -------------------------------------------------------------------------


def test_the_size_chosen_is_written_to_this_desks_file_and_read_back() -> None:
    assert load_desk_settings().text_size == TextSize.STANDARD  # nothing chosen yet
    assert text_size.choose(TextSize.EXTRA_LARGE)
    path = desk_file()
    assert path.parent == data_dir() and path.is_file()
    assert json.loads(path.read_text(encoding="utf-8"))["text_size"] == "extra-large"
    assert load_desk_settings().text_size == TextSize.EXTRA_LARGE
    assert text_size.choose(TextSize.LARGE)
    assert load_desk_settings(path).text_size == TextSize.LARGE


def test_a_desk_that_cannot_write_its_file_still_shows_the_size(tmp_path: Path) -> None:
    data_dir().parent.mkdir(parents=True, exist_ok=True)
    data_dir().write_text("a file where the folder should be", encoding="utf-8")
    assert not text_size.choose(TextSize.LARGE)
    assert text_size.current() == TextSize.LARGE


# The whole window, at once -------------------------------------------------------------------


def test_extra_large_makes_the_font_and_the_stylesheets_sizes_larger(qapp, qtbot) -> None:
    label = _title()
    qtbot.addWidget(label)
    plain = QLabel("受付")
    qtbot.addWidget(plain)
    before = (label.fontInfo().pointSizeF(), label.sizeHint().height())
    plain_before = (plain.fontInfo().pointSizeF(), plain.sizeHint().width())
    assert qapp.font().pointSizeF() == pytest.approx(FONT_POINT_SIZE)

    text_size.apply(TextSize.EXTRA_LARGE, qapp)

    assert qapp.font().pointSizeF() == pytest.approx(FONT_POINT_SIZE * 1.5)
    # The same widgets, not rebuilt: the stylesheet's 16pt is 24pt now, the app font 15.75pt.
    assert label.fontInfo().pointSizeF() == pytest.approx(before[0] * 1.5, abs=0.6)
    assert label.sizeHint().height() > before[1] * 1.3
    assert plain.fontInfo().pointSizeF() == pytest.approx(plain_before[0] * 1.5, abs=0.6)
    assert plain.sizeHint().width() > plain_before[1] * 1.3

    text_size.apply(TextSize.STANDARD, qapp)
    assert label.fontInfo().pointSizeF() == pytest.approx(before[0], abs=0.1)
    assert label.sizeHint().height() == before[1]


def test_a_widgets_own_stylesheet_kept_sizes_and_date_edits_follow(qapp, qtbot) -> None:
    from PySide6.QtWidgets import QDateEdit

    box = QWidget()
    qtbot.addWidget(box)
    badge = QLabel("13pt", box)
    text_size.set_style(badge, "font-size: 13pt; padding: 4px 6px; border: 1px solid #ccc;")
    text_size.keep(box, fixed_width=170)
    edit = fit_date_edit(QDateEdit(box))
    edit.setDisplayFormat("yyyy年M月d日(ddd)")
    fit_date_edit(edit)
    date_width = edit.minimumWidth()
    badge.ensurePolished()
    assert badge.fontInfo().pointSizeF() == pytest.approx(13, abs=0.4)
    assert box.width() == 170

    text_size.apply(TextSize.LARGE, qapp)

    assert badge.fontInfo().pointSizeF() == pytest.approx(13 * 1.25, abs=0.4)
    assert "border: 1px solid" in badge.styleSheet()  # a hairline stays a hairline
    assert box.width() == round(170 * 1.25)
    assert edit.minimumWidth() > date_width * 1.15
    assert edit.maximumWidth() >= edit.minimumWidth()

    with pytest.raises(TypeError):
        text_size.keep(box, width=3)


def test_restyling_every_widget_leaves_none_counted(qapp, qtbot) -> None:
    """PySide6 6.12's QObject.property() for a property not set returns None without counting
    it: asked of every widget at each change, None itself was freed at the process's end."""

    def none_lost_by_three_changes() -> int:
        before = sys.getrefcount(None)
        for size in (TextSize.LARGE, TextSize.EXTRA_LARGE, TextSize.STANDARD):
            text_size.apply(size, qapp)
        return before - sys.getrefcount(None)

    alone = none_lost_by_three_changes()  # the widgets other tests left, whatever they do
    box = QWidget()
    qtbot.addWidget(box)
    labels = [QLabel("受付", box) for _ in range(300)]
    text_size.keep(labels[0], fixed_width=40)
    # 300 more widgets, 3 changes: not some 2,000 references fewer.
    assert none_lost_by_three_changes() - alone < 100
    assert labels[0].width() == 40


def test_the_settings_page_changes_the_size_at_once_for_any_clerk(qapp, qtbot, store) -> None:
    """A 受付 clerk sees the clinic's settings read-only, but 表示 is this desk's own."""
    from desktop_app.domain.roles import Actor, Role

    window = MainWindow(store, auto_backup=False)
    qtbot.addWidget(window)
    window.show_page(PAGE_SETTINGS)
    page = window.settings_page
    page.apply_role(Actor(login="uketsuke", display_name="受付 花子", role=Role.RECEPTION))
    assert page.read_only
    combo = page.text_size_combo
    assert combo.isEnabled() and combo.isVisibleTo(page)
    title = page.findChild(QLabel, "pageTitle")
    assert title is not None
    before = title.fontInfo().pointSizeF()

    combo.set_value(TextSize.EXTRA_LARGE)

    assert text_size.current() == TextSize.EXTRA_LARGE
    assert title.fontInfo().pointSizeF() == pytest.approx(before * 1.5, abs=0.6)
    assert load_desk_settings().text_size == TextSize.EXTRA_LARGE
    assert not page.errors["text_size"].isVisibleTo(page)

    text_size.apply(TextSize.LARGE, qapp)  # from the keyboard, say: the combo follows
    assert combo.value() == TextSize.LARGE


def test_the_keys_step_the_size_and_the_status_bar_says_it(qtbot, store) -> None:
    window = MainWindow(store, auto_backup=False)
    qtbot.addWidget(window)
    text_size.install_shortcuts(window)
    text_size.install_shortcuts(window)  # once only: a second call adds no second set
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    ctrl = Qt.KeyboardModifier.ControlModifier

    qtbot.keyClick(window, Qt.Key.Key_Plus, ctrl)
    assert text_size.current() == TextSize.LARGE
    assert "文字の大きさ：大" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_Equal, ctrl)
    qtbot.keyClick(window, Qt.Key.Key_Plus, ctrl)  # no larger than 特大
    assert text_size.current() == TextSize.EXTRA_LARGE
    assert load_desk_settings().text_size == TextSize.EXTRA_LARGE
    qtbot.keyClick(window, Qt.Key.Key_Minus, ctrl)
    assert text_size.current() == TextSize.LARGE
    qtbot.keyClick(window, Qt.Key.Key_0, ctrl)
    assert text_size.current() == TextSize.STANDARD
    assert load_desk_settings().text_size == TextSize.STANDARD
    window.close()


def test_fit_to_screen_asks_for_more_room_at_larger_sizes(qapp, qtbot) -> None:
    from PySide6.QtCore import QRect

    from desktop_app.ui.layout_tools import fit_to_screen

    dialog = QWidget()
    qtbot.addWidget(dialog)
    room = QRect(0, 0, 1366, 768)
    fit_to_screen(dialog, 600, 400, room=room)
    assert (dialog.width(), dialog.height()) == (600, 400)
    text_size.apply(TextSize.EXTRA_LARGE, qapp)
    fit_to_screen(dialog, 600, 400, room=room)
    assert (dialog.width(), dialog.height()) == (900, 600)
    fit_to_screen(dialog, 720, 620, room=room)  # 1080x930: the screen's height at most
    assert dialog.height() <= 768 - 40


# Pages and dialogs drawn in pixels -----------------------------------------------------------


def test_table_columns_and_measured_labels_follow_the_size(qapp, qtbot, runner) -> None:
    """Fixed column widths (case list, audit log, staff) and a label measured from its text
    grow with the text, and come back at 標準: cells do not end in 「…」 at 特大."""
    from desktop_app.ui.audit_viewer import AuditViewer
    from desktop_app.ui.case_list import COL_FURIGANA, CaseListPage
    from desktop_app.ui.staff_accounts import StaffAccountsDialog

    cases = CaseListPage(runner)
    audit = AuditViewer(runner)
    accounts = StaffAccountsDialog(runner)
    for widget in (cases, audit, accounts):
        qtbot.addWidget(widget)
    headers = {
        "cases": (cases.table.horizontalHeader(), COL_FURIGANA, 152),
        "audit": (audit.table.horizontalHeader(), 1, 165),
        "staff": (accounts.table.horizontalHeader(), 0, 130),
    }
    for header, column, pixels in headers.values():
        assert header.sectionSize(column) == pixels
    count_width = cases.count_label.minimumWidth()
    metrics = cases.count_label.fontMetrics()
    assert count_width >= metrics.horizontalAdvance("200,000件以上")

    text_size.apply(TextSize.EXTRA_LARGE, qapp)

    for name, (header, column, pixels) in headers.items():
        assert header.sectionSize(column) == round(pixels * 1.5), name
    grown = cases.count_label.fontMetrics().horizontalAdvance("200,000件以上")
    assert grown > metrics.horizontalAdvance("200,000件以上") * 1.3
    assert cases.count_label.minimumWidth() >= grown

    text_size.apply(TextSize.STANDARD, qapp)
    for header, column, pixels in headers.values():
        assert header.sectionSize(column) == pixels
    assert cases.count_label.minimumWidth() == count_width
    runner.wait_for_background()


def test_the_lock_card_and_its_titles_are_larger(qapp, qtbot, runner) -> None:
    from desktop_app.ui.lock import LockCover, ScreenLock

    host = QWidget()
    qtbot.addWidget(host)
    cover = LockCover(ScreenLock(runner, host), qapp.primaryScreen(), with_form=True)
    qtbot.addWidget(cover)
    assert cover.form is not None
    title = cover.form.findChild(QLabel, "lockTitle")
    assert title is not None
    title.ensurePolished()
    before = title.fontInfo().pointSizeF()
    assert cover.form.width() == 460

    text_size.apply(TextSize.EXTRA_LARGE, qapp)

    assert cover.form.width() == 690
    assert title.fontInfo().pointSizeF() == pytest.approx(before * 1.5, abs=0.6)
    assert "#27313d" in cover.styleSheet()  # the cover's colours kept


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_audit_filters_wrap_rather_than_widen_the_window_at_extra_large(
    qapp, qtbot, runner
) -> None:
    """At 特大 the filters in one row were 1,710 pixels wide: wider than a 1366x768 screen."""
    from desktop_app.ui.audit_viewer import AuditViewer

    room = 1366 - 16  # the screen less the window's frame (layout_tools.FRAME_ALLOWANCE)
    text_size.apply(TextSize.EXTRA_LARGE, qapp)
    viewer = AuditViewer(runner)
    qtbot.addWidget(viewer)
    viewer.resize(room, 700)
    viewer.show()
    qtbot.waitExposed(viewer)
    assert viewer.minimumSizeHint().width() <= room
    assert viewer.filter_bar.is_wrapped()
    assert viewer.search_button.isVisible()
    right = viewer.search_button.mapTo(viewer, viewer.search_button.rect().topRight()).x()
    assert right <= viewer.width()

    text_size.apply(TextSize.STANDARD, qapp)
    qtbot.waitUntil(lambda: not viewer.filter_bar.is_wrapped())  # one row again
    viewer.close()
    runner.wait_for_background()


def test_wrapped_cells_are_as_tall_as_the_text_drawn_in_the_padding(qapp, qtbot) -> None:
    """Qt measures a wrapped cell at its column's full width; the stylesheet draws the text
    inside a padding, so a line more was cut to 「…」 (the 受信FAX page's 状態 at 特大)."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QHeaderView, QTableView

    from desktop_app.ui.layout_tools import CELL_PADDING, WrappedCells

    text = "要確認：バーコードが読めません。案件を指定してください。"
    text_size.apply(TextSize.EXTRA_LARGE, qapp)
    model = QStandardItemModel(1, 1)
    model.setItem(0, 0, QStandardItem(text))
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setWordWrap(True)
    view.setItemDelegate(WrappedCells(view))
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.resize(400, 600)
    view.show()
    qtbot.waitExposed(view)
    metrics = view.fontMetrics()
    for width in range(60, 260, 7):
        view.setColumnWidth(0, width)
        view.resizeRowsToContents()
        drawn = width - 2 * text_size.px(CELL_PADDING)
        wrap = int(Qt.TextFlag.TextWordWrap)
        needed = metrics.boundingRect(QRect(0, 0, drawn, 10_000), wrap, text).height()
        assert view.rowHeight(0) >= needed, width


# At start ------------------------------------------------------------------------------------


@pytest.fixture
def started_windows(qapp: QApplication) -> Iterator[None]:
    """run_gui leaves its (closed) window to the process's exit; here the next test follows,
    so it is deleted now."""
    yield
    for widget in qapp.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.usefixtures("started_windows")
def test_the_start_applies_the_size_this_desk_chose(qapp, store: Store, monkeypatch) -> None:
    mark_as_demo(store)  # the demo clerk: no sign-in dialog to answer
    text_size.choose(TextSize.EXTRA_LARGE)
    text_size.apply(TextSize.STANDARD, qapp)  # as a new process starts: 標準 until read
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    seen: dict[str, float] = {}

    def look() -> None:
        window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))
        seen["app"] = qapp.font().pointSizeF()
        seen["window"] = window.fontInfo().pointSizeF()
        qapp.closeAllWindows()

    QTimer.singleShot(0, look)
    assert run_gui(store) == 0
    assert seen["app"] == pytest.approx(FONT_POINT_SIZE * 1.5)
    assert seen["window"] == pytest.approx(FONT_POINT_SIZE * 1.5, abs=0.6)


# The terminal's one line ---------------------------------------------------------------------


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The log as cli configures it: a file the line can point to."""
    path = tmp_path / "sodesk.log"
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    root = logging.getLogger()
    root.handlers.insert(0, handler)  # before pytest's own (on os.devnull)
    yield path
    root.removeHandler(handler)
    handler.close()


def test_an_uncaught_error_gives_the_terminal_one_line(monkeypatch, capsys, log_file) -> None:
    from desktop_app.ui import actions, app

    shown: list[BaseException] = []
    monkeypatch.setattr(actions, "show_unexpected", lambda _parent, exc: shown.append(exc))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app._report_uncaught_errors()
    error = KeyError("case")
    sys.excepthook(KeyError, error, None)

    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"SO Desk: 予期しないエラー（KeyError）。詳細は sodesk.log：{log_file}"]
    assert shown == [error]  # the dialog as before


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.usefixtures("started_windows")
def test_a_window_that_cannot_start_says_so_in_one_line(
    qapp, store: Store, monkeypatch, capsys, log_file
) -> None:
    from desktop_app.ui import actions

    mark_as_demo(store)
    shown: list[BaseException] = []
    monkeypatch.setattr(actions, "show_unexpected", lambda _parent, exc: shown.append(exc))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)

    def broken(self: MainWindow, *_args: object, **_kwargs: object) -> None:
        QMainWindow.__init__(self)  # (a wrapper without its Qt object upsets PySide at exit)
        raise KeyError("page")  # a bug met while the window is built

    monkeypatch.setattr(MainWindow, "__init__", broken)
    assert run_gui(store) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"SO Desk: 予期しないエラー（KeyError）。詳細は sodesk.log：{log_file}"]
    assert [type(e) for e in shown] == [KeyError]
    assert "the window could not start" in log_file.read_text(encoding="utf-8")
