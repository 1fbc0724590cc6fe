"""The caller's 続柄 asked as one question: 本人, 父, 母, 夫, 妻… or a relation typed under
その他の親族. The category kept for statistics follows from the choice (domain/people.RELATIONS).

Used by the intake's 相談者 page and the case edit dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QWidget

from desktop_app.domain.people import RELATION_MAX_LENGTH, RELATIONS, Relationship
from desktop_app.ui import text_size
from desktop_app.ui.intake.fields import Choice

SELF_CODE = Relationship.SELF.value
OTHER_RELATIVE_CODE = Relationship.OTHER_RELATIVE.value
NOT_FAMILY_CODE = Relationship.OTHER.value


class RelationChoice(Choice):
    """Radio buttons for the relation, a line for one typed under その他の親族, and a note when
    a stored caller has only a category (recorded before the relation was asked)."""

    def __init__(
        self,
        *,
        include_self: bool = True,
        include_not_family: bool = True,
        columns: int = 6,
        parent: QWidget | None = None,
    ) -> None:
        options = [(SELF_CODE, "本人")] if include_self else []
        options += [(relation, relation) for relation in RELATIONS]
        options.append((OTHER_RELATIVE_CODE, Relationship.OTHER_RELATIVE.label))
        if include_not_family:
            options.append((NOT_FAMILY_CODE, "ご家族以外"))
        super().__init__(options, columns=columns, parent=parent)
        self.other_text = QLineEdit()
        self.other_text.setPlaceholderText("その他の親族の続柄（例：義母、いとこ）")
        self.other_text.setMaxLength(RELATION_MAX_LENGTH)
        text_size.keep(self.other_text, maximum_width=280)
        self.note = QLabel()
        self.note.setObjectName("fieldNote")
        self.note.setWordWrap(True)
        layout = self.layout()
        assert isinstance(layout, QGridLayout)
        rows = layout.rowCount()
        layout.addWidget(self.other_text, rows, 0, 1, max(columns, 1))
        layout.addWidget(self.note, rows + 1, 0, 1, max(columns, 1))
        self._stored_category: Relationship | None = None
        self._error = ""
        self.changed.connect(lambda: self.set_error(""))
        self.other_text.textEdited.connect(self.changed)
        self._show_state()

    # What was chosen ----------------------------------------------------------------------
    def category(self) -> Relationship | None:
        """The category the choice gives; a stored one while nothing is chosen; else None."""
        code = self.value()
        if code is None:
            return self._stored_category
        return RELATIONS.get(code) or Relationship(code)

    def relation(self) -> str:
        """The relation itself: the chosen word, or the text typed under その他の親族."""
        code = self.value()
        if code in RELATIONS:
            return code
        if code == OTHER_RELATIVE_CODE:
            return self.other_text.text().strip()
        return ""

    def set_relation(self, relationship: Relationship, relation: str) -> None:
        """Show a stored caller: its relation's button, or その他の親族 with the text typed;
        a category stored without a relation (配偶者, 父母…) leaves the buttons unchecked
        and says so, and the category stays until the clerk picks a relation."""
        relation = relation.strip()
        self._stored_category = None
        self.other_text.clear()
        if relation in RELATIONS and RELATIONS[relation] == relationship:
            code: str | None = relation
        elif relationship == Relationship.OTHER_RELATIVE:
            code = OTHER_RELATIVE_CODE
            self.other_text.setText(relation)
        elif relationship.value in self.buttons:
            code = relationship.value
        else:
            code = None
            self._stored_category = relationship
        if code is None:
            self._uncheck()
        else:
            self.set_value(code)
        self._show_state()

    def _uncheck(self) -> None:
        self.group.setExclusive(False)
        for button in self.buttons.values():
            button.setChecked(False)
        self.group.setExclusive(True)

    def set_error(self, message: str) -> None:
        """A message under the buttons (a typed relation that is not その他の親族's)."""
        self._error = message
        self._show_state()

    def error(self) -> str:
        return self._error

    def _show_state(self) -> None:
        other = self.value() == OTHER_RELATIVE_CODE
        self.other_text.setEnabled(other)
        self.other_text.setVisible(other)
        stored = self._stored_category if self.value() is None else None
        self.note.setObjectName("fieldError" if self._error else "fieldNote")
        self.note.setText(
            self._error
            or (
                f"続柄は未登録です（分類：{stored.label}）。わかれば選んでください。"
                if stored
                else ""
            )
        )
        self.note.setVisible(bool(self.note.text()))

    def focus_chain(self) -> list[QWidget]:
        return [*super().focus_chain(), self.other_text]
