"""The intake wizard's rules for a case's people and mailing, usable outside the wizard.

The wizard checks these on its pages; editing a case after intake must refuse exactly what
the wizard refuses, so the rules live here rather than in a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_app.domain.contact import validate_phone, validate_postal
from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.japanese import normalize_name, validate_furigana
from desktop_app.domain.people import Relationship
from desktop_app.domain.wareki import parse_date

MESSAGE_FUTURE_BIRTH = "生年月日が未来の日付です。"
MESSAGE_CALLER_NAME = "相談者の氏名を入力してください。"
MESSAGE_THIRD_PARTY = "ご本人・ご家族以外の方からのご相談は対象外です。ご関係を選び直してください。"
MESSAGE_MAIL_NAME = "宛名を入力してください。"
MESSAGE_MAIL_ADDRESS = "送付先の住所を入力してください。"


def parse_birth_date(raw: str, today: dt.date) -> dt.date | None:
    """The birth date typed (西暦 or 和暦), None when empty; ValidationError when impossible."""
    if not raw.strip():
        return None
    try:
        born = parse_date(raw)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="birth_date") from None
    return check_birth_date(born, today)


def check_birth_date(born: dt.date | None, today: dt.date) -> dt.date | None:
    """``born`` unchanged; ValidationError when it lies after ``today``."""
    if born is not None and born > today:
        raise ValidationError(MESSAGE_FUTURE_BIRTH, field="birth_date")
    return born


@dataclass(frozen=True)
class CheckedCaller:
    """The caller as stored: for the patient calling themselves, no name of its own."""

    relationship: Relationship
    name: str
    furigana: str
    phone: str


def check_caller(relationship: Relationship, name: str, furigana: str, phone: str) -> CheckedCaller:
    """The wizard's 相談者 rules: family needs a name, フリガナ (optional) is katakana,
    the phone a Japanese number; someone outside the family cannot hold a case."""
    if not relationship.is_eligible:
        raise ValidationError(MESSAGE_THIRD_PARTY, field="relationship")
    digits = validate_phone(phone, "caller_phone")
    if relationship == Relationship.SELF:
        return CheckedCaller(relationship, "", "", digits)
    clean_name = normalize_name(name)
    if not clean_name:
        raise ValidationError(MESSAGE_CALLER_NAME, field="caller_name")
    kana = validate_furigana(furigana, "caller_furigana") if furigana.strip() else ""
    return CheckedCaller(relationship, clean_name, kana, digits)


@dataclass(frozen=True)
class CheckedMailing:
    to_name: str
    postal_code: str
    address: str
    channel: Channel


def check_mailing(channel: Channel, to_name: str, postal: str, address: str) -> CheckedMailing:
    """The wizard's 送付 rules: a postal code is 7 digits; by post, a name and an address."""
    code = validate_postal(postal, "mail_postal_code")
    clean_name = normalize_name(to_name)
    clean_address = address.strip()
    if channel == Channel.MAIL:
        if not clean_name:
            raise ValidationError(MESSAGE_MAIL_NAME, field="mail_to_name")
        if not clean_address:
            raise ValidationError(MESSAGE_MAIL_ADDRESS, field="mail_address")
    return CheckedMailing(clean_name, code, clean_address, channel)
