"""The 領収書: the amounts as taken, 自由診療 and the tax included; a voided one marked 取消."""

from __future__ import annotations

import dataclasses
from datetime import date

from desktop_app.domain.fees import FeeBreakdown
from desktop_app.domain.forms import FormKind
from desktop_app.domain.settings import ClinicSettings
from desktop_app.printing import CaseInfo, build_form

from .conftest import pdf_text


def _receipt(settings: ClinicSettings, case: CaseInfo, today: date) -> str:
    return pdf_text(build_form(FormKind.RECEIPT, settings, case, today=today))


def _voided(case: CaseInfo, reason: str) -> CaseInfo:
    assert case.payment is not None
    pay = dataclasses.replace(
        case.payment, voided=True, void_reason=reason, voided_on=date(2026, 11, 25)
    )
    return dataclasses.replace(case, payment=pay)


def test_a_live_receipt_shows_self_pay_tax_included_and_the_method(settings, full_case, today):
    assert full_case.payment is not None
    case = dataclasses.replace(
        full_case, payment=dataclasses.replace(full_case.payment, method="クレジットカード")
    )
    text = _receipt(settings, case, today)
    assert "自由診療" in text
    assert "合計（税込）" in text and "11,000円" in text
    assert "内消費税額（10%）" in text and "1,000円" in text
    assert "お支払方法" in text and "クレジットカード" in text
    assert "取消" not in text
    assert "調整" not in text


def test_a_voided_receipt_is_marked_with_its_reason(settings, full_case, today):
    text = _receipt(settings, _voided(full_case, "金額の入力誤り"), today)
    assert "取消" in text
    assert "この領収書は令和8年11月25日に取り消されました" in text  # when, as well as why
    assert "金額の入力誤り" in text
    assert "¥11,000-" in text  # still readable under the stamp


def test_another_amount_prints_the_adjustment_and_why(settings, full_case, today):
    assert full_case.payment is not None
    fee = FeeBreakdown(
        minutes=45,
        blocks=2,
        base_yen=5500,
        extension_yen=5500,
        total_yen=5500,
        consumption_tax_yen=500,
    )
    pay = dataclasses.replace(full_case.payment, fee=fee, amount_reason="延長分は病院都合で免除")
    text = _receipt(settings, dataclasses.replace(full_case, payment=pay), today)
    assert "調整（延長分は病院都合で免除）" in text
    assert "-5,500円" in text
    assert "¥5,500-" in text and "500円" in text
