"""Phone, FAX and postal codes: stored as digits, shown with hyphens and 〒."""

from __future__ import annotations

import re
import unicodedata

from desktop_app.domain.errors import ValidationError

MESSAGE_PHONE = "電話番号は0から始まる10桁または11桁で入力してください。"
MESSAGE_POSTAL = "郵便番号は7桁で入力してください。"

# What people type between digits: spaces, brackets, dots and every dash-like character an
# IME offers (the long-vowel mark ー is a common stand-in for a hyphen in Japanese input).
_SEPARATORS = re.compile(r"[\s()\[\].\-‐‑‒–—―−ー]")
_PHONE = re.compile(r"0[0-9]{9,10}")
_POSTAL = re.compile(r"[0-9]{7}")


def normalize_phone(text: str) -> str:
    """Digits of a Japanese number: separators dropped, full-width folded, '+81' becomes '0'.

    Anything that is not a separator is kept, so validate_phone can refuse it.
    """
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if compact.startswith("+81"):
        rest = compact[3:]
        # '+81 (0)3 …' already carries its trunk zero.
        compact = rest if rest.startswith("0") else "0" + rest
    return compact


def validate_phone(text: str, field: str = "phone") -> str:
    """The number as digits, "" when empty; ValidationError unless 0 and 10 or 11 digits."""
    digits = normalize_phone(text)
    if not digits:
        return ""
    if _PHONE.fullmatch(digits) is None:
        raise ValidationError(MESSAGE_PHONE, field=field)
    return digits


def format_phone(digits: str) -> str:
    """Hyphens where Japan puts them (0144-84-0158, 090-1234-5678); odd shapes unchanged."""
    if _PHONE.fullmatch(digits) is None:
        return digits
    import phonenumbers  # here: about 60 ms to load, and a start formats no number

    try:
        number = phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        return digits
    if not phonenumbers.is_valid_number(number):
        # phonenumbers drops the trunk zero of numbers it does not know; keep them as typed.
        return digits
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return formatted if re.sub(r"[^0-9]", "", formatted) == digits else digits


def normalize_postal(text: str) -> str:
    """A postal code as typed ('〒053-8567', full-width, '0538567') reduced to its digits."""
    compact = unicodedata.normalize("NFKC", text).replace("〒", "")
    return _SEPARATORS.sub("", compact)


def validate_postal(text: str, field: str = "postal_code") -> str:
    """The postal code as 7 digits, "" when empty; ValidationError for any other shape."""
    code = normalize_postal(text)
    if not code:
        return ""
    if _POSTAL.fullmatch(code) is None:
        raise ValidationError(MESSAGE_POSTAL, field=field)
    return code


def format_postal(code: str, mark: bool = True) -> str:
    """'0538567' → '〒053-8567' (or '053-8567' without ``mark``); other shapes unchanged."""
    if _POSTAL.fullmatch(code) is None:
        return code
    text = f"{code[:3]}-{code[3:]}"
    return f"〒{text}" if mark else text
