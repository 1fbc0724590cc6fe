from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.closures import format_closures, parse_closures
from desktop_app.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "12/29, 12/30, 12/31, 1/1, 1/2, 1/3",
            ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)),
        ),
        ("１２／２９、1/1，5月1日  8/15", ((12, 29), (1, 1), (5, 1), (8, 15))),
        ("2/29, 2/29", ((2, 29),)),
        ("", ()),
        ("  、 ", ()),
    ],
)
def test_closures_are_read_from_text(text: str, expected: tuple[tuple[int, int], ...]) -> None:
    assert parse_closures(text) == expected


@pytest.mark.parametrize("text", ["13/40", "12/29, 2/30", "12-29", "年末", "12/"])
def test_closures_that_are_not_dates_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_closures(text)
    assert err.value.field == "annual_closures"
    assert "月/日" in err.value.message


def test_closures_message_names_every_bad_entry() -> None:
    with pytest.raises(ValidationError) as err:
        parse_closures("12/29, 13/40, 0/1, 1/1")
    assert "「13/40」、「0/1」" in err.value.message


def test_closures_text_round_trips() -> None:
    pairs = ((12, 29), (1, 3))
    assert format_closures(pairs) == "12/29, 1/3"
    assert parse_closures(format_closures(pairs)) == pairs


_DAYS = st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31)).map(lambda d: (d.month, d.day))


@given(st.lists(_DAYS, unique=True, max_size=40))
def test_any_list_of_days_round_trips(pairs) -> None:
    assert parse_closures(format_closures(pairs)) == tuple(pairs)


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_any_text_is_days_or_one_clear_error(text: str) -> None:
    try:
        pairs = parse_closures(text)
    except ValidationError as err:
        assert err.field == "annual_closures" and "月/日" in err.message
    else:
        for month, day in pairs:
            dt.date(2024, month, day)  # every pair read is a real day of a (leap) year
