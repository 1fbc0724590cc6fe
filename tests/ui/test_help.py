"""Help on F1: the manual's links resolve, every screen has its page, every page and dialog
class has its section, and F1 in a real window opens the help there."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTabWidget, QWidget

import desktop_app.ui
from desktop_app.ui import help as help_module
from desktop_app.ui.help import (
    HELP_SECTIONS,
    TAB_SECTIONS,
    HelpBrowser,
    help_target,
    help_window,
    install_help,
    manual_dir,
)
from desktop_app.ui.main_window import PAGE_NAMES, MainWindow

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
# The screens the manual must describe (issue 27): page file -> its title's first words.
SCREENS = {
    "intake.md": "受付",
    "board.md": "書類ボード",
    "fax-inbox.md": "受信FAX",
    "calendar.md": "カレンダー",
    "cases.md": "案件一覧",
    "case-window.md": "案件ウィンドウ",
    "stats.md": "統計",
    "settings.md": "設定",
    "receipt.md": "書類受領",
    "booking.md": "予約",
    "visit.md": "当日受付・会計",
    "print.md": "印刷プレビュー",
    "sign-in.md": "サインイン・画面ロック",
    "first-start.md": "はじめての起動",
    "daily.md": "毎日の流れ",
    "backup.md": "バックアップと復元",
    "trouble.md": "困ったとき",
}


def _pages() -> list[Path]:
    return sorted(manual_dir().glob("*.md"))


def _without_code(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.DOTALL)


@pytest.fixture(autouse=True)
def _help_closed() -> Iterator[None]:
    install_help(QApplication.instance())  # type: ignore[arg-type]
    yield
    window = help_window()
    if window is not None:
        window.close()
        window.deleteLater()
    help_module._help_window = None


@pytest.fixture(scope="module")
def anchors() -> dict[str, list[str]]:
    """Each page's anchors, as the help window renders it."""
    browser = HelpBrowser()
    found = {}
    for page in _pages():
        browser.setSource(QUrl.fromLocalFile(str(page)))
        found[page.name] = browser.anchors()
    browser.deleteLater()
    return found


def _shots() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "manual_screenshots", ROOT / "tools" / "manual_screenshots.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_link_resolves(anchors: dict[str, list[str]]) -> None:
    broken = []
    for page in _pages():
        for bang, _text, target in LINK.findall(_without_code(page.read_text(encoding="utf-8"))):
            if bang or target.startswith(("http://", "https://", "mailto:")):
                continue
            name, _, anchor = target.partition("#")
            name = name or page.name
            if name not in anchors:
                broken.append(f"{page.name}: {target} (no such page)")
            elif anchor and anchor not in anchors[name]:
                broken.append(f"{page.name}: {target} (no such section)")
    assert broken == []


def test_every_picture_is_one_the_tool_makes_and_has_words() -> None:
    shots = set(_shots().SHOTS)
    problems = []
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        for bang, alt, target in LINK.findall(text):
            if not bang:
                continue
            if not alt.strip():
                problems.append(f"{page.name}: {target} has no alt text")
            if not re.fullmatch(r"images/[a-z-]+\.png", target) or Path(target).stem not in shots:
                problems.append(f"{page.name}: {target} is not made by tools/manual_screenshots.py")
            # The caption under the picture says what it shows when the picture is absent.
            after = text.split(f"]({target})", 1)[1].lstrip("\n")
            if not after.startswith("*図："):
                problems.append(f"{page.name}: {target} has no caption")
    assert problems == []


def test_every_screen_has_a_page_linked_from_the_index(anchors: dict[str, list[str]]) -> None:
    index = (manual_dir() / "index.md").read_text(encoding="utf-8")
    linked = {target.partition("#")[0] for _b, _t, target in LINK.findall(index)}
    for name, title in SCREENS.items():
        page = manual_dir() / name
        assert page.is_file(), name
        first = page.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(f"# {title}"), (name, first)
        assert name in linked, f"index.md does not link {name}"
    # Every page of the main window's navigation has its own page.
    titles = {p.read_text(encoding="utf-8").splitlines()[0][2:] for p in _pages()}
    for label in PAGE_NAMES:
        assert any(t.startswith(label) for t in titles), label
    # No page is left out of the index, and no page has two sections with one anchor.
    assert {p.name for p in _pages()} - {"index.md"} <= linked
    for name, found in anchors.items():
        assert len(found) == len(set(found)), name


def test_the_index_lists_the_page_keys_in_the_navigation_order() -> None:
    index = (manual_dir() / "index.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| Ctrl\+(\d) \| ([^|]+?) \|$", index, flags=re.MULTILINE))
    assert [listed.get(str(n)) for n in range(1, len(PAGE_NAMES) + 1)] == list(PAGE_NAMES)


def _ui_modules() -> list[ModuleType]:
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(desktop_app.ui.__path__, "desktop_app.ui.")
    ]


def _dialogs_and_pages() -> set[type]:
    found: set[type] = set()
    for module in _ui_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith("desktop_app.ui") or not issubclass(cls, QWidget):
                continue
            if issubclass(cls, QDialog) or cls.__name__.endswith("Page"):
                found.add(cls)
    return found


def test_the_f1_mapping_covers_every_page_and_dialog(window: MainWindow, anchors) -> None:
    classes = _dialogs_and_pages()
    for index in range(len(PAGE_NAMES)):  # the main window's pages, whatever their names
        window.show_page(index)
        classes.add(type(window.stack.currentWidget()))
    assert len(classes) > 40
    missing = sorted(cls.__name__ for cls in classes if cls.__name__ not in HELP_SECTIONS)
    assert missing == []
    targets = [*HELP_SECTIONS.values()] + [
        t for tabs in TAB_SECTIONS.values() for t in tabs.values()
    ]
    for target in targets:
        page, _, anchor = target.partition("#")
        assert page in anchors, target
        assert not anchor or anchor in anchors[page], target


def _press_f1(widget: QWidget) -> str:
    QTest.keyClick(widget, Qt.Key.Key_F1)
    shown = help_window()
    assert shown is not None and shown.isVisible()
    return shown.browser.section()


def test_f1_in_the_main_window_opens_the_page_in_front(qtbot, window: MainWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    assert _press_f1(window.case_list.search_edit) == "cases.md"
    window.show_page(PAGE_NAMES.index("書類ボード"))
    assert _press_f1(window.board) == "board.md"
    window.show_page(PAGE_NAMES.index("設定"))
    assert _press_f1(window.nav) == "settings.md"


def test_f1_in_the_case_window_opens_its_tab_at_the_section(qtbot, runner, make_case) -> None:
    from desktop_app.ui.case_detail import CaseDetailDialog

    dialog = CaseDetailDialog(runner, make_case().id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    qtbot.waitExposed(dialog)
    assert _press_f1(dialog) == "case-window.md#概要"
    tabs = dialog.findChild(QTabWidget)
    assert tabs is not None
    tabs.setCurrentIndex(2)  # 連絡記録
    assert _press_f1(tabs.currentWidget()) == "case-window.md#連絡記録タブ"
    tabs.setCurrentIndex(3)  # 会計
    assert _press_f1(tabs.currentWidget()) == "visit.md"


def test_f1_over_a_modal_dialog_opens_the_help_it_lets_the_clerk_use(qtbot, runner) -> None:
    from desktop_app.ui.receipt_dialog import ReceiptDialog

    dialog = ReceiptDialog(runner)
    qtbot.addWidget(dialog)
    dialog.setModal(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert QApplication.activeModalWidget() is dialog
    assert _press_f1(dialog.query_edit) == "receipt.md"
    shown = help_window()
    assert shown is not None and shown.parentWidget() is dialog  # not blocked by the dialog


def _heading_y(browser: HelpBrowser, text: str) -> float:
    document = browser.document()
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() and block.text() == text:
            return document.documentLayout().blockBoundingRect(block).y()
        block = block.next()
    raise AssertionError(f"no heading {text}")


def test_the_help_scrolls_to_the_section(qtbot) -> None:
    shown = help_module.open_help("settings.md#担当医診療枠休診日")
    qtbot.waitExposed(shown)
    browser = shown.browser
    assert browser.section() == "settings.md#担当医診療枠休診日"
    bar = browser.verticalScrollBar()
    assert 0 < _heading_y(browser, "担当医・診療枠・休診日") < bar.maximum()
    assert abs(bar.value() - _heading_y(browser, "担当医・診療枠・休診日")) <= 2
    # Near the end of a page, as far as the page goes.
    shown = help_module.open_help("settings.md#キー操作")
    assert bar.value() == bar.maximum() > 0
    shown.index_button.click()
    assert browser.section() == "index.md"
    assert bar.value() == 0
    shown.back_button.click()
    assert browser.section() == "settings.md#キー操作"
    shown.forward_button.click()
    assert browser.section() == "index.md"


def test_a_message_box_takes_its_windows_section(window: MainWindow) -> None:
    window.show_page(PAGE_NAMES.index("統計"))
    box = QMessageBox(window)
    assert help_target(box) == "stats.md"
    assert help_target(None) == "index.md"
    box.deleteLater()


def test_a_missing_picture_takes_no_room(qtbot) -> None:
    browser = HelpBrowser()
    qtbot.addWidget(browser)
    browser.setSource(QUrl.fromLocalFile(str(manual_dir() / "board.md")))
    image = browser.loadResource(
        QTextDocument.ResourceType.ImageResource.value, QUrl("images/no-such-picture.png")
    )
    assert isinstance(image, QImage)
    assert image.width() == 1 and image.height() == 1
