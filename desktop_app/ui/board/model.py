"""One column of the board as a list model: the cards of one stage, most urgent first.

The model holds frozen ``BoardCard``s and changes row by row (insert, remove, dataChanged),
so a service call that changed one case touches one card. A drop asks for a move through
``move_requested``; the card itself moves when the store says it did.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_left
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop_app.domain.stages import Stage
from desktop_app.domain.wareki import weekday_ja
from desktop_app.services.board import BoardCard

AnyIndex = QModelIndex | QPersistentModelIndex

CARD_MIME = "application/x-sodesk-case"
CardRole = Qt.ItemDataRole.UserRole + 1
CaseIdRole = Qt.ItemDataRole.UserRole + 2
StageRole = Qt.ItemDataRole.UserRole + 3

_FAR = dt.datetime.max


def sort_key(card: BoardCard) -> tuple[int, dt.datetime, int]:
    """Cards needing action first, then the nearest appointment, then the oldest case."""
    return (0 if card.reasons else 1, card.appointment or _FAR, card.id)


def card_mime(card: BoardCard) -> QMimeData:
    """What a dragged card carries: which case, the version shown, and where it came from."""
    mime = QMimeData()
    payload = {"id": card.id, "version": card.version, "stage": card.stage.value}
    mime.setData(CARD_MIME, json.dumps(payload).encode())
    return mime


def read_card_mime(mime: QMimeData) -> tuple[int, int, Stage] | None:
    if not mime.hasFormat(CARD_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(CARD_MIME).data()).decode())
        return int(payload["id"]), int(payload["version"]), Stage(payload["stage"])
    except (ValueError, KeyError, TypeError):
        return None


class BoardColumnModel(QAbstractListModel):
    """The cards of one stage."""

    # case id, version shown, target stage: a card was dropped here.
    move_requested = Signal(int, int, object)

    def __init__(self, stage: Stage, parent: Any = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self._cards: list[BoardCard] = []

    # Loading ----------------------------------------------------------------------------

    def set_cards(self, cards: list[BoardCard]) -> None:
        """A new board (first show, a new filter): the whole column at once."""
        self.beginResetModel()
        self._cards = sorted(cards, key=sort_key)
        self.endResetModel()

    def upsert(self, card: BoardCard) -> None:
        """Show ``card`` (of this stage): in place when its position holds, else moved."""
        at = self.row_of_case(card.id)
        if at >= 0:
            if self._cards[at] == card:
                return
            keys = [sort_key(c) for i, c in enumerate(self._cards) if i != at]
            if bisect_left(keys, sort_key(card)) == at:
                self._cards[at] = card
                self.dataChanged.emit(self.index(at), self.index(at))
                return
            self.remove(card.id)
        where = bisect_left([sort_key(c) for c in self._cards], sort_key(card))
        self.beginInsertRows(QModelIndex(), where, where)
        self._cards.insert(where, card)
        self.endInsertRows()

    def remove(self, case_id: int) -> bool:
        at = self.row_of_case(case_id)
        if at < 0:
            return False
        self.beginRemoveRows(QModelIndex(), at, at)
        del self._cards[at]
        self.endRemoveRows()
        return True

    # Reading ----------------------------------------------------------------------------

    def cards(self) -> tuple[BoardCard, ...]:
        return tuple(self._cards)

    def card_at(self, row: int) -> BoardCard:
        return self._cards[row]

    def row_of_case(self, case_id: int) -> int:
        return next((i for i, c in enumerate(self._cards) if c.id == case_id), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{card.case_number} {card.patient_name}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(card)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return spoken_card(card)
        if role == CardRole:
            return card
        if role == CaseIdRole:
            return card.id
        if role == StageRole:
            return card.stage.value
        return None

    # Drag and drop ----------------------------------------------------------------------

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def mimeTypes(self) -> list[str]:
        return [CARD_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        rows = [i.row() for i in indexes if i.isValid()]
        if not rows:
            return QMimeData()
        return card_mime(self._cards[rows[0]])

    def supportedDragActions(self) -> Qt.DropAction:
        # Copy, not move: the view must never delete the row itself; the store moves the card.
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        found = read_card_mime(data)
        return found is not None and found[2] != self.stage

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        found = read_card_mime(data)
        assert found is not None
        case_id, version, _source = found
        self.move_requested.emit(case_id, version, self.stage)
        return True


def spoken_card(card: BoardCard) -> str:
    """What a screen reader says for a card: all the card shows in words, the colours'
    meaning included (要対応 and its reasons, 休診日の予約)."""
    parts = [card.case_number, card.patient_name]
    if (at := card.appointment) is not None:
        when = f"{at.month}月{at.day}日（{weekday_ja(at.date())}）{at:%H:%M}"
        parts.append(f"予約 {when} {card.doctor}".rstrip())
    if card.reasons:
        parts.append("要対応：" + "、".join(a.text for a in card.reasons))
    if card.missing_documents:
        parts.append("未着：" + "、".join(card.missing_documents))
    return "　".join(parts)


def _tooltip(card: BoardCard) -> str:
    lines = [f"{card.case_number}　{card.patient_name}（{card.stage.label}）"]
    if card.referrer:
        lines.append(f"紹介元：{card.referrer}")
    if card.missing_documents:
        lines.append("未着：" + "、".join(card.missing_documents))
    lines.extend(f"要対応：{a.text}" for a in card.reasons)
    return "\n".join(lines)
