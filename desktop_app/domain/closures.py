"""毎年の休診日 (the hospital's yearly closures) as one line of text: 「12/29, 12/30, 1/1」."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from desktop_app.domain.errors import ValidationError

FIELD = "annual_closures"
# Full-width digits and slashes become ASCII under NFKC first; 「12月29日」 is accepted too.
_SEPARATORS = re.compile(r"[,、\s]+")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*[/月]\s*(\d{1,2})日?")
# A leap year, so that 2/29 is a date as it is for the settings' own check.
_LEAP_YEAR = 2024


def format_closures(pairs: Iterable[tuple[int, int]]) -> str:
    """(12, 29), (1, 1) → "12/29, 1/1"."""
    return ", ".join(f"{month}/{day}" for month, day in pairs)


def parse_closures(text: str) -> tuple[tuple[int, int], ...]:
    """The (month, day) pairs of ``text`` in the order typed, duplicates dropped.

    Raises ValidationError (field ``annual_closures``) naming every entry that is not a date.
    """
    pairs: list[tuple[int, int]] = []
    bad: list[str] = []
    for token in _SEPARATORS.split(unicodedata.normalize("NFKC", text).strip()):
        if not token:
            continue
        pair = _month_day(token)
        if pair is None:
            bad.append(token)
        elif pair not in pairs:
            pairs.append(pair)
    if bad:
        entries = "、".join(f"「{token}」" for token in bad)
        raise ValidationError(
            f"{entries}は日付として読めません。「12/29」のように月/日で入力してください。",
            field=FIELD,
        )
    return tuple(pairs)


def _month_day(token: str) -> tuple[int, int] | None:
    match = _MONTH_DAY.fullmatch(token)
    if match is None:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    try:
        dt.date(_LEAP_YEAR, month, day)
    except ValueError:
        return None
    return month, day
