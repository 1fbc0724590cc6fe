"""文字の大きさ (標準・大・特大): the whole window drawn larger at this desk, at once.

One factor (TextSize.scale) scales the application font, every size in the application's
stylesheet, the stylesheets widgets set through ``set_style``, the pixel sizes kept with
``keep`` and the sizes windows ask ``fit_to_screen`` for. Changing it restyles what is on
the screen now; what is built afterwards is built at the new size. The choice is this desk's
(services/desk_settings), read before the first window and written when the clerk changes it.

Keyboard: Ctrl++ (also Ctrl+= and Ctrl+;, the unshifted keys of US and Japanese keyboards)
one step larger, Ctrl+- one step smaller, Ctrl+0 標準 — in the main window.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QHeaderView, QMainWindow, QWidget

from desktop_app.domain.desk import TextSize
from desktop_app.services.desk_settings import load_desk_settings, update_desk_settings
from desktop_app.ui.style import FONT_POINT_SIZE, scale_style, stylesheet

log = logging.getLogger(__name__)

SIZES = tuple(TextSize)  # 標準 < 大 < 特大
LARGER_KEYS = ("Ctrl++", "Ctrl+=", "Ctrl+;")
SMALLER_KEYS = ("Ctrl+-",)
STANDARD_KEYS = ("Ctrl+0",)
NOT_SAVED = "この端末に保存できませんでした（次の起動では元の大きさです）。"

# A widget's own stylesheet as written (at 標準), and the pixel sizes ``keep`` holds for it.
_STYLE_PROPERTY = "sodeskBaseStyle"
_SIZES_PROPERTY = "sodeskBaseSizes"
_SHORTCUTS_PROPERTY = "sodeskTextSizeKeys"
# keep_columns()'s widths at 標準 ({"column": pixels}), and fit_text()'s text and margin.
_COLUMNS_PROPERTY = "sodeskBaseColumns"
_TEXT_PROPERTY = "sodeskFitText"

# keep()'s names -> the Qt setter each one calls with the scaled number of pixels.
_SETTERS = {
    "fixed_width": "setFixedWidth",
    "fixed_height": "setFixedHeight",
    "minimum_width": "setMinimumWidth",
    "minimum_height": "setMinimumHeight",
    "maximum_width": "setMaximumWidth",
    "maximum_height": "setMaximumHeight",
    "default_section_size": "setDefaultSectionSize",  # a QHeaderView's rows or columns
}


class _Notifier(QObject):
    changed = Signal(object)  # the TextSize now in use


_current = TextSize.STANDARD
_notifier: _Notifier | None = None


def current() -> TextSize:
    """The text size the application is drawn at now."""
    return _current


def scale() -> float:
    return _current.scale


def px(pixels: float) -> int:
    """``pixels`` at 標準, at the size in use now (at least 1)."""
    return max(1, round(pixels * _current.scale))


def notifier() -> _Notifier:
    """Its ``changed`` signal carries the new TextSize, after the application is restyled."""
    global _notifier
    if _notifier is None:
        _notifier = _Notifier(QApplication.instance())
    return _notifier


# Applying ------------------------------------------------------------------------------------


def apply(size: TextSize, app: QApplication | None = None) -> None:
    """Draw the application at ``size`` now: font, stylesheets and kept sizes (no restart)."""
    global _current
    app = app or _application()
    _current = size
    font = app.font()
    font.setPointSizeF(FONT_POINT_SIZE * size.scale)
    app.setFont(font)
    # After the font: setting the stylesheet polishes every widget again with both.
    app.setStyleSheet(stylesheet(size.scale))
    _restyle(QApplication.allWidgets(), size.scale)
    notifier().changed.emit(size)


def apply_saved(app: QApplication | None = None) -> TextSize:
    """At start, before the first window: the size this desk chose last (標準 if none)."""
    size = load_desk_settings().text_size
    if size != _current:
        apply(size, app)
    return size


def choose(size: TextSize) -> bool:
    """The clerk chose ``size``: applied at once and remembered at this desk. False when it
    could not be written down (it is applied all the same, for this session)."""
    if size != _current:
        apply(size)
    try:
        update_desk_settings(text_size=size)
    except OSError:
        log.warning("text size not saved", exc_info=True)
        return False
    return True


def step(direction: int) -> TextSize:
    """The size one step larger (+1) or smaller (-1) than now, within 標準…特大."""
    index = SIZES.index(_current) + direction
    return SIZES[max(0, min(len(SIZES) - 1, index))]


def _application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("no QApplication")
    return app


# Widgets' own sizes ----------------------------------------------------------------------------


def set_style(widget: QWidget, css: str) -> None:
    """``widget.setStyleSheet(css)``, with its sizes (font-size, padding, …) at the size in use,
    and again whenever the size changes."""
    widget.setProperty(_STYLE_PROPERTY, css)
    widget.setStyleSheet(scale_style(css, _current.scale))


def keep(widget: QWidget, **sizes: int) -> None:
    """Pixel sizes given at 標準 (fixed_width=170, default_section_size=30, …; see _SETTERS),
    set now at the size in use and again whenever it changes."""
    unknown = set(sizes) - set(_SETTERS)
    if unknown:
        raise TypeError(f"keep() does not know {sorted(unknown)}")
    held = _held_sizes(widget)
    held.update(sizes)
    widget.setProperty(_SIZES_PROPERTY, json.dumps(held))
    _set_sizes(widget, sizes, _current.scale)


def keep_columns(header: QHeaderView, widths: Mapping[int, int]) -> None:
    """A table header's section (column) widths given at 標準, {column: pixels}: set now at the
    size in use and again whenever it changes, so a cell's text shows whole at 特大 as at 標準
    (a width the clerk dragged is set back then)."""
    held = _held_columns(header)
    held.update({str(column): pixels for column, pixels in widths.items()})
    header.setProperty(_COLUMNS_PROPERTY, json.dumps(held))
    _set_columns(header, held, _current.scale)


def fit_text(widget: QWidget, text: str, *, margin: int = 0) -> None:
    """At least as wide as ``text`` in the widget's font (plus ``margin`` at 標準): measured
    now and again in the new font whenever the size changes (a label that must not shift as
    its text grows, say)."""
    widget.setProperty(_TEXT_PROPERTY, json.dumps([text, margin]))
    _fit_text(widget, text, margin, _current.scale)


def own_property(widget: QObject, name: str) -> object:
    """A dynamic property set on ``widget`` (None when it has none by that name).

    Never ``widget.property(name)`` for a property not set: PySide6 6.12 then returns None
    without counting the reference, and a restyle asking every widget of the application
    soon frees None itself ("Fatal Python error: none_dealloc" when the process ends).
    """
    names = getattr(widget, "dynamicPropertyNames", None)  # a stale wrapper has none
    if names is None or name.encode() not in names():
        return None
    return widget.property(name)


def _held_columns(header: QWidget) -> dict[str, int]:
    raw = own_property(header, _COLUMNS_PROPERTY)
    return dict(json.loads(raw)) if isinstance(raw, str) and raw else {}


def _set_columns(header: QWidget, widths: dict[str, int], factor: float) -> None:
    if isinstance(header, QHeaderView):
        for column, pixels in widths.items():
            header.resizeSection(int(column), max(1, round(pixels * factor)))


def _fit_text(widget: QWidget, text: str, margin: int, factor: float) -> None:
    widget.ensurePolished()
    width = widget.fontMetrics().horizontalAdvance(text) + round(margin * factor)
    widget.setMinimumWidth(width)


def _held_sizes(widget: QWidget) -> dict[str, int]:
    raw = own_property(widget, _SIZES_PROPERTY)
    return dict(json.loads(raw)) if isinstance(raw, str) and raw else {}


def _set_sizes(widget: QWidget, sizes: dict[str, int], factor: float) -> None:
    for name, pixels in sizes.items():
        getattr(widget, _SETTERS[name])(max(1, round(pixels * factor)))


def _restyle(widgets: list[QWidget], factor: float) -> None:
    from desktop_app.ui.layout_tools import refit_date_edit, was_fitted_date_edit

    for widget in widgets:
        if not isinstance(widget, QWidget):
            # PySide6 6.12 can hand back a stale wrapper of another type (a freed layout
            # item's, QWidgetItem) for a widget at the same address: seen once in CI.
            continue
        css = own_property(widget, _STYLE_PROPERTY)
        if isinstance(css, str) and css:
            widget.setStyleSheet(scale_style(css, factor))
        sizes = _held_sizes(widget)
        if sizes:
            _set_sizes(widget, sizes, factor)
        columns = _held_columns(widget)
        if columns:
            _set_columns(widget, columns, factor)
    # Measured from the font: measured again with the new one.
    for widget in widgets:
        if was_fitted_date_edit(widget):
            refit_date_edit(widget)
        fitted = own_property(widget, _TEXT_PROPERTY)
        if isinstance(fitted, str) and fitted:
            text, margin = json.loads(fitted)
            _fit_text(widget, text, margin, factor)


# The keyboard --------------------------------------------------------------------------------


def install_shortcuts(window: QWidget) -> None:
    """Ctrl++ / Ctrl+- / Ctrl+0 in ``window`` (once); a main window's status bar says the
    new size."""
    if own_property(window, _SHORTCUTS_PROPERTY):
        return
    window.setProperty(_SHORTCUTS_PROPERTY, True)
    for keys, target in (
        (LARGER_KEYS, lambda: step(+1)),
        (SMALLER_KEYS, lambda: step(-1)),
        (STANDARD_KEYS, lambda: TextSize.STANDARD),
    ):
        shortcut = QShortcut(window)
        shortcut.setKeys([QKeySequence(k) for k in keys])
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(lambda target=target: _choose_from_keys(window, target()))


def _choose_from_keys(window: QWidget, size: TextSize) -> None:
    saved = choose(size)
    if isinstance(window, QMainWindow):
        message = f"文字の大きさ：{size.label}（Ctrl++ で大きく、Ctrl+- で小さく、Ctrl+0 で標準）"
        window.statusBar().showMessage(message if saved else f"{message}　{NOT_SAVED}", 6000)
