"""When the office is open, and the date materials are due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import lru_cache

import jpholiday

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.settings import DEFAULT_SETTINGS, ClinicSettings

# Far more than any run of closed days (weekend + holidays + year-end is under two weeks); a
# longer search means the closures are misconfigured, and we must not loop forever.
_MAX_SEARCH_DAYS = 366


def is_office_open(
    day: dt.date,
    *,
    closed_dates: Collection[dt.date] = (),
    annual_closures: Collection[tuple[int, int]] = DEFAULT_SETTINGS.annual_closures,
) -> bool:
    """False on weekends, public holidays (incl. substitute ones), yearly and one-off closures."""
    if day.weekday() >= 5:
        return False
    if jpholiday.is_holiday(day):
        return False
    if (day.month, day.day) in annual_closures:
        return False
    return day not in closed_dates


def closure_label(
    day: dt.date,
    *,
    closed_dates: Collection[dt.date] = (),
    annual_closures: Collection[tuple[int, int]] = DEFAULT_SETTINGS.annual_closures,
) -> str:
    """Why the office is closed on ``day`` (e.g. 「勤労感謝の日」), or "" when it is open."""
    if day.weekday() == 5:
        return "土曜日"
    if day.weekday() == 6:
        return "日曜日"
    holiday = jpholiday.is_holiday_name(day)
    if holiday:
        return holiday
    if (day.month, day.day) in annual_closures:
        return "年末年始・病院休診日"
    if day in closed_dates:
        return "休診日"
    return ""


def last_open_day_on_or_before(
    day: dt.date,
    *,
    closed_dates: Collection[dt.date] = (),
    annual_closures: Collection[tuple[int, int]] = DEFAULT_SETTINGS.annual_closures,
) -> dt.date:
    """``day`` itself when the office is open, else the nearest open day before it."""
    # Sets make the repeated membership tests cheap whatever collection the caller passed.
    closed = frozenset(closed_dates)
    annual = frozenset(annual_closures)
    for back in range(_MAX_SEARCH_DAYS + 1):
        candidate = day - dt.timedelta(days=back)
        if is_office_open(candidate, closed_dates=closed, annual_closures=annual):
            return candidate
    raise ValidationError(
        "開いている日が見つかりません。休診日の設定を確認してください。", field="annual_closures"
    )


def next_open_day_on_or_after(
    day: dt.date,
    *,
    closed_dates: Collection[dt.date] = (),
    annual_closures: Collection[tuple[int, int]] = DEFAULT_SETTINGS.annual_closures,
) -> dt.date:
    """``day`` itself when the office is open, else the nearest open day after it."""
    closed = frozenset(closed_dates)
    annual = frozenset(annual_closures)
    for ahead in range(_MAX_SEARCH_DAYS + 1):
        candidate = day + dt.timedelta(days=ahead)
        if is_office_open(candidate, closed_dates=closed, annual_closures=annual):
            return candidate
    raise ValidationError(
        "開いている日が見つかりません。休診日の設定を確認してください。", field="annual_closures"
    )


def materials_due_date(
    appointment_date: dt.date,
    settings: ClinicSettings = DEFAULT_SETTINGS,
    closed_dates: Collection[dt.date] = (),
) -> dt.date:
    """The guide's 「3日前まで」 date; when the office is closed then, the last open day before."""
    return _materials_due_date(
        appointment_date,
        settings.materials_deadline_days,
        frozenset(settings.annual_closures),
        frozenset(closed_dates),
    )


@lru_cache(maxsize=4096)
def _materials_due_date(
    appointment_date: dt.date,
    deadline_days: int,
    annual_closures: frozenset[tuple[int, int]],
    closed_dates: frozenset[dt.date],
) -> dt.date:
    # Kept per date and calendar: the board asks it two or three times for each of its
    # several hundred cards, and each answer walks the calendar (about 8% of a load).
    due = appointment_date - dt.timedelta(days=deadline_days)
    return last_open_day_on_or_before(
        due, closed_dates=closed_dates, annual_closures=annual_closures
    )
