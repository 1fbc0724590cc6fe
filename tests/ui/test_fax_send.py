"""「FAXで送る…」 in the print preview: the packet (the FAX送付状 with its page count, then the
form) goes to the FAX printer of the settings, here the cups-pdf queue, and is recorded; with no
FAX printer set, or one not installed, one line says so and nothing is sent or recorded. The
CUPS test reads the job cups-pdf wrote back; without such a queue it is skipped."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinterInfo

from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail, NewReferrer
from desktop_app.services.forms import RenderedForm, render_form
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import Store
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.fax_send_dialog import NOT_SET, FaxSendDialog
from desktop_app.ui.print_preview import PrintPreviewDialog
from desktop_app.ui.settings_page import SettingsPage
from tests.services.test_print_job import cups_pdf_queue, take_cups_pdf

CLINIC_FAX = "0144-22-3344"
REFERRER = NewReferrer(
    institution="みなと内科クリニック", department="内科", doctor="北村 誠司", fax=CLINIC_FAX
)


@pytest.fixture
def cups_queue() -> str:
    queue = cups_pdf_queue()
    if queue is None:
        pytest.skip("no running CUPS with a cups-pdf queue (tools/install-os-packages.sh)")
    return queue


@pytest.fixture
def faxable_case(make_case: Callable[..., CaseDetail]) -> CaseDetail:
    return make_case(referrer=REFERRER)


def _set_fax_printer(store: Store, name: str) -> None:
    update_settings(store, dataclasses.replace(get_settings(store), fax_printer=name))


def _preview(qtbot, runner: ServiceRunner, form: RenderedForm) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(runner, form)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready)
    return dialog


def test_the_packet_goes_to_the_fax_printer_with_its_cover_first_and_is_recorded(
    qtbot,
    store: Store,
    runner: ServiceRunner,
    faxable_case: CaseDetail,
    cups_queue: str,
    shown_errors: list[str],
) -> None:
    _set_fax_printer(store, cups_queue)
    preview = _preview(qtbot, runner, render_form(store, FormKind.PACKET, faxable_case.id))
    form_pages = preview.document.pageCount()
    assert preview.fax_button.isVisible()
    assert not preview.fax_button.isDefault() and not preview.fax_button.autoDefault()

    qtbot.mouseClick(preview.fax_button, Qt.MouseButton.LeftButton)
    dialog = preview.fax_dialog
    assert isinstance(dialog, FaxSendDialog) and dialog.isVisible()
    assert dialog.printer_label.text() == cups_queue
    assert dialog.to_combo.currentText() == f"紹介元：みなと内科クリニック 内科（FAX {CLINIC_FAX}）"
    assert dialog.pages_label.text().startswith(f"{1 + form_pages}枚")
    assert dialog.cancel_button.isDefault() and not dialog.send_button.autoDefault()

    with qtbot.waitSignal(dialog.sent, timeout=60_000) as sent:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
        assert not dialog.send_button.isEnabled()  # one FAX at a time
    assert sent.args == [1 + form_pages]
    assert shown_errors == []
    assert not dialog.isVisible()
    assert preview.status_label.text() == f"FAXで送信しました（{1 + form_pages}枚）。"
    assert preview.sent_recorded == Channel.FAX

    # What the FAX printer got: one job, the cover first, its count right, then the form.
    job = dialog.last_job
    assert job is not None and job.printer == cups_queue and len(job.request_ids) == 1
    faxed = PdfReader(io.BytesIO(take_cups_pdf(job.request_ids[0])))
    assert len(faxed.pages) == 1 + form_pages == job.pages
    # (cups-pdf re-encodes the fonts: the largest type no longer reads back as text.)
    cover = faxed.pages[0].extract_text()
    assert "送付状" in cover and "宛先 みなと内科クリニック" in cover
    found = re.search(r"送信枚数\s*(\d+)\s*枚", cover)
    assert found is not None and int(found.group(1)) == 1 + form_pages
    assert "お申し込み書類の送付" in cover
    assert "送付状" not in faxed.pages[1].extract_text()

    case = get_case(store, faxable_case.id)
    assert case.stage == Stage.FORMS_SENT
    cover_letter = next(
        d
        for d in case.documents
        if d.kind == DocumentKind.COVER_LETTER and d.direction == Direction.OUT
    )
    assert cover_letter.channel == Channel.FAX
    history = [entry.summary for entry in case.history]
    assert any("をFAX送信（みなと内科クリニック 内科" in s for s in history)


def test_without_a_fax_printer_one_line_says_so_and_nothing_is_sent(
    qtbot,
    store: Store,
    runner: ServiceRunner,
    faxable_case: CaseDetail,
    shown_errors: list[str],
) -> None:
    preview = _preview(qtbot, runner, render_form(store, FormKind.REFERRAL, faxable_case.id))
    before = get_case(store, faxable_case.id)

    with qtbot.assertNotEmitted(runner.changed):
        qtbot.mouseClick(preview.fax_button, Qt.MouseButton.LeftButton)
    assert shown_errors == [NOT_SET]
    assert NOT_SET == "FAXのプリンタが設定されていません（設定 → FAX送信のプリンタ）。"

    _set_fax_printer(store, "Brother PC-FAX on desk 2")
    with qtbot.assertNotEmitted(runner.changed):
        assert not preview.fax_form()
    assert shown_errors[1] == (
        "FAXのプリンタ「Brother PC-FAX on desk 2」が見つかりません（設定 → FAX送信のプリンタ）。"
    )
    assert preview.fax_dialog is None
    after = get_case(store, faxable_case.id)
    assert after.history == before.history and after.documents == before.documents


def test_no_fax_button_where_there_is_no_fax_number_or_the_form_is_not_faxed(
    qtbot,
    store: Store,
    runner: ServiceRunner,
    faxable_case: CaseDetail,
    make_case: Callable[..., CaseDetail],
) -> None:
    no_number = make_case(
        name="佐藤　一郎",
        furigana="サトウ　イチロウ",
        referrer=NewReferrer(institution="さくら病院", department="外科", doctor="南 一郎"),
    )
    assert not _preview(
        qtbot, runner, render_form(store, FormKind.REFERRAL, no_number.id)
    ).fax_button.isVisible()
    label = _preview(qtbot, runner, render_form(store, FormKind.LABEL, faxable_case.id))
    assert not label.fax_button.isVisible() and not label.fax_form()
    blank = _preview(qtbot, runner, render_form(store, FormKind.REFERRAL))
    assert not blank.fax_button.isVisible()


def test_the_settings_page_offers_the_installed_printers_and_keeps_a_typed_one(
    qtbot, store: Store, runner: ServiceRunner
) -> None:
    page = SettingsPage(runner)
    qtbot.addWidget(page)
    installed = QPrinterInfo.availablePrinterNames()
    assert [page.fax_printer.itemText(i) for i in range(page.fax_printer.count())] == installed
    assert page.fax_printer.currentText() == ""
    page.fax_printer.setCurrentText("Brother PC-FAX")
    assert page.save() is not None
    assert get_settings(store).fax_printer == "Brother PC-FAX"
    page.reload()
    assert page.fax_printer.currentText() == "Brother PC-FAX"
