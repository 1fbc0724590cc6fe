"""The inbox folder watched while the window is open: which files are there, and each one read.

``FaxInbox`` lives as long as the main window, so the navigation can say 受信FAX（2） before
the page is ever opened. It looks at the folder when the folder changes (QFileSystemWatcher)
and every ``POLL_MS`` as well, since a network share often sends no change notice. Listing the
folder and reading a file (rendering, barcodes, hashing) run off the UI thread, one file at a
time; the service decides which files are complete (services/fax_inbox.InboxWatch).

What the clerk decides about a file's pages before confirming (a case named for a page, a page
left out) is kept here too, so moving between files loses nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from desktop_app.domain.desk import DeskSettings
from desktop_app.services.desk_settings import load_desk_settings, update_desk_settings
from desktop_app.services.fax_inbox import (
    SETTLE_SECONDS,
    InboxRead,
    InboxWatch,
    PageAssignment,
    PageProposal,
    read_inbox_file,
)
from desktop_app.ui.actions import ServiceRunner

POLL_MS = 5000
SOON_MS = 700  # after a change notice: the folder usually changes several times in a row


class FileState:
    WRITING = "受信中…"
    QUEUED = "読み込み待ち"
    READING = "読み込み中…"
    READ = "read"


@dataclass
class InboxFile:
    """One file in the inbox, as far as this desk knows it."""

    path: Path
    state: str = FileState.QUEUED
    read: InboxRead | None = None
    duplicate_of: str = ""  # another file in the inbox with the same bytes
    # The clerk's decisions: a page named (its new proposal) or left out.
    named: dict[int, PageProposal] = field(default_factory=dict)
    left_out: set[int] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def pages(self) -> tuple[PageProposal, ...]:
        """The pages as they stand now: read, with the clerk's choices applied."""
        if self.read is None:
            return ()
        return tuple(self.named.get(p.page, p) for p in self.read.pages)

    def assignments(self) -> list[PageAssignment]:
        return [
            PageAssignment(p.page, None) if p.page in self.left_out else PageAssignment.of(p)
            for p in self.pages
        ]

    def waiting_pages(self) -> list[int]:
        """Pages neither ready nor left out: the clerk must name their case first."""
        return [p.page for p in self.pages if not p.ready and p.page not in self.left_out]

    @property
    def confirmable(self) -> bool:
        read = self.read
        return (
            self.state == FileState.READ
            and read is not None
            and read.problem is None
            and read.recorded is None
            and not self.duplicate_of
            and bool(read.pages)
        )

    @property
    def status(self) -> str:
        """What the list says about the file: always text, never a colour alone."""
        read = self.read
        if self.state != FileState.READ or read is None:
            return self.state
        if read.recorded is not None:
            return read.recorded.summary + "：保管へ移動できます"
        if read.problem is not None:
            return f"読めません：{read.problem}"
        if self.duplicate_of:
            return f"同じ内容のファイルがあります（{self.duplicate_of}）"
        waiting = self.waiting_pages()
        if waiting:
            return f"要確認：{len(waiting)}ページ"
        return "確定できます"

    @property
    def needs_clerk(self) -> bool:
        """Counted in the navigation: anything but a file still arriving."""
        return self.state != FileState.WRITING


class FaxInbox(QObject):
    """The inbox folder of this desk, looked at while the window is open."""

    changed = Signal()  # the list, a file's state or reading changed

    def __init__(self, runner: ServiceRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.settings: DeskSettings = load_desk_settings()
        self.files: dict[Path, InboxFile] = {}
        self.problem = ""  # the folder could not be read
        self.last_look: dt.datetime | None = None
        self._watch: InboxWatch | None = None
        self._polling = False
        self._reading: Path | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _path: self._soon())
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.look)
        self._soon_timer = QTimer(self)
        self._soon_timer.setSingleShot(True)
        self._soon_timer.timeout.connect(self.look)

    # Settings -----------------------------------------------------------------------------

    @property
    def inbox(self) -> str:
        return self.settings.fax_inbox

    @property
    def archive(self) -> str:
        return self.settings.fax_archive

    def configure(self, inbox: str, archive: str) -> None:
        """Save this desk's folders and look at the new inbox at once (OSError if unsaved)."""
        self.settings = update_desk_settings(fax_inbox=inbox, fax_archive=archive)
        self.stop()
        self.files.clear()
        self.problem = ""
        self.changed.emit()
        self.start()

    # Watching -----------------------------------------------------------------------------

    def start(self) -> None:
        """Begin watching (nothing happens without an inbox folder)."""
        if not self.inbox:
            return
        self._watch = InboxWatch(self.inbox)
        if Path(self.inbox).is_dir() and self.inbox not in self._watcher.directories():
            self._watcher.addPath(self.inbox)
        self._timer.start()
        self.look()

    def stop(self) -> None:
        self._timer.stop()
        self._soon_timer.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self._watch = None

    def look(self) -> None:
        """List the folder now (off the UI thread); new complete files are then read."""
        watch = self._watch
        if watch is None or self._polling:
            return
        self._polling = True
        self._runner.run_in_background(
            None,
            lambda _store: watch.poll(),
            on_done=lambda found: self._looked(watch, found),
            on_failed=lambda exc: self._look_failed(watch, exc),
        )

    def _soon(self) -> None:
        self._soon_timer.start(SOON_MS)

    def _looked(self, watch: InboxWatch, found: tuple[list[Path], list[Path]]) -> None:
        self._polling = False
        if watch is not self._watch:
            return  # the folder changed meanwhile
        ready, writing = found
        self.problem = ""
        self.last_look = dt.datetime.now().astimezone()
        present = set(ready) | set(writing)
        for path in list(self.files):
            if path not in present:
                del self.files[path]  # archived (here or at another desk), or removed
        for path in writing:
            entry = self.files.get(path)
            if entry is None or entry.state != FileState.WRITING:
                self.files[path] = InboxFile(path, FileState.WRITING)  # changed: read again
        for path in ready:
            entry = self.files.get(path)
            if entry is None or entry.state == FileState.WRITING:
                self.files[path] = InboxFile(path, FileState.QUEUED)
        if writing:
            self._soon_timer.start(int(SETTLE_SECONDS * 1000) + 300)
        watched = self._watcher.directories()
        if self.inbox and self.inbox not in watched and Path(self.inbox).is_dir():
            self._watcher.addPath(self.inbox)  # the share came back
        self.changed.emit()
        self._read_next()

    def _look_failed(self, watch: InboxWatch, exc: Exception) -> None:
        self._polling = False
        if watch is not self._watch:
            return
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.problem = f"受信フォルダを読めません：{self.inbox}（{reason}）"
        self.changed.emit()

    # Reading ------------------------------------------------------------------------------

    def _read_next(self) -> None:
        if self._reading is not None:
            return
        entry = next((f for f in self.files.values() if f.state == FileState.QUEUED), None)
        if entry is None:
            return
        entry.state = FileState.READING
        self._reading = entry.path
        self._runner.run_in_background(
            None,
            read_inbox_file,
            entry.path,
            on_done=self._read_done,
            on_failed=partial(self._read_failed, entry.path),
        )

    def _read_done(self, read: InboxRead) -> None:
        self._reading = None
        entry = self.files.get(read.path)
        if entry is not None and entry.state == FileState.READING:
            entry.read = read
            entry.state = FileState.READ
            entry.named.clear()
            entry.left_out.clear()
            self._mark_duplicates()
            self.changed.emit()
        self._read_next()

    def _read_failed(self, path: Path, exc: Exception) -> None:
        self._reading = None
        entry = self.files.get(path)
        if entry is not None:
            entry.state = FileState.QUEUED if isinstance(exc, OSError) else FileState.READ
            if entry.state == FileState.READ:
                entry.read = InboxRead(
                    path, "", 0, dt.datetime.now(dt.UTC), problem=f"読み込みに失敗しました（{exc}）"
                )
            self.changed.emit()
        QTimer.singleShot(POLL_MS, self, self._read_next)

    def _mark_duplicates(self) -> None:
        first: dict[str, str] = {}
        for entry in sorted(self.files.values(), key=lambda f: f.name):
            entry.duplicate_of = ""
            read = entry.read
            if read is None or not read.sha256 or read.recorded is not None:
                continue
            if read.sha256 in first:
                entry.duplicate_of = first[read.sha256]
            else:
                first[read.sha256] = entry.name

    # After the clerk acted ----------------------------------------------------------------

    def read_again(self, path: Path) -> None:
        """Read a file afresh (after it was recorded, or when the clerk asks)."""
        entry = self.files.get(path)
        if entry is None:
            return
        self.files[path] = InboxFile(path, FileState.QUEUED)
        self.changed.emit()
        self._read_next()

    def forget(self, path: Path) -> None:
        """A file moved out of the inbox: gone from the list, its twins read again."""
        self.files.pop(path, None)
        twins = [f.path for f in self.files.values() if f.duplicate_of == path.name]
        self.changed.emit()
        for twin in twins:
            self.read_again(twin)

    def waiting_count(self) -> int:
        return sum(1 for f in self.files.values() if f.needs_clerk)
