from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.errors import ValidationError
from desktop_app.services.postal import lookup


def test_a_real_code_gives_its_town() -> None:
    found = lookup("053-0022")
    assert found is not None
    assert found.text == "北海道苫小牧市表町"
    assert (found.prefecture, found.city, found.town) == ("北海道", "苫小牧市", "表町")


def test_full_width_and_the_mark_are_accepted() -> None:
    assert lookup("〒０５３－００２２").text == "北海道苫小牧市表町"


def test_a_large_office_code_is_unknown_not_an_error() -> None:
    assert lookup("0538567") is None  # the hospital's own 大口事業所 code
    assert lookup("") is None


def test_a_six_digit_code_is_refused() -> None:
    with pytest.raises(ValidationError, match="7桁"):
        lookup("053002")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_any_seven_digits_never_raise(code: str) -> None:
    result = lookup(code)
    assert result is None or result.postal_code == code
