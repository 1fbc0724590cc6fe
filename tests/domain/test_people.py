from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import Relationship, age_on, is_minor_on

D = dt.date


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (D(2000, 4, 1), D(2000, 4, 1), 0),
        (D(2000, 4, 1), D(2018, 3, 31), 17),
        (D(2000, 4, 1), D(2018, 4, 1), 18),  # older from the start of the birthday
        (D(1970, 3, 15), D(2026, 11, 24), 56),
        (D(1970, 12, 31), D(2026, 1, 1), 55),
        # Born on 29 February: in common years one year older on 1 March, not on 28 February.
        (D(2008, 2, 29), D(2026, 2, 28), 17),
        (D(2008, 2, 29), D(2026, 3, 1), 18),
        (D(2008, 2, 29), D(2028, 2, 28), 19),
        (D(2008, 2, 29), D(2028, 2, 29), 20),
    ],
)
def test_age_on(birth: dt.date, day: dt.date, age: int) -> None:
    assert age_on(birth, day) == age


def test_birth_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        age_on(D(2026, 11, 25), D(2026, 11, 24))
    assert (info.value.message, info.value.field) == ("生年月日が未来の日付です。", "birth_date")
    with pytest.raises(ValidationError):
        is_minor_on(D(2026, 11, 25), D(2026, 11, 24))


def test_is_minor_on_the_appointment_day() -> None:
    birth = D(2008, 12, 1)
    assert is_minor_on(birth, D(2026, 11, 30))
    assert not is_minor_on(birth, D(2026, 12, 1))
    assert is_minor_on(birth, D(2026, 12, 1), age_of_majority=20)


@given(st.dates(max_value=D(2100, 12, 31)), st.integers(min_value=0, max_value=40000))
def test_age_never_decreases_and_grows_once_a_year(birth: dt.date, days: int) -> None:
    day = birth + dt.timedelta(days=days)
    later = day + dt.timedelta(days=1)
    assert age_on(birth, later) - age_on(birth, day) in (0, 1)
    assert age_on(birth, day) <= days // 365


def test_relationship_flags() -> None:
    assert not Relationship.SELF.is_family
    assert Relationship.SPOUSE.is_family
    assert not Relationship.OTHER.is_eligible
    assert all(r.label for r in Relationship)
