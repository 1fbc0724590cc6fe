from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.office_calendar import (
    closure_label,
    is_office_open,
    last_open_day_on_or_before,
    materials_due_date,
    next_open_day_on_or_after,
)
from desktop_app.domain.settings import DEFAULT_SETTINGS

D = dt.date


@pytest.mark.parametrize(
    ("day", "is_open"),
    [
        (D(2026, 11, 20), True),  # Friday
        (D(2026, 11, 21), False),  # Saturday
        (D(2026, 11, 22), False),  # Sunday
        (D(2026, 11, 23), False),  # 勤労感謝の日
        (D(2026, 11, 24), True),
        (D(2026, 5, 6), False),  # 振替休日 for 憲法記念日 on a Sunday
        (D(2026, 9, 22), False),  # 国民の休日 between 敬老の日 and 秋分の日
        (D(2026, 12, 28), True),
        (D(2026, 12, 29), False),  # the hospital's year-end closure
        (D(2027, 1, 4), True),
    ],
)
def test_is_office_open(day: dt.date, is_open: bool) -> None:
    assert is_office_open(day) is is_open


def test_specific_and_custom_closures() -> None:
    founding_day = D(2026, 6, 10)
    assert is_office_open(founding_day)
    assert not is_office_open(founding_day, closed_dates={founding_day})
    assert is_office_open(D(2026, 12, 29), annual_closures=())
    assert not is_office_open(D(2026, 8, 14), annual_closures=[(8, 14)])


def test_closure_label() -> None:
    assert closure_label(D(2026, 11, 24)) == ""
    assert closure_label(D(2026, 11, 21)) == "土曜日"
    assert closure_label(D(2026, 11, 22)) == "日曜日"
    assert closure_label(D(2026, 11, 23)) == "勤労感謝の日"
    assert closure_label(D(2026, 12, 30)) == "年末年始・病院休診日"
    assert closure_label(D(2026, 6, 10), closed_dates=[D(2026, 6, 10)]) == "休診日"


def test_last_and_next_open_day() -> None:
    assert last_open_day_on_or_before(D(2026, 11, 24)) == D(2026, 11, 24)
    assert last_open_day_on_or_before(D(2026, 11, 23)) == D(2026, 11, 20)
    assert next_open_day_on_or_after(D(2026, 12, 29)) == D(2027, 1, 4)


def test_no_open_day_is_a_settings_error() -> None:
    every_day = [(m, d) for m in range(1, 13) for d in range(1, 32)]
    with pytest.raises(ValidationError) as info:
        last_open_day_on_or_before(D(2026, 6, 1), annual_closures=every_day)
    assert info.value.field == "annual_closures"


@pytest.mark.parametrize(
    ("appointment", "due"),
    [
        (D(2026, 11, 27), D(2026, 11, 24)),  # Friday → Tuesday: plain three days
        (D(2026, 11, 30), D(2026, 11, 27)),  # Monday → Friday
        (D(2026, 12, 1), D(2026, 11, 27)),  # Tuesday → Saturday → Friday
        (D(2026, 11, 26), D(2026, 11, 20)),  # → 勤労感謝の日 → weekend → Friday
        (D(2027, 1, 5), D(2026, 12, 28)),  # → 1/2 year-end → last working day of 2026
        (D(2027, 1, 6), D(2026, 12, 28)),  # → 1/3
        (D(2027, 1, 7), D(2027, 1, 4)),  # → first day open again
        (D(2026, 5, 7), D(2026, 5, 1)),  # Golden Week: 5/4 みどりの日
        (D(2026, 5, 9), D(2026, 5, 1)),  # Golden Week: 5/6 振替休日
        (D(2026, 5, 2), D(2026, 4, 28)),  # → 4/29 昭和の日
    ],
)
def test_materials_due_date(appointment: dt.date, due: dt.date) -> None:
    assert materials_due_date(appointment) == due


def test_materials_due_date_on_a_specific_closure() -> None:
    appointment = D(2026, 6, 12)  # Friday; three days earlier is Tuesday 6/9
    assert materials_due_date(appointment) == D(2026, 6, 9)
    assert materials_due_date(appointment, closed_dates=[D(2026, 6, 9)]) == D(2026, 6, 8)


def test_materials_due_date_follows_settings() -> None:
    settings = dataclasses.replace(
        DEFAULT_SETTINGS, materials_deadline_days=7, annual_closures=((8, 13), (8, 14))
    )
    assert materials_due_date(D(2026, 8, 21), settings) == D(2026, 8, 12)
    same_day = dataclasses.replace(DEFAULT_SETTINGS, materials_deadline_days=0)
    assert materials_due_date(D(2026, 11, 24), same_day) == D(2026, 11, 24)
