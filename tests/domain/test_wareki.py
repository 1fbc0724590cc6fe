from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.settings import DateStyle
from desktop_app.domain.wareki import (
    ERAS,
    era_end,
    era_of,
    format_date,
    format_seireki,
    format_short,
    format_wareki,
    parse_date,
    weekday_ja,
)
from tests.bad_input import any_date, assert_clear_error, hostile_text

D = dt.date
FORMAT_MESSAGE = "日付の形式が正しくありません（例: 1970/3/15、S45.3.15、昭和45年3月15日）。"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (D(2026, 11, 24), "令和8年11月24日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1970, 3, 15), "昭和45年3月15日"),
        (D(1926, 12, 24), "大正15年12月24日"),
        (D(1912, 7, 29), "明治45年7月29日"),
        (D(1868, 10, 23), "明治元年10月23日"),
        (D(1850, 1, 1), "1850年1月1日"),  # before 明治: 西暦
    ],
)
def test_format_wareki(day: dt.date, text: str) -> None:
    assert format_wareki(day) == text


def test_formats_with_weekday_and_styles() -> None:
    day = D(2026, 11, 24)
    assert weekday_ja(day) == "火"
    assert format_wareki(day, weekday=True) == "令和8年11月24日（火）"
    assert format_seireki(day) == "2026年11月24日"
    assert format_seireki(day, weekday=True) == "2026年11月24日（火）"
    assert format_date(day, DateStyle.WAREKI) == "令和8年11月24日"
    assert format_date(day, DateStyle.SEIREKI) == "2026年11月24日"
    assert format_date(day, DateStyle.BOTH) == "令和8年（2026年）11月24日"
    assert format_date(day, DateStyle.BOTH, weekday=True) == "令和8年（2026年）11月24日（火）"
    assert format_date(D(2019, 5, 1), DateStyle.BOTH) == "令和元年（2019年）5月1日"
    assert format_short(day) == "2026/11/24"
    assert format_short(D(2027, 1, 5)) == "2027/01/05"


def test_eras() -> None:
    assert era_of(D(1868, 10, 22)) is None
    assert era_of(D(2019, 4, 30)) == ERAS[3]
    assert era_end(ERAS[3]) == D(2019, 4, 30)
    assert era_end(ERAS[-1]) is None


@pytest.mark.parametrize(
    "text",
    [
        "1970/3/15",
        "1970-03-15",
        "1970.3.15",
        "19700315",
        "1970年3月15日",
        "1970年3月15",
        "S45.3.15",
        "s45/3/15",
        "S45-3-15",
        "S45年3月15日",
        "昭和45年3月15日",
        "１９７０／３／１５",
        "Ｓ４５．３．１５",
        " 昭和 45 年 3 月 15 日 ",
        "昭和４５年３月１５日",
    ],
)
def test_parse_date_spellings(text: str) -> None:
    assert parse_date(text) == D(1970, 3, 15)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("令和元年5月1日", D(2019, 5, 1)),
        ("R1.5.1", D(2019, 5, 1)),
        ("r元.5.1", D(2019, 5, 1)),
        ("H31.4.30", D(2019, 4, 30)),
        ("M45.7.29", D(1912, 7, 29)),
        ("T1.7.30", D(1912, 7, 30)),
        ("2024/2/29", D(2024, 2, 29)),
        ("令和8年11月24日（火）", D(2026, 11, 24)),
    ],
)
def test_parse_date_eras(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "日付を入力してください。"),
        ("\u3000 ", "日付を入力してください。"),
        ("abc", FORMAT_MESSAGE),
        ("1970/3", FORMAT_MESSAGE),
        ("1970/3-15", FORMAT_MESSAGE),
        ("X45.3.15", FORMAT_MESSAGE),
        ("197031", FORMAT_MESSAGE),
        ("2026/2/30", "存在しない日付です。"),
        ("2025/2/29", "存在しない日付です。"),
        ("2026/13/1", "存在しない日付です。"),
        ("昭和45年2月30日", "存在しない日付です。"),
        ("平成31年5月1日", "平成は31年4月30日までです。"),
        ("H32.1.1", "平成は31年4月30日までです。"),
        ("昭和64年1月8日", "昭和は64年1月7日までです。"),
        ("令和1年4月30日", "令和は元年5月1日からです。"),
        ("令和0年5月1日", "令和は元年5月1日からです。"),
        ("S0.12.31", "昭和は元年12月25日からです。"),
        ("明治元年1月1日", "明治は元年10月23日からです。"),
    ],
)
def test_parse_date_errors(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_date(text)
    assert info.value.message == message
    assert info.value.field is None


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_wareki_round_trip(day: dt.date) -> None:
    assert parse_date(format_wareki(day)) == day
    assert parse_date(format_seireki(day)) == day
    assert parse_date(format_short(day)) == day
    assert parse_date(format_wareki(day, weekday=True)) == day


# Text that looks like a date: digits of every width, era names and letters, separators.
DATE_LIKE = st.one_of(
    st.text(
        alphabet="0123456789０１２３４５６７８９/-.／－．年月日元()（） MTSHRmtshr明治大正昭和平成令和火",
        max_size=20,
    ),
    st.from_regex(
        r"[MTSHRmtshr明治大正昭和平成令和]{1,2}[0-9元]{1,3}[./-][0-9]{1,3}[./-][0-9]{1,3}"
    ),
    st.from_regex(r"[0-9]{1,6}[/年-][0-9]{1,3}[/月-][0-9]{1,3}日?(\([月火水木金土日]\))?"),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(hostile_text(), DATE_LIKE))
def test_parse_date_raises_only_validation_error(text: str) -> None:
    """A date, or a message the clerk can read: never another exception."""
    try:
        day = parse_date(text)
    except ValidationError as error:
        assert_clear_error(error)
    else:
        assert isinstance(day, dt.date)
        assert parse_date(format_short(day)) == day


@settings(max_examples=100, deadline=None)
@given(any_date, st.sampled_from(DateStyle), st.booleans())
def test_every_date_from_year_1_to_9999_formats(
    day: dt.date, style: DateStyle, weekday: bool
) -> None:
    shown = format_date(day, style, weekday=weekday)
    assert str(day.day) in shown
    # The desk types era years of one or two digits (令和99年 is 2117).
    if ERAS[0].start <= day < D(2118, 1, 1):
        assert parse_date(format_wareki(day)) == day
