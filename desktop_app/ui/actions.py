"""The one path every write takes: run a service, report its error, announce what changed.

Modelled on Anki's operations: a page never refreshes another page; it runs a service through
the ``ServiceRunner`` and every page that shows the changed kind of data listens to
``changed`` and refreshes itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.domain.changes import Change, OpChanges
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.services.store import Store, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ChangeNotice:
    """What ``ServiceRunner.changed`` carries: what changed, and which widget started it.

    A page skips notices it started itself (it shows the call's result directly) and
    refreshes, for the others, only what the notice touches.
    """

    changes: OpChanges
    origin: object | None = None

    def touches(self, kinds: Change, case_id: int | None = None) -> bool:
        return self.changes.touches(kinds, case_id)

    def from_(self, widget: object) -> bool:
        return self.origin is not None and self.origin is widget


def _op_changes(kinds: Change, result: object) -> OpChanges:
    """The changed kinds, with the case a result names (e.g. a CaseDetail) when it has one."""
    case_id = getattr(result, "id", None) if kinds & Change.CASES else None
    ids = frozenset({case_id}) if isinstance(case_id, int) else frozenset()
    return OpChanges(kinds, ids)


ERROR_TITLE = "確認してください"
UNEXPECTED_TITLE = "エラー"
UNEXPECTED_MESSAGE = (
    "予期しないエラーが発生したため、この操作は完了していません。\n"
    "もう一度お試しください。続く場合は管理者に連絡してください。\n\n（詳細：{detail}）"
)


def show_error(parent: QWidget | None, message: str) -> None:
    """Tell the clerk what went wrong. Tests patch this instead of answering a modal box."""
    QMessageBox.warning(parent, ERROR_TITLE, message)


def show_unexpected(parent: QWidget | None, exc: BaseException) -> None:
    detail = exc.__class__.__name__
    QMessageBox.critical(parent, UNEXPECTED_TITLE, UNEXPECTED_MESSAGE.format(detail=detail))


class ServiceRunner(QObject):
    """Holds the open store; runs service calls for the widgets."""

    changed = Signal(object)  # ChangeNotice
    # Another member of staff now works at this desk (signed in at the lock screen); the
    # argument is their Actor. Pages that show or hide what a role may do listen here.
    user_changed = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._pool = QThreadPool(self)
        self._tasks: set[_TaskSignals] = set()

    def signed_in(self) -> None:
        """Tell the pages who works at this desk now (after a sign-in or a handover)."""
        self.user_changed.emit(self.store.user)

    def run(
        self,
        parent: QWidget | None,
        fn: Callable[..., T],
        *args: Any,
        changes: Change = Change.NONE,
        on_error: Callable[[ValidationError], None] | None = None,
        case_ids: frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> T | None:
        """Call ``fn(store, *args, **kwargs)``; None after an error the clerk has been shown.

        On success ``changed`` is emitted with a ChangeNotice: ``changes``, the case the result
        names (or ``case_ids``), and ``parent`` as its origin. ``on_error`` lets a form show a
        ValidationError beside its field instead of in a message box.

        When another desk changed the data first (ConflictError), the clerk is told and
        ``changed`` is emitted all the same, with no origin: every page showing that data
        reloads, the one that tried included, so the clerk sees the other desk's change
        before deciding again.
        """
        try:
            ok, result = self._guarded(parent, fn, (self.store, *args), kwargs, on_error)
        except ConflictError as exc:
            show_error(parent, exc.message)
            if changes:
                self.changed.emit(ChangeNotice(OpChanges(changes, case_ids), origin=None))
            return None
        if ok and changes:
            found = _op_changes(changes, result)
            if case_ids:
                found = OpChanges(changes, case_ids | found.case_ids)
            self.changed.emit(ChangeNotice(found, origin=parent))
        return result

    def run_in_background(
        self,
        parent: QWidget | None,
        fn: Callable[..., T],
        *args: Any,
        on_done: Callable[[T], None],
        changes: Change = Change.NONE,
        on_failed: Callable[[Exception], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """``fn(store, *args, **kwargs)`` on a worker thread; ``on_done(result)`` back on this one.

        For work longer than a frame (printing a batch, statistics, backups). Errors take the
        same path as ``run``: a ValidationError is shown to the clerk, anything else logged
        and reported; ``changed`` is emitted after success. Work the clerk did not start (the
        hourly backup) passes ``on_failed``: it gets the error instead of a dialog.
        """
        task = _Task(lambda: fn(self.store, *args, **kwargs))
        # The task's signals are delivered to this (UI) thread, queued.
        task.signals.done.connect(
            lambda result: self._background_done(parent, result, on_done, changes)
        )
        task.signals.failed.connect(
            lambda exc: self._background_failed(parent, exc, changes, on_failed)
        )
        # Kept alive here until the task has reported, then let go.
        signals = task.signals
        self._tasks.add(signals)
        signals.done.connect(lambda _r: self._tasks.discard(signals))
        signals.failed.connect(lambda _e: self._tasks.discard(signals))
        self._pool.start(task)

    def wait_for_background(self, msecs: int = -1) -> bool:
        """Block until the background calls have finished (tests and closing the window)."""
        return self._pool.waitForDone(msecs)

    def _background_done(
        self, parent: QWidget | None, result: Any, on_done: Callable[[Any], None], changes: Change
    ) -> None:
        on_done(result)
        if changes:
            self.changed.emit(ChangeNotice(_op_changes(changes, result), origin=parent))

    def _background_failed(
        self,
        parent: QWidget | None,
        exc: Exception,
        changes: Change,
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        if on_failed is not None:
            if not isinstance(exc, ValidationError | StoreError):
                log.error("background call failed", exc_info=exc)
            on_failed(exc)
        elif isinstance(exc, ConflictError):
            show_error(parent, exc.message)
            if changes:
                self.changed.emit(ChangeNotice(OpChanges(changes), origin=None))
        elif isinstance(exc, ValidationError):
            show_error(parent, exc.message)
        else:
            log.error("background call failed", exc_info=exc)
            show_unexpected(parent, exc)

    def read(
        self, parent: QWidget | None, fn: Callable[..., T], *args: Any, **kwargs: Any
    ) -> T | None:
        """A read-only service call ``fn(store, ...)``: same error reporting, no signal."""
        return self._guarded(parent, fn, (self.store, *args), kwargs, None)[1]

    def call(
        self, parent: QWidget | None, fn: Callable[..., T], *args: Any, **kwargs: Any
    ) -> T | None:
        """Any callable that reads through services (e.g. a model loading its first page)."""
        return self._guarded(parent, fn, args, kwargs, None)[1]

    def _guarded(
        self,
        parent: QWidget | None,
        fn: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_error: Callable[[ValidationError], None] | None,
    ) -> tuple[bool, T | None]:
        try:
            return True, fn(*args, **kwargs)
        except ConflictError:
            raise  # run() reloads the pages; read() and call() never meet one
        except ValidationError as exc:
            if on_error is not None:
                on_error(exc)
            else:
                show_error(parent, exc.message)
        except Exception as exc:
            # Services roll back on any error, so nothing was half-written; say so and log it.
            log.exception("call to %s failed", getattr(fn, "__qualname__", fn))
            show_unexpected(parent, exc)
        return False, None


class _TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    """One service call on a pool thread; reports back through queued signals."""

    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__()
        self.call = call
        self.signals = _TaskSignals()

    def run(self) -> None:
        try:
            result = self.call()
        except Exception as exc:  # reported on the UI thread, never lost
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)
