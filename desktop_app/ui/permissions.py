"""Buttons a role may not use are disabled, with the reason as their tooltip.

Which role may call which service is the services' own table (each function's @requires,
read through services.access.refusal_for), so a screen never keeps a second list that could
drift from what the services refuse.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from desktop_app.domain.roles import Permission
from desktop_app.services.access import refusal_for
from desktop_app.ui.actions import ServiceRunner

_TIP = "_sodesk_tip"  # the widget's own tooltip, kept while a refusal stands in for it


def gate(
    widget: QWidget,
    runner: ServiceRunner,
    service: Callable[..., object] | Permission,
    *,
    enabled: bool = True,
    tip: str | None = None,
) -> None:
    """Enable ``widget`` when ``enabled`` and the signed-in role may call ``service``; a
    refused role sees the reason on hover. ``tip`` replaces the widget's own tooltip."""
    if widget.property(_TIP) is None:
        widget.setProperty(_TIP, widget.toolTip())
    if tip is not None:
        widget.setProperty(_TIP, tip)
    refusal = refusal_for(runner.store, service)
    widget.setEnabled(enabled and refusal is None)
    widget.setToolTip(refusal or str(widget.property(_TIP) or ""))


def may_call(runner: ServiceRunner, service: Callable[..., object]) -> bool:
    return refusal_for(runner.store, service) is None
