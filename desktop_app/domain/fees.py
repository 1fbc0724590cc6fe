"""The consultation fee: a flat price per started block of minutes, tax included."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.settings import DEFAULT_SETTINGS, ClinicSettings

# Japan's standard consumption tax rate; the guide's prices already include it.
CONSUMPTION_TAX_PERCENT = 10


@dataclass(frozen=True)
class FeeBreakdown:
    """What a session costs; every amount is an integer number of yen, tax included."""

    minutes: int
    blocks: int
    base_yen: int
    extension_yen: int
    total_yen: int
    consumption_tax_yen: int  # the tax contained in total_yen, for the receipt


def blocks_for_minutes(
    minutes: int, session_minutes: int = DEFAULT_SETTINGS.session_minutes
) -> int:
    """Number of started blocks of ``session_minutes`` in ``minutes`` (31 min of 30 → 2)."""
    if session_minutes <= 0:
        raise ValueError("session_minutes must be positive")
    if minutes <= 0:
        return 0
    return -(-minutes // session_minutes)


def tax_included_in(total_yen: int, percent: int = CONSUMPTION_TAX_PERCENT) -> int:
    """The consumption tax contained in a tax-included amount, rounded down (5,500 → 500)."""
    return total_yen * percent // (100 + percent)


def consultation_fee(minutes: int, settings: ClinicSettings = DEFAULT_SETTINGS) -> FeeBreakdown:
    """Fee for a session of ``minutes`` actual minutes; refuses 0 and more than the extension."""
    if minutes <= 0:
        raise ValidationError("実施時間は1分以上で入力してください。", field="minutes")
    if minutes > settings.max_session_minutes:
        raise ValidationError(
            f"延長は最大{settings.max_extension_minutes}分までです。"
            f"実施時間は{settings.max_session_minutes}分以内で入力してください。",
            field="minutes",
        )
    blocks = blocks_for_minutes(minutes, settings.session_minutes)
    total = blocks * settings.fee_per_block_yen
    return FeeBreakdown(
        minutes=minutes,
        blocks=blocks,
        base_yen=settings.fee_per_block_yen,
        extension_yen=total - settings.fee_per_block_yen,
        total_yen=total,
        consumption_tax_yen=tax_included_in(total),
    )


def fee_words(settings: ClinicSettings = DEFAULT_SETTINGS) -> str:
    """The price in the guide's words, tax included: 「30分まで5,500円、追加30分5,500円」.

    The extension is charged by started blocks, so an extension no longer than one block
    costs one block (「追加30分」); a longer one is priced per block (「追加30分ごとに」).
    """
    fee = f"{settings.fee_per_block_yen:,}円"
    first = f"{settings.session_minutes}分まで{fee}"
    extension = settings.max_extension_minutes
    if extension <= 0:
        return first
    if extension <= settings.session_minutes:
        return f"{first}、追加{extension}分{fee}"
    return f"{first}、追加{settings.session_minutes}分ごとに{fee}"
