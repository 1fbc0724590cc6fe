"""Clinic settings: every number and address of the hospital's guide, as data with defaults."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS, ExclusionReason
from desktop_app.domain.errors import ValidationError


class DateStyle(StrEnum):
    """How dates show on screens and forms."""

    WAREKI = "wareki"  # 令和8年11月24日
    SEIREKI = "seireki"  # 2026年11月24日
    BOTH = "both"  # 令和8年(2026年)11月24日

    @property
    def label(self) -> str:
        return {DateStyle.WAREKI: "和暦", DateStyle.SEIREKI: "西暦", DateStyle.BOTH: "和暦と西暦"}[
            self
        ]


@dataclass(frozen=True)
class ClinicSettings:
    """Defaults are those of the hospital's guide (seeds/second-opinion-guide.ja.txt)."""

    hospital_name: str = "苫小牧市立病院"
    office_name: str = "地域医療連携室"
    postal_code: str = "0538567"  # 7 digits, shown as 〒053-8567
    address: str = "苫小牧市清水町1-5-20"
    tel: str = "0144840158"  # digits, shown as 0144-84-0158
    fax: str = "0144334678"
    fee_per_block_yen: int = 5500  # tax included
    session_minutes: int = 30
    max_extension_minutes: int = 30
    materials_deadline_days: int = 3
    age_of_majority: int = 18
    # The hospital's own yearly closures as (month, day); default 12/29 to 1/3.
    annual_closures: tuple[tuple[int, int], ...] = (
        (12, 29),
        (12, 30),
        (12, 31),
        (1, 1),
        (1, 2),
        (1, 3),
    )
    date_style: DateStyle = DateStyle.WAREKI
    invoice_registration_number: str = ""  # 適格請求書発行事業者登録番号 (T + 13 digits), optional
    exclusion_reasons: tuple[ExclusionReason, ...] = field(default=DEFAULT_EXCLUSION_REASONS)
    # Folder for the automatic backups (e.g. a USB drive); "" is the data folder's "backups".
    backup_folder: str = ""
    # How a patient may pay, first the default (the guide names none but cash at the desk).
    payment_methods: tuple[str, ...] = ("現金", "クレジットカード", "電子マネー")
    # The board's 要対応 reminders: an application not back this many days after the packet
    # went out, a doctor's decision pending this many days.
    application_reminder_days: int = 14
    decision_reminder_days: int = 7
    # The screen locks after this many minutes without a key or mouse press (the guideline
    # asks for a lock when the desk is left; 10 minutes unless the clinic decides otherwise).
    lock_after_minutes: int = 10
    # The printer a form is faxed through (a PC-FAX driver; its CUPS or Windows name), "" when
    # none is set: 「FAXで送る」 then says so and sends nothing.
    fax_printer: str = ""

    @property
    def max_session_minutes(self) -> int:
        return self.session_minutes + self.max_extension_minutes


DEFAULT_SETTINGS = ClinicSettings()

PRINTER_NAME_MAX = 127  # CUPS allows 127 characters in a queue's name


def printer_name(text: str, field: str = "fax_printer") -> str:
    """A printer's name as typed, trimmed; "" is none. ValidationError (Japanese) when it
    cannot be a printer's name (too long, or a control character such as a line break)."""
    name = text.strip()
    if len(name) > PRINTER_NAME_MAX or any(unicodedata.category(c) == "Cc" for c in name):
        raise ValidationError("FAXのプリンタの名前が正しくありません。", field=field)
    return name


# The settings row (settings table, outside ClinicSettings) that keeps the column mapping of
# the last ledger imported (services/ledger_import.py): header text -> domain/ledger.Field.
LEDGER_MAPPING_KEY = "ledger_mapping"
