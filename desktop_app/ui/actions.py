"""The one path every write takes: run a service, report its error, announce what changed.

Modelled on Anki's operations: a page never refreshes another page; it runs a service through
the ``ServiceRunner`` and every page that shows the changed kind of data listens to
``changed`` and refreshes itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.services.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")

# Kinds of data a write can change; pages refresh on the kinds they show.
CASES = "cases"
SETTINGS = "settings"
ENQUIRIES = "enquiries"  # calls logged without a case

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

    changed = Signal(object)  # frozenset[str] of the kinds of data that changed

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store

    def run(
        self,
        parent: QWidget | None,
        fn: Callable[..., T],
        *args: Any,
        changes: frozenset[str] = frozenset(),
        on_error: Callable[[ValidationError], None] | None = None,
        **kwargs: Any,
    ) -> T | None:
        """Call ``fn(store, *args, **kwargs)``; None after an error the clerk has been shown.

        On success ``changed`` is emitted with ``changes``. ``on_error`` lets a form show a
        ValidationError beside its field instead of in a message box.

        When another desk changed the data first (ConflictError), the clerk is told and
        ``changed`` is emitted all the same: every page showing that data reloads, so the
        clerk sees the other desk's change before deciding again.
        """
        try:
            ok, result = self._guarded(parent, fn, (self.store, *args), kwargs, on_error)
        except ConflictError as exc:
            show_error(parent, exc.message)
            ok, result = True, None
        if ok and changes:
            self.changed.emit(frozenset(changes))
        return result

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
