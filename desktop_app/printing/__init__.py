"""Printed forms: frozen dataclasses in, PDF bytes out (reportlab, embedded IPAex subsets).

Imports only reportlab, the standard library, ``desktop_app.resources`` and
``desktop_app.domain``; never Qt, the store or services.
"""

from __future__ import annotations

from desktop_app.printing.build import FORM_LABELS, FormKind, build_form, packet_kinds
from desktop_app.printing.fonts import register_fonts
from desktop_app.printing.layout import Fit, draw_fit, fit_text
from desktop_app.printing.model import (
    AppointmentInfo,
    CallerInfo,
    CaseInfo,
    DayListEntry,
    FaxCoverInfo,
    PatientInfo,
    PaymentInfo,
    ReferrerInfo,
)

__all__ = [
    "FORM_LABELS",
    "AppointmentInfo",
    "CallerInfo",
    "CaseInfo",
    "DayListEntry",
    "FaxCoverInfo",
    "Fit",
    "FormKind",
    "PatientInfo",
    "PaymentInfo",
    "ReferrerInfo",
    "build_form",
    "draw_fit",
    "fit_text",
    "packet_kinds",
    "register_fonts",
]
