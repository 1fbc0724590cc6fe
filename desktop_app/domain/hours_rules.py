"""Rules for the doctors' hours master: windows on the half hour, no overlaps, sound dates.

Pure: the service passes the windows and exceptions already stored; these functions raise
ValidationError (Japanese, with the field) for what may not be saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.slots import BLOCK_MINUTES, HoursChange, HoursException, WeeklyHours

WEEKDAY_LABELS = ("月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜")


def weekday_label(weekday: int) -> str:
    """0 → 「月曜」."""
    return WEEKDAY_LABELS[weekday]


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def check_times(start: dt.time | None, end: dt.time | None) -> tuple[dt.time, dt.time]:
    """Both times given, on the half hour, and the start before the end."""
    if start is None:
        raise ValidationError("開始時刻を入力してください。", field="start")
    if end is None:
        raise ValidationError("終了時刻を入力してください。", field="end")
    for value, field, what in ((start, "start", "開始時刻"), (end, "end", "終了時刻")):
        if value.second or value.microsecond or _minutes(value) % BLOCK_MINUTES:
            raise ValidationError(
                f"{what}は30分単位（例：14:00、14:30）で入力してください。", field=field
            )
    if _minutes(start) >= _minutes(end):
        raise ValidationError("終了時刻は開始時刻より後にしてください。", field="end")
    return start, end


def check_date_range(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    """An open end is allowed; a closed range runs forwards."""
    if valid_from is not None and valid_to is not None and valid_from > valid_to:
        raise ValidationError(
            "期間の終わりは始まりと同じ日か、それより後にしてください。", field="valid_to"
        )


def _dates_meet(a: WeeklyHours, b: WeeklyHours) -> bool:
    a_from = a.valid_from or dt.date.min
    a_to = a.valid_to or dt.date.max
    b_from = b.valid_from or dt.date.min
    b_to = b.valid_to or dt.date.max
    return a_from <= b_to and b_from <= a_to


def _times_meet(a0: dt.time, a1: dt.time, b0: dt.time, b1: dt.time) -> bool:
    return _minutes(a0) < _minutes(b1) and _minutes(b0) < _minutes(a1)


def check_window(window: WeeklyHours, others: Iterable[WeeklyHours]) -> WeeklyHours:
    """A weekly window that may be saved beside ``others`` (the doctor's other windows)."""
    if not 0 <= window.weekday <= 6:
        raise ValidationError("曜日を選んでください。", field="weekday")
    check_times(window.start, window.end)
    check_date_range(window.valid_from, window.valid_to)
    for other in others:
        if (
            other.weekday == window.weekday
            and _times_meet(window.start, window.end, other.start, other.end)
            and _dates_meet(window, other)
        ):
            raise ValidationError(
                f"{weekday_label(window.weekday)} {other.start:%H:%M}–{other.end:%H:%M} の枠と"
                "時間が重なっています（期間も重なっています）。",
                field="start",
            )
    return window


def check_exception(
    exception: HoursException, others: Iterable[HoursException], today: dt.date
) -> HoursException:
    """Leave (whole day or a window) or an extra window, today or later, not doubled."""
    if exception.date < today:
        raise ValidationError("過去の日付には登録できません。", field="date")
    whole_day = exception.start is None and exception.end is None
    if exception.kind == HoursChange.EXTRA and whole_day:
        raise ValidationError("臨時枠は開始時刻と終了時刻を入力してください。", field="start")
    span = None if whole_day else check_times(exception.start, exception.end)
    for other in others:
        if other.date != exception.date or other.kind != exception.kind:
            continue
        if (
            span is None
            or other.start is None
            or other.end is None
            or _times_meet(*span, other.start, other.end)
        ):
            raise ValidationError(
                f"{exception.date.month}月{exception.date.day}日にはすでに重なる"
                f"{exception.kind.label}が登録されています。",
                field="date",
            )
    return exception
