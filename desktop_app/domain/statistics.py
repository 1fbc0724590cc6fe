"""Periods, month buckets and medians for the 統計 page: pure rules, no database.

Japanese hospitals report by calendar year (暦年) and by fiscal year (年度, April to March:
2026年度 is 2026-04-01 to 2027-03-31); a manager may also ask for any range of dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain.errors import ValidationError

FISCAL_YEAR_FIRST_MONTH = 4
MAX_PERIOD_YEARS = 30


class PeriodKind(StrEnum):
    CALENDAR_YEAR = "calendar_year"
    FISCAL_YEAR = "fiscal_year"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            PeriodKind.CALENDAR_YEAR: "今年",
            PeriodKind.FISCAL_YEAR: "年度",
            PeriodKind.CUSTOM: "期間指定",
        }[self]


@dataclass(frozen=True)
class Month:
    """One bucket of a period: a calendar month, clipped to the period at either end."""

    year: int
    month: int
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included."""

    kind: PeriodKind
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.CALENDAR_YEAR:
            return f"{self.start.year}年（1月〜12月）"
        if self.kind == PeriodKind.FISCAL_YEAR:
            return f"{self.start.year}年度（{self.start.year}年4月〜{self.end.year}年3月）"
        return f"{_slash(self.start)}〜{_slash(self.end)}"

    @property
    def end_exclusive(self) -> dt.date:
        """The day after the period: for ``start <= x < end_exclusive`` comparisons."""
        return self.end + dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> tuple[Month, ...]:
        """The calendar months the period touches, in order, each clipped to the period."""
        buckets: list[Month] = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            first = max(self.start, dt.date(year, month, 1))
            last = min(self.end, _month_end(year, month))
            buckets.append(Month(year, month, first, last))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return tuple(buckets)


def calendar_year(year: int) -> Period:
    """January to December of ``year``."""
    return Period(PeriodKind.CALENDAR_YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def fiscal_year(year: int) -> Period:
    """年度 ``year``: April of ``year`` to March of the next year."""
    return Period(
        PeriodKind.FISCAL_YEAR,
        dt.date(year, FISCAL_YEAR_FIRST_MONTH, 1),
        dt.date(year + 1, FISCAL_YEAR_FIRST_MONTH, 1) - dt.timedelta(days=1),
    )


def fiscal_year_of(day: dt.date) -> int:
    """The 年度 a day belongs to: 2027-03-31 is in 2026年度."""
    return day.year if day.month >= FISCAL_YEAR_FIRST_MONTH else day.year - 1


def this_year(today: dt.date) -> Period:
    """The default period: the calendar year of ``today``."""
    return calendar_year(today.year)


def this_fiscal_year(today: dt.date) -> Period:
    return fiscal_year(fiscal_year_of(today))


def custom_period(start: dt.date | None, end: dt.date | None) -> Period:
    """A chosen range; ValidationError (Japanese) when it is missing, reversed or absurd."""
    if start is None or end is None:
        raise ValidationError("期間の開始日と終了日を入力してください。", field="period")
    if start > end:
        raise ValidationError("期間の開始日が終了日より後になっています。", field="period")
    if end.year - start.year >= MAX_PERIOD_YEARS:
        raise ValidationError(
            f"期間が長すぎます。{MAX_PERIOD_YEARS}年以内で指定してください。", field="period"
        )
    return Period(PeriodKind.CUSTOM, start, end)


def period_from_dates(start: dt.date | None, end: dt.date | None, today: dt.date) -> Period:
    """For the command line: no dates is this year; one date opens the range to the other side
    up to today (or from the first of that year)."""
    if start is None and end is None:
        return this_year(today)
    if start is None:
        assert end is not None
        start = dt.date(end.year, 1, 1)
    if end is None:
        end = max(start, today)
    return custom_period(start, end)


def median(values: Iterable[float]) -> float | None:
    """The median; the mean of the two middle values for an even count; None when empty."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    if n % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class LeadTime:
    """Days between two steps of a case: how many cases were measured, and the median."""

    label: str
    count: int
    median_days: float | None


def lead_time(label: str, pairs: Iterable[tuple[dt.date, dt.date]]) -> LeadTime:
    """The median of ``later - earlier`` in days over (earlier, later) pairs.

    A pair whose later step is dated before the earlier one (a typing slip, or an application
    printed from the web before the call was logged) counts as 0 days, not as negative time.
    """
    days = [max(0, (later - earlier).days) for earlier, later in pairs]
    return LeadTime(label, len(days), median(days))


def month_index(months: tuple[Month, ...], day: dt.date) -> int | None:
    """Which bucket a day falls in, or None when outside the period."""
    for index, bucket in enumerate(months):
        if bucket.first <= day <= bucket.last:
            return index
    return None


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return following - dt.timedelta(days=1)


def _slash(day: dt.date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"
