"""送付書類を印刷: the mail-out packet of a newly registered case, in the print preview."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop_app.domain.forms import FormKind
from desktop_app.services.dto import CaseDetail
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.print_menu import open_preview
from desktop_app.ui.print_preview import PrintPreviewDialog


def print_packet(
    runner: ServiceRunner, case: CaseDetail, parent: QWidget | None
) -> PrintPreviewDialog | None:
    """Open the packet (FormKind.PACKET) in the preview; printing there records it as sent."""
    if parent is None:
        return None
    return open_preview(runner, parent, FormKind.PACKET, case.id)
