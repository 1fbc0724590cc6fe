"""A closure on a day with bookings: the live ones are reported, before and after saving."""

from __future__ import annotations

import datetime as dt

from desktop_app.db.models import Appointment
from desktop_app.domain import clock
from desktop_app.services.closures import DayBooking, add_closure, bookings_on, list_closures
from desktop_app.services.store import Store
from tests.board_setup import doctor

T = dt.time


def _appointment(
    store: Store, case_id: int, doctor_id: int, day: dt.date, start: dt.time, **values: object
) -> int:
    with store.transaction() as session:
        row = Appointment(case_id=case_id, doctor_id=doctor_id, date=day, start_time=start)
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.flush()
        return row.id


def test_the_live_bookings_of_a_day_in_time_order(store: Store, make_case) -> None:
    day = clock.today() + dt.timedelta(days=7)  # a Thursday, open
    aoki = doctor(store, "呼吸器内科", "青木 一郎")
    baba = doctor(store, "呼吸器内科", "馬場 二郎")
    late, early = make_case(name="山田　太郎"), make_case(name="鈴木　花子", furigana="スズキ")
    gone, other_day = make_case(name="佐藤　次郎"), make_case(name="田中　三郎")
    late_id = _appointment(store, late.id, aoki, day, T(15))
    early_id = _appointment(store, early.id, baba, day, T(10, 30))
    _appointment(store, gone.id, aoki, day, T(14), cancelled=True, cancel_reason="体調不良")
    _appointment(store, other_day.id, aoki, day + dt.timedelta(days=1), T(14))

    expected = (
        DayBooking(
            early_id, early.id, early.case_number, "鈴木　花子", "馬場 二郎", day, T(10, 30), 30
        ),
        DayBooking(late_id, late.id, late.case_number, "山田　太郎", "青木 一郎", day, T(15), 30),
    )
    assert bookings_on(store, day) == expected
    assert bookings_on(store, day - dt.timedelta(days=1)) == ()

    added = add_closure(store, day, "院内行事")
    assert added.bookings == expected  # what the clerk is offered to reschedule
    assert [(c.date, c.bookings) for c in list_closures(store)] == [(day, ())]
