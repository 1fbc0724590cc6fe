"""書類受領 with a USB barcode reader: it types the form's barcode and Enter, as a keyboard.

The barcode on every form now says the case and the form (``SO20260001AP``); the page finds
the case from it as from the bare number on forms printed before.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain.barcodes import payload
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import move_stage
from desktop_app.ui.receipt_dialog import ReceiptDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise\(\)")


@pytest.fixture
def dialog(qtbot, runner) -> ReceiptDialog:
    d = ReceiptDialog(runner)
    qtbot.addWidget(d)
    d.show()
    return d


def _scan(qtbot, dialog: ReceiptDialog, text: str) -> None:
    """What the reader does: the characters one by one, then Enter."""
    dialog.query_edit.setFocus()
    qtbot.keyClicks(dialog.query_edit, text)
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)


@pytest.mark.parametrize("kind", [FormKind.APPLICATION, FormKind.REFERRAL, FormKind.CONSENT])
def test_the_forms_barcode_finds_its_case(qtbot, dialog, make_case, store, kind) -> None:
    make_case(name="佐藤　花子", furigana="サトウ　ハナコ")
    case = make_case()
    move_stage(store, case.id, Stage.FORMS_SENT)
    scanned = payload(case.case_number, kind)
    assert scanned != case.case_number  # the new payload, not the bare number
    _scan(qtbot, dialog, scanned)
    assert dialog.case_panel.isVisible()
    assert dialog.detail is not None and dialog.detail.id == case.id
    assert dialog.checklist.hasFocus()  # ready for Space on what came in


def test_a_form_printed_before_the_form_code_still_finds_its_case(qtbot, dialog, make_case):
    case = make_case()
    _scan(qtbot, dialog, case.case_number)  # SO-2026-0001, as older barcodes say
    assert dialog.detail is not None and dialog.detail.id == case.id


def test_a_barcode_with_an_unknown_form_code_is_refused_not_guessed(qtbot, dialog, make_case):
    case = make_case()
    _scan(qtbot, dialog, payload(case.case_number) + "ZZ")
    assert dialog.detail is None and not dialog.case_panel.isVisible()
    assert "案件番号の形式ではありません" in dialog.message_label.text()
