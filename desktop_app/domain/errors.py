"""The one error type for things a clerk can fix."""

from __future__ import annotations


class ValidationError(Exception):
    """Bad input, with a message a clerk can read (Japanese).

    ``field`` names the input the message belongs to, so a form can show it beside that field.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
