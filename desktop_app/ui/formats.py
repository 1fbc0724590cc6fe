"""How values read on screen: dates by the clinic's setting, local times, yen, blanks."""

from __future__ import annotations

import datetime as dt

from desktop_app.domain.settings import DateStyle
from desktop_app.domain.wareki import format_date, format_short

BLANK = "—"


def date_text(d: dt.date | None, style: DateStyle, *, weekday: bool = False) -> str:
    return BLANK if d is None else format_date(d, style, weekday=weekday)


def short_date(d: dt.date | None) -> str:
    return "" if d is None else format_short(d)


def local_time_text(at: dt.datetime) -> str:
    """A stored UTC time in the desk's local time, e.g. '2026/11/24 10:30'."""
    local = at.astimezone() if at.tzinfo is not None else at
    return f"{format_short(local.date())} {local:%H:%M}"


def yen(amount: int) -> str:
    return f"{amount:,}円"


def text_or_blank(value: str | None) -> str:
    return value.strip() if value and value.strip() else BLANK


def yes_no(value: bool | None, yes: str = "はい", no: str = "いいえ") -> str:
    return "未確認" if value is None else (yes if value else no)
