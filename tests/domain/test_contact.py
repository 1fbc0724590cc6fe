from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.contact import (
    format_phone,
    format_postal,
    normalize_phone,
    normalize_postal,
    validate_phone,
    validate_postal,
)
from desktop_app.domain.errors import ValidationError
from tests.bad_input import assert_clear_error, hostile_text

PHONE_MESSAGE = "電話番号は0から始まる10桁または11桁で入力してください。"


@pytest.mark.parametrize(
    "typed",
    [
        "0144-84-0158",
        "0144840158",
        "０１４４－８４－０１５８",
        "(0144) 84-0158",
        "0144（84）0158",
        "+81-144-84-0158",
        "+81 (0)144 84 0158",
        "0144ー84ー0158",
        " 0144 84 0158 ",
    ],
)
def test_normalize_phone(typed: str) -> None:
    assert normalize_phone(typed) == "0144840158"
    assert validate_phone(typed) == "0144840158"


def test_validate_phone() -> None:
    assert validate_phone("090-1234-5678") == "09012345678"
    assert validate_phone("") == ""
    assert validate_phone(" \u3000") == ""


@pytest.mark.parametrize(
    "typed", ["144-84-0158", "0144-84-015", "090-1234-56789", "0144-84-0158 内線12", "abc"]
)
def test_validate_phone_refuses(typed: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_phone(typed, field="fax")
    assert (info.value.message, info.value.field) == (PHONE_MESSAGE, "fax")


@pytest.mark.parametrize(
    ("digits", "shown"),
    [
        ("0144840158", "0144-84-0158"),
        ("0144334678", "0144-33-4678"),
        ("09012345678", "090-1234-5678"),
        ("0312345678", "03-1234-5678"),
        ("0120123456", "0120-123-456"),
        ("05012345678", "050-1234-5678"),
        ("0112345678", "011-234-5678"),
        ("0001234567", "0001234567"),  # unknown shape: as it is
        ("0501234567", "0501234567"),
        ("12345", "12345"),
        ("", ""),
    ],
)
def test_format_phone(digits: str, shown: str) -> None:
    assert format_phone(digits) == shown


@given(st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True))
def test_format_phone_keeps_the_digits(digits: str) -> None:
    assert normalize_phone(format_phone(digits)) == digits


@pytest.mark.parametrize(
    "typed", ["053-8567", "〒053-8567", "０５３－８５６７", "0538567", " 〒 053 8567"]
)
def test_postal(typed: str) -> None:
    assert normalize_postal(typed) == "0538567"
    assert validate_postal(typed) == "0538567"


@pytest.mark.parametrize("typed", ["053-856", "05385670", "〒abc-defg"])
def test_postal_refuses(typed: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_postal(typed, field="patient_postal_code")
    assert info.value.message == "郵便番号は7桁で入力してください。"
    assert info.value.field == "patient_postal_code"


def test_postal_empty_and_format() -> None:
    assert validate_postal("") == ""
    assert format_postal("0538567") == "〒053-8567"
    assert format_postal("0538567", mark=False) == "053-8567"
    assert format_postal("053") == "053"


@given(st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_postal_round_trip(code: str) -> None:
    assert validate_postal(format_postal(code)) == code


# Digits of every width between every separator an IME offers, so the success path is hit too.
NUMBER_LIKE = st.text(
    alphabet="0123456789０１２３４５６７８９+-‐－ー()（） .〒\u3000\t", min_size=1, max_size=20
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(hostile_text(max_size=20), NUMBER_LIKE))
def test_phone_and_postal_never_crash(text: str) -> None:
    for validate, shape in ((validate_phone, r"0[0-9]{9,10}"), (validate_postal, r"[0-9]{7}")):
        try:
            value = validate(text)
        except ValidationError as error:
            assert_clear_error(error)
            continue
        assert value == "" or re.fullmatch(shape, value)
    assert isinstance(format_phone(normalize_phone(text)), str)
    assert isinstance(format_postal(normalize_postal(text)), str)
