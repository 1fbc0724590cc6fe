"""Doctors' second-opinion hours, free 30-minute slots, and the rules for booking one.

Pure: the service gathers the hours, exceptions, bookings and closures from the store and asks
these functions. Times are the clinic's wall clock (naive ``date`` + ``time``), as stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain.errors import ValidationError

BLOCK_MINUTES = 30  # the guide: one session is 30 minutes, extendable by 30


class HoursChange(StrEnum):
    """An exception to a doctor's weekly hours on one date."""

    LEAVE = "leave"  # no second opinions that day (or in that window)
    EXTRA = "extra"  # an extra session that day

    @property
    def label(self) -> str:
        return {HoursChange.LEAVE: "休み", HoursChange.EXTRA: "臨時枠"}[self]


@dataclass(frozen=True)
class WeeklyHours:
    """A doctor's weekly window (weekday 0 = Monday), valid between two dates if given."""

    doctor_id: int
    weekday: int
    start: dt.time
    end: dt.time
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def applies_on(self, day: dt.date) -> bool:
        if day.weekday() != self.weekday:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


@dataclass(frozen=True)
class HoursException:
    """Leave (the whole day when no times are given) or an extra window on one date."""

    doctor_id: int
    date: dt.date
    kind: HoursChange
    start: dt.time | None = None
    end: dt.time | None = None


@dataclass(frozen=True)
class Booking:
    """A live (not cancelled) appointment, as far as the calendar cares."""

    doctor_id: int
    date: dt.date
    start: dt.time
    minutes: int = BLOCK_MINUTES
    case_id: int | None = None


@dataclass(frozen=True)
class Slot:
    """A free 30-minute start; ``extendable`` when the following 30 minutes are free too."""

    doctor_id: int
    date: dt.date
    start: dt.time
    extendable: bool


Window = tuple[dt.time, dt.time]


def when_label(day: dt.date, start: dt.time) -> str:
    """12月15日 14:00: an appointment named in a contact or a message."""
    return f"{_md(day)} {start:%H:%M}"


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def hours_on(
    day: dt.date,
    doctor_id: int,
    weekly: Iterable[WeeklyHours],
    exceptions: Iterable[HoursException] = (),
) -> tuple[Window, ...]:
    """The doctor's windows on ``day`` after leave and extra sessions, sorted, merged."""
    spans = [
        (_minutes(w.start), _minutes(w.end))
        for w in weekly
        if w.doctor_id == doctor_id and w.applies_on(day)
    ]
    todays = [e for e in exceptions if e.doctor_id == doctor_id and e.date == day]
    for extra in (e for e in todays if e.kind == HoursChange.EXTRA):
        if extra.start is not None and extra.end is not None:
            spans.append((_minutes(extra.start), _minutes(extra.end)))
    for leave in (e for e in todays if e.kind == HoursChange.LEAVE):
        if leave.start is None or leave.end is None:
            return ()
        spans = _cut(spans, _minutes(leave.start), _minutes(leave.end))
    return tuple((_time(a), _time(b)) for a, b in _merge(spans))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _cut(spans: list[tuple[int, int]], a: int, b: int) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for s, e in spans:
        if e <= a or s >= b:
            kept.append((s, e))
            continue
        if s < a:
            kept.append((s, a))
        if e > b:
            kept.append((b, e))
    return kept


def overlaps(a: Booking, b: Booking) -> bool:
    """Same doctor, same day, and the two sessions share a minute."""
    if a.doctor_id != b.doctor_id or a.date != b.date:
        return False
    a0, b0 = _minutes(a.start), _minutes(b.start)
    return a0 < b0 + b.minutes and b0 < a0 + a.minutes


def free_slots(
    doctor_ids: Sequence[int],
    *,
    weekly: Iterable[WeeklyHours],
    exceptions: Iterable[HoursException] = (),
    bookings: Iterable[Booking] = (),
    first_day: dt.date,
    days: int,
    is_open: Callable[[dt.date], bool],
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> tuple[Slot, ...]:
    """Free 30-minute starts inside the doctors' hours, on open days, after ``now``.

    In date, time, then ``doctor_ids`` order (list the case's department's doctors first).
    """
    weekly = tuple(weekly)
    exceptions = tuple(exceptions)
    taken = tuple(bookings)
    found: list[Slot] = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        if not is_open(day):
            continue
        todays: list[Slot] = []
        for doctor_id in doctor_ids:
            for start, end in hours_on(day, doctor_id, weekly, exceptions):
                todays.extend(_starts(doctor_id, day, start, end, taken, now))
        todays.sort(key=lambda s: (s.start, doctor_ids.index(s.doctor_id)))
        found.extend(todays)
        if limit is not None and len(found) >= limit:
            return tuple(found[:limit])
    return tuple(found)


def _starts(
    doctor_id: int,
    day: dt.date,
    start: dt.time,
    end: dt.time,
    taken: Sequence[Booking],
    now: dt.datetime | None,
) -> list[Slot]:
    slots = []
    first, last = _minutes(start), _minutes(end)

    def free(at: int) -> bool:
        probe = Booking(doctor_id, day, _time(at), BLOCK_MINUTES)
        return at + BLOCK_MINUTES <= last and not any(overlaps(probe, b) for b in taken)

    for at in range(first, last - BLOCK_MINUTES + 1, BLOCK_MINUTES):
        if now is not None and dt.datetime.combine(day, _time(at)) <= now:
            continue
        if free(at):
            slots.append(Slot(doctor_id, day, _time(at), extendable=free(at + BLOCK_MINUTES)))
    return slots


@dataclass(frozen=True)
class BookingCheck:
    """What the service knows when a clerk asks for a slot."""

    request: Booking
    now: dt.datetime
    closure_name: str  # "" on an open day, else why it is closed (e.g. 「勤労感謝の日」)
    doctor_hours: tuple[Window, ...]  # that doctor's windows that day
    others: tuple[Booking, ...]  # live bookings that day, other cases
    patient_bookings: tuple[Booking, ...] = ()  # the patient's other live bookings
    materials_due: dt.date | None = None  # 3 open days before, for this appointment date


def check_booking(check: BookingCheck) -> tuple[str, ...]:
    """Raise ValidationError for what may never be booked; return the warnings a clerk may
    accept with a reason (written to the case's history)."""
    r = check.request
    if check.closure_name:
        raise ValidationError(f"{_md(r.date)}は休診日です（{check.closure_name}）。")
    if dt.datetime.combine(r.date, r.start) <= check.now:
        raise ValidationError("過去の日時には予約できません。")
    if r.minutes <= 0 or r.minutes % BLOCK_MINUTES:
        raise ValidationError("予約の時間は30分単位です。", field="minutes")
    for other in check.others:
        if overlaps(r, other):
            raise ValidationError(f"この担当医は{other.start:%H:%M}から別の予約が入っています。")
    warnings = []
    start, end = _minutes(r.start), _minutes(r.start) + r.minutes
    inside = any(_minutes(a) <= start and end <= _minutes(b) for a, b in check.doctor_hours)
    if not inside:
        warnings.append("担当医のセカンドオピニオン枠の時間外です。")
    for booked in check.patient_bookings:
        warnings.append(
            f"この患者さんは{_md(booked.date)} {booked.start:%H:%M}にも予約があります。"
        )
    if check.materials_due is not None and check.materials_due < check.now.date():
        warnings.append(f"資料の提出期限（{_md(check.materials_due)}）をすでに過ぎている日程です。")
    return tuple(warnings)
