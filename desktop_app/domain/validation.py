"""Checks on the settings screen's input before it is saved, and the FAX number's rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable

from desktop_app.domain.contact import MESSAGE_POSTAL, validate_phone, validate_postal
from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS, ExclusionReason, Route
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.settings import ClinicSettings, DateStyle

_INVOICE_NUMBER = re.compile(r"T[0-9]{13}")
# A leap year, so that a closure on 29 February is accepted.
_LEAP_YEAR = 2024


def _required_text(value: str, field: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError(f"{what}を入力してください。", field=field)
    return text


def _int_in_range(value: object, field: str, what: str, low: int, high: int, unit: str) -> int:
    # bool is an int in Python, but True minutes is a bug, not a setting.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(
            f"{what}は{low:,}{unit}から{high:,}{unit}までの整数で入力してください。", field=field
        )
    return value


def _annual_closures(pairs: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    result: list[tuple[int, int]] = []
    for pair in pairs:
        try:
            month, day = pair
            dt.date(_LEAP_YEAR, month, day)
        except (TypeError, ValueError):
            raise ValidationError(
                f"休診日（毎年）に存在しない日付があります：{pair}", field="annual_closures"
            ) from None
        if (month, day) not in result:
            result.append((month, day))
    return tuple(result)


def normalize_invoice_number(text: str) -> str:
    """'t1234567890123', full-width or with hyphens → 'T1234567890123'; "" stays ""."""
    compact = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()
    return compact


def _invoice_number(text: str) -> str:
    number = normalize_invoice_number(text)
    if number and _INVOICE_NUMBER.fullmatch(number) is None:
        raise ValidationError(
            "登録番号は「T」と13桁の数字で入力してください（例: T1234567890123）。",
            field="invoice_registration_number",
        )
    return number


def _exclusion_reasons(reasons: Iterable[ExclusionReason]) -> tuple[ExclusionReason, ...]:
    field = "exclusion_reasons"
    result: list[ExclusionReason] = []
    seen: set[str] = set()
    for reason in reasons:
        code = reason.code.strip()
        if not code:
            raise ValidationError("対象外理由のコードを入力してください。", field=field)
        if code in seen:
            raise ValidationError(f"対象外理由のコード「{code}」が重複しています。", field=field)
        seen.add(code)
        label = reason.label.strip()
        if not label:
            raise ValidationError(f"対象外理由「{code}」の名称を入力してください。", field=field)
        if not reason.script.strip():
            raise ValidationError(f"対象外理由「{label}」の説明文を入力してください。", field=field)
        try:
            route = Route(reason.route)
        except ValueError:
            raise ValidationError(
                f"対象外理由「{label}」のご案内先が正しくありません。", field=field
            ) from None
        result.append(
            dataclasses.replace(
                reason,
                code=code,
                label=label,
                script=reason.script.strip(),
                route=route,
                screening_question=reason.screening_question.strip(),
            )
        )
    missing = [r for r in DEFAULT_EXCLUSION_REASONS if r.code not in seen]
    if missing:
        names = "、".join(f"「{r.label}」" for r in missing)
        raise ValidationError(
            f"当院の案内にある標準の対象外理由{names}は削除できません（文言は変更できます）。",
            field=field,
        )
    return tuple(result)


MESSAGE_FAX = "FAX番号は0から始まる10桁または11桁で入力してください。"


def validate_fax(text: str, field: str = "fax") -> str:
    """A patient's or caller's FAX number as digits, "" when empty: the phones' rule
    (contact.validate_phone), with a message that names the FAX number."""
    try:
        return validate_phone(text, field=field)
    except ValidationError:
        raise ValidationError(MESSAGE_FAX, field=field) from None


def _required_phone(text: str, field: str, what: str) -> str:
    digits = validate_phone(text, field=field)
    if not digits:
        raise ValidationError(f"{what}を入力してください。", field=field)
    return digits


def _postal_code(text: str) -> str:
    code = validate_postal(text)
    if not code:
        raise ValidationError(MESSAGE_POSTAL, field="postal_code")
    return code


def _date_style(value: str) -> DateStyle:
    try:
        return DateStyle(value)
    except ValueError:
        raise ValidationError("日付の表示形式が正しくありません。", field="date_style") from None


BACKUP_FOLDER_MAX = 400
PAYMENT_METHOD_MAX = 40


def _payment_methods(methods: tuple[str, ...]) -> tuple[str, ...]:
    """Trimmed, without blanks or repeats; at least one, each short and printable."""
    field = "payment_methods"
    result: list[str] = []
    for raw in methods:
        name = str(raw).strip()
        if not name or name in result:
            continue
        if len(name) > PAYMENT_METHOD_MAX or any(unicodedata.category(c) == "Cc" for c in name):
            raise ValidationError(
                f"支払方法「{name[:20]}」は{PAYMENT_METHOD_MAX}文字以内で入力してください。",
                field=field,
            )
        result.append(name)
    if not result:
        raise ValidationError("支払方法を1つ以上入力してください（例：現金）。", field=field)
    return tuple(result)


def _backup_folder(text: str) -> str:
    folder = text.strip()
    field = "backup_folder"
    if not folder:
        return ""
    if len(folder) > BACKUP_FOLDER_MAX or any(unicodedata.category(c) == "Cc" for c in folder):
        raise ValidationError("バックアップの保存先が正しくありません。", field=field)
    # A relative folder would depend on where the program was started from.
    if not os.path.isabs(os.path.expanduser(folder)):
        raise ValidationError(
            "バックアップの保存先は「参照…」で選ぶか、フォルダの完全な場所を入力してください"
            "（例: E:\\SODeskバックアップ）。",
            field=field,
        )
    return folder


def validate_settings(s: ClinicSettings) -> ClinicSettings:
    """A normalised copy of ``s``, or ValidationError naming the first bad setting."""
    # Keyword arguments are evaluated in order, so the first bad field in screen order is named.
    return dataclasses.replace(
        s,
        hospital_name=_required_text(s.hospital_name, "hospital_name", "病院名"),
        office_name=_required_text(s.office_name, "office_name", "部署名"),
        postal_code=_postal_code(s.postal_code),
        address=_required_text(s.address, "address", "住所"),
        tel=_required_phone(s.tel, "tel", "電話番号"),
        fax=_required_phone(s.fax, "fax", "FAX番号"),
        fee_per_block_yen=_int_in_range(
            s.fee_per_block_yen, "fee_per_block_yen", "料金", 0, 1_000_000, "円"
        ),
        session_minutes=_int_in_range(
            s.session_minutes, "session_minutes", "基本の時間", 5, 240, "分"
        ),
        max_extension_minutes=_int_in_range(
            s.max_extension_minutes, "max_extension_minutes", "延長の上限", 0, 240, "分"
        ),
        materials_deadline_days=_int_in_range(
            s.materials_deadline_days, "materials_deadline_days", "資料の提出期限", 0, 30, "日前"
        ),
        age_of_majority=_int_in_range(
            s.age_of_majority, "age_of_majority", "成年年齢", 15, 25, "歳"
        ),
        annual_closures=_annual_closures(s.annual_closures),
        date_style=_date_style(s.date_style),
        invoice_registration_number=_invoice_number(s.invoice_registration_number),
        exclusion_reasons=_exclusion_reasons(s.exclusion_reasons),
        backup_folder=_backup_folder(s.backup_folder),
        payment_methods=_payment_methods(s.payment_methods),
        application_reminder_days=_int_in_range(
            s.application_reminder_days, "application_reminder_days", "申込書の督促", 1, 90, "日"
        ),
        decision_reminder_days=_int_in_range(
            s.decision_reminder_days, "decision_reminder_days", "担当医の判断の督促", 1, 60, "日"
        ),
        lock_after_minutes=_int_in_range(
            s.lock_after_minutes, "lock_after_minutes", "画面ロックまでの時間", 1, 60, "分"
        ),
    )
