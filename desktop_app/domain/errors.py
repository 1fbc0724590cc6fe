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


CONFLICT_MESSAGE = "他の端末で更新されました。最新の内容を表示します。"


class ConflictError(ValidationError):
    """Another desk changed the data after this screen read it; nothing was written.

    The screen that gets it shows the message and reloads, so the clerk sees the other
    desk's change before deciding again.
    """

    def __init__(self, message: str = CONFLICT_MESSAGE) -> None:
        super().__init__(message)


class ReasonNeeded(ValidationError):
    """Allowed, but unusual: the clerk may go ahead only with a reason, kept in the history.

    ``warnings`` say what is unusual; the screen shows them and asks for the reason, then
    calls again with it.
    """

    def __init__(self, warnings: tuple[str, ...], field: str = "override_reason") -> None:
        super().__init__(
            "\n".join(warnings) + "\nこのまま進める場合は理由を入力してください。", field=field
        )
        self.warnings = warnings
