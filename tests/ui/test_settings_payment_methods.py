"""設定: the payment methods the 会計 form offers (the first is the default)."""

from __future__ import annotations

import pytest

from desktop_app.services.settings import get_settings
from desktop_app.ui.settings_page import SettingsPage, parse_methods
from tests.ui.conftest import type_japanese


@pytest.fixture
def page(qtbot, runner) -> SettingsPage:
    p = SettingsPage(runner)
    qtbot.addWidget(p)
    return p


def test_the_methods_show_and_save_in_the_order_typed(page: SettingsPage, store) -> None:
    assert page.methods_edit.text() == "現金、クレジットカード、電子マネー"
    page.methods_edit.clear()
    type_japanese(page.methods_edit, "クレジットカード、現金, QR決済、現金")
    assert page.save() is not None
    assert get_settings(store).payment_methods == ("クレジットカード", "現金", "QR決済")
    assert page.methods_edit.text() == "クレジットカード、現金、QR決済"


def test_no_method_is_refused_beside_the_field(page: SettingsPage, store) -> None:
    page.methods_edit.clear()
    assert page.save() is None
    error = page.errors["payment_methods"]
    assert not error.isHidden()
    assert "支払方法を1つ以上" in error.text()
    assert get_settings(store).payment_methods == ("現金", "クレジットカード", "電子マネー")


def test_a_too_long_name_is_refused_beside_the_field(page: SettingsPage, store) -> None:
    page.methods_edit.setText("現金、" + "x" * 41)
    assert page.save() is None
    assert "40文字以内" in page.errors["payment_methods"].text()
    assert get_settings(store).payment_methods[0] == "現金"


def test_methods_are_split_on_any_of_the_marks() -> None:
    assert parse_methods("現金、カード,QR\n振込，  ") == ("現金", "カード", "QR", "振込")
