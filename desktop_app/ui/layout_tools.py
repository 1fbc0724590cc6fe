"""Small layout helpers shared by windows and dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def settle_layout(window: QWidget) -> None:
    """Fix a new window's minimum size from its layout before it is first shown.

    Otherwise the size is worked out just after the native window exists and is then pushed
    to it again, which some platforms (the offscreen one used in tests) report as a warning.
    """
    window.ensurePolished()
    layout = window.layout()
    if layout is not None:
        layout.activate()
