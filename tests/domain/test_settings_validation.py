from __future__ import annotations

import dataclasses

import pytest

from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS, ExclusionReason
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.settings import DEFAULT_SETTINGS, ClinicSettings, DateStyle
from desktop_app.domain.validation import normalize_invoice_number, validate_settings


def with_(**changes: object) -> ClinicSettings:
    return dataclasses.replace(DEFAULT_SETTINGS, **changes)


def refused(settings: ClinicSettings) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_settings(settings)
    return info.value


def test_defaults_are_valid_and_unchanged() -> None:
    assert validate_settings(DEFAULT_SETTINGS) == DEFAULT_SETTINGS
    assert DEFAULT_SETTINGS.max_session_minutes == 60


def test_normalises_what_the_clerk_typed() -> None:
    result = validate_settings(
        with_(
            hospital_name=" 苫小牧市立病院 ",
            postal_code="〒０５３－８５６７",
            tel="0144-84-0158",
            fax="（0144）33-4678",
            annual_closures=[(12, 31), (12, 31), (2, 29)],
            date_style="both",
            invoice_registration_number="ｔ１２３４-５６７８-９０１２３",
        )
    )
    assert result.hospital_name == "苫小牧市立病院"
    assert result.postal_code == "0538567"
    assert (result.tel, result.fax) == ("0144840158", "0144334678")
    assert result.annual_closures == ((12, 31), (2, 29))
    assert result.date_style is DateStyle.BOTH
    assert result.invoice_registration_number == "T1234567890123"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hospital_name", " "),
        ("office_name", ""),
        ("address", "\u3000"),
        ("postal_code", ""),
        ("postal_code", "053-856"),
        ("tel", ""),
        ("tel", "0144-84-015"),
        ("fax", "FAX"),
        ("fee_per_block_yen", -1),
        ("fee_per_block_yen", 1_000_001),
        ("fee_per_block_yen", 5500.0),
        ("fee_per_block_yen", True),
        ("session_minutes", 4),
        ("session_minutes", 241),
        ("max_extension_minutes", -1),
        ("max_extension_minutes", 241),
        ("materials_deadline_days", 31),
        ("age_of_majority", 14),
        ("age_of_majority", 26),
        ("application_reminder_days", 0),
        ("decision_reminder_days", 61),
        ("annual_closures", ((2, 30),)),
        ("annual_closures", ((13, 1),)),
        ("annual_closures", ((12,),)),
        ("date_style", "gengo"),
        ("invoice_registration_number", "1234567890123"),
        ("invoice_registration_number", "T123456789012"),
        ("exclusion_reasons", ()),
    ],
)
def test_bad_setting_names_its_field(field: str, value: object) -> None:
    error = refused(with_(**{field: value}))
    assert error.field == field
    assert error.message


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("fee_per_block_yen", 0, 1_000_000),
        ("session_minutes", 5, 240),
        ("max_extension_minutes", 0, 240),
        ("materials_deadline_days", 0, 30),
        ("age_of_majority", 15, 25),
        ("application_reminder_days", 1, 90),
        ("decision_reminder_days", 1, 60),
    ],
)
def test_number_bounds_are_inclusive(field: str, low: int, high: int) -> None:
    assert getattr(validate_settings(with_(**{field: low})), field) == low
    assert getattr(validate_settings(with_(**{field: high})), field) == high


def test_messages_are_japanese() -> None:
    assert refused(with_(hospital_name="")).message == "病院名を入力してください。"
    assert refused(with_(postal_code="123")).message == "郵便番号は7桁で入力してください。"
    assert "1,000,000円" in refused(with_(fee_per_block_yen=-1)).message


def test_first_bad_field_in_screen_order_is_named() -> None:
    assert refused(with_(hospital_name="", tel="x")).field == "hospital_name"


def reason(
    code: str = "deceased", label: str = "死亡", script: str = "お受けできません。"
) -> ExclusionReason:
    return ExclusionReason(code=code, label=label, script=script)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (reason(code=" "), "コード"),
        (reason(code="transfer"), "重複"),
        (reason(label=""), "名称"),
        (reason(script=" "), "説明文"),
        (dataclasses.replace(reason(), route="nowhere"), "ご案内先"),
    ],
)
def test_bad_exclusion_reason(extra: ExclusionReason, message: str) -> None:
    error = refused(with_(exclusion_reasons=(*DEFAULT_EXCLUSION_REASONS, extra)))
    assert error.field == "exclusion_reasons"
    assert message in error.message


def test_exclusion_reasons_are_stripped() -> None:
    extra = reason(code=" deceased ", label=" 死亡 ")
    result = validate_settings(with_(exclusion_reasons=(*DEFAULT_EXCLUSION_REASONS, extra)))
    assert result.exclusion_reasons[-1].code == "deceased"
    assert result.exclusion_reasons[-1].label == "死亡"


def test_normalize_invoice_number() -> None:
    assert normalize_invoice_number("") == ""
    assert normalize_invoice_number(" t1234567890123 ") == "T1234567890123"


def test_the_guides_own_exclusion_reasons_cannot_be_dropped() -> None:
    import dataclasses

    from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS
    from desktop_app.domain.errors import ValidationError
    from desktop_app.domain.settings import DEFAULT_SETTINGS
    from desktop_app.domain.validation import validate_settings

    first, *rest = DEFAULT_EXCLUSION_REASONS
    with pytest.raises(ValidationError) as err:
        validate_settings(dataclasses.replace(DEFAULT_SETTINGS, exclusion_reasons=tuple(rest)))
    assert err.value.field == "exclusion_reasons"
    assert first.label in err.value.message and "削除できません" in err.value.message
    reworded = (dataclasses.replace(first, label="第三者からのご相談"), *rest)
    saved = validate_settings(dataclasses.replace(DEFAULT_SETTINGS, exclusion_reasons=reworded))
    assert saved.exclusion_reasons[0].label == "第三者からのご相談"


def test_backup_folder_is_optional_and_trimmed(tmp_path) -> None:
    assert validate_settings(with_(backup_folder="  ")).backup_folder == ""
    folder = str(tmp_path / "バックアップ")
    assert validate_settings(with_(backup_folder=f" {folder} ")).backup_folder == folder
    assert validate_settings(with_(backup_folder="~/backups")).backup_folder == "~/backups"


@pytest.mark.parametrize("folder", ["backups", "./backups", "/tmp/a\nb", "/" + "x" * 400])
def test_backup_folder_must_be_a_full_folder_path(folder: str) -> None:
    error = refused(with_(backup_folder=folder))
    assert error.field == "backup_folder"
    assert "バックアップの保存先" in error.message
