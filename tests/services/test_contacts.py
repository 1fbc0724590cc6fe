from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain import clock
from desktop_app.domain.contact_log import days_since_last_contact
from desktop_app.domain.documents import ContactKind
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.contacts import log_contact


def test_log_a_call_with_party_and_text(store, make_case) -> None:
    case = make_case()
    after = log_contact(
        store, case.id, ContactKind.CALL_OUT, party="山田 花子", summary="予約日の連絡"
    )
    last = after.contacts[-1]
    assert last.kind == ContactKind.CALL_OUT and last.party == "山田 花子"
    assert last.staff == "テスト担当" and last.summary == "予約日の連絡"
    assert after.history[-1].action == "contact.log"
    assert after.history[-1].summary == "電話（発信）：山田 花子／予約日の連絡"
    assert days_since_last_contact([c.at for c in after.contacts], clock.today()) == 0


def test_an_earlier_time_is_kept_in_utc(store, make_case) -> None:
    case = make_case()
    jst = dt.timezone(dt.timedelta(hours=9))
    when = clock.utcnow().astimezone(jst) - dt.timedelta(days=3)
    after = log_contact(store, case.id, ContactKind.FAX_IN, at=when)
    stored = next(c for c in after.contacts if c.kind == ContactKind.FAX_IN)
    assert stored.at == when.astimezone(dt.UTC)
    # The intake call is today: the last contact is today, not three days ago.
    assert days_since_last_contact([c.at for c in after.contacts], clock.today()) == 0


def test_refusals_write_nothing(store, make_case) -> None:
    case = make_case()
    future = clock.utcnow() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="未来"):
        log_contact(store, case.id, ContactKind.CALL_IN, at=future)
    with pytest.raises(ConflictError):
        log_contact(store, case.id, ContactKind.CALL_IN, expected_version=case.version + 5)
    move_stage(store, case.id, Stage.EXCLUDED, reason="対象外")
    with pytest.raises(ValidationError, match="終了しています"):
        log_contact(store, case.id, ContactKind.CALL_IN, summary="再度の問い合わせ")
    assert len(get_case(store, case.id).contacts) == 1


def test_the_log_and_history_name_the_person_not_the_login(store, make_case, quick_hashes) -> None:
    from desktop_app.services.staff import create_first_admin, sign_in

    case = make_case()
    create_first_admin(store, "kanri", "管理 花子", "kanri-pass-1", "kanri-pass-1")
    sign_in(store, "kanri", "kanri-pass-1")
    after = log_contact(store, case.id, ContactKind.CALL_OUT, party="本人", summary="折り返し")
    assert after.contacts[-1].staff == "管理 花子"
    assert after.history[-1].staff == "管理 花子"
    assert after.contacts[0].staff == "テスト担当"  # a name with no account stays as logged
