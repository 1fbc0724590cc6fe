from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain import clock
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.stages import Stage
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import get_case
from desktop_app.services.demo import build_demo, mark_as_demo
from desktop_app.services.forms import record_printed, record_sent, render_form


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_application_is_prefilled_from_the_case(store, make_case) -> None:
    case = make_case()
    form = render_form(store, FormKind.APPLICATION, case.id)
    text = _text(form.pdf)
    assert case.case_number in text
    assert "山田" in text and "みなと内科クリニック" in text
    assert "0144-33-4678" in text  # the office's FAX, to send it back
    assert form.file_name == f"{case.case_number}_application.pdf"


def test_packet_holds_the_consent_form_only_when_family_comes_alone(store, make_case) -> None:
    alone = make_case(attendance=Attendance.FAMILY_ONLY, relationship=Relationship.SPOUSE)
    with_patient = make_case()
    pages_alone = len(
        PdfReader(io.BytesIO(render_form(store, FormKind.PACKET, alone.id).pdf)).pages
    )
    pages_with = len(
        PdfReader(io.BytesIO(render_form(store, FormKind.PACKET, with_patient.id).pdf)).pages
    )
    assert pages_alone > pages_with
    assert "相談同意書" in _text(render_form(store, FormKind.PACKET, alone.id).pdf)


def test_printing_is_not_sending_the_packet_is_sent_when_the_clerk_says(store, make_case) -> None:
    case = make_case()
    today = clock.today()
    record_printed(store, FormKind.PACKET, case.id, how="印刷", today=today)
    printed = get_case(store, case.id)
    assert all(d.sent_on is None for d in printed.documents if d.direction is Direction.OUT)
    assert printed.stage is Stage.INQUIRY
    assert printed.history[-1].summary == "送付書類一式を印刷"
    assert printed.history[-1].staff == "テスト担当"

    after = record_sent(store, FormKind.PACKET, case.id, channel=Channel.MAIL)
    sent = {d.kind: d.sent_on for d in after.documents if d.direction is Direction.OUT}
    assert sent[DocumentKind.APPLICATION_FORM] == today
    assert sent[DocumentKind.GUIDE] == today
    assert after.stage is Stage.FORMS_SENT
    assert after.history[-1].summary.endswith("→ 段階：問い合わせ受付 → 書類送付済（自動）")
    assert after.contacts[-1].summary == "送付書類一式を送付（郵送）"


def test_record_sent_refuses_what_is_not_tracked_or_sent_oddly(store, make_case) -> None:
    case = make_case()
    with pytest.raises(ValidationError, match="送付の記録をしない"):
        record_sent(store, FormKind.LABEL, case.id, channel=Channel.MAIL)
    with pytest.raises(ValidationError, match="方法"):
        record_sent(store, FormKind.PACKET, case.id, channel=Channel.BROUGHT)
    tomorrow = clock.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="未来"):
        record_sent(store, FormKind.PACKET, case.id, channel=Channel.MAIL, on=tomorrow)
    assert get_case(store, case.id).stage is Stage.INQUIRY


def test_blank_forms_and_receipt_needs_a_payment(store, make_case) -> None:
    blank = render_form(store, FormKind.REFERRAL)
    assert blank.case_id is None and blank.pdf.startswith(b"%PDF")
    case = make_case()
    with pytest.raises(ValidationError, match="お支払い"):
        render_form(store, FormKind.RECEIPT, case.id)


def test_day_list_lists_the_days_appointments(store) -> None:
    today = dt.date(2026, 11, 24)
    mark_as_demo(store)  # build_demo fills only a database made for the demo
    build_demo(store, 40, today=today)
    checked_in = next(r for r in search_cases(store).rows if r.stage is Stage.CHECKED_IN)
    form = render_form(store, FormKind.DAYLIST, today=today, day=today)
    assert checked_in.case_number in _text(form.pdf)
    assert form.file_name == "daylist_2026-11-24.pdf"


def test_printing_the_day_list_or_a_blank_form_is_in_the_log(store) -> None:
    day = dt.date(2026, 11, 24)
    form = render_form(store, FormKind.DAYLIST, today=day, day=day)
    assert form.day == day
    record_printed(store, form.kind, None, how="印刷", day=form.day)
    record_printed(store, FormKind.APPLICATION, None, how="PDF保存")
    with store.read() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.summary, AuditEntry.case_id).order_by(
                AuditEntry.id
            )
        ).all()
    assert [tuple(r) for r in rows[-2:]] == [
        (AuditAction.FORM_PRINT, f"{FormKind.DAYLIST.label}（2026-11-24）を印刷", None),
        (AuditAction.FORM_PRINT, f"{FormKind.APPLICATION.label}（白紙）をPDF保存", None),
    ]
