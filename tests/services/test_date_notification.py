"""日時連絡済: sending the 予約確認書, a call logged as telling the date, or 日時連絡済 by
telephone each mark the booking told and leave one line in 連絡記録; the board's
「予約日を未連絡」 then clears."""

from __future__ import annotations

import pytest

from desktop_app.domain.attention import Reason
from desktop_app.domain.documents import Channel, ContactKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.services.board import board_cards
from desktop_app.services.booking import mark_notified
from desktop_app.services.cases import get_case
from desktop_app.services.contacts import log_contact
from desktop_app.services.forms import record_sent
from tests.services.trail_helpers import TODAY, to_booked


def _untold(store, case_id: int) -> bool:
    card = next(c for c in board_cards(store, today=TODAY).cards if c.id == case_id)
    return any(a.reason == Reason.NOT_NOTIFIED for a in card.reasons)


def test_mailing_the_confirmation_tells_the_date(store, make_case) -> None:
    booked = to_booked(store, make_case())
    assert booked.appointment is not None and booked.appointment.notified_on is None
    assert _untold(store, booked.id)
    after = record_sent(store, FormKind.CONFIRMATION, booked.id, channel=Channel.MAIL, on=TODAY)
    assert after.appointment is not None
    assert after.appointment.notified_on == TODAY
    contact = after.contacts[-1]
    assert contact.kind is ContactKind.LETTER_OUT
    assert contact.summary.startswith("予約確認書を送付（郵送）（予約日時 ")
    assert not _untold(store, booked.id)


def test_a_call_logged_as_telling_the_date_clears_it(store, make_case) -> None:
    booked = to_booked(store, make_case())
    after = log_contact(
        store, booked.id, ContactKind.CALL_OUT, party="長女", summary="了承", told_date=True
    )
    assert after.appointment is not None and after.appointment.notified_on is not None
    assert after.contacts[-1].summary == "予約日時を連絡／了承"
    assert not _untold(store, booked.id)


def test_a_contact_that_cannot_tell_or_no_booking_is_refused(store, make_case) -> None:
    booked = to_booked(store, make_case())
    with pytest.raises(ValidationError, match="伝えられません"):
        log_contact(store, booked.id, ContactKind.LETTER_IN, told_date=True)
    fresh = make_case()  # the intake's own call is its one contact
    with pytest.raises(ValidationError, match="伝える予約がありません"):
        log_contact(store, fresh.id, ContactKind.CALL_OUT, told_date=True)
    assert len(get_case(store, fresh.id).contacts) == 1


def test_told_by_telephone_is_logged_as_a_call(store, make_case) -> None:
    booked = to_booked(store, make_case())
    assert booked.appointment is not None
    with pytest.raises(ValidationError, match="連絡の方法"):
        mark_notified(store, booked.appointment.id, on=TODAY, channel=Channel.BROUGHT)
    after = mark_notified(store, booked.appointment.id, on=TODAY, channel=Channel.PHONE)
    assert after.appointment is not None
    assert after.appointment.notified_on == TODAY
    assert after.contacts[-1].kind is ContactKind.CALL_OUT
    assert "を連絡（電話）" in after.contacts[-1].summary
    assert not _untold(store, booked.id)
