"""Periods (暦年, 年度, 期間指定), month buckets and medians for the 統計 page."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.statistics import (
    PeriodKind,
    calendar_year,
    custom_period,
    fiscal_year,
    fiscal_year_of,
    lead_time,
    median,
    month_index,
    period_from_dates,
    this_fiscal_year,
    this_year,
)

D = dt.date


def test_calendar_year_is_january_to_december() -> None:
    period = calendar_year(2026)
    assert (period.start, period.end) == (D(2026, 1, 1), D(2026, 12, 31))
    assert period.label == "2026年（1月〜12月）"
    assert [m.label for m in period.months()][:2] == ["2026年1月", "2026年2月"]
    assert len(period.months()) == 12


def test_fiscal_year_runs_april_to_march() -> None:
    period = fiscal_year(2026)
    assert (period.start, period.end) == (D(2026, 4, 1), D(2027, 3, 31))
    months = period.months()
    assert [(m.year, m.month) for m in (months[0], months[8], months[-1])] == [
        (2026, 4),
        (2026, 12),
        (2027, 3),
    ]
    assert period.label == "2026年度（2026年4月〜2027年3月）"


@pytest.mark.parametrize(
    ("day", "year"),
    [(D(2027, 3, 31), 2026), (D(2027, 4, 1), 2027), (D(2026, 1, 5), 2025), (D(2026, 12, 1), 2026)],
)
def test_the_fiscal_year_a_day_belongs_to(day: dt.date, year: int) -> None:
    assert fiscal_year_of(day) == year
    assert this_fiscal_year(day).contains(day)


def test_this_year_is_the_default() -> None:
    assert this_year(D(2026, 11, 25)) == calendar_year(2026)


def test_custom_period_months_are_clipped_at_both_ends() -> None:
    period = custom_period(D(2026, 1, 20), D(2026, 3, 10))
    months = period.months()
    assert [(m.first, m.last) for m in months] == [
        (D(2026, 1, 20), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 10)),
    ]
    assert period.kind == PeriodKind.CUSTOM
    assert period.label == "2026/01/20〜2026/03/10"
    assert month_index(months, D(2026, 2, 28)) == 1
    assert month_index(months, D(2026, 1, 19)) is None


def test_one_day_period_has_one_bucket() -> None:
    assert len(custom_period(D(2024, 2, 29), D(2024, 2, 29)).months()) == 1


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (D(2026, 5, 1), D(2026, 4, 1), "開始日が終了日より後"),
        (None, D(2026, 4, 1), "開始日と終了日"),
        (D(1990, 1, 1), D(2026, 1, 1), "長すぎます"),
    ],
)
def test_bad_custom_periods_are_refused(
    start: dt.date | None, end: dt.date | None, words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        custom_period(start, end)


def test_period_from_command_line_dates() -> None:
    today = D(2026, 11, 25)
    assert period_from_dates(None, None, today) == calendar_year(2026)
    assert period_from_dates(D(2026, 4, 1), None, today).end == today
    assert period_from_dates(None, D(2025, 6, 30), today).start == D(2025, 1, 1)


def test_median_of_empty_odd_and_even_sets() -> None:
    assert median([]) is None
    assert median([7]) == 7
    assert median([9, 1, 5]) == 5
    assert median([1, 2, 10, 4]) == 3  # (2 + 4) / 2
    assert median([1, 2]) == 1.5


def test_lead_time_counts_days_and_floors_slips_at_zero() -> None:
    pairs = [
        (D(2026, 1, 1), D(2026, 1, 8)),  # 7
        (D(2026, 1, 1), D(2026, 1, 11)),  # 10
        (D(2026, 1, 10), D(2026, 1, 9)),  # a slip: 0
        (D(2026, 2, 27), D(2026, 3, 1)),  # 2 (not a leap year)
    ]
    result = lead_time("問い合わせ→申込書受領", pairs)
    assert (result.count, result.median_days) == (4, 4.5)
    assert lead_time("空", []).median_days is None
