"""The main window: navigation on the left, one page at a time on the right."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import shiboken6
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import staff
from desktop_app.services.setup_checklist import SetupPlace
from desktop_app.services.store import Store
from desktop_app.ui import text_size
from desktop_app.ui.accessibility import tab_in_groups
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.backup_status import AutomaticBackups, BackgroundBackup, BackupStatusLabel
from desktop_app.ui.case_list import CaseListPage
from desktop_app.ui.layout_tools import fit_to_screen
from desktop_app.ui.lock import ScreenLock
from desktop_app.ui.setup_banner import SetupBanner
from desktop_app.ui.sign_in import ChangePasswordDialog
from desktop_app.ui.staff_status import StaffButton

if TYPE_CHECKING:
    from desktop_app.ui.board.page import BoardPage
    from desktop_app.ui.calendar.page import CalendarPage
    from desktop_app.ui.fax_inbox_page import FaxInboxPage
    from desktop_app.ui.fax_inbox_watch import FaxInbox
    from desktop_app.ui.intake.wizard import IntakeWizard
    from desktop_app.ui.live_updates import LiveUpdates
    from desktop_app.ui.receipt_dialog import ReceiptDialog
    from desktop_app.ui.settings_page import SettingsPage
    from desktop_app.ui.stats_page import StatsPage

PAGE_NAMES = ("受付", "書類ボード", "受信FAX", "カレンダー", "案件一覧", "統計", "設定")
NAV_WIDTH = 170
# After the start, while the clerk reads the first page, the board (the page opened most
# after the case list) is made, so its first opening only loads and paints (~100 ms less).
PREPARE_BOARD_AFTER_MS = 400
WATCH_FAX_AFTER_MS = 1500  # the fax inbox's first look, after the board is made
PAGE_INTAKE, PAGE_BOARD, PAGE_FAX, PAGE_CALENDAR, PAGE_CASES, PAGE_STATS, PAGE_SETTINGS = range(7)

_Page = TypeVar("_Page", bound=QWidget)


class MainWindow(QMainWindow):
    # The first page is on the screen; what the start leaves until then follows (finish_start).
    first_painted = Signal()
    # ... and is done.
    start_finished = Signal()

    def __init__(
        self, store: Store, parent: QWidget | None = None, *, auto_backup: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("SO Desk セカンドオピニオン外来 受付")
        self.setMinimumSize(QSize(960, 600))
        # 1280x800, or the screen where it is smaller (a 1280x720 laptop): the status bar and
        # the intake's 次へ/登録 stay on the screen.
        fit_to_screen(self, 1280, 800)
        self.runner = ServiceRunner(store, self)
        self.backups = BackgroundBackup(store, self, runner=self.runner)
        # Off in tests that are not about backups, so no copy is made behind their back.
        self.automatic_backups = (
            AutomaticBackups(self.backups, parent=self) if auto_backup else None
        )

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("画面の切り替え")
        text_size.keep(self.nav, fixed_width=NAV_WIDTH)  # wider at 大 and 特大
        for number, name in enumerate(PAGE_NAMES, 1):
            item = QListWidgetItem(name)
            item.setToolTip(f"{name}（Ctrl+{number}）")
            self.nav.addItem(item)

        # The page shown at start is built now; the others (and their modules) when first
        # shown or asked for, so the window comes up without loading what it does not show.
        self.case_list = CaseListPage(self.runner)
        self._pages: dict[int, QWidget] = {PAGE_CASES: self.case_list}
        self.stack = QStackedWidget()
        for index in range(len(PAGE_NAMES)):
            self.stack.addWidget(self._pages.get(index) or QWidget())
        # In PAGE_NAMES order.
        self._page_getters: tuple[Callable[[], QWidget], ...] = (
            lambda: self.intake,
            lambda: self.board,
            lambda: self.fax_page,
            lambda: self.calendar_page,
            lambda: self.case_list,
            lambda: self.stats_page,
            lambda: self.settings_page,
        )

        self.nav.currentRowChanged.connect(self._switch_to)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        # On a screen too small for a page's smallest layout the page scrolls, never cut off.
        self.page_scroll = QScrollArea()
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.page_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.page_scroll.setWidget(self.stack)
        # A new clinic's first-run checklist, above every page until it is done.
        self.setup_banner = SetupBanner(self.runner)
        self.setup_banner.open_requested.connect(self.open_setup)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(self.setup_banner)
        right.addWidget(self.page_scroll, 1)
        layout.addLayout(right, 1)
        self.setCentralWidget(central)

        self.location_label = QLabel(f"データの場所：{store.location}")
        self.location_label.setToolTip(store.location)
        self.staff_label = StaffButton(self.runner)
        self.backup_label = BackupStatusLabel(self.backups)
        self.statusBar().addWidget(self.location_label, 1)
        self.statusBar().addPermanentWidget(self.backup_label)
        self.statusBar().addPermanentWidget(self.staff_label)
        # The manual, at the section of what is in front (F1 does the same: ui/help.py).
        self.help_button = QPushButton("ヘルプ（F1）")
        self.help_button.setToolTip("今の画面の説明を開きます（F1）")
        self.help_button.setAutoDefault(False)
        self.help_button.clicked.connect(self.open_help)
        self.statusBar().addPermanentWidget(self.help_button)
        # On PostgreSQL, the other desks' changes show here as they are made.
        self.live_updates: LiveUpdates | None = None
        if store.file is None:
            from desktop_app.ui.live_updates import start_live_updates

            self.live_updates = start_live_updates(self.runner, self.statusBar(), self)

        for number in range(1, len(PAGE_NAMES) + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda index=number - 1: self.show_page(index))
        QShortcut(QKeySequence("Ctrl+F"), self).activated.connect(self.focus_search)
        QShortcut(QKeySequence("Ctrl+N"), self).activated.connect(self.new_intake)
        # A returned form in the clerk's hand: 書類受領 from anywhere, or the board's button.
        QShortcut(QKeySequence("Ctrl+R"), self).activated.connect(self.receive_papers)
        self._receipt_dialog: ReceiptDialog | None = None
        # This desk's fax inbox, watched from the end of the start while the window is open.
        self.fax_inbox: FaxInbox | None = None
        self.nav.item(PAGE_INTAKE).setToolTip("受付（Ctrl+1）　新規受付は Ctrl+N")
        self.nav.item(PAGE_BOARD).setToolTip("書類ボード（Ctrl+2）　書類受領は Ctrl+R")

        text_size.install_shortcuts(self)  # Ctrl++ / Ctrl+- / Ctrl+0: the text size

        # Idle minutes or Ctrl+L (from any window or dialog) cover the screens.
        self.screen_lock = ScreenLock(self.runner, self)
        self.staff_label.lock_requested.connect(self.lock_screen)
        self.staff_label.change_password_requested.connect(self.change_password)

        self.show_page(PAGE_CASES)
        self._order_tabs()
        self._painted = False
        self._start_finished = False

    # The start, after the first paint ----------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Once this paint is on the screen, not inside it.
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.first_painted.emit()
        self.finish_start()

    @property
    def start_done(self) -> bool:
        return self._start_finished

    def finish_start(self) -> None:
        """What the start leaves until the first page is on the screen (once): the demo
        clerk's sign-in goes into the log (the first write, which configures the ORM), the
        screen lock starts watching for input, and an intake left by a crash is offered back,
        its question over the window rather than before it."""
        if self._start_finished:
            return
        self._start_finished = True
        if self.runner.store.sign_in_unrecorded:
            self.runner.run(self, staff.record_demo_sign_in)
        self.screen_lock.watch_input()
        self.setup_banner.refresh()
        self._order_tabs()  # its buttons are made by the refresh
        self.start_finished.emit()
        QTimer.singleShot(PREPARE_BOARD_AFTER_MS, self, self._prepare_board)
        QTimer.singleShot(WATCH_FAX_AFTER_MS, self, self._start_fax_inbox)
        self.offer_recovered_draft()

    def _prepare_board(self) -> None:
        """Make the board page before it is first asked for, in two steps of the event loop
        (its modules, then its widgets and a first query off the UI thread: each step about
        50 ms), so that no step holds up the clerk's typing for long. It loads its cards
        afresh when shown, as always."""
        if self.is_built(PAGE_BOARD) or not self.isVisible():
            return  # made already, or the window was closed
        import desktop_app.ui.board.page  # noqa: F401  (the step that imports)

        QTimer.singleShot(0, self, lambda: self.board.prepare())

    # Pages, built on first use -------------------------------------------------------------

    def _page(self, index: int, build: Callable[[], _Page]) -> _Page:
        """The page at ``index``, built (in place of its placeholder) the first time."""
        page = self._pages.get(index)
        if page is None:
            page = build()
            placeholder = self.stack.widget(index)
            assert placeholder is not None
            was_current = self.stack.currentIndex() == index
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            if was_current:
                self.stack.setCurrentIndex(index)
            self._pages[index] = page
            self._order_tabs()
        return page  # type: ignore[return-value]  # built by ``build`` for this index

    def _order_tabs(self) -> None:
        """Tab goes navigation → first-run checklist → page → status bar, whichever page was
        built last (a page made on first use would come after the status bar otherwise)."""
        tab_in_groups(self, (self.nav, self.setup_banner), (self.statusBar(),))

    def is_built(self, index: int) -> bool:
        """True once the page at ``index`` has been made (it is made when first shown)."""
        return index in self._pages

    @property
    def intake(self) -> IntakeWizard:
        def build() -> IntakeWizard:
            from desktop_app.ui.intake.wizard import IntakeWizard

            return IntakeWizard(self.runner)

        return self._page(PAGE_INTAKE, build)

    @property
    def board(self) -> BoardPage:
        def build() -> BoardPage:
            from desktop_app.ui.board.page import BoardPage

            # Loads itself each time it is shown.
            board = BoardPage(self.runner)
            board.receipt_requested.connect(self.receive_papers)
            return board

        return self._page(PAGE_BOARD, build)

    @property
    def fax_page(self) -> FaxInboxPage:
        def build() -> FaxInboxPage:
            from desktop_app.ui.fax_inbox_page import FaxInboxPage

            return FaxInboxPage(self.runner, self.watch_fax_inbox())

        return self._page(PAGE_FAX, build)

    def _start_fax_inbox(self) -> None:
        """Watch the fax inbox if this desk has one (its reading modules load only then)."""
        from desktop_app.services.desk_settings import load_desk_settings

        if self.isVisible() and load_desk_settings().fax_inbox:
            self.watch_fax_inbox()

    def watch_fax_inbox(self) -> FaxInbox:
        """This desk's fax inbox, watched from now on (made once); the navigation counts the
        files waiting in it."""
        if self.fax_inbox is None:
            from desktop_app.ui.fax_inbox_watch import FaxInbox

            self.fax_inbox = FaxInbox(self.runner, self)
            self.fax_inbox.changed.connect(self._count_faxes)
            self.fax_inbox.start()
        return self.fax_inbox

    def _count_faxes(self) -> None:
        inbox = self.fax_inbox
        waiting = inbox.waiting_count() if inbox is not None else 0
        item = self.nav.item(PAGE_FAX)
        item.setText(f"受信FAX（{waiting}）" if waiting else "受信FAX")
        tip = f"受信FAX（Ctrl+{PAGE_FAX + 1}）"
        if inbox is not None and inbox.problem:
            tip += "　" + inbox.problem
        item.setToolTip(tip)

    @property
    def calendar_page(self) -> CalendarPage:
        def build() -> CalendarPage:
            from desktop_app.ui.calendar.page import CalendarPage

            return CalendarPage(self.runner)

        return self._page(PAGE_CALENDAR, build)

    @property
    def stats_page(self) -> StatsPage:
        def build() -> StatsPage:
            from desktop_app.ui.stats_page import StatsPage

            return StatsPage(self.runner)

        return self._page(PAGE_STATS, build)

    @property
    def settings_page(self) -> SettingsPage:
        def build() -> SettingsPage:
            from desktop_app.ui.settings_page import SettingsPage

            return SettingsPage(self.runner, backups=self.backups)

        return self._page(PAGE_SETTINGS, build)

    def _switch_to(self, index: int) -> None:
        if 0 <= index < len(self._page_getters):
            self._page_getters[index]()  # built before it is shown
        self.stack.setCurrentIndex(index)
        # Only the page in front sets how much room the stack needs: the widest page built
        # (the board, at 特大) must not make every other page scroll sideways.
        for i in range(self.stack.count()):
            widget = self.stack.widget(i)
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            if widget is not None:
                widget.setSizePolicy(policy, policy)

    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def current_page_name(self) -> str:
        return PAGE_NAMES[self.stack.currentIndex()]

    def new_intake(self) -> None:
        """Ctrl+N from anywhere: the 受付 page, ready for a new call (a half-typed one stays)."""
        self.show_page(PAGE_INTAKE)
        self.intake.start_new()

    def offer_recovered_draft(self) -> None:
        """An intake left unfinished by a crash or a closed window: 再開 or 破棄.

        A draft that cannot be read or does not fit the pages never stops the start: it is set
        aside to a numbered file and the clerk is told once where it went.
        """
        # Here, not at the top: a start with no draft never loads the intake's questions.
        from desktop_app.services import drafts

        store = self.runner.store
        loaded = drafts.open_draft(store)
        draft, set_aside = loaded.draft, loaded.set_aside
        if draft is not None:
            problem = self.intake.check_draft(draft)
            if problem is not None:
                set_aside, draft = drafts.set_aside_draft(store, problem), None
        if draft is None and set_aside is None:
            return
        from desktop_app.ui.intake import prompts

        if draft is not None:
            if not prompts.ask_resume_draft(self, draft):
                drafts.discard_draft(store)
            elif self.intake.restore(draft):
                self.show_page(PAGE_INTAKE)
            else:
                set_aside = drafts.set_aside_draft(store, "the wizard could not load it")
        if set_aside is not None:
            prompts.tell_draft_set_aside(self, set_aside)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The last few seconds of typing since the timed save (none if 受付 was never opened).
        if self.is_built(PAGE_INTAKE):
            self.intake.save_draft_now()
        if self.live_updates is not None:
            self.live_updates.stop()
        if self.automatic_backups is not None:
            self.automatic_backups.stop()
        if self.fax_inbox is not None:
            self.fax_inbox.stop()
        # A backup under way is finished rather than cut off (it takes seconds at most).
        self.backups.wait()
        self.screen_lock.release()
        # The access log shows when this clerk stopped working here.
        self.runner.run(self, staff.sign_out)
        super().closeEvent(event)

    def receive_papers(self) -> ReceiptDialog:
        """Ctrl+R: the 書類受領 dialog, cursor in its case-number field (a scanner types there).

        One at a time: pressed again, the open dialog comes to the front.
        """
        open_one = self._receipt_dialog
        if open_one is not None and shiboken6.isValid(open_one) and open_one.isVisible():
            open_one.raise_()
            open_one.activateWindow()
            open_one.query_edit.setFocus()
            return open_one
        from desktop_app.ui.receipt_dialog import open_receipt_dialog

        self._receipt_dialog = open_receipt_dialog(self.runner, self)
        return self._receipt_dialog

    def focus_search(self) -> None:
        """Ctrl+F from anywhere: the case list, cursor in its search box."""
        self.show_page(PAGE_CASES)
        self.case_list.focus_search()

    def open_setup(self, place: SetupPlace) -> None:
        """An item of the first-run checklist: its settings page (and masters window)."""
        self.show_page(PAGE_SETTINGS)
        if place == SetupPlace.MASTERS:
            self.settings_page.open_masters()

    def open_help(self) -> None:
        from desktop_app.ui.help import help_target, open_help

        open_help(help_target(self))

    def lock_screen(self) -> None:
        """画面をロック (Ctrl+L does the same from any window)."""
        self.screen_lock.lock()

    def change_password(self) -> None:
        """パスワードの変更… from the status bar's 担当 menu."""
        dialog = ChangePasswordDialog(self.runner, self)
        if dialog.exec() == ChangePasswordDialog.DialogCode.Accepted:
            self.statusBar().showMessage("パスワードを変更しました。", 5000)
