"""What every wizard page is: validation, the snapshot it is shown with, its inputs in order.

Each page that asks something also has ``values()`` and ``load(values)`` with its own frozen
dataclass from values.py (CallerValues, PatientValues, …); the wizard calls them by page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.domain import clock
from desktop_app.domain.settings import DEFAULT_SETTINGS, ClinicSettings
from desktop_app.services.dto import DepartmentData
from desktop_app.services.intake import ReferrerEntry
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.intake.values import IntakeSnapshot

LABEL_WIDTH = 150


@dataclass
class IntakeContext:
    """What every page may read: the runner, the clinic's settings and masters, today."""

    runner: ServiceRunner
    settings: ClinicSettings = DEFAULT_SETTINGS
    departments: tuple[DepartmentData, ...] = ()
    referrers: tuple[ReferrerEntry, ...] = ()
    today_override: dt.date | None = field(default=None)

    def today(self) -> dt.date:
        return self.today_override or clock.today()


class IntakeStep(QWidget):
    """One page of the wizard. ``changed`` fires on any edit, so the draft knows to save."""

    changed = Signal()
    key = ""
    title = ""
    lead = ""

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.snapshot = IntakeSnapshot()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.setSpacing(10)
        if self.lead:
            lead = QLabel(self.lead)
            lead.setObjectName("muted")
            lead.setWordWrap(True)
            self._layout.addWidget(lead)

    # The wizard calls these ------------------------------------------------------------
    def validate(self) -> bool:
        """Show every message; True when the page may be left by 次へ."""
        return True

    def inputs(self) -> list[QWidget]:
        """Inputs in screen order: the tab order and where Enter goes next."""
        return []

    def enter(self, snapshot: IntakeSnapshot) -> None:
        """Called each time the page is shown, with every page's current values."""
        self.snapshot = snapshot

    def context_changed(self) -> None:
        """Settings or masters were reloaded."""

    # Helpers for the pages -------------------------------------------------------------
    def body(self) -> QVBoxLayout:
        return self._layout

    @staticmethod
    def form() -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(form.labelAlignment())
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    @staticmethod
    def label(text: str, required: bool = False) -> QLabel:
        label = QLabel(f"{text}<span style='color:#b3261e'>＊</span>" if required else text)
        label.setMinimumWidth(LABEL_WIDTH)
        return label
