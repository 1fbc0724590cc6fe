"""和暦 and 西暦: how dates are shown and how the desk may type them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.settings import DateStyle

WEEKDAYS_JA = "月火水木金土日"


@dataclass(frozen=True)
class Era:
    """A Japanese era: its name, the letter used in short dates (S45.3.15) and its first day."""

    name: str
    letter: str
    start: dt.date


ERAS: tuple[Era, ...] = (
    Era("明治", "M", dt.date(1868, 10, 23)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("令和", "R", dt.date(2019, 5, 1)),
)
_BY_TOKEN: dict[str, Era] = {token: era for era in ERAS for token in (era.name, era.letter)}

MESSAGE_EMPTY = "日付を入力してください。"
MESSAGE_FORMAT = "日付の形式が正しくありません（例: 1970/3/15、S45.3.15、昭和45年3月15日）。"
MESSAGE_IMPOSSIBLE = "存在しない日付です。"

_SEP = r"[/\-.]"
# Month and day after a separator, which must be the same one both times (1970/3/15).
_MD_SEP = rf"(?P<s>{_SEP})(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}})"
_MD_KANJI = r"年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"
_SEIREKI = (
    re.compile(rf"(?P<y>\d{{4}}){_MD_SEP}"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    re.compile(rf"(?P<y>\d{{4}}){_MD_KANJI}"),
)
_ERA_TOKENS = "|".join(era.name for era in ERAS) + "|[" + "".join(e.letter for e in ERAS) + "]"
_ERA_YEAR = rf"(?P<era>{_ERA_TOKENS})(?P<y>\d{{1,2}}|元)"
_WAREKI = (re.compile(_ERA_YEAR + _MD_SEP), re.compile(_ERA_YEAR + _MD_KANJI))
# A weekday such as (火) after the date, as our own formatting writes it.
_TRAILING_WEEKDAY = re.compile(rf"\([{WEEKDAYS_JA}]\)$")


def era_of(d: dt.date) -> Era | None:
    """The era ``d`` falls in, or None before 明治."""
    return next((era for era in reversed(ERAS) if d >= era.start), None)


def era_end(era: Era) -> dt.date | None:
    """The last day of ``era``, or None for the current one."""
    index = ERAS.index(era)
    if index + 1 == len(ERAS):
        return None
    return ERAS[index + 1].start - dt.timedelta(days=1)


def weekday_ja(d: dt.date) -> str:
    """The one-character Japanese weekday: 月 … 日."""
    return WEEKDAYS_JA[d.weekday()]


def _era_year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def _with_weekday(text: str, d: dt.date, weekday: bool) -> str:
    return f"{text}（{weekday_ja(d)}）" if weekday else text


def format_seireki(d: dt.date, *, weekday: bool = False) -> str:
    """'2026年11月24日', with '（火）' when ``weekday``."""
    return _with_weekday(f"{d.year}年{d.month}月{d.day}日", d, weekday)


def format_wareki(d: dt.date, *, weekday: bool = False) -> str:
    """'令和8年11月24日' ('令和元年5月1日' for year 1); 西暦 for dates before 明治."""
    era = era_of(d)
    if era is None:
        return format_seireki(d, weekday=weekday)
    year = _era_year_text(d.year - era.start.year + 1)
    return _with_weekday(f"{era.name}{year}年{d.month}月{d.day}日", d, weekday)


def format_date(d: dt.date, style: DateStyle, *, weekday: bool = False) -> str:
    """``d`` in the clinic's chosen style; BOTH gives '令和8年（2026年）11月24日'."""
    if style == DateStyle.SEIREKI:
        return format_seireki(d, weekday=weekday)
    if style == DateStyle.WAREKI:
        return format_wareki(d, weekday=weekday)
    era = era_of(d)
    if era is None:
        return format_seireki(d, weekday=weekday)
    year = _era_year_text(d.year - era.start.year + 1)
    return _with_weekday(f"{era.name}{year}年（{d.year}年）{d.month}月{d.day}日", d, weekday)


def format_short(d: dt.date) -> str:
    """'2026/11/24', zero-padded so lists line up and sort as text."""
    return f"{d.year:04d}/{d.month:02d}/{d.day:02d}"


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(MESSAGE_IMPOSSIBLE) from None


def _from_era(era: Era, era_year: int, month: int, day: int) -> dt.date:
    # Year 0 lands in the previous year and is then refused by the range check below.
    d = _make_date(era.start.year + era_year - 1, month, day)
    start = era.start
    if d < start:
        raise ValidationError(f"{era.name}は元年{start.month}月{start.day}日からです。")
    end = era_end(era)
    if end is not None and d > end:
        last_year = end.year - start.year + 1
        raise ValidationError(f"{era.name}は{last_year}年{end.month}月{end.day}日までです。")
    return d


def parse_date(text: str) -> dt.date:
    """Read a date typed in 西暦 or 和暦 (1970/3/15, 19700315, S45.3.15, 昭和45年3月15日 …)."""
    # NFKC turns full-width digits, letters and signs into ASCII; spaces carry no meaning.
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if not compact:
        raise ValidationError(MESSAGE_EMPTY)
    compact = _TRAILING_WEEKDAY.sub("", compact)
    for pattern in _SEIREKI:
        match = pattern.fullmatch(compact)
        if match:
            return _make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    for pattern in _WAREKI:
        match = pattern.fullmatch(compact)
        if match:
            year = 1 if match["y"] == "元" else int(match["y"])
            return _from_era(_BY_TOKEN[match["era"]], year, int(match["m"]), int(match["d"]))
    raise ValidationError(MESSAGE_FORMAT)
