"""The first-run checklist above the pages: what a new clinic sets up first, each item one
click from its settings, until every item is done (then it hides for good)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.domain.changes import Change
from desktop_app.services.setup_checklist import SetupChecklist, setup_checklist
from desktop_app.ui.actions import ChangeNotice, ServiceRunner

TITLE = "はじめに：受付を始める前に、次の設定をしてください"


class SetupBanner(QFrame):
    """Hidden until ``refresh`` finds something left to set up."""

    open_requested = Signal(object)  # SetupPlace

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.checklist: SetupChecklist | None = None
        self.setObjectName("setupBanner")
        self.setStyleSheet(
            "#setupBanner { background: #fff8e1; border-bottom: 1px solid #e6d48a; }"
        )
        title = QLabel(TITLE)
        title.setStyleSheet("font-weight: bold;")
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(12)
        self.rows.setVerticalSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.addWidget(title)
        layout.addLayout(self.rows)
        self.marks: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        self.hide()
        runner.changed.connect(self._on_changed)

    def refresh(self) -> None:
        checklist = self._runner.read(self, setup_checklist)
        if checklist is None:
            return
        self.checklist = checklist
        if not self.marks:
            for row, item in enumerate(checklist.items):
                mark, label = QLabel(), QLabel(item.label)
                button = QPushButton("設定を開く…")
                button.setAutoDefault(False)
                button.setAccessibleName(f"{item.label}：設定を開く")  # four alike otherwise
                button.clicked.connect(lambda _=False, p=item.place: self.open_requested.emit(p))
                self.rows.addWidget(mark, row, 0)
                self.rows.addWidget(label, row, 1)
                self.rows.addWidget(button, row, 2)
                self.marks[item.key], self.buttons[item.key] = mark, button
            self.rows.setColumnStretch(1, 1)
        for item in checklist.items:
            self.marks[item.key].setText("✔ 済" if item.done else "□ 未")
            self.buttons[item.key].setEnabled(not item.done)
        self.setVisible(not checklist.done)

    def _on_changed(self, notice: ChangeNotice) -> None:
        waiting = self.checklist is not None and not self.checklist.done
        if waiting and notice.touches(Change.SETTINGS | Change.MASTERS):
            self.refresh()
