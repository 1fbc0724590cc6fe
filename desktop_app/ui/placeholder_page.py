"""A calm page for screens still to come: what the page will do, nothing else."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPage(QWidget):
    def __init__(self, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        text = QLabel(description)
        text.setWordWrap(True)
        text.setMaximumWidth(720)
        soon = QLabel("この画面は準備中です。")
        soon.setObjectName("muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addWidget(heading)
        # A stretch, not an alignment: aligned labels shrink to their narrowest wrap.
        layout.addWidget(text)
        layout.addWidget(soon)
        layout.addStretch(1)
