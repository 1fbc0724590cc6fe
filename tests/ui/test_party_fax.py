"""The patient's and the family caller's FAX numbers on the screens: the case window's 概要,
訂正 (a corrected number is saved with its history), and 「FAXで送る」 offering them, the
cover naming the patient 様."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QGroupBox, QLabel
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.forms import FormKind
from desktop_app.domain.people import Relationship
from desktop_app.domain.settings import DateStyle
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail, NewCaller, NewPatient
from desktop_app.services.forms import render_form
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import Store
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_detail_sections import overview
from desktop_app.ui.case_edit_dialog import TAB_CALLER, TAB_PATIENT, CaseEditDialog
from desktop_app.ui.fax_send_dialog import FaxSendDialog
from desktop_app.ui.print_preview import PrintPreviewDialog
from tests.services.test_print_job import cups_pdf_queue, take_cups_pdf

PATIENT = NewPatient(
    name="山田　太郎",
    furigana="ヤマダ　タロウ",
    postal_code="0530022",
    address="北海道苫小牧市表町1-1-1",
    phone="0144-11-2233",
)
DAUGHTER = NewCaller(name="山田　花子", relationship=Relationship.CHILD, relation="娘")


def _groups(widget) -> dict[str, list[tuple[str, str]]]:
    """Each group's rows as (label, value) texts."""
    found = {}
    for box in widget.findChildren(QGroupBox):
        labels = [label.text() for label in box.findChildren(QLabel)]
        found[box.title()] = list(zip(labels[::2], labels[1::2], strict=True))
    return found


def test_the_overview_shows_the_fax_numbers(qtbot, make_case: Callable[..., CaseDetail]) -> None:
    case = make_case(
        patient=dataclasses.replace(PATIENT, fax="0144112234"),
        caller=dataclasses.replace(DAUGHTER, fax="0112223344"),
    )
    widget = overview(case, DateStyle.SEIREKI)
    qtbot.addWidget(widget)
    groups = _groups(widget)
    assert ("FAX", "0144-11-2234") in groups["患者"]
    assert ("FAX", "011-222-3344") in groups["相談者"]


@pytest.fixture
def dialog_for(qtbot, runner: ServiceRunner) -> Callable[[int], CaseEditDialog]:
    def make(case_id: int) -> CaseEditDialog:
        dialog = CaseEditDialog(runner, case_id)
        qtbot.addWidget(dialog)
        assert dialog.load()
        return dialog

    return make


def test_a_corrected_fax_number_is_saved_with_its_history(
    qtbot, store: Store, runner: ServiceRunner, make_case, dialog_for
) -> None:
    case = make_case(patient=PATIENT, caller=dataclasses.replace(DAUGHTER, fax="0112223344"))
    dialog = dialog_for(case.id)
    assert dialog.fax.editor.text() == ""
    assert dialog.caller_fax.editor.text() == "011-222-3344"
    assert dialog.caller_fax.editor.isEnabled()

    dialog.tabs.setCurrentIndex(TAB_CALLER)
    dialog.fax.editor.clear()
    qtbot.keyClicks(dialog.fax.editor, "0144-11-223")  # a digit short
    assert dialog.save() is None
    assert dialog.error_texts() == {"fax": "FAX番号は0から始まる10桁または11桁で入力してください。"}
    assert dialog.tabs.currentIndex() == TAB_PATIENT

    qtbot.keyClicks(dialog.fax.editor, "4")
    dialog.caller_fax.editor.clear()
    with qtbot.waitSignal(runner.changed):
        assert dialog.save() is not None
    stored = get_case(store, case.id)
    assert stored.patient.fax == "0144112234"
    assert stored.caller is not None and stored.caller.fax == ""
    with store.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.edit")).one()
    assert entry.before == {"fax": "", "caller_fax": "0112223344"}
    assert entry.after == {"fax": "0144112234", "caller_fax": ""}

    again = dialog_for(case.id)
    assert again.fax.editor.text() == "0144-11-2234"


def test_the_patient_on_the_phone_has_no_caller_fax_field(make_case, dialog_for) -> None:
    dialog = dialog_for(make_case().id)  # the patient called for themselves
    assert not dialog.caller_fax.editor.isEnabled()


def test_fax_to_the_patient_from_the_preview(
    qtbot, store: Store, runner: ServiceRunner, make_case, shown_errors: list[str]
) -> None:
    """No FAX number at the clinic, one at the patient's home: the patient is offered, and
    what the FAX printer gets opens with a cover addressed to them."""
    queue = cups_pdf_queue()
    case = make_case(patient=dataclasses.replace(PATIENT, fax="0144-11-2234"))
    preview = PrintPreviewDialog(runner, render_form(store, FormKind.APPLICATION, case.id))
    qtbot.addWidget(preview)
    preview.show()
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready)
    assert preview.fax_button.isVisible()
    if queue is None:
        pytest.skip("no running CUPS with a cups-pdf queue (tools/install-os-packages.sh)")

    update_settings(store, dataclasses.replace(get_settings(store), fax_printer=queue))
    qtbot.mouseClick(preview.fax_button, Qt.MouseButton.LeftButton)
    dialog = preview.fax_dialog
    assert isinstance(dialog, FaxSendDialog)
    assert dialog.to_combo.currentText() == "患者さん：山田　太郎（FAX 0144-11-2234）"
    with qtbot.waitSignal(dialog.sent, timeout=60_000):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert shown_errors == []
    job = dialog.last_job
    assert job is not None and len(job.request_ids) == 1
    cover = PdfReader(io.BytesIO(take_cups_pdf(job.request_ids[0]))).pages[0].extract_text()
    assert "宛先 山田" in cover and "様" in cover and "御中" not in cover
    history = [entry.summary for entry in get_case(store, case.id).history]
    assert any("をFAX送信（山田　太郎、FAX 0144-11-2234" in s for s in history)
