"""Paints a board card: who, when, what is missing, and what must be done today.

One delegate paints every card (no widget per card). ``_layout`` measures a card and
``paint`` draws exactly what it measured, so the height always fits the content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from desktop_app.domain.attention import DueLevel, Reason
from desktop_app.domain.stages import Stage
from desktop_app.domain.wareki import weekday_ja
from desktop_app.services.board import BoardCard
from desktop_app.ui.board.model import CardRole

PAD = 6
GAP = 3
MARGIN = 4  # between cards
SCROLLBAR_ROOM = 7
STRIPE = 4  # the coloured left edge of a card needing action

RED = QColor("#b3261e")
RED_BG = QColor("#fdecea")
AMBER = QColor("#8a5300")
AMBER_BG = QColor("#fff4d6")
TEXT = QColor("#1f2933")
MUTED = QColor("#6b7280")
BADGE_BG = QColor("#eef1f5")
BADGE_FG = QColor("#374151")
BORDER = QColor("#d5dae1")
SELECTED_BG = QColor("#e3eefa")
ACCENT = QColor("#2f6fb0")
STRIPE_AMBER = QColor("#e0a000")

# A booking on a day now closed (「休診日の予約」) must be moved: as loud as overdue papers.
_RED_REASONS = frozenset({Reason.MATERIALS_OVERDUE, Reason.CLOSED_DAY})


def appointment_parts(card: BoardCard) -> tuple[str, str]:
    """('6/12（金）14:00', '佐藤'): when, and the doctor's family name ("" when none)."""
    if card.appointment is None:
        return "", ""
    at = card.appointment
    when = f"{at.month}/{at.day}({weekday_ja(at.date())}) {at:%H:%M}"
    # The family name is enough on a card; the tooltip and the case detail have the rest.
    return when, card.doctor.replace("　", " ").split(" ")[0]


def appointment_line(card: BoardCard) -> str:
    """'6/12（金）14:00 佐藤'."""
    return " ".join(p for p in appointment_parts(card) if p)


def contact_text(card: BoardCard) -> str:
    days = card.days_since_contact
    if days is None:
        return "連絡なし"
    return "連絡 今日" if days <= 0 else f"連絡{days}日前"


def due_text(card: BoardCard) -> str:
    if card.materials_due is None:
        return ""
    due = card.materials_due
    return f"資料期限 {due.month}/{due.day}"


def urgency(card: BoardCard) -> DueLevel:
    """Red when something is overdue, amber for any other reason, none otherwise."""
    if any(a.reason in _RED_REASONS for a in card.reasons):
        return DueLevel.OVERDUE
    return DueLevel.SOON if card.reasons else DueLevel.NONE


@dataclass(frozen=True)
class _Fonts:
    """A card's three fonts and their metrics, made from the view's font."""

    small: QFont
    name: QFont
    reason: QFont
    small_metrics: QFontMetrics
    name_metrics: QFontMetrics
    reason_metrics: QFontMetrics
    # Widths in the small font of the texts many cards share (連絡3日前, a missing form's
    # name, a due date): measured once, not for each of several hundred cards.
    _shared_widths: dict[str, int] = field(default_factory=dict, compare=False)

    def shared_width(self, text: str) -> int:
        width = self._shared_widths.get(text)
        if width is None:
            width = self._shared_widths[text] = self.small_metrics.horizontalAdvance(text)
        return width

    @classmethod
    def of(cls, font: QFont) -> _Fonts:
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.88))
        name = QFont(font)
        name.setBold(True)
        name.setPointSizeF(font.pointSizeF() * 1.05)
        reason = QFont(small)
        reason.setBold(True)
        return cls(
            small, name, reason, QFontMetrics(small), QFontMetrics(name), QFontMetrics(reason)
        )


@dataclass(frozen=True)
class _Badge:
    rect: QRect
    text: str


@dataclass(frozen=True)
class _Layout:
    height: int
    header: QRect
    contact: QRect  # on the header's right when it fits, else a line of its own at the end
    name: QRect
    appointment: QRect | None
    doctor: QRect | None  # under the appointment when the line is too narrow for both
    badges: tuple[_Badge, ...]
    due: QRect | None
    borrowed: QRect | None
    reasons: tuple[tuple[QRect, str, bool], ...]  # rect, text, red


def _layout(card: BoardCard, width: int, fonts: _Fonts) -> _Layout:
    small, name, bold = fonts.small_metrics, fonts.name_metrics, fonts.reason_metrics
    left = STRIPE + PAD
    inner = max(40, width - left - PAD)
    line = small.height()
    y = PAD
    header = QRect(left, y, inner, line)
    contact_width = fonts.shared_width(contact_text(card))
    beside = small.horizontalAdvance(card.case_number) + 8 + contact_width <= inner
    y += line + 1
    name_rect = QRect(left, y, inner, name.height())
    y += name.height() + GAP
    appointment = doctor = None
    if card.appointment is not None:
        appointment = QRect(left, y, inner, line)
        y += line + GAP
        when, doctor_name = appointment_parts(card)
        if doctor_name and small.horizontalAdvance(f"{when} {doctor_name}") > inner:
            doctor = QRect(left, y - GAP, inner, line)
            y += line + GAP
    badges: list[_Badge] = []
    if card.missing_documents:
        x, h = left, line + 2
        for text in card.missing_documents:
            w = min(fonts.shared_width(text) + 10, inner)
            if x > left and x + w > left + inner:
                x, y = left, y + h + 3
            badges.append(_Badge(QRect(x, y, w, h), text))
            x += w + 4
        y += h + GAP + 1
    due = None
    # A materials reason on the card already says the date, in red or amber.
    if card.materials_due is not None and not any(
        a.reason in (Reason.MATERIALS_OVERDUE, Reason.MATERIALS_SOON) for a in card.reasons
    ):
        due = QRect(left, y, min(inner, fonts.shared_width(due_text(card)) + 10), line + 2)
        y += line + 2 + GAP
    borrowed = None
    if card.borrowed_out:
        borrowed = QRect(left, y, inner, line)
        y += line + GAP
    reasons = []
    for attention in card.reasons:
        measured = bold.boundingRect(QRect(0, 0, inner - 8, 1000), _WRAP, attention.text)
        rect = QRect(left, y, inner, measured.height() + 4)
        reasons.append((rect, attention.text, attention.reason in _RED_REASONS))
        y += rect.height() + 2
    if beside:
        contact = QRect(left, PAD, inner, line)
    else:
        contact = QRect(left, y, inner, line)
        y += line + GAP
    return _Layout(
        height=y + PAD - GAP + MARGIN,
        header=header,
        contact=contact,
        name=name_rect,
        appointment=appointment,
        doctor=doctor,
        borrowed=borrowed,
        badges=tuple(badges),
        due=due,
        reasons=tuple(reasons),
    )


_WRAP = int(Qt.TextFlag.TextWrapAnywhere) | int(Qt.AlignmentFlag.AlignLeft)


_CACHE_LIMIT = 5000


class CardDelegate(QStyledItemDelegate):
    """Measures and paints cards; a card's layout is kept until the card or the width changes."""

    def __init__(self, parent: QAbstractItemView | None = None) -> None:
        super().__init__(parent)
        self._layouts: dict[tuple[BoardCard, int, str], _Layout] = {}
        # Made once per font, not for each of several hundred cards measured and painted.
        self._fonts: dict[str, _Fonts] = {}

    def fonts_for(self, font: QFont, key: str | None = None) -> _Fonts:
        key = font.key() if key is None else key
        found = self._fonts.get(key)
        if found is None:
            found = self._fonts[key] = _Fonts.of(font)
        return found

    def layout_for(self, card: BoardCard, width: int, font: QFont) -> _Layout:
        font_key = font.key()
        key = (card, width, font_key)
        found = self._layouts.get(key)
        if found is None:
            if len(self._layouts) > _CACHE_LIMIT:
                self._layouts.clear()
            found = self._layouts[key] = _layout(card, width, self.fonts_for(font, font_key))
        return found

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        card = index.data(CardRole)
        width = self.card_width(option)
        if not isinstance(card, BoardCard):
            return QSize(width, 40)
        return QSize(width, self.layout_for(card, width, option.font).height)

    def card_width(self, option: QStyleOptionViewItem) -> int:
        """The column's width (as it is now, scroll bar or not), so measure and paint agree."""
        view = self.parent()
        if isinstance(view, QAbstractItemView):
            # Room for the scroll bar is always kept, so a card's height never depends on
            # whether the column happens to scroll.
            frame = 2 * view.frameWidth()
            return max(60, view.width() - frame - SCROLLBAR_ROOM)
        return option.rect.width() if option.rect.width() > 0 else 200

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        card = index.data(CardRole)
        if not isinstance(card, BoardCard):
            return
        rect: QRect = option.rect
        fonts = self.fonts_for(option.font)
        width = self.card_width(option)
        lay = self.layout_for(card, width, option.font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.topLeft())
        box = QRectF(0.5, 0.5, width - 1, lay.height - MARGIN - 1)
        painter.setPen(QPen(ACCENT if selected or focused else BORDER, 2 if focused else 1))
        painter.setBrush(SELECTED_BG if selected else QColor("#ffffff"))
        painter.drawRoundedRect(box, 5, 5)
        level = urgency(card)
        if level != DueLevel.NONE:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(RED if level == DueLevel.OVERDUE else STRIPE_AMBER)
            painter.drawRoundedRect(QRectF(1, 1, STRIPE, box.height() - 1), 2, 2)

        painter.setFont(fonts.small)
        painter.setPen(MUTED)
        painter.drawText(lay.header, int(Qt.AlignmentFlag.AlignLeft), card.case_number)
        contact_align = (
            Qt.AlignmentFlag.AlignRight
            if lay.contact.top() == lay.header.top()
            else (Qt.AlignmentFlag.AlignLeft)
        )
        painter.drawText(lay.contact, int(contact_align), contact_text(card))

        painter.setFont(fonts.name)
        painter.setPen(TEXT)
        metrics = fonts.name_metrics
        painter.drawText(
            lay.name,
            int(Qt.AlignmentFlag.AlignLeft),
            metrics.elidedText(card.patient_name, Qt.TextElideMode.ElideRight, lay.name.width()),
        )

        painter.setFont(fonts.small)
        small = fonts.small_metrics
        if lay.appointment is not None:
            painter.setPen(RED if card.on_closed_day else ACCENT)
            when, doctor = appointment_parts(card)
            first = when if lay.doctor is not None else appointment_line(card)
            lines = [(lay.appointment, first)]
            if lay.doctor is not None:
                lines.append((lay.doctor, doctor))
            for rect, text in lines:
                shown = small.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft), shown)
        if lay.borrowed is not None:
            # Out after the visit they must go back: amber; before it they are expected here.
            painter.setPen(AMBER if card.stage == Stage.DONE else MUTED)
            painter.drawText(
                lay.borrowed,
                int(Qt.AlignmentFlag.AlignLeft),
                f"借用 {card.borrowed_out}点",
            )
        for badge in lay.badges:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(BADGE_BG)
            painter.drawRoundedRect(QRectF(badge.rect), 4, 4)
            painter.setPen(BADGE_FG)
            painter.drawText(badge.rect, int(Qt.AlignmentFlag.AlignCenter), badge.text)
        if lay.due is not None:
            colours = {
                DueLevel.OVERDUE: (RED_BG, RED),
                DueLevel.SOON: (AMBER_BG, AMBER),
                DueLevel.NONE: (QColor("#ffffff"), MUTED),
            }
            bg, fg = colours[card.due_level]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bg)
            painter.drawRoundedRect(QRectF(lay.due), 4, 4)
            painter.setPen(fg)
            painter.drawText(lay.due, int(Qt.AlignmentFlag.AlignCenter), due_text(card))

        painter.setFont(fonts.reason)
        for reason_rect, text, red in lay.reasons:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(RED_BG if red else AMBER_BG)
            painter.drawRoundedRect(QRectF(reason_rect), 3, 3)
            painter.setPen(RED if red else AMBER)
            painter.drawText(reason_rect.adjusted(4, 2, -4, -2), _WRAP, text)
        painter.restore()
