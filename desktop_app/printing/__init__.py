"""Printed forms: frozen dataclasses in, PDF bytes out (reportlab, embedded IPAex subsets).

Imports only reportlab, the standard library, ``desktop_app.resources`` and
``desktop_app.domain``; never Qt, the store or services.

The input dataclasses load at once; the drawing functions (and so reportlab, about 100 ms)
load the first time one of them is used, so a program that only opens a window pays nothing
for printing until something is printed or previewed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from desktop_app.printing.model import (
    AppointmentInfo,
    BorrowedItem,
    CallerInfo,
    CaseInfo,
    DayListEntry,
    FaxCoverInfo,
    PatientInfo,
    PaymentInfo,
    ReferrerInfo,
)

if TYPE_CHECKING:
    from desktop_app.printing.build import build_form, packet_kinds
    from desktop_app.printing.fonts import register_fonts
    from desktop_app.printing.layout import Fit, Rect, draw_fit, fit_text

_LAZY = {
    "build_form": "desktop_app.printing.build",
    "packet_kinds": "desktop_app.printing.build",
    "register_fonts": "desktop_app.printing.fonts",
    "Fit": "desktop_app.printing.layout",
    "Rect": "desktop_app.printing.layout",
    "draw_fit": "desktop_app.printing.layout",
    "fit_text": "desktop_app.printing.layout",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "AppointmentInfo",
    "BorrowedItem",
    "CallerInfo",
    "CaseInfo",
    "DayListEntry",
    "FaxCoverInfo",
    "Fit",
    "PatientInfo",
    "PaymentInfo",
    "Rect",
    "ReferrerInfo",
    "build_form",
    "draw_fit",
    "fit_text",
    "packet_kinds",
    "register_fonts",
]
