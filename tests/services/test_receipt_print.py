"""Which payment a 領収書 prints: the live one by default, a voided one only when asked."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from desktop_app.db.models import Appointment
from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.services.cases import get_case
from desktop_app.services.forms import render_form
from desktop_app.services.paper_trail import receive_many
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import Store
from desktop_app.services.visit import check_in, record_payment, record_session, void_payment
from tests.printing.conftest import pdf_text
from tests.services.trail_helpers import TODAY, to_booked


def _seen(store: Store, make_case, minutes: int = 30) -> int:
    case = to_booked(store, make_case())
    with store.transaction() as session:
        appt = session.scalars(select(Appointment).where(Appointment.case_id == case.id)).one()
        appt.date = TODAY
    missing = [d.id for d in case.documents if d.required and d.received_on is None]
    receive_many(store, case.id, missing, on=TODAY, channel=Channel.MAIL)
    check_in(store, case.id, now=dt.datetime.combine(TODAY, dt.time(14, 0)))
    record_session(store, case.id, minutes=minutes)
    return case.id


def test_the_receipt_prints_the_live_payment_and_a_voided_one_on_request(
    store: Store, make_case
) -> None:
    case_id = _seen(store, make_case, minutes=45)
    first = record_payment(store, case_id, paid_on=TODAY, method="現金")
    void_payment(store, first.payment_id, reason="支払方法の誤り")
    second = record_payment(store, case_id, paid_on=TODAY, method="クレジットカード")

    live = pdf_text(render_form(store, FormKind.RECEIPT, case_id).pdf)
    assert second.receipt_number in live and first.receipt_number not in live
    assert "取消" not in live
    assert "クレジットカード" in live and "¥11,000-" in live

    old = pdf_text(render_form(store, FormKind.RECEIPT, case_id, payment_id=first.payment_id).pdf)
    assert first.receipt_number in old
    assert "取消" in old and "支払方法の誤り" in old


def test_only_voided_payments_reprint_marked_and_a_stranger_payment_is_refused(
    store: Store, make_case
) -> None:
    case_id = _seen(store, make_case)
    paid = record_payment(store, case_id, paid_on=TODAY, method="現金")
    void_payment(store, paid.payment_id, reason="二重登録")
    text = pdf_text(render_form(store, FormKind.RECEIPT, case_id).pdf)
    assert "取消" in text and "二重登録" in text

    other = _seen(store, make_case)
    with pytest.raises(ValidationError, match="会計の記録"):
        render_form(store, FormKind.RECEIPT, other, payment_id=paid.payment_id)
    assert get_case(store, other).payments == ()


def test_the_receipt_keeps_the_amount_taken_after_the_fee_changes(store: Store, make_case) -> None:
    case_id = _seen(store, make_case, minutes=30)
    record_payment(
        store, case_id, paid_on=TODAY, method="現金", amount_yen=0, amount_reason="院長判断で免除"
    )
    current = get_settings(store)
    update_settings(store, dataclasses.replace(current, fee_per_block_yen=6600), based_on=current)
    text = pdf_text(render_form(store, FormKind.RECEIPT, case_id).pdf)
    assert "¥0-" in text
    assert "調整（院長判断で免除）" in text and "-5,500円" in text
    assert "6,600" not in text
