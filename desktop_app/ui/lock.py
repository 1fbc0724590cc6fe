"""The screen lock: after idle minutes, or at once on Ctrl+L.

Every screen is covered by a frameless, stay-on-top, application-modal window, so no patient
data shows, while the windows and dialogs underneath are left exactly as they were: an open
intake keeps what was typed, a dialog in ``exec()`` stays open (hiding it would end it).
The same clerk, or another who then works as themselves, unlocks with a password.
"""

from __future__ import annotations

import logging
import time

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QScreen
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Actor, Role
from desktop_app.services import staff
from desktop_app.services.demo_data import DEMO_ACCOUNTS
from desktop_app.services.demo_mark import is_demo_store
from desktop_app.services.settings import get_settings
from desktop_app.services.staff import StaffAccount
from desktop_app.ui import text_size
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.sign_in import ChangePasswordDialog, busy, login_edit, password_edit

log = logging.getLogger(__name__)

MINUTE_MS = 60_000
# What counts as the clerk being at the desk. Mouse moves included: reading a long list
# with the mouse in hand is work too.
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
        QEvent.Type.TouchBegin,
    }
)

COVER_STYLE = """
QWidget#lockCover { background: #27313d; }
QFrame#lockCard { background: #ffffff; border-radius: 10px; }
QLabel#lockTitle { font-size: 17pt; font-weight: bold; color: #1f2933; }
QLabel#lockWho { font-size: 12pt; color: #1f2933; }
QLabel#lockBrand { color: #c3cad3; font-size: 11pt; }
"""


class ScreenLock(QObject):
    """Watches for input anywhere in the application and locks when there has been none for
    the clinic's ``lock_after_minutes`` (re-read when the settings change), or on Ctrl+L.

    ``minute_ms`` is the length of a minute, so a test can wait milliseconds.
    """

    locked = Signal()
    unlocked = Signal(object)  # StaffAccount of whoever unlocked

    def __init__(
        self, runner: ServiceRunner, window: QWidget, *, minute_ms: int = MINUTE_MS
    ) -> None:
        super().__init__(window)
        self.runner = runner
        self.window = window
        self.minute_ms = minute_ms
        self.covers: list[LockCover] = []
        self.lock_after_minutes = 10
        self.locked_by: Actor | None = None
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check_idle)
        self.reload_settings()
        runner.changed.connect(self._data_changed)
        self._watching = False

    def watch_input(self) -> None:
        """Count input anywhere in the application from now on (once).

        Called when the window's first page is on the screen: the first event an
        application-wide filter sees makes PySide6 load the Python types of all of Qt's
        classes (about 25 ms), which the start need not wait for.
        """
        if self._watching:
            return
        self._watching = True
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.installEventFilter(self)
        # A screen plugged in while locked is covered too.
        app.screenAdded.connect(self._cover_new_screen)

    @property
    def is_locked(self) -> bool:
        return bool(self.covers)

    def idle_limit_ms(self) -> int:
        return self.lock_after_minutes * self.minute_ms

    def reload_settings(self) -> None:
        settings = self.runner.read(None, get_settings)
        if settings is not None:
            self.lock_after_minutes = settings.lock_after_minutes
        self.restart()

    def set_minute_ms(self, minute_ms: int) -> None:
        self.minute_ms = minute_ms
        self.restart()

    def restart(self) -> None:
        """Count the idle time from now."""
        self._last_input = time.monotonic()
        if not self.is_locked:
            self._timer.start(self.idle_limit_ms())

    def _data_changed(self, notice: ChangeNotice) -> None:
        if notice.touches(Change.SETTINGS):
            self.reload_settings()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _INPUT_EVENTS or self.is_locked:
            return False
        # Cheap on every mouse move: only a time; the timer checks it when it fires.
        self._last_input = time.monotonic()
        if (
            kind == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_L
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
            and self.window.isVisible()
        ):
            # Here rather than a QShortcut: a shortcut is shadowed by an open modal dialog.
            return self.lock()
        return False

    def _check_idle(self) -> None:
        if self.is_locked:
            return
        idle_ms = (time.monotonic() - self._last_input) * 1000
        remaining = self.idle_limit_ms() - idle_ms
        if remaining > 0:
            self._timer.start(max(1, int(remaining)))
        elif self.window.isVisible():
            self.lock(idle=True)
        else:
            self._timer.start(self.idle_limit_ms())

    def lock(self, *, idle: bool = False) -> bool:
        """Cover every screen; True when the screen is (now or already) locked.

        Nothing to lock without a signed-in clerk: no one could unlock it.
        """
        if self.is_locked:
            return True
        if self.runner.store.user is None:
            return False
        self._timer.stop()
        self.locked_by = self.runner.store.user
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()  # an open menu would keep the input to itself
        self.runner.run(None, staff.record_lock, idle=idle)
        primary = QGuiApplication.primaryScreen()
        screens = [s for s in QGuiApplication.screens() if s is not primary] + [primary]
        # The form's screen last: of several modal windows, the last shown takes the input.
        for screen in screens:
            cover = LockCover(self, screen, with_form=screen is primary)
            self.covers.append(cover)
            cover.show_on_screen()
        self.locked.emit()
        return True

    def form(self) -> LockForm:
        """The unlock form (on the primary screen's cover)."""
        for cover in self.covers:
            if cover.form is not None:
                return cover.form
        raise LookupError("not locked")

    def _cover_new_screen(self, screen: QScreen) -> None:
        if self.is_locked:
            cover = LockCover(self, screen, with_form=False)
            self.covers.insert(0, cover)
            cover.show_on_screen()
            self.form().password.setFocus()

    def finish(self, account: StaffAccount, password: str = "") -> None:
        """Unlocked by ``account``: take the covers away; a different clerk now works here.

        A clerk still on the temporary password an administrator gave changes it first, or
        goes back to the lock.
        """
        before = self.locked_by
        self.release()
        if before is None or before.login != account.login:
            self.runner.signed_in()
        self.unlocked.emit(account)
        if account.must_change_password:
            dialog = ChangePasswordDialog(
                self.runner, self.window, forced=True, current=password, quit_text="ロックに戻る"
            )
            if dialog.exec() != ChangePasswordDialog.DialogCode.Accepted:
                self.lock()
                return
        self.restart()

    def release(self) -> None:
        """Take the covers away (unlocked, or the window is closing)."""
        covers, self.covers = self.covers, []
        for cover in covers:
            if shiboken6.isValid(cover):
                cover.may_close = True
                cover.close()
                cover.deleteLater()


class LockCover(QWidget):
    """One screen's cover: opaque, frameless, on top, modal for the whole application."""

    def __init__(self, lock: ScreenLock, screen: QScreen, *, with_form: bool) -> None:
        super().__init__(
            None,
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.setObjectName("lockCover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        text_size.set_style(self, COVER_STYLE)  # its sizes follow 文字の大きさ
        self.setWindowTitle("SO Desk ロック中")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.may_close = False
        self.target_screen = screen
        self.form = LockForm(lock) if with_form else None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        brand = QLabel("SO Desk　セカンドオピニオン外来 受付")
        brand.setObjectName("lockBrand")
        layout.addWidget(brand, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        if self.form is not None:
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.form)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addStretch(2)

    def show_on_screen(self) -> None:
        self.setScreen(self.target_screen)
        self.setGeometry(self.target_screen.geometry())
        self.showFullScreen()
        self.raise_()
        if self.form is not None:
            self.activateWindow()
            self.form.password.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Alt+F4 and the like: the lock goes only with a password.
        if self.may_close:
            event.accept()
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)


class LockForm(QFrame):
    """Who locked it, ログインID (theirs, changeable), パスワード, ロック解除."""

    def __init__(self, lock: ScreenLock) -> None:
        super().__init__()
        self.lock = lock
        self.setObjectName("lockCard")
        text_size.keep(self, fixed_width=460)  # wider at 大 and 特大
        store = lock.runner.store
        user = store.user
        name = user.display_name if user is not None else store.staff
        title = QLabel("画面をロックしています")
        title.setObjectName("lockTitle")
        since = clock.local_now().strftime("%H:%M")
        self.who = QLabel(f"{name} がロック中（{since}から）")
        self.who.setObjectName("lockWho")
        self.who.setWordWrap(True)
        note = QLabel(
            "続けるにはパスワードを入力してください。ほかの職員が自分のIDで解除すると、"
            "その職員の名前で作業を続けます。"
        )
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.login = login_edit(user.login if user is not None else "")
        self.password = password_edit()
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.unlock_button = QPushButton("ロック解除")
        self.unlock_button.setObjectName("primary")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.login.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.submit)
        self.password.textEdited.connect(lambda _t: self.error.hide())

        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.addRow("ログインID", self.login)
        form.addRow("パスワード", self.password)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(self.who)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        demo_hint = self._demo_hint()
        if demo_hint:
            hint = QLabel(demo_hint)
            hint.setObjectName("muted")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)

    def _demo_hint(self) -> str:
        """On the demo database the passwords are no secret (they are in the README)."""
        if not self.lock.runner.read(None, is_demo_store):
            return ""
        lines = [
            f"　{login}　パスワード {password}（{Role(role).label}）"
            for login, _name, role, password, _hash in DEMO_ACCOUNTS
        ]
        return "\n".join(["デモ用データベースのアカウント：", *lines])

    def submit(self) -> None:
        self.error.hide()
        self.unlock_button.setEnabled(False)
        try:
            with busy():
                account = self.lock.runner.run(
                    self,
                    staff.unlock,
                    self.login.text(),
                    self.password.text(),
                    on_error=self.show_error,
                )
        finally:
            self.unlock_button.setEnabled(True)
        password = self.password.text()
        self.password.clear()
        if account is not None:
            self.lock.finish(account, password)
        else:
            self.password.setFocus()

    def show_error(self, error: ValidationError) -> None:
        self.error.setText(error.message)
        self.error.show()
