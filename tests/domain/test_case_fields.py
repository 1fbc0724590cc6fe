from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.case_fields import check_caller, check_mailing, parse_birth_date
from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import Relationship

TODAY = dt.date(2026, 5, 1)


def test_birth_date_in_seireki_or_wareki() -> None:
    assert parse_birth_date("S45.3.15", TODAY) == dt.date(1970, 3, 15)
    assert parse_birth_date("1970/3/15", TODAY) == dt.date(1970, 3, 15)
    assert parse_birth_date("  ", TODAY) is None


@pytest.mark.parametrize("raw", ["2026/5/2", "S45.2.30", "あいう"])
def test_impossible_birth_dates_name_the_field(raw: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_birth_date(raw, TODAY)
    assert err.value.field == "birth_date"


def test_caller_for_self_keeps_only_the_phone() -> None:
    checked = check_caller(Relationship.SELF, "無視", "むし", "0144-11-2233")
    assert (checked.name, checked.furigana, checked.phone) == ("", "", "0144112233")


def test_family_caller_needs_a_name_and_katakana() -> None:
    checked = check_caller(Relationship.CHILD, "山田 花子", "やまだ はなこ", "")
    assert (checked.name, checked.furigana) == ("山田　花子", "ヤマダ　ハナコ")
    with pytest.raises(ValidationError) as err:
        check_caller(Relationship.CHILD, " ", "", "")
    assert err.value.field == "caller_name"
    with pytest.raises(ValidationError) as err:
        check_caller(Relationship.OTHER, "鈴木", "", "")
    assert err.value.field == "relationship"


def test_mailing_by_post_needs_name_and_address_fax_does_not() -> None:
    assert check_mailing(Channel.FAX, "", "", "").address == ""
    with pytest.raises(ValidationError) as err:
        check_mailing(Channel.MAIL, "山田", "0530022", " ")
    assert err.value.field == "mail_address"
    with pytest.raises(ValidationError) as err:
        check_mailing(Channel.FAX, "", "05300", "")
    assert err.value.field == "mail_postal_code"
