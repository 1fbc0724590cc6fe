from __future__ import annotations

import pytest

from desktop_app.domain.contact import MESSAGE_POSTAL
from desktop_app.domain.settings import DateStyle
from desktop_app.services.settings import get_settings
from desktop_app.ui.main_window import PAGE_SETTINGS, MainWindow
from desktop_app.ui.settings_page import SettingsPage
from tests.ui.conftest import type_japanese


@pytest.fixture
def page(qtbot, runner) -> SettingsPage:
    p = SettingsPage(runner)
    qtbot.addWidget(p)
    return p


def test_shows_the_settings_formatted(page: SettingsPage) -> None:
    assert page.edits["hospital_name"].text() == "苫小牧市立病院"
    assert page.edits["postal_code"].text() == "053-8567"
    assert page.edits["tel"].text() == "0144-84-0158"
    assert page.edits["fax"].text() == "0144-33-4678"
    assert page.spins["fee_per_block_yen"].value() == 5500
    assert page.date_style.currentData() == DateStyle.WAREKI.value


def test_saves_a_valid_change(qtbot, page: SettingsPage, runner, store) -> None:
    page.edits["hospital_name"].clear()
    type_japanese(page.edits["hospital_name"], "苫小牧市立総合病院")
    page.edits["tel"].clear()
    qtbot.keyClicks(page.edits["tel"], "0144 84 0159")
    page.spins["fee_per_block_yen"].setValue(6000)
    page.date_style.setCurrentIndex(page.date_style.findData(DateStyle.SEIREKI.value))
    with qtbot.waitSignal(runner.changed):
        page.save_button.click()
    saved = get_settings(store)
    assert saved.hospital_name == "苫小牧市立総合病院"
    assert saved.tel == "0144840159"
    assert saved.fee_per_block_yen == 6000
    assert saved.date_style == DateStyle.SEIREKI
    assert page.edits["tel"].text() == "0144-84-0159"  # shown again as the store has it
    assert page.saved_label.text() == "保存しました。"


def test_bad_postal_code_shows_beside_the_field(qtbot, window: MainWindow, store):
    # Inside the main window, shown, as the clerk sees it (focus needs a visible window).
    runner, page = window.runner, window.settings_page
    window.show_page(PAGE_SETTINGS)
    window.show()
    qtbot.waitExposed(window)
    before = get_settings(store)
    edit = page.edits["postal_code"]
    edit.clear()
    qtbot.keyClicks(edit, "12345")
    page.edits["hospital_name"].clear()
    type_japanese(page.edits["hospital_name"], "別の病院")
    with qtbot.assertNotEmitted(runner.changed):
        page.save_button.click()
    error = page.errors["postal_code"]
    assert error.isVisible()
    assert error.text() == MESSAGE_POSTAL
    assert error.parentWidget() is edit.parentWidget()  # in the field's own cell
    assert not any(e.isVisible() for name, e in page.errors.items() if name != "postal_code")
    qtbot.waitUntil(edit.hasFocus)
    assert get_settings(store) == before
    # Correcting it clears the message on the next save.
    edit.clear()
    qtbot.keyClicks(edit, "0538567")
    page.save_button.click()
    assert not error.isVisible()
    assert get_settings(store).hospital_name == "別の病院"
