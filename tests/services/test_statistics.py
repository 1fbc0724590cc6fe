"""統計 on a small known year: every figure hand-computed from tests/services/stats_dataset.py."""

from __future__ import annotations

import datetime as dt

from desktop_app.domain import clock
from desktop_app.domain.statistics import calendar_year, custom_period, fiscal_year
from desktop_app.services.statistics import statistics
from desktop_app.services.statistics_data import stats_tables
from desktop_app.services.store import Store
from tests.services.stats_dataset import build_known_year

D = dt.date


def test_known_year_by_month(store: Store) -> None:
    build_known_year(store)
    data = statistics(store, calendar_year(2026))
    figures = {
        m.label: (m.enquiries, m.enquiries_without_case, m.applications, m.sessions,
                  m.cancellations, m.exclusions, m.payments, m.revenue_yen)
        for m in data.months
    }  # fmt: skip
    assert figures["2026年1月"] == (0, 0, 1, 0, 0, 0, 0, 0)  # E's application (case from 2025)
    assert figures["2026年3月"] == (2, 0, 2, 0, 0, 0, 0, 0)  # A and B
    assert figures["2026年4月"] == (1, 0, 1, 2, 1, 0, 2, 16500)  # C in; A, B seen; C cancelled
    assert figures["2026年5月"] == (1, 0, 0, 0, 0, 1, 0, 0)  # D, excluded at intake
    assert figures["2026年6月"] == (1, 0, 1, 0, 0, 1, 0, 0)  # G, declined
    today = clock.today()
    if today.year == 2026:  # F and the call without a case are logged "now"
        now_month = f"2026年{today.month}月"
        assert figures[now_month][:2] == (2, 1)
    total = data.total
    assert (total.enquiries, total.applications, total.sessions) == (7, 5, 2)
    assert (total.cancellations, total.exclusions) == (1, 2)
    assert (total.payments, total.revenue_yen) == (2, 16500)  # E's 2025 payment left out


def test_known_year_by_doctor_referrer_and_reason(store: Store) -> None:
    build_known_year(store)
    data = statistics(store, calendar_year(2026))
    assert [(d.department, d.doctor, d.sessions, d.minutes) for d in data.by_doctor] == [
        ("呼吸器内科", "青木 一郎", 1, 45),
        ("外科", "馬場 二郎", 1, 30),
    ]
    assert [(r.institution, r.enquiries, r.applications, r.sessions) for r in data.by_referrer] == [
        ("みなと内科クリニック", 4, 4, 2),  # A, B, G, F registered; A, B, E, G applied
        ("室蘭港南総合病院", 1, 1, 0),
        ("（紹介元なし）", 1, 0, 0),
    ]
    assert [(e.label, e.cases, e.enquiries_only) for e in data.exclusions] == [
        ("ご本人・ご家族以外からのご相談", 0, 1),
        ("主治医に対するクレームや不満", 1, 0),
        ("担当医の判断でお断り", 1, 0),
    ]


def test_known_year_lead_time_medians(store: Store) -> None:
    build_known_year(store)
    data = statistics(store, calendar_year(2026))
    assert [(t.count, t.median_days) for t in data.lead_times] == [
        (5, 8),  # A 10, B 4, C 8, E 16, G 4 days → 4 4 8 10 16
        (2, 8.5),  # A 6, B 11: an even count, the mean of the middle two
        (2, 13.5),  # A 12, B 15
        (2, 29),  # A 28, B 30
    ]


def test_fiscal_year_and_custom_periods_cut_at_their_ends(store: Store) -> None:
    build_known_year(store)
    fy2025 = statistics(store, fiscal_year(2025))  # 2025-04 .. 2026-03
    assert fy2025.months[0].label == "2025年4月"
    assert (fy2025.total.enquiries, fy2025.total.applications) == (3, 3)  # E, A, B
    assert (fy2025.total.payments, fy2025.total.revenue_yen) == (1, 5500)  # E's, 2025-12-30
    april = statistics(store, custom_period(D(2026, 4, 7), D(2026, 4, 13)))
    assert (april.total.sessions, april.total.revenue_yen) == (1, 11000)  # A only
    assert april.lead_times[0].count == 1  # C's application on 04-10


def test_empty_store_gives_zeros_and_no_medians(store: Store) -> None:
    data = statistics(store, calendar_year(2026))
    assert len(data.months) == 12
    assert data.total.enquiries == 0
    assert data.by_doctor == () and data.by_referrer == () and data.exclusions == ()
    assert all(t.count == 0 and t.median_days is None for t in data.lead_times)
    tables = stats_tables(data)
    assert [t.title for t in tables] == [
        "月別件数", "診療科・担当医別の実施件数", "紹介元医療機関別", "対象外の理由別",
        "所要日数（中央値）", "月別の収入",
    ]  # fmt: skip
    assert tables[4].rows[0][2] == "—"


def test_a_voided_payment_is_not_revenue_and_is_marked_in_the_export(
    store: Store, tmp_path
) -> None:
    import csv

    from sqlalchemy import select

    from desktop_app.db.models import Payment
    from desktop_app.services.export import export_payments

    build_known_year(store)
    with store.transaction() as session:
        first = session.scalars(select(Payment).where(Payment.receipt_number == "R-2026-00001"))
        voided = first.one()
        voided.voided, voided.void_reason = True, "金額の誤り"
    data = statistics(store, calendar_year(2026))
    assert (data.total.payments, data.total.revenue_yen) == (1, 5500)
    out = tmp_path / "入金.csv"
    export_payments(store, out, date_from=D(2026, 1, 1), date_to=None)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    marked = {r[0]: (r[-2], r[-1]) for r in rows[1:]}
    assert marked == {"R-2026-00001": ("取消", "金額の誤り"), "R-2026-00002": ("", "")}
