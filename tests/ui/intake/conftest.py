"""Driving the intake wizard by keyboard, as the clerk does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.intake.wizard import IntakeWizard
from desktop_app.ui.layout_tools import settle_layout
from tests.ui.keyboard import Keyboard

TODAY = dt.date(2026, 11, 24)


class Driver(Keyboard):
    """Types into fields and presses keys the way a clerk would."""

    def __init__(self, qtbot, wizard: IntakeWizard) -> None:
        self.qtbot = qtbot
        self.wizard = wizard

    def toggle(self, widget: QWidget) -> None:
        self.focus(widget)
        self.qtbot.keyClick(widget, Qt.Key.Key_Space)

    def next(self) -> None:
        """Ctrl+Enter: the next page (the 次へ button's own shortcut)."""
        focus = QApplication.focusWidget() or self.wizard
        self.qtbot.keyClick(focus, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    def page(self) -> str:
        return self.wizard.current_step().key

    # Whole pages, with realistic answers ----------------------------------------------------
    def caller_self(self, phone: str = "0144-11-2233") -> None:
        w = self.wizard.caller
        self.choose(w.relationship, "self")
        self.type(w.phone, phone)
        self.next()
        assert self.page() == "patient"

    def caller_family(self, relation: str, name: str = "山田　花子") -> None:
        """A family member on the phone, by the relation the clerk picks (妻, 娘, 母…)."""
        w = self.wizard.caller
        self.choose(w.relationship, relation)
        self.type(w.name, name)
        self.type(w.furigana, "やまだ　はなこ")
        self.type(w.phone, "09012345678")
        self.next()
        assert self.page() == "patient"

    def patient(
        self,
        name: str = "山田　太郎",
        furigana: str = "やまだ　たろう",
        birth: str = "S45.3.15",
        postal: str = "0530022",
    ) -> None:
        w = self.wizard.patient
        self.type(w.name, name)
        self.type(w.furigana, furigana)
        self.type(w.birth, birth)
        self.choose(w.sex, "male")
        self.type(w.postal, postal)
        self.type(w.address, "1-1-1", replace=False)
        self.next()

    def doctor(self) -> None:
        w = self.wizard.doctor
        self.type(w.institution, "みなと内科クリニック")
        self.type(w.department, "消化器内科")
        self.type(w.doctor, "北村　誠司")
        self.type(w.diagnosis, "胃がん")
        self.choose(w.informed, "yes")
        self.next()
        assert self.page() == "content"

    def content(self, category: str = "major_operation") -> None:
        w = self.wizard.content
        self.choose(w.category, category)
        self.type(w.text, "手術を勧められたが薬の治療も聞きたい", enter=False)
        self.type(w.dates, "平日の午前")
        self.next()


@pytest.fixture
def wizard(qtbot, runner: ServiceRunner) -> Iterator[IntakeWizard]:
    w = IntakeWizard(runner, today=TODAY)
    # An explicit minimum, as the main window has: the offscreen platform warns whenever a
    # window's minimum follows its layout, and the wizard's notes come and go as one types.
    w.setMinimumSize(1100, 760)
    settle_layout(w)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w


@pytest.fixture
def drive(qtbot, wizard: IntakeWizard) -> Driver:
    return Driver(qtbot, wizard)
