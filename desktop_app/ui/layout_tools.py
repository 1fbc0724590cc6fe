"""Small layout helpers shared by windows and dialogs."""

from __future__ import annotations

from typing import TypeGuard

from PySide6.QtCore import QDate, QLocale, QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QDateEdit,
    QLayout,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop_app.ui import text_size

# The title bar and borders the window manager adds around a window: not known before the
# window is first shown, so this much of the screen is kept free for them (Windows 10/11 at
# 100 %: a 31 px title bar and 8 px borders; GNOME and KDE are smaller).
FRAME_ALLOWANCE = QSize(16, 40)

JAPANESE = QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)

# The application's stylesheet pads the cells of every table view; the calendar that drops
# down from a date edit is a table view too, but measures its cells without that padding, so
# two-digit days came out as 「…」. Its cells get no padding, and room for two digits.
_CALENDAR_STYLE = "QTableView::item { padding: 0px; }"
# The application's stylesheet pads a table cell this much either side (at 標準; style.py).
CELL_PADDING = 4
# Set on the date edits fit_date_edit has measured, so a new text size measures them again.
_FITTED = "sodeskFittedDate"


def settle_layout(window: QWidget) -> None:
    """Fix a new window's minimum size from its layout before it is first shown.

    Otherwise the size is worked out just after the native window exists and is then pushed
    to it again, which some platforms (the offscreen one used in tests) report as a warning.
    """
    window.ensurePolished()
    layout = window.layout()
    if layout is not None:
        layout.activate()


# Windows that fit the screen ----------------------------------------------------------------


def available_room(window: QWidget) -> QRect:
    """The part of the window's screen (of its parent's, before it is shown) free for windows:
    the screen without the taskbar or panels."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitted_size(wanted: QSize, room: QRect) -> QSize:
    """``wanted``, or less where it would not fit in ``room`` with the window's frame."""
    most = room.size() - FRAME_ALLOWANCE
    return QSize(
        max(1, min(wanted.width(), most.width())), max(1, min(wanted.height(), most.height()))
    )


def fit_to_screen(window: QWidget, width: int, height: int, *, room: QRect | None = None) -> None:
    """Size a top-level window or dialog to ``width`` x ``height``, or to its screen where that
    is smaller (a 1280x720 or 1366x768 laptop), so no button or status bar is ever off screen.

    An explicit minimum size is lowered to fit as well: the window's contents scroll (each
    window puts tall contents in a QScrollArea) rather than being cut off. A window without
    a parent is centred on the screen; a dialog is centred on its parent by Qt when shown,
    and Qt keeps it on the screen as long as it fits.

    ``width`` and ``height`` are the sizes at 標準: at 大 and 特大 the window asks for as much
    more as its text is larger (ui/text_size), within the screen all the same.
    """
    width, height = text_size.px(width), text_size.px(height)
    room = room if room is not None else available_room(window)
    most = fitted_size(QSize(1_000_000, 1_000_000), room)
    minimum = window.minimumSize()
    if minimum.width() > most.width() or minimum.height() > most.height():
        window.setMinimumSize(minimum.boundedTo(most))
    size = fitted_size(QSize(width, height), room)
    window.resize(size)
    if window.parentWidget() is None:
        frame = FRAME_ALLOWANCE
        outer = QSize(size.width() + frame.width(), size.height() + frame.height())
        corner = room.center() - QPoint(outer.width() // 2, outer.height() // 2)
        # The frame's top-left corner: the title bar is inside the allowance, above the window.
        window.move(
            max(room.left(), corner.x()) + frame.width() // 2,
            max(room.top(), corner.y()) + frame.height() - frame.width() // 2,
        )


# Date edits ------------------------------------------------------------------------------------


def fit_date_edit(edit: QDateEdit) -> QDateEdit:
    """Make every date readable in ``edit``: Japanese month and weekday names, wide enough for
    its widest date in its display format, and a drop-down calendar whose day cells show 10-31
    in full. Returns ``edit``, so it can wrap a constructor. Measured again when the text
    size changes (ui/text_size)."""
    edit.setProperty(_FITTED, True)
    edit.setLocale(JAPANESE)
    edit.ensurePolished()
    if edit.calendarPopup():
        calendar = edit.calendarWidget()
        calendar.setLocale(JAPANESE)
        calendar.setStyleSheet(_CALENDAR_STYLE)
        metrics = calendar.fontMetrics()
        # Two digits with room either side; seven day columns plus the view's frame.
        cell = metrics.horizontalAdvance("88") + metrics.horizontalAdvance("0") * 2
        view = calendar.findChild(QTableView)
        frame = 2 * view.frameWidth() if view is not None else 2
        calendar.setMinimumWidth(max(calendar.minimumSizeHint().width(), 7 * cell + frame))
    needed = date_edit_width(edit)
    if edit.minimumWidth() < needed:
        edit.setMinimumWidth(needed)
    if edit.maximumWidth() < needed:
        edit.setMaximumWidth(needed)
    return edit


def was_fitted_date_edit(widget: QWidget) -> TypeGuard[QDateEdit]:
    return isinstance(widget, QDateEdit) and bool(text_size.own_property(widget, _FITTED))


def refit_date_edit(edit: QDateEdit) -> None:
    """``fit_date_edit`` again, in the edit's font now: the least width it set first let go
    (a maximum is only ever raised to the width needed)."""
    edit.setMinimumWidth(0)
    if edit.calendarPopup():
        edit.calendarWidget().setMinimumWidth(0)
    fit_date_edit(edit)


def widest_date_text(edit: QDateEdit) -> str:
    """The widest text the edit can show in its display format and font."""
    metrics = edit.fontMetrics()
    display_format = edit.displayFormat()
    locale = edit.locale()
    # Every month, and a week of two-digit days in each: all month and weekday names.
    texts = [
        locale.toString(QDate(2026, month, day), display_format)
        for month in range(1, 13)
        for day in range(22, 29)
    ]
    if edit.specialValueText():
        texts.append(edit.specialValueText())
    return max(texts, key=metrics.horizontalAdvance)


def date_edit_width(edit: QDateEdit) -> int:
    """The width at which ``edit`` shows ``widest_date_text`` whole.

    Qt's own size hint measures the texts of the minimum and maximum dates (1752/09/14 and
    9999/12/31) and adds the frame and button; a display format with month names can be wider
    for another date, so the widest one is measured and the difference added.
    """
    edit.ensurePolished()
    metrics = edit.fontMetrics()
    display_format = edit.displayFormat()
    locale = edit.locale()
    qt_measured = max(
        metrics.horizontalAdvance(locale.toString(edit.minimumDate(), display_format) + " "),
        metrics.horizontalAdvance(locale.toString(edit.maximumDate(), display_format) + " "),
        metrics.horizontalAdvance(edit.specialValueText()),
    )
    widest = metrics.horizontalAdvance(widest_date_text(edit) + " ")
    return edit.sizeHint().width() + max(0, widest - qt_measured)


def grow_to_fit(window: QWidget) -> None:
    """Taller when a message under a field has just appeared, so it never sits on the text
    below it (a form keeps the size it was shown at unless told)."""
    layout = window.layout()
    if layout is None:
        return
    layout.invalidate()
    layout.activate()
    wanted = (
        layout.heightForWidth(window.width())
        if layout.hasHeightForWidth()
        else layout.sizeHint().height()
    )
    if wanted > window.height():
        window.resize(window.width(), wanted)


# A row that wraps ------------------------------------------------------------------------------


class TwoPartRow(QWidget):
    """Two groups of a page's top row side by side, or the second under the first where the
    page is too narrow for both (a small screen, or 文字の大きさ 特大): the row never makes
    its page wider than the screen."""

    def __init__(self, first: QLayout, second: QLayout, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parts = (QWidget(), QWidget())
        for part, layout in zip(self.parts, (first, second), strict=True):
            layout.setContentsMargins(0, 0, 0, 0)
            part.setLayout(layout)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        for part in self.parts:
            self.box.addWidget(part)

    def wide_enough(self, width: int) -> bool:
        first, second = (part.sizeHint().width() for part in self.parts)
        return width >= first + second + self.box.spacing()

    def is_wrapped(self) -> bool:
        return self.box.direction() == QBoxLayout.Direction.TopToBottom

    def minimumSizeHint(self) -> QSize:
        first, second = (part.minimumSizeHint() for part in self.parts)
        height = (
            first.height() + second.height() + self.box.spacing()
            if self.is_wrapped()
            else max(first.height(), second.height())
        )
        return QSize(max(first.width(), second.width()), height)

    def sizeHint(self) -> QSize:
        return self.box.sizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wrap = not self.wide_enough(event.size().width())
        if wrap != self.is_wrapped():
            self.box.setDirection(
                QBoxLayout.Direction.TopToBottom if wrap else QBoxLayout.Direction.LeftToRight
            )
            self.updateGeometry()


# Table cells whose text wraps -------------------------------------------------------------------


class WrappedCells(QStyledItemDelegate):
    """Cells as tall as their wrapped text, for a table whose rows are sized to their contents.

    Qt measures a cell's wrapped text at the column's full width, but draws it inside the
    padding the application's stylesheet gives every cell: a text that wraps once more than
    measured ended in 「…」 (most at 文字の大きさ 特大). Measured here at the width it is drawn.
    """

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        narrower = QStyleOptionViewItem(option)
        if narrower.rect.width() > 0:
            narrower.rect.setWidth(max(1, option.rect.width() - 2 * text_size.px(CELL_PADDING)))
        return super().sizeHint(narrower, index)
