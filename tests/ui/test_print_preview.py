from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QPageLayout
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter

from desktop_app.domain import clock
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case
from desktop_app.services.demo import build_demo, mark_as_demo
from desktop_app.services.forms import render_form
from desktop_app.ui import print_preview
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.case_list import CaseListPage
from desktop_app.ui.print_job import setup_printer
from desktop_app.ui.print_menu import CASE_FORMS
from desktop_app.ui.print_preview import PrintPreviewDialog

TODAY = clock.today()


@pytest.fixture
def detail(qtbot, runner: ServiceRunner, make_case, model_tester) -> CaseDetailDialog:
    dialog = CaseDetailDialog(runner, make_case().id)
    qtbot.addWidget(dialog)
    for model in (dialog.documents_model, dialog.history_model):
        model_tester(model)
    assert dialog.load()
    return dialog


def _open(qtbot, dialog: PrintPreviewDialog | None) -> PrintPreviewDialog:
    assert isinstance(dialog, PrintPreviewDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready)
    return dialog


def _summaries(store, case_id: int) -> list[str]:
    return [entry.summary for entry in get_case(store, case_id).history]


def _sent_on(store, case_id: int, kind: DocumentKind) -> dt.date | None:
    docs = get_case(store, case_id).documents
    return next(d.sent_on for d in docs if d.kind == kind and d.direction == Direction.OUT)


def test_case_menu_lists_the_forms_in_order(detail) -> None:
    texts = [a.text() for a in detail.print_button.menu().actions() if not a.isSeparator()]
    assert texts == [k.menu_label for k in CASE_FORMS]
    assert texts[:2] == ["送付書類一式", "申込書"]
    assert texts[-1] == "ご案内"


def test_menu_opens_the_preview_of_the_application(qtbot, detail) -> None:
    action = next(a for a in detail.print_button.menu().actions() if a.text() == "申込書")
    action.trigger()
    dialog = _open(qtbot, detail.findChild(PrintPreviewDialog))
    assert dialog.form.kind == FormKind.APPLICATION
    assert dialog.form.case_id == detail.case_id
    assert dialog.document.pageCount() >= 1
    assert dialog.pages_label.text() == f"全{dialog.document.pageCount()}ページ・A4"
    assert dialog.view.pageMode() == QPdfView.PageMode.MultiPage
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert detail.detail is not None and detail.detail.case_number in dialog.windowTitle()


def test_zoom_in_and_out_then_fit_again(qtbot, detail) -> None:
    dialog = _open(qtbot, detail.open_form(FormKind.APPLICATION))
    dialog.zoom_in()
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.Custom
    larger = dialog.view.zoomFactor()
    dialog.zoom_out()
    assert dialog.view.zoomFactor() < larger
    assert dialog.zoom_label.text().endswith("%")
    dialog.fit_to_width()
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert not dialog.fit_button.isEnabled()


def test_printing_to_a_file_writes_the_forms_own_pdf_and_records_on_the_case(
    qtbot, store, runner, detail, print_to: Path
) -> None:
    dialog = _open(qtbot, detail.open_form(FormKind.APPLICATION))
    with qtbot.waitSignal(runner.changed), qtbot.waitSignal(dialog.print_finished) as done:
        dialog.print_button.click()
    assert done.args == [True]

    # The print dialog's "print to file (PDF)" gets the form itself: vector, exact, private.
    assert print_to.read_bytes() == dialog.form.pdf
    if os.name == "posix":
        assert stat.S_IMODE(print_to.stat().st_mode) == 0o600

    summaries = _summaries(store, detail.case_id)
    assert "セカンドオピニオン外来申込書を印刷" in summaries
    # Printing is not sending: the clerk answered "not yet" (tests/ui/conftest.py).
    assert _sent_on(store, detail.case_id, DocumentKind.APPLICATION_FORM) is None
    # The open case detail refreshed itself from the changed signal.
    assert detail.tabs.tabText(4) == f"変更履歴（{len(summaries)}）"
    assert dialog.status_label.text() == "印刷しました。"


def test_printing_to_a_database_file_is_refused_and_records_nothing(
    qtbot, store, runner, detail, monkeypatch, shown_errors
) -> None:
    assert store.file is not None
    target = store.file

    def choose(_parent, printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return True

    monkeypatch.setattr(print_preview, "ask_printer", choose)
    dialog = _open(qtbot, detail.open_form(FormKind.APPLICATION))
    before = target.read_bytes()[:100]
    with qtbot.assertNotEmitted(runner.changed):
        assert not dialog.print_form()
    assert target.read_bytes()[:100] == before
    assert len(shown_errors) == 1 and shown_errors[0].startswith("印刷できませんでした。")
    assert dialog.status_label.text() == ""


def test_backing_out_of_the_print_dialog_records_nothing(
    qtbot, store, runner, detail, monkeypatch
) -> None:
    monkeypatch.setattr(print_preview, "ask_printer", lambda _parent, _printer: False)
    dialog = _open(qtbot, detail.open_form(FormKind.APPLICATION))
    before = _summaries(store, detail.case_id)
    with qtbot.assertNotEmitted(runner.changed):
        assert not dialog.print_form()
    assert _summaries(store, detail.case_id) == before


def test_save_writes_the_exact_pdf_and_records_it(
    qtbot, store, runner, detail, monkeypatch, tmp_path: Path
) -> None:
    target = tmp_path / "保存先" / "application.pdf"
    target.parent.mkdir()
    suggested: list[str] = []

    def answer(_parent, name: str) -> str:
        suggested.append(name)
        return str(target)

    monkeypatch.setattr(print_preview, "ask_save_path", answer)
    dialog = _open(qtbot, detail.open_form(FormKind.APPLICATION))
    with qtbot.waitSignal(runner.changed):
        dialog.save_button.click()
    assert suggested == [dialog.form.file_name]
    assert target.read_bytes() == dialog.form.pdf
    assert "セカンドオピニオン外来申込書をPDF保存" in _summaries(store, detail.case_id)
    assert _sent_on(store, detail.case_id, DocumentKind.APPLICATION_FORM) is None


def test_after_printing_the_packet_the_clerk_says_it_went_by_fax(
    qtbot, store, runner, detail, print_to: Path, monkeypatch
) -> None:
    asked: list[str] = []

    def answer(_parent, title: str) -> Channel:
        asked.append(title)
        return Channel.FAX

    monkeypatch.setattr(print_preview, "ask_sent", answer)
    dialog = _open(qtbot, detail.open_form(FormKind.PACKET))
    with qtbot.waitSignal(runner.changed):
        dialog.print_button.click()
    assert asked == ["送付書類一式"]
    assert dialog.sent_recorded is Channel.FAX
    assert _sent_on(store, detail.case_id, DocumentKind.APPLICATION_FORM) == TODAY
    assert get_case(store, detail.case_id).stage is Stage.FORMS_SENT
    assert any(s.startswith("送付：送付書類一式（FAX") for s in _summaries(store, detail.case_id))


def test_forms_not_tracked_are_not_asked_about(
    qtbot, store, runner, detail, print_to: Path, monkeypatch
) -> None:
    monkeypatch.setattr(print_preview, "ask_sent", lambda *_: pytest.fail("asked"))
    dialog = _open(qtbot, detail.open_form(FormKind.LABEL))
    with qtbot.waitSignal(runner.changed):
        dialog.print_button.click()
    assert dialog.sent_recorded is None


def test_save_failure_is_explained_and_records_nothing(
    qtbot, store, runner, detail, monkeypatch, tmp_path: Path, shown_errors
) -> None:
    missing = tmp_path / "ない" / "form.pdf"
    monkeypatch.setattr(print_preview, "ask_save_path", lambda _p, _n: str(missing))
    dialog = _open(qtbot, detail.open_form(FormKind.APPLICATION))
    with qtbot.assertNotEmitted(runner.changed):
        assert not dialog.save_form()
    assert len(shown_errors) == 1 and "PDFを保存できませんでした" in shown_errors[0]


def test_receipt_without_payment_shows_the_message_and_no_preview(detail, shown_errors) -> None:
    assert detail.open_form(FormKind.RECEIPT) is None
    assert shown_errors == ["この案件にはまだお支払いの記録がありません。"]
    assert detail.findChildren(PrintPreviewDialog) == []


def test_day_list_opens_from_the_case_list_and_records_nothing(
    qtbot, store, runner: ServiceRunner, monkeypatch, tmp_path: Path, print_to: Path
) -> None:
    mark_as_demo(store)  # build_demo fills only a database made for the demo
    build_demo(store, 15, today=TODAY)
    page = CaseListPage(runner)
    qtbot.addWidget(page)
    assert page.daylist_button.text() == "本日の予約一覧"

    dialog = _open(qtbot, page.open_day_list())
    assert dialog.form.kind == FormKind.DAYLIST
    assert dialog.form.case_id is None
    assert dialog.form.file_name == f"daylist_{TODAY.isoformat()}.pdf"
    assert dialog.document.pageCount() >= 1
    monkeypatch.setattr(print_preview, "ask_save_path", lambda _p, _n: str(tmp_path / "d.pdf"))
    with qtbot.assertNotEmitted(runner.changed):
        assert dialog.print_form()
        assert dialog.save_form()
    assert print_to.stat().st_size > 1024


def test_day_list_for_another_day(qtbot, runner: ServiceRunner) -> None:
    page = CaseListPage(runner)
    qtbot.addWidget(page)
    other = TODAY + dt.timedelta(days=3)
    page.day_edit.setDate(QDate(other.year, other.month, other.day))
    assert page.daylist_button.text() == "この日の予約一覧"
    dialog = _open(qtbot, page.open_day_list())
    assert dialog.form.file_name == f"daylist_{other.isoformat()}.pdf"
    assert f"{other.month}月{other.day}日" in dialog.windowTitle()


def test_blank_form_from_the_case_list_belongs_to_no_case(
    qtbot, runner: ServiceRunner, make_case, monkeypatch, tmp_path: Path
) -> None:
    make_case()
    page = CaseListPage(runner)
    qtbot.addWidget(page)
    action = next(a for a in page.blank_button.menu().actions() if a.text() == "申込書")
    action.trigger()
    dialog = _open(qtbot, page.findChild(PrintPreviewDialog))
    assert dialog.form.case_id is None
    assert "白紙" in dialog.windowTitle()
    monkeypatch.setattr(print_preview, "ask_save_path", lambda _p, _n: str(tmp_path / "b.pdf"))
    with qtbot.assertNotEmitted(runner.changed):
        assert dialog.save_form()


def test_each_form_shows_the_paper_it_prints_on(qtbot, store, runner: ServiceRunner) -> None:
    for kind, paper, orientation in (
        (FormKind.DAYLIST, "A4 横", QPageLayout.Orientation.Landscape),
        (FormKind.APPLICATION, "A4", QPageLayout.Orientation.Portrait),
        (FormKind.LABEL, "長形3号", QPageLayout.Orientation.Portrait),
    ):
        dialog = PrintPreviewDialog(runner, render_form(store, kind))
        qtbot.addWidget(dialog)
        assert dialog.pages_label.text().endswith(f"ページ・{paper}"), kind
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        setup_printer(printer, dialog.document, dialog.form.title)
        assert printer.pageLayout().orientation() == orientation
        assert printer.fullPage()
