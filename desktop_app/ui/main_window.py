"""The main window: navigation on the left, one page at a time on the right."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from desktop_app.services.store import Store
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_list import CaseListPage
from desktop_app.ui.placeholder_page import PlaceholderPage
from desktop_app.ui.settings_page import SettingsPage

PAGE_NAMES = ("受付", "書類ボード", "カレンダー", "案件一覧", "統計", "設定")
NAV_WIDTH = 170
PAGE_INTAKE, PAGE_BOARD, PAGE_CALENDAR, PAGE_CASES, PAGE_STATS, PAGE_SETTINGS = range(6)

_PLACEHOLDERS = {
    PAGE_INTAKE: (
        "受付",
        "お電話での問い合わせをその場で登録する画面です。相談者・患者・紹介元・相談内容・"
        "送付先を順に伺い、対象外にあたる場合はすぐにお知らせします。",
    ),
    PAGE_BOARD: (
        "書類ボード",
        "案件ごとの書類の送付・受領の状況を一覧にします。期限を過ぎた書類や届いていない"
        "書類は目立つように表示します。",
    ),
    PAGE_CALENDAR: (
        "カレンダー",
        "担当医の枠・休診日・予約を表示し、空いている時間に予約を取る画面です。",
    ),
    PAGE_STATS: (
        "統計",
        "月ごとの件数、紹介元・診療科ごとの件数、キャンセルや対象外の件数を集計します。",
    ),
}


class MainWindow(QMainWindow):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("SO Desk セカンドオピニオン外来 受付")
        self.resize(1280, 800)
        self.setMinimumSize(QSize(960, 600))
        self.runner = ServiceRunner(store, self)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(NAV_WIDTH)
        for number, name in enumerate(PAGE_NAMES, 1):
            item = QListWidgetItem(name)
            item.setToolTip(f"{name}（Ctrl+{number}）")
            item.setSizeHint(QSize(NAV_WIDTH - 16, 44))
            self.nav.addItem(item)

        self.case_list = CaseListPage(self.runner)
        self.settings_page = SettingsPage(self.runner)
        self.stack = QStackedWidget()
        for index in range(len(PAGE_NAMES)):
            if index == PAGE_CASES:
                page: QWidget = self.case_list
            elif index == PAGE_SETTINGS:
                page = self.settings_page
            else:
                page = PlaceholderPage(*_PLACEHOLDERS[index])
            self.stack.addWidget(page)

        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.location_label = QLabel(f"データの場所：{store.location}")
        self.location_label.setToolTip(store.location)
        self.staff_label = QLabel(f"担当：{store.staff}")
        self.statusBar().addWidget(self.location_label, 1)
        self.statusBar().addPermanentWidget(self.staff_label)

        for number in range(1, len(PAGE_NAMES) + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda index=number - 1: self.show_page(index))
        QShortcut(QKeySequence("Ctrl+F"), self).activated.connect(self.focus_search)

        self.show_page(PAGE_CASES)

    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def current_page_name(self) -> str:
        return PAGE_NAMES[self.stack.currentIndex()]

    def focus_search(self) -> None:
        """Ctrl+F from anywhere: the case list, cursor in its search box."""
        self.show_page(PAGE_CASES)
        self.case_list.focus_search()
