"""The 統計 page's 「月報を印刷…」: the period on screen in the real print preview, printed or
saved, and recorded as the 月報 (not as any case's form)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.statistics import PeriodKind
from desktop_app.services.store import Store
from desktop_app.ui import print_preview
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.print_preview import PrintPreviewDialog
from desktop_app.ui.stats_page import StatsPage
from tests.services.stats_dataset import build_known_year

# The offscreen platform says so whenever a top-level widget with a chart view is shown.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def page(qtbot, store: Store, runner: ServiceRunner) -> StatsPage:
    build_known_year(store)
    widget = StatsPage(runner)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    qtbot.waitUntil(lambda: not widget.is_busy(), timeout=20_000)
    return widget


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return "".join((reader.pages[0].extract_text() or "").split())


def _opened(qtbot, page: StatsPage) -> PrintPreviewDialog:
    qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(PrintPreviewDialog)
    assert isinstance(dialog, PrintPreviewDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready)
    return dialog


def _last_entry(store: Store) -> tuple[str, str, str]:
    with store.read() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    return entry.action, entry.entity_id, entry.summary


def test_the_button_previews_the_year_on_screen_and_saving_is_logged_as_the_report(
    qtbot, page: StatsPage, store: Store, monkeypatch, tmp_path: Path
) -> None:
    assert page.report_button.isEnabled() and page.report_button.text() == "月報を印刷…"
    dialog = _opened(qtbot, page)
    assert dialog.isVisible() and dialog.document.pageCount() == 1
    assert "月報" in dialog.windowTitle() and "2026年" in dialog.windowTitle()
    text = _text(dialog.form.pdf)
    assert "令和8年（2026年1月〜12月）" in text and "16,500円" in text
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(print_preview, "ask_save_path", lambda _p, name: str(target))
    assert dialog.form.file_name == "月報_2026年.pdf"
    assert dialog.save_form()
    assert target.read_bytes() == dialog.form.pdf
    assert _last_entry(store) == (
        AuditAction.FORM_PRINT,
        "monthly-report",
        "月報（令和8年（2026年1月〜12月））をPDF保存",
    )


def test_a_fiscal_year_chosen_is_the_one_printed(
    qtbot, page: StatsPage, store: Store, print_to: Path
) -> None:
    page.set_kind(PeriodKind.FISCAL_YEAR)
    page.year.setValue(2025)
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=20_000)
    dialog = _opened(qtbot, page)
    assert "令和7年度（2025年4月〜2026年3月）" in _text(dialog.form.pdf)
    with qtbot.waitSignal(dialog.print_finished, timeout=20_000) as printed:
        dialog.print_form()
    assert printed.args == [True]
    assert print_to.exists()
    assert _last_entry(store)[2] == "月報（令和7年度（2025年4月〜2026年3月））を印刷"


def test_a_reversed_custom_period_is_told_and_opens_nothing(
    qtbot, store: Store, runner: ServiceRunner, shown_errors
) -> None:
    widget = StatsPage(runner)
    qtbot.addWidget(widget)
    widget.set_kind(PeriodKind.CUSTOM)
    widget.date_from.setDate(widget.date_to.date().addDays(1))
    assert widget.print_monthly_report() is None
    assert shown_errors and "期間" in shown_errors[0]
    assert widget.findChild(PrintPreviewDialog) is None
