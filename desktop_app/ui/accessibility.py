"""Screen readers: every widget the clerk can Tab to says what it is (issue 27 item 3).

``name_widgets`` gives each focusable widget without an accessible name the one its screen
shows beside it, in this order: the QLabel whose buddy it is, its row label in a QFormLayout,
a button's own text, its QGroupBox's title with its placeholder, its tooltip, its placeholder.
A QLabel just before a field in a row or column layout names it too (after the buddy and
the form row, before the rest), as the eye reads 「診療科 [▼]」. Mnemonic ampersands and a
trailing colon are dropped (「患者氏名：」 is read 「患者氏名」).
A widget none of these names is named in its own file (setAccessibleName).

``install_accessibility`` does it for every window of the application as it is shown and for
every page as the main window switches to it: one event filter that looks at Show events of
windows and of stacked pages only, so the start pays a few microseconds per shown window.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QBoxLayout,
    QComboBox,
    QDateTimeEdit,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QTabBar,
    QTextEdit,
    QWidget,
)

_MNEMONIC = re.compile(r"&(?=[^&])")
_TRAILING = re.compile(r"[\s:：]+$")
_TAGS = re.compile(r"<[^>]+>")
# A button's shortcut in brackets stays: 「保存（Ctrl+S）」 tells the clerk the key as well.


def is_menu_key(event: QKeyEvent) -> bool:
    """The menu key, or Shift+F10 (the same on a keyboard without one, as in Windows)."""
    shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
    return event.key() == Qt.Key.Key_Menu or (event.key() == Qt.Key.Key_F10 and bool(shift))


def clean_label(text: str) -> str:
    """A label's words as a screen reader should say them: no &mnemonic, no rich-text tags,
    no trailing colon, on one line."""
    rich = _TAGS.search(text) is not None
    words = _TAGS.sub("", text).replace("&&", "\0")
    words = _MNEMONIC.sub("", words).replace("\0", "&")
    if rich:  # a tooltip in rich text: its entities (&nbsp;) are characters, not mnemonics
        words = html.unescape(_TAGS.sub("", text))
    words = " ".join(words.split())
    return _TRAILING.sub("", words).strip()


def takes_tab(widget: QWidget) -> bool:
    """The widget is one Tab can land on (its policy has TabFocus and it is not another's
    focus proxy's front: a spin box's inner line edit is reached through the spin box)."""
    policy = widget.focusPolicy()
    return bool(policy.value & Qt.FocusPolicy.TabFocus.value) and widget.focusProxy() is None


def _placeholder(widget: QWidget) -> str:
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        return widget.placeholderText()
    if isinstance(widget, QComboBox):
        edit = widget.lineEdit()
        return (edit.placeholderText() if edit is not None else "") or widget.placeholderText()
    return ""


def _layout_widgets(layout: QLayout) -> list[QWidget]:
    found: list[QWidget] = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        widget = item.widget()
        if widget is not None:
            found.append(widget)
            found.extend(widget.findChildren(QWidget))
        elif (inner := item.layout()) is not None:
            found.extend(_layout_widgets(inner))
    return found


def _labels_by_widget(root: QWidget) -> dict[int, str]:
    """Each widget's label from QLabel buddies and QFormLayout rows under ``root`` (by id)."""
    named: dict[int, str] = {}
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label_item is None or field_item is None:
                continue
            label = label_item.widget()
            if not isinstance(label, QLabel):
                continue
            text = clean_label(label.text())
            if not text:
                continue
            field = field_item.widget()
            if field is not None:
                inside = [field, *field.findChildren(QWidget)]
            elif (inner := field_item.layout()) is not None:
                inside = _layout_widgets(inner)
            else:
                continue
            for widget in inside:
                named.setdefault(id(widget), text)
    # A label just before a field in a row or column of the screen (「診療科 [▼]」), where
    # the label was not made its buddy: that is how the screen names it to the eye.
    for box in root.findChildren(QBoxLayout):
        before: QWidget | None = None
        for index in range(box.count()):
            item = box.itemAt(index)
            here = item.widget() if item is not None else None
            if here is None:
                if item is not None and item.spacerItem() is None:
                    before = None  # a nested layout between them
                continue
            if (
                isinstance(before, QLabel)
                and before.buddy() is None
                and not isinstance(here, (QLabel, QAbstractButton))
            ):
                text = clean_label(before.text())
                if any(ch.isalnum() for ch in text):  # not 「〜」 between two dates
                    named.setdefault(id(here), text)
            before = here
    # A buddy says more than a row (the row's label may only head a group of fields).
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        text = clean_label(label.text())
        if buddy is not None and text:
            named[id(buddy)] = text
    return named


def _group_title(widget: QWidget) -> str:
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QGroupBox):
            return clean_label(parent.title())
        parent = parent.parentWidget()
    return ""


def derived_name(widget: QWidget, labels: dict[int, str] | None = None) -> str:
    """The name ``widget``'s screen gives it, or "" where nothing on the screen names it."""
    if labels is not None and id(widget) in labels:
        return labels[id(widget)]
    if isinstance(widget, QTabBar) and widget.count():
        # A tab widget's bar, read as its tabs (each tab is read by its own text as well).
        return "タブ：" + "・".join(clean_label(widget.tabText(i)) for i in range(widget.count()))
    if isinstance(widget, QAbstractButton) and clean_label(widget.text()):
        return clean_label(widget.text())
    if isinstance(widget, QGroupBox) and clean_label(widget.title()):
        return clean_label(widget.title())
    placeholder = clean_label(_placeholder(widget))
    title = _group_title(widget)
    if title and placeholder:
        return f"{title} {placeholder}"
    tip = clean_label(widget.toolTip())
    if tip:
        return tip
    return placeholder


def name_widgets(root: QWidget) -> int:
    """Name every focusable widget under ``root`` (itself included) that has no accessible
    name yet; how many were named. A name given in the widget's file is kept."""
    widgets = [root, *root.findChildren(QWidget)]
    labels: dict[int, str] | None = None
    count = 0
    for widget in widgets:
        if widget.accessibleName() or not takes_tab(widget):
            continue
        if labels is None:  # only when some widget needs it
            labels = _labels_by_widget(root)
        name = derived_name(widget, labels)
        if name:
            widget.setAccessibleName(name)
            count += 1
    return count


def tab_leaves_tables(root: QWidget) -> None:
    """Tab goes on to the next field from a table or list (the arrow keys move between its
    cells), so a keyboard user is never kept in a table by Tab."""
    for view in root.findChildren(QAbstractItemView):
        if view.tabKeyNavigation():
            view.setTabKeyNavigation(False)


def tab_leaves_text_boxes(root: QWidget) -> None:
    """Tab in a multi-line box moves to the next field instead of typing a tab character."""
    for box in root.findChildren(QPlainTextEdit):
        box.setTabChangesFocus(True)
    for rich in root.findChildren(QTextEdit):
        rich.setTabChangesFocus(True)


def tab_skips_scroll_frames(root: QWidget) -> None:
    """A scroll area holding fields is no Tab stop of its own (a stop that says nothing):
    Tab goes to its fields, and each is scrolled into view as it gets the focus. One that
    holds only text or a picture keeps its stop, for the arrow keys to scroll it."""
    for area in root.findChildren(QScrollArea):
        inner = area.widget()
        if inner is None or not area.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
            continue
        if any(takes_tab(w) for w in inner.findChildren(QWidget)):
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)


def tab_follows_button_boxes(root: QWidget) -> None:
    """Tab goes through a row of dialog buttons in the order the row shows them: the style
    sets it (登録 before キャンセル on Windows and Linux, after it on macOS), while Tab
    follows the order the buttons were made in."""
    for box in root.findChildren(QDialogButtonBox):
        layout = box.layout()
        if layout is None:
            continue
        shown = [layout.itemAt(i) for i in range(layout.count())]
        buttons = [w for item in shown if item is not None and (w := item.widget()) is not None]
        for first, second in itertools.pairwise(b for b in buttons if takes_tab(b)):
            QWidget.setTabOrder(first, second)


class _LeaveSpecialValue(QObject):
    """Tab out of a date edit that shows its special value (「指定なし」): Qt keeps the focus
    there, looking for a date section to go to in a text that has none."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and isinstance(watched, QDateTimeEdit)
            and watched.specialValueText()
            and watched.text() == watched.specialValueText()
        ):
            forward = event.key() == Qt.Key.Key_Tab and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            step = QWidget.nextInFocusChain if forward else QWidget.previousInFocusChain
            widget = step(watched)
            while widget is not None and widget is not watched:
                if (
                    takes_tab(widget)
                    and widget.isVisible()
                    and widget.isEnabled()
                    and not watched.isAncestorOf(widget)
                    and widget.window() is watched.window()
                ):
                    reason = (
                        Qt.FocusReason.TabFocusReason
                        if forward
                        else Qt.FocusReason.BacktabFocusReason
                    )
                    widget.setFocus(reason)
                    return True
                widget = step(widget)
        return False


_LEAVES = "sodesk_tab_leaves_special_value"


def tab_leaves_special_values(root: QWidget) -> None:
    """Tab goes on from a date edit showing 「指定なし」 as from any other field."""
    for edit in root.findChildren(QDateTimeEdit):
        if edit.specialValueText() and not edit.property(_LEAVES):
            edit.installEventFilter(_LeaveSpecialValue(edit))
            edit.setProperty(_LEAVES, True)


def make_accessible(root: QWidget) -> None:
    """Names and Tab rules for ``root`` and everything in it (cheap to repeat)."""
    tab_skips_scroll_frames(root)
    tab_follows_button_boxes(root)
    name_widgets(root)
    tab_leaves_tables(root)
    tab_leaves_text_boxes(root)
    tab_leaves_special_values(root)


def _chain(window: QWidget) -> list[QWidget]:
    """The window's Tab order, all of it (the window itself not included)."""
    found: list[QWidget] = []
    widget = window.nextInFocusChain()
    while widget is not None and widget is not window and len(found) < 10_000:
        found.append(widget)
        widget = widget.nextInFocusChain()
    return found


def keep_in_place(container: QWidget) -> None:
    """Tab reaches the fields of ``container`` where the container sits in its window's
    Tab order: fields made after the window was (a row of buttons filled in later) join the
    end of the order otherwise."""
    window = container.window()
    if window is container:
        return
    chain = _chain(window)
    if container not in chain:
        return
    at = chain.index(container)
    inside = [w for w in chain if container.isAncestorOf(w) and takes_tab(w)]
    before = [w for w in chain[:at] if not container.isAncestorOf(w) and takes_tab(w)]
    if not inside or not before:
        return
    previous = before[-1]
    for widget in inside:
        QWidget.setTabOrder(previous, widget)
        previous = widget


def tab_in_groups(window: QWidget, first: Sequence[QWidget], last: Sequence[QWidget]) -> None:
    """Tab goes through the fields of the ``first`` parts of ``window``, then the rest of
    the window in its own order, then the fields of the ``last`` parts: a part made after
    the window (a page built on first use) would come after those below it otherwise.
    Only the fields of ``first`` and ``last`` are moved (a few plain buttons): moving a
    compound field (a tab widget, a spin box) one by one can tie Qt's chain in a loop."""
    chain = _chain(window)

    def fields(groups: Sequence[QWidget]) -> list[QWidget]:
        return [
            widget
            for group in groups
            for widget in chain
            if takes_tab(widget) and (widget is group or group.isAncestorOf(widget))
        ]

    head, tail = fields(first), fields(last)
    moved = {id(widget) for widget in (*head, *tail)}
    rest = [widget for widget in chain if takes_tab(widget) and id(widget) not in moved]
    for before, after in itertools.pairwise(head):
        QWidget.setTabOrder(before, after)
    for before, after in itertools.pairwise(rest[-1:] + tail):
        QWidget.setTabOrder(before, after)


class _Namer(QObject):
    """Shown windows and pages are named (and their tables let Tab go) as they appear."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            parent = watched.parentWidget()
            if watched.isWindow() or isinstance(parent, QStackedWidget):
                make_accessible(watched)
        return False


_INSTALLED = "sodesk_accessibility_installed"


def install_accessibility(app: QApplication) -> None:
    """Name the widgets of every window as it is shown and of every page (stacked widget,
    tab) as it comes to the front; safe to call twice."""
    if app.property(_INSTALLED):
        return
    app.installEventFilter(_Namer(app))
    app.setProperty(_INSTALLED, True)
