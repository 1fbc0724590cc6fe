"""Questions the board asks the clerk; module-level so tests can answer them."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget

from desktop_app.domain.stages import Stage


def ask_override_reason(parent: QWidget, message: str, target: Stage) -> str | None:
    """A move past a missing requirement: the clerk's reason to go on, or None to stop."""
    text, ok = QInputDialog.getText(
        parent,
        "確認してください",
        f"{message}\n\nこのまま「{target.label}」に進める場合は、理由を入力してください"
        "（履歴に残ります）：",
    )
    return text.strip() if ok and text.strip() else None
