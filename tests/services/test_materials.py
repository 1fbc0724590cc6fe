from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.db.models import Payment, SOCase
from desktop_app.domain.documents import Channel, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.stages import Stage
from desktop_app.services import materials
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.paper_trail import mark_received
from tests.services.trail_helpers import TODAY, audit_actions, to_booked

K = DocumentKind


def _item(case, label: str):
    return next(d for d in case.documents if d.label == label)


def test_add_receive_and_return_an_item(store, make_case) -> None:
    case = make_case()
    after = materials.add_item(
        store, case.id, K.IMAGING_FILM, label="CTフィルム 胸部", quantity=3, source="みなと内科"
    )
    film = _item(after, "CTフィルム 胸部")
    assert film.borrowed and film.required and film.quantity == 3 and film.source == "みなと内科"
    assert film.display_label == "CTフィルム 胸部 ×3"
    with pytest.raises(ValidationError, match="まだ受け取っていない"):
        materials.return_item(store, case.id, film.id, on=TODAY, channel=Channel.MAIL)
    got = materials.receive_item(store, case.id, film.id, on=TODAY, channel=Channel.BROUGHT)
    assert _item(got, "CTフィルム 胸部").received_on == TODAY
    with pytest.raises(ValidationError, match="返却の方法"):
        materials.return_item(store, case.id, film.id, on=TODAY, channel=Channel.FAX)
    back = materials.return_item(store, case.id, film.id, on=TODAY, channel=Channel.MAIL)
    item = _item(back, "CTフィルム 胸部")
    assert item.returned_on == TODAY and item.returned_to == "みなと内科"
    assert item.return_channel == Channel.MAIL
    with pytest.raises(ValidationError, match="すでに返却済み"):
        materials.return_item(store, case.id, film.id, on=TODAY, to="X", channel=Channel.MAIL)
    assert audit_actions(store, case.id)[-3:] == [
        "document.add",
        "document.receive",
        "material.return",
    ]


def test_add_item_boundaries(store, make_case) -> None:
    case = make_case()
    for quantity in (0, -1, 100):
        with pytest.raises(ValidationError, match="数量"):
            materials.add_item(store, case.id, K.IMAGING_CD, quantity=quantity)
    with pytest.raises(ValidationError, match="お借りする資料ではありません"):
        materials.add_item(store, case.id, K.CONSENT)
    with pytest.raises(ValidationError, match="資料の名前"):
        materials.add_item(store, case.id, K.OTHER_MATERIAL, label=" ")
    assert len(get_case(store, case.id).documents) == len(case.documents)


def test_return_needs_someone_to_return_to(store, make_case) -> None:
    case = make_case()
    after = materials.add_item(store, case.id, K.IMAGING_CD, label="MRI CD", received_on=TODAY)
    cd = _item(after, "MRI CD")
    with pytest.raises(ValidationError, match="返却先"):
        materials.return_item(store, case.id, cd.id, on=TODAY, channel=Channel.HANDED)
    with pytest.raises(ValidationError, match="受領日より前"):
        materials.return_item(
            store, case.id, cd.id, on=TODAY - dt.timedelta(days=1), to="本人",
            channel=Channel.HANDED,
        )  # fmt: skip
    back = materials.return_item(
        store, case.id, cd.id, on=TODAY, to="ご本人", channel=Channel.HANDED
    )
    assert _item(back, "MRI CD").returned_to == "ご本人"


def test_a_cancelled_case_can_still_give_items_back(store, make_case) -> None:
    case = make_case()
    after = materials.add_item(store, case.id, K.IMAGING_CD, label="CD", received_on=TODAY)
    move_stage(store, case.id, Stage.CANCELLED, reason="ご本人の都合")
    cd = _item(after, "CD")
    with pytest.raises(ValidationError, match="終了しています"):
        materials.add_item(store, case.id, K.IMAGING_CD, label="CD2")
    back = materials.return_item(store, case.id, cd.id, on=TODAY, to="病院", channel=Channel.MAIL)
    assert _item(back, "CD").returned_on == TODAY


def test_settling_is_refused_while_an_item_is_out_naming_it(store, make_case) -> None:
    case = make_case()
    after = materials.add_item(
        store, case.id, K.IMAGING_FILM, label="CTフィルム", quantity=2, received_on=TODAY
    )
    film = _item(after, "CTフィルム")
    # Put the case where only the borrowed item stands between it and 会計・報告書済.
    with store.transaction() as session:
        row = session.get(SOCase, case.id)
        assert row is not None
        row.stage = Stage.DONE
        row.actual_minutes = 30
        row.report_delivered_on = TODAY
    with store.transaction() as session:
        session.add(
            Payment(
                case_id=case.id, receipt_number="R-T-1", paid_on=TODAY, minutes=30,
                base_yen=5500, extension_yen=0, total_yen=5500,
            )
        )  # fmt: skip
    with pytest.raises(ValidationError, match="返却されていません：CTフィルム ×2"):
        move_stage(store, case.id, Stage.SETTLED)
    materials.return_item(store, case.id, film.id, on=TODAY, to="みなと内科", channel=Channel.MAIL)
    assert move_stage(store, case.id, Stage.SETTLED).stage == Stage.SETTLED


def test_an_item_received_with_everything_else_in_moves_a_booked_case(store, make_case) -> None:
    case = make_case()
    booked = to_booked(store, case)
    letter = next(d for d in booked.documents if d.kind == K.REFERRAL_LETTER)
    mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.MAIL)
    assert get_case(store, case.id).stage == Stage.MATERIALS_RECEIVED
