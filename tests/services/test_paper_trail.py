from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop_app.db import tables
from desktop_app.db.models import AuditEntry
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.stages import Stage
from desktop_app.services import paper_trail
from desktop_app.services.cases import get_case, move_stage
from tests.services.trail_helpers import TODAY, audit_actions, doc_of, to_booked

K = DocumentKind


def _audit_count(store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(AuditEntry.id))) or 0


def test_application_back_moves_the_case_to_application_received(store, make_case) -> None:
    case = make_case()
    move_stage(store, case.id, Stage.FORMS_SENT)
    app = doc_of(case, K.APPLICATION)
    after = paper_trail.mark_received(
        store, case.id, app.id, on=TODAY, channel=Channel.FAX, note="午前中に着信"
    )
    got = doc_of(after, K.APPLICATION)
    assert got.received_on == TODAY and got.channel == Channel.FAX and got.note == "午前中に着信"
    assert after.stage == Stage.APPLICATION_RECEIVED
    # One audit entry for the receipt, and it names the automatic move.
    assert audit_actions(store, case.id)[-1] == "document.receive"
    last = after.history[-1]
    assert "申込書受領（自動）" in last.summary
    assert last.before == {"stage": "forms_sent"} and last.after["stage"] == "application_received"
    assert after.history[-2].action == "case.stage"  # the clerk's own move before it


def test_application_straight_from_inquiry_also_moves(store, make_case) -> None:
    case = make_case()
    after = paper_trail.receive_application(store, case.id, on=TODAY, channel=Channel.MAIL)
    assert after.stage == Stage.APPLICATION_RECEIVED


def test_receive_application_adds_the_line_when_a_case_has_none(store, make_case) -> None:
    case = make_case()
    with store.transaction() as session:
        session.execute(
            tables.case_documents.delete().where(
                tables.case_documents.c.case_id == case.id,
                tables.case_documents.c.kind == K.APPLICATION,
            )
        )
    after = paper_trail.receive_application(store, case.id, on=TODAY, channel=Channel.FAX)
    assert doc_of(after, K.APPLICATION).received_on == TODAY
    assert after.stage == Stage.APPLICATION_RECEIVED


def test_received_twice_is_refused_and_writes_nothing(store, make_case) -> None:
    case = make_case()
    letter = doc_of(case, K.REFERRAL_LETTER)
    paper_trail.mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.MAIL)
    before = _audit_count(store)
    with pytest.raises(ValidationError, match="すでに受領済みです（専用診療情報提供書"):
        paper_trail.mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.FAX)
    assert _audit_count(store) == before
    assert doc_of(get_case(store, case.id), K.REFERRAL_LETTER).channel == Channel.MAIL


def test_receive_many_is_all_or_nothing(store, make_case) -> None:
    case = make_case()
    app, letter = doc_of(case, K.APPLICATION), doc_of(case, K.REFERRAL_LETTER)
    paper_trail.mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.MAIL)
    with pytest.raises(ValidationError, match="すでに受領済み"):
        paper_trail.receive_many(
            store, case.id, [app.id, letter.id], on=TODAY, channel=Channel.MAIL
        )
    assert doc_of(get_case(store, case.id), K.APPLICATION).received_on is None
    after = paper_trail.receive_many(store, case.id, [app.id], on=TODAY, channel=Channel.MAIL)
    assert doc_of(after, K.APPLICATION).received_on == TODAY
    with pytest.raises(ValidationError, match="選んでください"):
        paper_trail.receive_many(store, case.id, [], on=TODAY, channel=Channel.MAIL)


def test_every_required_document_in_moves_a_booked_case_to_materials(store, make_case) -> None:
    case = make_case(materials=(K.IMAGING_CD, K.BLOOD_TEST))
    booked = to_booked(store, case)
    letter, cd, blood = (doc_of(booked, k) for k in (K.REFERRAL_LETTER, K.IMAGING_CD, K.BLOOD_TEST))
    step = paper_trail.receive_many(
        store, case.id, [letter.id, cd.id], on=TODAY, channel=Channel.BROUGHT
    )
    assert step.stage == Stage.BOOKED  # the blood test is still missing
    after = paper_trail.waive(store, case.id, blood.id, reason="主治医より不要と連絡", on=TODAY)
    assert after.stage == Stage.MATERIALS_RECEIVED
    assert doc_of(after, K.BLOOD_TEST).waived_reason == "主治医より不要と連絡"
    assert "資料受領（自動）" in after.history[-1].summary
    assert after.history[-1].action == "document.waive"


def test_materials_in_before_booking_do_not_skip_stages(store, make_case) -> None:
    case = make_case()
    ids = [d.id for d in case.documents if d.direction == Direction.IN]
    after = paper_trail.receive_many(store, case.id, ids, on=TODAY, channel=Channel.MAIL)
    assert after.stage == Stage.APPLICATION_RECEIVED  # not 資料受領: no decision, no booking


def test_undo_clears_the_receipt_and_needs_a_reason(store, make_case) -> None:
    case = make_case()
    letter = doc_of(case, K.REFERRAL_LETTER)
    paper_trail.mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.MAIL)
    with pytest.raises(ValidationError, match="理由"):
        paper_trail.undo(store, case.id, letter.id, reason="  ")
    after = paper_trail.undo(store, case.id, letter.id, reason="別の患者の書類だった")
    got = doc_of(after, K.REFERRAL_LETTER)
    assert got.received_on is None and got.channel is None
    assert after.history[-1].action == "document.undo"
    assert "別の患者の書類だった" in after.history[-1].summary
    with pytest.raises(ValidationError, match="取り消す記録がありません"):
        paper_trail.undo(store, case.id, letter.id, reason="もう一度")


def test_waive_then_undo_then_receive(store, make_case) -> None:
    case = make_case()
    letter = doc_of(case, K.REFERRAL_LETTER)
    with pytest.raises(ValidationError, match="理由"):
        paper_trail.waive(store, case.id, letter.id, reason="", on=TODAY)
    paper_trail.waive(store, case.id, letter.id, reason="紹介状なしで一般的な助言のみ", on=TODAY)
    with pytest.raises(ValidationError, match="不要になっています"):
        paper_trail.mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.MAIL)
    with pytest.raises(ValidationError, match="すでに不要"):
        paper_trail.waive(store, case.id, letter.id, reason="再", on=TODAY)
    paper_trail.undo(store, case.id, letter.id, reason="紹介状が届くことになった")
    after = paper_trail.mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.MAIL)
    got = doc_of(after, K.REFERRAL_LETTER)
    assert got.received_on == TODAY and got.waived_on is None and got.waived_reason == ""


def test_waiving_a_received_document_is_refused(store, make_case) -> None:
    case = make_case()
    letter = doc_of(case, K.REFERRAL_LETTER)
    paper_trail.mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.MAIL)
    with pytest.raises(ValidationError, match="すでに受領済み"):
        paper_trail.waive(store, case.id, letter.id, reason="不要", on=TODAY)


def test_mark_sent_for_outgoing_forms_only(store, make_case) -> None:
    case = make_case()
    guide = doc_of(case, K.GUIDE, Direction.OUT)
    after = paper_trail.mark_sent(store, case.id, guide.id, on=TODAY, channel=Channel.HANDED)
    assert doc_of(after, K.GUIDE, Direction.OUT).sent_on == TODAY
    assert after.history[-1].action == "document.send"
    with pytest.raises(ValidationError, match="すでに送付済み"):
        paper_trail.mark_sent(store, case.id, guide.id, on=TODAY, channel=Channel.MAIL)
    with pytest.raises(ValidationError, match="送付の方法"):
        paper_trail.mark_sent(
            store, case.id, doc_of(case, K.APPLICATION_FORM, Direction.OUT).id,
            on=TODAY, channel=Channel.BROUGHT,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="送付する書類ではありません"):
        paper_trail.mark_sent(
            store, case.id, doc_of(case, K.APPLICATION).id, on=TODAY, channel=Channel.MAIL
        )
    with pytest.raises(ValidationError, match="受け取る書類ではありません"):
        paper_trail.mark_received(store, case.id, guide.id, on=TODAY, channel=Channel.MAIL)


def test_add_expected_document(store, make_case) -> None:
    case = make_case()
    after = paper_trail.add_expected(
        store, case.id, K.OTHER_MATERIAL, label="お薬手帳の写し", due_date=TODAY
    )
    extra = doc_of(after, K.OTHER_MATERIAL)
    assert extra.display_label == "お薬手帳の写し" and extra.required and extra.due_date == TODAY
    assert after.history[-1].action == "document.add"
    with pytest.raises(ValidationError, match="資料の名前"):
        paper_trail.add_expected(store, case.id, K.OTHER_MATERIAL)
    with pytest.raises(ValidationError, match="受け取る書類ではありません"):
        paper_trail.add_expected(store, case.id, K.GUIDE)


def test_unknown_document_or_another_cases_document_is_refused(store, make_case) -> None:
    case, other = make_case(), make_case(name="鈴木　花子", furigana="スズキ　ハナコ")
    foreign = doc_of(other, K.REFERRAL_LETTER)
    before = _audit_count(store)
    for doc_id in (foreign.id, 999_999):
        with pytest.raises(ValidationError, match="該当する書類がありません"):
            paper_trail.mark_received(store, case.id, doc_id, on=TODAY, channel=Channel.MAIL)
    with pytest.raises(ValidationError, match="見つかりません"):
        paper_trail.mark_received(store, 999_999, foreign.id, on=TODAY, channel=Channel.MAIL)
    assert _audit_count(store) == before
    assert doc_of(get_case(store, other.id), K.REFERRAL_LETTER).received_on is None


def test_closed_case_is_refused(store, make_case) -> None:
    case = make_case()
    move_stage(store, case.id, Stage.CANCELLED, reason="ご本人の都合")
    letter = doc_of(case, K.REFERRAL_LETTER)
    with pytest.raises(ValidationError, match="キャンセル」で終了しています"):
        paper_trail.mark_received(store, case.id, letter.id, on=TODAY, channel=Channel.MAIL)
    with pytest.raises(ValidationError, match="終了しています"):
        paper_trail.add_expected(store, case.id, K.PATHOLOGY)


def test_version_conflict_writes_nothing(store, make_case) -> None:
    case = make_case()
    letter = doc_of(case, K.REFERRAL_LETTER)
    app = doc_of(case, K.APPLICATION)
    fresh = paper_trail.mark_received(
        store, case.id, app.id, on=TODAY, channel=Channel.FAX, expected_version=case.version
    )
    assert fresh.version > case.version  # a receipt changes the case's version
    with pytest.raises(ConflictError):
        paper_trail.mark_received(
            store, case.id, letter.id, on=TODAY, channel=Channel.MAIL,
            expected_version=case.version,
        )  # fmt: skip
    assert doc_of(get_case(store, case.id), K.REFERRAL_LETTER).received_on is None


def test_future_dates_and_bad_channels_are_refused(store, make_case) -> None:
    case = make_case()
    letter = doc_of(case, K.REFERRAL_LETTER)
    with pytest.raises(ValidationError, match="未来の日付"):
        paper_trail.mark_received(
            store, case.id, letter.id, on=TODAY + dt.timedelta(days=1), channel=Channel.MAIL
        )
