"""The day of the visit and after: check-in, minutes and fee, report, payment, void, close."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.db.models import Payment
from desktop_app.domain.documents import Channel, DocumentKind, ReportChannel
from desktop_app.domain.errors import ReasonNeeded, ValidationError
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.materials import add_item, return_item
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import Store, open_store
from desktop_app.services.visit import (
    WITHOUT_MATERIALS,
    check_in,
    close_case,
    record_payment,
    record_report,
    record_session,
    void_payment,
)
from tests.services.trail_helpers import TODAY, audit_actions, booked_today

NOW = dt.datetime.combine(TODAY, dt.time(13, 50))


def _booked_today(store: Store, make_case, *, papers_in: bool = True, **kw) -> CaseDetail:
    return booked_today(store, make_case(**kw), papers_in=papers_in)


def _seen(store: Store, make_case, minutes: int = 30, **kw) -> CaseDetail:
    case = _booked_today(store, make_case, **kw)
    check_in(store, case.id, now=NOW)
    return record_session(store, case.id, minutes=minutes)


def test_the_whole_path_to_settled_on_a_real_store(store: Store, make_case) -> None:
    case = _booked_today(store, make_case)
    assert case.stage is Stage.MATERIALS_RECEIVED
    assert check_in(store, case.id, now=NOW).stage is Stage.CHECKED_IN
    assert record_session(store, case.id, minutes=45).stage is Stage.DONE
    record_report(store, case.id, written_on=TODAY)
    record_report(store, case.id, delivered_on=TODAY, channel=ReportChannel.HANDED_TO_PATIENT)
    paid = record_payment(store, case.id, paid_on=TODAY, method="現金")
    assert paid.total_yen == 11_000
    assert paid.receipt_number == f"R-{TODAY.year}-00001"
    closed = close_case(store, case.id)
    assert closed.stage is Stage.SETTLED
    assert audit_actions(store, case.id)[-6:] == [
        "visit.check_in",
        "visit.session",
        "visit.report",
        "visit.report",
        "payment.record",
        "case.stage",
    ]


def test_check_in_only_on_the_appointment_day(store: Store, make_case) -> None:
    case = _booked_today(store, make_case)
    tomorrow = NOW + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="予約日"):
        check_in(store, case.id, now=tomorrow)
    assert get_case(store, case.id).stage is Stage.MATERIALS_RECEIVED


def test_check_in_without_the_referral_letter_needs_a_reason(store: Store, make_case) -> None:
    case = _booked_today(store, make_case, papers_in=False)
    with pytest.raises(ReasonNeeded) as needed:
        check_in(store, case.id, now=NOW)
    assert needed.value.warnings[1] == WITHOUT_MATERIALS
    assert DocumentKind.REFERRAL_LETTER.label in needed.value.warnings[0]
    assert get_case(store, case.id).stage is Stage.BOOKED
    done = check_in(store, case.id, now=NOW, override_reason="当日持参とのこと")
    assert done.stage is Stage.CHECKED_IN
    assert "理由：当日持参とのこと" in done.history[-1].summary


@pytest.mark.parametrize(
    ("minutes", "fee"), [(0, None), (1, 5_500), (30, 5_500), (31, 11_000), (60, 11_000), (61, None)]
)
def test_the_fee_by_minutes(store: Store, make_case, minutes: int, fee: int | None) -> None:
    case = _booked_today(store, make_case)
    check_in(store, case.id, now=NOW)
    if fee is None:
        with pytest.raises(ValidationError, match="分"):
            record_session(store, case.id, minutes=minutes)
        assert get_case(store, case.id).stage is Stage.CHECKED_IN
        return
    record_session(store, case.id, minutes=minutes)
    assert record_payment(store, case.id, paid_on=TODAY, method="現金").total_yen == fee


def test_the_fee_follows_the_settings(store: Store, make_case) -> None:
    current = get_settings(store)
    from dataclasses import replace

    update_settings(store, replace(current, fee_per_block_yen=6_600), based_on=current)
    case = _seen(store, make_case, minutes=31)
    assert record_payment(store, case.id, paid_on=TODAY, method="現金").total_yen == 13_200


def test_a_different_amount_needs_a_reason_and_a_known_method(store: Store, make_case) -> None:
    case = _seen(store, make_case)
    with pytest.raises(ValidationError, match="理由"):
        record_payment(store, case.id, paid_on=TODAY, method="現金", amount_yen=0)
    with pytest.raises(ValidationError, match="支払方法"):
        record_payment(store, case.id, paid_on=TODAY, method="小切手")
    paid = record_payment(
        store, case.id, paid_on=TODAY, method="現金", amount_yen=0, amount_reason="院長判断で免除"
    )
    assert paid.total_yen == 0
    assert paid.case.payments[-1].amount_reason == "院長判断で免除"


def test_void_and_record_again_keeps_both_and_numbers_never_repeat(store: Store, make_case) -> None:
    case = _seen(store, make_case)
    first = record_payment(store, case.id, paid_on=TODAY, method="現金")
    with pytest.raises(ValidationError, match="すでに会計済み"):
        record_payment(store, case.id, paid_on=TODAY, method="現金")
    with pytest.raises(ValidationError, match="理由"):
        void_payment(store, first.payment_id, reason="")
    void_payment(store, first.payment_id, reason="金額の誤り")
    with pytest.raises(ValidationError, match="すでに取り消"):
        void_payment(store, first.payment_id, reason="二度目")
    second = record_payment(store, case.id, paid_on=TODAY, method="クレジットカード")
    payments = get_case(store, case.id).payments
    assert [(p.receipt_number, p.voided) for p in payments] == [
        (first.receipt_number, True),
        (second.receipt_number, False),
    ]
    assert second.receipt_number.endswith("00002")


def test_closing_names_every_open_item(store: Store, make_case) -> None:
    case = _seen(store, make_case)
    add_item(store, case.id, DocumentKind.IMAGING_FILM, label="CTフィルム", quantity=2,
             source="みなと内科", received_on=TODAY)  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        close_case(store, case.id)
    message = str(refused.value)
    assert "お会計が済んでいません" in message
    assert "報告書" in message
    assert "CTフィルム ×2" in message
    record_payment(store, case.id, paid_on=TODAY, method="現金")
    record_report(store, case.id, delivered_on=TODAY, channel=ReportChannel.SENT_TO_DOCTOR)
    with pytest.raises(ValidationError, match="CTフィルム ×2") as refused:
        close_case(store, case.id)
    assert "お会計" not in str(refused.value)
    film = next(d for d in get_case(store, case.id).documents if d.label == "CTフィルム")
    return_item(store, case.id, film.id, on=TODAY, to="みなと内科", channel=Channel.MAIL)
    assert close_case(store, case.id).stage is Stage.SETTLED


def test_the_report_rules(store: Store, make_case) -> None:
    case = _seen(store, make_case)
    with pytest.raises(ValidationError, match="渡し方"):
        record_report(store, case.id, delivered_on=TODAY)
    with pytest.raises(ValidationError, match="未来"):
        record_report(store, case.id, written_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="作成日より前"):
        record_report(
            store,
            case.id,
            written_on=TODAY,
            delivered_on=TODAY - dt.timedelta(days=1),
            channel=ReportChannel.SENT_TO_DOCTOR,
        )


def test_two_desks_taking_payments_never_share_a_receipt_number(
    store: Store, make_case, db_path: Path
) -> None:
    cases = [_seen(store, make_case, name=f"患者　{k}", furigana="カンジャ").id for k in range(6)]
    desks = [open_store(db_path, staff=f"desk{k}") for k in range(2)]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def desk(k: int) -> None:
        barrier.wait()
        try:
            for case_id in cases[k::2]:
                record_payment(desks[k], case_id, paid_on=TODAY, method="現金")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=desk, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in desks:
        d.close()
    assert errors == []
    with store.read() as session:
        numbers = sorted(session.scalars(select(Payment.receipt_number)))
    assert numbers == [f"R-{TODAY.year}-{n:05d}" for n in range(1, 7)]
