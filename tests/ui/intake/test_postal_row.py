from __future__ import annotations

from desktop_app.ui.intake.fields import FieldRow, line_edit
from desktop_app.ui.intake.mail_page import MailStep
from desktop_app.ui.intake.patient_page import PatientStep
from desktop_app.ui.intake.postal_row import NOT_FOUND, PostalCodeRow
from tests.ui.conftest import type_japanese


def _row(qtbot) -> PostalCodeRow:
    address = FieldRow(line_edit())
    row = PostalCodeRow(address)
    qtbot.addWidget(address)
    qtbot.addWidget(row)
    return row


def test_fills_an_empty_address_and_follows_a_new_code(qtbot) -> None:
    row = _row(qtbot)
    with qtbot.waitSignal(row.filled):
        qtbot.keyClicks(row.line, "0530022")
    first = row.address.editor.text()
    assert first.startswith("北海道苫小牧市")
    row.line.clear()
    qtbot.keyClicks(row.line, "0600042")  # another code: the filled-in town follows it
    assert row.address.editor.text() != first
    assert row.check() and row.line.text() == "060-0042"


def test_never_overwrites_an_address_the_clerk_typed(qtbot) -> None:
    row = _row(qtbot)
    type_japanese(row.address.editor, "東京都千代田区1-1")
    qtbot.keyClicks(row.line, "0530022")
    assert row.address.editor.text() == "東京都千代田区1-1"
    assert row.note.text().startswith("北海道苫小牧市")


def test_unknown_and_malformed_codes(qtbot) -> None:
    row = _row(qtbot)
    qtbot.keyClicks(row.line, "0000000")
    assert row.note.text() == NOT_FOUND and row.address.editor.text() == ""
    row.line.setText("12")
    assert not row.check() and row.error.text()


def test_both_address_pages_use_the_one_row() -> None:
    for page in (PatientStep, MailStep):
        assert "PostalCodeRow" in page.__init__.__code__.co_names
