"""The other desks' changes, live (PostgreSQL): their notices become this window's change notices.

services/live_changes.ChangeListener listens on a thread and a connection of its own; what it
hears comes here through queued signals, onto the UI thread, and goes out as
``runner.changed`` with no origin ("not from a page here"): every page that shows the data
refreshes as it does for any change, the board only the cards named. While the connection is
down a note in the status bar says so; once it is back every page reloads (notices sent
meanwhile are lost). On SQLite (one desk) none of this is made.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from desktop_app.domain.changes import OpChanges
from desktop_app.services import live_changes
from desktop_app.ui.actions import ChangeNotice, ServiceRunner

log = logging.getLogger(__name__)

NOTE_TEXT = "他の端末の変更：受信できません（再接続中）"
NOTE_TIP = (
    "データベースのサーバーとの接続が切れたため、他の端末での変更がこの画面に届きません。"
    "自動で再接続します。再接続すると画面を最新の内容にします。"
)
# A burst of notices (another desk printing a batch, a sync) reloads the pages at most once
# per this many milliseconds; a single notice goes out at once.
COALESCE_MS = 100


class LiveUpdates(QObject):
    """Listens for the other desks' changes while the window is open (``start``/``stop``)."""

    connection_changed = Signal(bool)  # on the UI thread: True when (back) connected
    notice_sent = Signal(object)  # the ChangeNotice just emitted (tests, the benchmark)
    # From the listener's thread; delivered queued, on this object's (the UI) thread.
    _heard = Signal(object)
    _connection = Signal(bool)

    def __init__(
        self,
        runner: ServiceRunner,
        parent: QObject | None = None,
        *,
        retry_delays: Sequence[float] = live_changes.RETRY_DELAYS,
        coalesce_ms: int = COALESCE_MS,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.note = QLabel(NOTE_TEXT)
        self.note.setObjectName("fieldError")
        self.note.setToolTip(NOTE_TIP)
        self.note.hide()
        self._pending: OpChanges | None = None
        self._up = False  # connected, as the UI thread last heard it
        self._quiet = QTimer(self)  # running: a notice went out less than coalesce_ms ago
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(coalesce_ms)
        self._quiet.timeout.connect(self._send_pending)
        self._heard.connect(self._received, Qt.ConnectionType.QueuedConnection)
        self._connection.connect(self._connected, Qt.ConnectionType.QueuedConnection)
        self.listener = live_changes.listener_for(
            runner.store,
            on_changes=self._heard.emit,
            on_connected=self._connection.emit,
            retry_delays=retry_delays,
        )

    def start(self) -> None:
        if self.listener is not None:
            self.listener.start()

    def stop(self) -> None:
        """Stop listening (the window closes); nothing more is emitted."""
        if self.listener is not None:
            self.listener.stop()
        self._quiet.stop()
        self._pending = None

    @property
    def connected(self) -> bool:
        """Connected, as this window has been told (the listener's thread may know a moment
        sooner; its news arrives here queued, with connection_changed)."""
        return self._up

    def _received(self, changes: OpChanges) -> None:
        self._pending = (
            changes if self._pending is None else live_changes.merge(self._pending, changes)
        )
        if not self._quiet.isActive():
            self._send_pending()

    def _send_pending(self) -> None:
        changes, self._pending = self._pending, None
        if changes is None:
            return
        self._quiet.start()
        notice = ChangeNotice(changes, origin=None)
        self._runner.changed.emit(notice)
        self.notice_sent.emit(notice)

    def _connected(self, up: bool) -> None:
        self._up = up
        self.note.setVisible(not up)
        self.connection_changed.emit(up)


def start_live_updates(
    runner: ServiceRunner, status_bar: QStatusBar, parent: QObject | None = None
) -> LiveUpdates | None:
    """Listen for the other desks' changes, the note in ``status_bar``; None on SQLite."""
    if live_changes.conninfo(runner.store) is None:
        return None
    live = LiveUpdates(runner, parent)
    status_bar.addPermanentWidget(live.note)
    live.start()
    return live
