"""A combo box that hands back the very Python value each item was added with.

Qt stores item data as a QVariant: a StrEnum member comes back from ``currentData()`` as a
plain ``str`` (``'fax'``, not ``Channel.FAX``), and since a StrEnum equals its value, a test
comparing the two passes while ``.label`` fails in the service. This widget keeps the values
on the Python side and gives Qt only a key, so ``value()`` is ``Channel.FAX`` itself. Every
combo in ui/ whose items carry data is one of these (tests/ui/test_value_combo.py checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget


class ValueCombo(QComboBox):
    """A QComboBox whose items carry Python values, returned as they were given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: dict[int, Any] = {}
        self._next_key = 0

    def add(self, text: str, value: Any = None) -> None:
        """Add an item shown as ``text`` that stands for ``value``."""
        key = self._next_key
        self._next_key += 1
        self._values[key] = value
        self.addItem(text, userData=key)  # an int key: the value itself stays in Python

    def insert(self, index: int, text: str, value: Any = None) -> None:
        """Insert an item at ``index`` (as ``add``, not at the end)."""
        key = self._next_key
        self._next_key += 1
        self._values[key] = value
        self.insertItem(index, text, key)

    def add_all(self, items: Iterable[tuple[str, Any]]) -> None:
        for text, value in items:
            self.add(text, value)

    def value_at(self, index: int) -> Any:
        key = self.itemData(index)
        return self._values.get(key) if isinstance(key, int) else None

    def value(self) -> Any:
        """The current item's value (None when nothing is chosen)."""
        return self.value_at(self.currentIndex())

    def values(self) -> list[Any]:
        return [self.value_at(i) for i in range(self.count())]

    def index_of(self, value: Any) -> int:
        """The first item standing for ``value`` (-1 when none does)."""
        for i in range(self.count()):
            if self.value_at(i) == value:
                return i
        return -1

    def set_value(self, value: Any) -> bool:
        """Choose the item standing for ``value``; False (nothing changed) when none does."""
        index = self.index_of(value)
        if index >= 0:
            self.setCurrentIndex(index)
        return index >= 0

    def clear(self) -> None:
        super().clear()
        self._values.clear()
