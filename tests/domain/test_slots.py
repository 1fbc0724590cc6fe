"""Slot generation and the booking rules (issue #10's foundation), with real holidays."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.office_calendar import closure_label, is_office_open
from desktop_app.domain.slots import (
    Booking,
    BookingCheck,
    HoursChange,
    HoursException,
    WeeklyHours,
    check_booking,
    free_slots,
    hours_on,
    overlaps,
)

T = dt.time
TUE, THU = 1, 3
DR_A, DR_B = 1, 2
WEEKLY = (
    WeeklyHours(DR_A, TUE, T(14), T(16)),
    WeeklyHours(DR_B, TUE, T(14, 30), T(15, 30)),
    WeeklyHours(DR_B, THU, T(10), T(11)),
)


def _open(closed: frozenset[dt.date] = frozenset()):
    return partial(is_office_open, closed_dates=closed)


def _starts(slots) -> list[tuple[int, str, str, bool]]:
    return [(s.doctor_id, s.date.isoformat(), f"{s.start:%H:%M}", s.extendable) for s in slots]


def test_a_weekly_window_gives_half_hour_starts_each_marked_if_it_can_be_extended() -> None:
    slots = free_slots(
        [DR_A], weekly=WEEKLY, first_day=dt.date(2026, 12, 1), days=1, is_open=_open()
    )
    assert _starts(slots) == [
        (1, "2026-12-01", "14:00", True),
        (1, "2026-12-01", "14:30", True),
        (1, "2026-12-01", "15:00", True),
        (1, "2026-12-01", "15:30", False),  # 16:00 is the end of the window
    ]


def test_bookings_take_their_minutes_and_the_doctor_order_breaks_ties() -> None:
    day = dt.date(2026, 12, 1)
    taken = (Booking(DR_A, day, T(14), 60),)
    slots = free_slots(
        [DR_B, DR_A], weekly=WEEKLY, bookings=taken, first_day=day, days=1, is_open=_open()
    )
    assert _starts(slots) == [
        (2, "2026-12-01", "14:30", True),
        (2, "2026-12-01", "15:00", False),
        (1, "2026-12-01", "15:00", True),
        (1, "2026-12-01", "15:30", False),
    ]


def test_slots_before_now_are_not_offered() -> None:
    day = dt.date(2026, 12, 1)
    now = dt.datetime(2026, 12, 1, 14, 45)
    slots = free_slots([DR_A], weekly=WEEKLY, first_day=day, days=1, is_open=_open(), now=now)
    assert [f"{s.start:%H:%M}" for s in slots] == ["15:00", "15:30"]


def test_valid_from_and_to_limit_a_window() -> None:
    weekly = (WeeklyHours(DR_A, TUE, T(14), T(15), valid_from=dt.date(2026, 12, 8)),)
    weekly += (WeeklyHours(DR_A, TUE, T(9), T(10), valid_to=dt.date(2026, 12, 1)),)
    got = free_slots([DR_A], weekly=weekly, first_day=dt.date(2026, 12, 1), days=8, is_open=_open())
    assert [(s.date.day, f"{s.start:%H:%M}") for s in got] == [
        (1, "09:00"),
        (1, "09:30"),
        (8, "14:00"),
        (8, "14:30"),
    ]


def test_leave_and_extra_sessions_change_one_date_only() -> None:
    day = dt.date(2026, 12, 1)
    half_leave = HoursException(DR_A, day, HoursChange.LEAVE, T(14, 30), T(15, 30))
    assert hours_on(day, DR_A, WEEKLY, [half_leave]) == ((T(14), T(14, 30)), (T(15, 30), T(16)))
    whole = HoursException(DR_A, day, HoursChange.LEAVE)
    assert hours_on(day, DR_A, WEEKLY, [whole]) == ()
    assert hours_on(day + dt.timedelta(7), DR_A, WEEKLY, [whole]) == ((T(14), T(16)),)
    extra = HoursException(DR_A, dt.date(2026, 12, 2), HoursChange.EXTRA, T(9), T(10))
    assert hours_on(dt.date(2026, 12, 2), DR_A, WEEKLY, [extra]) == ((T(9), T(10)),)
    touching = HoursException(DR_A, day, HoursChange.EXTRA, T(16), T(17))
    assert hours_on(day, DR_A, WEEKLY, [touching]) == ((T(14), T(17)),)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (dt.date(2026, 11, 3), "文化の日"),  # a Tuesday holiday
        (dt.date(2025, 11, 24), "振替休日"),  # 勤労感謝の日 fell on a Sunday
        (dt.date(2026, 9, 22), "国民の休日"),  # between 敬老の日 and 秋分の日
        (dt.date(2026, 12, 29), "年末年始"),
    ],
)
def test_closed_days_offer_no_slot(day: dt.date, why: str) -> None:
    weekly = tuple(WeeklyHours(DR_A, wd, T(14), T(15)) for wd in range(5))
    assert not is_office_open(day)
    assert why in closure_label(day)
    assert free_slots([DR_A], weekly=weekly, first_day=day, days=1, is_open=_open()) == ()


def test_a_custom_closure_offers_no_slot() -> None:
    day = dt.date(2026, 12, 1)
    slots = free_slots(
        [DR_A], weekly=WEEKLY, first_day=day, days=1, is_open=_open(frozenset({day}))
    )
    assert slots == ()


def test_limit_stops_the_search() -> None:
    slots = free_slots(
        [DR_A], weekly=WEEKLY, first_day=dt.date(2026, 12, 1), days=365, is_open=_open(), limit=5
    )
    assert len(slots) == 5 and slots[-1].date == dt.date(2026, 12, 8)


@given(
    a=st.integers(0, 20).map(lambda n: T(9 + n // 2, 30 * (n % 2))),
    b=st.integers(0, 20).map(lambda n: T(9 + n // 2, 30 * (n % 2))),
    la=st.sampled_from([30, 60]),
    lb=st.sampled_from([30, 60]),
)
def test_overlap_is_symmetric_and_matches_minute_sets(a, b, la, lb) -> None:
    day = dt.date(2026, 12, 1)
    x, y = Booking(DR_A, day, a, la), Booking(DR_A, day, b, lb)
    minutes = lambda t, n: set(range(t.hour * 60 + t.minute, t.hour * 60 + t.minute + n))  # noqa: E731
    assert overlaps(x, y) == overlaps(y, x) == bool(minutes(a, la) & minutes(b, lb))
    assert not overlaps(x, Booking(DR_B, day, b, lb))


def _check(request: Booking, **kw) -> tuple[str, ...]:
    values = dict(
        request=request,
        now=dt.datetime(2026, 11, 25, 9, 0),
        closure_name="",
        doctor_hours=((T(14), T(16)),),
        others=(),
    )
    values.update(kw)
    return check_booking(BookingCheck(**values))


DEC1 = dt.date(2026, 12, 1)


def test_a_booking_inside_the_hours_has_no_warning() -> None:
    assert _check(Booking(DR_A, DEC1, T(14), 60)) == ()


@pytest.mark.parametrize(
    ("kw", "request_", "needle"),
    [
        ({"closure_name": "年末年始・病院休診日"}, Booking(DR_A, DEC1, T(14)), "休診日"),
        ({}, Booking(DR_A, dt.date(2026, 11, 25), T(8, 30)), "過去"),
        ({"others": (Booking(DR_A, DEC1, T(13, 30), 60),)}, Booking(DR_A, DEC1, T(14)), "13:30"),
        ({}, Booking(DR_A, DEC1, T(14), 45), "30分単位"),
    ],
)
def test_refusals(kw, request_, needle) -> None:
    with pytest.raises(ValidationError, match=needle):
        _check(request_, **kw)


def test_warnings_a_clerk_may_accept() -> None:
    warnings = _check(
        Booking(DR_A, DEC1, T(15, 30), 60),
        patient_bookings=(Booking(DR_B, dt.date(2026, 12, 3), T(10)),),
        materials_due=dt.date(2026, 11, 24),
    )
    assert warnings == (
        "担当医のセカンドオピニオン枠の時間外です。",
        "この患者さんは12月3日 10:00にも予約があります。",
        "資料の提出期限（11月24日）をすでに過ぎている日程です。",
    )
