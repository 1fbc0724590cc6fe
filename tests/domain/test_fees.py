from __future__ import annotations

import dataclasses

import pytest

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.fees import (
    FeeBreakdown,
    blocks_for_minutes,
    consultation_fee,
    tax_included_in,
)
from desktop_app.domain.settings import DEFAULT_SETTINGS


@pytest.mark.parametrize(
    ("minutes", "blocks", "total"),
    [(1, 1, 5500), (29, 1, 5500), (30, 1, 5500), (31, 2, 11000), (45, 2, 11000), (60, 2, 11000)],
)
def test_fee_per_started_block(minutes: int, blocks: int, total: int) -> None:
    fee = consultation_fee(minutes)
    assert fee.minutes == minutes
    assert fee.blocks == blocks
    assert fee.total_yen == total
    assert fee.base_yen == 5500
    assert fee.extension_yen == total - 5500


def test_breakdown_of_one_block_includes_tax() -> None:
    assert consultation_fee(30) == FeeBreakdown(
        minutes=30,
        blocks=1,
        base_yen=5500,
        extension_yen=0,
        total_yen=5500,
        consumption_tax_yen=500,
    )
    assert consultation_fee(60).consumption_tax_yen == 1000


@pytest.mark.parametrize("minutes", [0, -1, -30])
def test_zero_or_negative_minutes_refused(minutes: int) -> None:
    with pytest.raises(ValidationError) as info:
        consultation_fee(minutes)
    assert info.value.field == "minutes"
    assert info.value.message == "実施時間は1分以上で入力してください。"


def test_more_than_the_extension_refused() -> None:
    with pytest.raises(ValidationError) as info:
        consultation_fee(61)
    assert info.value.field == "minutes"
    assert "30分" in info.value.message
    assert "60分" in info.value.message


def test_settings_change_the_numbers() -> None:
    settings = dataclasses.replace(
        DEFAULT_SETTINGS, fee_per_block_yen=6600, session_minutes=20, max_extension_minutes=40
    )
    fee = consultation_fee(41, settings)
    assert (fee.blocks, fee.total_yen, fee.extension_yen) == (3, 19800, 13200)
    assert consultation_fee(60, settings).blocks == 3
    with pytest.raises(ValidationError, match="40分"):
        consultation_fee(61, settings)


def test_free_clinic_costs_nothing() -> None:
    settings = dataclasses.replace(DEFAULT_SETTINGS, fee_per_block_yen=0)
    fee = consultation_fee(45, settings)
    assert (fee.total_yen, fee.consumption_tax_yen) == (0, 0)


def test_blocks_for_minutes() -> None:
    assert [blocks_for_minutes(m) for m in (0, 1, 30, 31, 60, 61, 90)] == [0, 1, 1, 2, 2, 3, 3]
    assert blocks_for_minutes(25, 20) == 2
    with pytest.raises(ValueError):
        blocks_for_minutes(10, 0)


def test_tax_included_rounds_down() -> None:
    assert tax_included_in(5500) == 500
    assert tax_included_in(11000) == 1000
    assert tax_included_in(1000) == 90
