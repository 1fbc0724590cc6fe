"""Every combo box in ui/ hands back the Python value its item was added with.

Qt turns a StrEnum stored as item data into a plain str, and ``'fax' == Channel.FAX`` is True,
so only ``type(x) is Channel`` shows the difference that crashed the report hand-over.
"""

from __future__ import annotations

import ast
import datetime as dt
from enum import IntEnum
from pathlib import Path

import pytest

import desktop_app.ui
from desktop_app.domain.documents import Channel, ContactKind, ReportChannel
from desktop_app.domain.roles import Role
from desktop_app.domain.stages import Stage
from desktop_app.ui.value_combo import ValueCombo
from desktop_app.ui.visit_dialogs import ReportDialog

UI = Path(desktop_app.ui.__file__).parent


class _Size(IntEnum):
    SMALL = 1


@pytest.mark.parametrize(
    "value",
    [Channel.FAX, ReportChannel.SENT_TO_DOCTOR, Role.DOCTOR, Stage.BOOKED, ContactKind.FAX_IN,
     _Size.SMALL, (3, 4), 7, "", None, dt.date(2026, 6, 10)],
)  # fmt: skip
def test_a_value_comes_back_as_itself(qtbot, value: object) -> None:
    combo = ValueCombo()
    qtbot.addWidget(combo)
    combo.add("先頭", "first")
    combo.add("値", value)
    assert combo.set_value(value)
    assert combo.value() == value and type(combo.value()) is type(value)
    assert combo.values()[1] is value or combo.values()[1] == value
    combo.setCurrentIndex(0)
    assert combo.value() == "first"


def test_inserting_clearing_and_an_unknown_value(qtbot) -> None:
    combo = ValueCombo()
    qtbot.addWidget(combo)
    combo.add("FAX", Channel.FAX)
    combo.insert(0, "郵送", Channel.MAIL)
    assert combo.values() == [Channel.MAIL, Channel.FAX]
    assert not combo.set_value(Channel.HANDED) and combo.value() is Channel.FAX
    combo.clear()
    assert combo.value() is None and combo.index_of(Channel.FAX) == -1


def test_the_report_dialog_hands_a_report_channel(qtbot) -> None:
    dialog = ReportDialog(dt.date(2026, 6, 1), None, None)
    qtbot.addWidget(dialog)
    dialog.channel_combo.setCurrentIndex(2)  # 主治医に送付
    assert type(dialog.values()["channel"]) is ReportChannel


def _calls(path: Path) -> list[tuple[int, str, int]]:
    """(line, method, number of arguments) of every call of a method named like Qt's
    item-data API in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            found.append((node.lineno, node.func.attr, len(node.args)))
    return found


def test_no_combo_in_ui_keeps_its_values_in_qt() -> None:
    """Item data goes in and out through ValueCombo only (a QListWidget's items aside)."""
    offending = [
        f"{path.relative_to(UI)}:{line} {name}"
        for path in sorted(UI.rglob("*.py"))
        if path.name != "value_combo.py"
        for line, name, count in _calls(path)
        if name in ("currentData", "findData", "itemData", "setItemData", "insertItem")
        or (name == "addItem" and count >= 2)
    ]
    assert offending == []
