"""The board's cards from the store, its filters, and a move past a missing document."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from desktop_app.db.models import (
    Appointment,
    AuditEntry,
    CaseDocument,
    ContactLog,
    Doctor,
    SOCase,
)
from desktop_app.domain import clock
from desktop_app.domain.attention import DueLevel, Reason
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.stages import MissingRequirement, Stage
from desktop_app.services.board import board_cards, board_cards_for
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.store import Store
from tests.board_setup import TODAY, book, doctor, receive_all


def card(store: Store, case_id: int, today: dt.date = TODAY):
    (found,) = board_cards_for(store, [case_id], today).cards
    return found


def test_a_new_case_is_a_card_with_its_missing_documents(store, make_case) -> None:
    case = make_case()
    data = board_cards(store, today=TODAY)
    assert [c.id for c in data.cards] == [case.id]
    c = data.cards[0]
    assert (c.case_number, c.patient_name, c.stage) == (
        case.case_number,
        "山田　太郎",
        Stage.INQUIRY,
    )
    assert c.missing_documents == ("申込書", "紹介状")
    assert c.referrer == "みなと内科クリニック"
    assert c.appointment is None and c.materials_due is None
    assert c.days_since_contact == (TODAY - clock.today()).days
    assert c.reasons == ()


def test_closed_cases_are_never_loaded(store, make_case) -> None:
    kept, cancelled = make_case(), make_case()
    move_stage(store, cancelled.id, Stage.CANCELLED, reason="体調不良")
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", _collect(statements))
    data = board_cards(store, today=TODAY)
    assert [c.id for c in data.cards] == [kept.id]
    assert board_cards_for(store, [cancelled.id], TODAY).cards == ()
    # One query per table whatever the number of cases (settings, closures, cases, then
    # appointments, documents, contacts, sent packets), the cases chosen by stage.
    case_queries = [s for s in statements if "FROM cases" in s]
    assert all("cases.stage IN" in s for s in case_queries)


def _collect(statements: list[str]):
    def listener(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    return listener


def test_no_query_per_case(store, make_case) -> None:
    for _ in range(3):
        make_case()
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", _collect(statements))
    board_cards(store, today=TODAY)
    few = len(statements)
    for _ in range(5):
        make_case()
    statements.clear()
    board_cards(store, today=TODAY)
    assert len(statements) == few


def test_booked_card_shows_appointment_doctor_due_date_and_reasons(store, make_case) -> None:
    case = make_case()
    doc = doctor(store)
    book(store, case.id, doc, dt.date(2026, 6, 12), notified=False)  # due 6/9: overdue
    c = card(store, case.id)
    assert c.appointment == dt.datetime(2026, 6, 12, 14, 0)
    assert c.doctor == "佐藤 一郎" and c.doctor_id == doc
    assert c.materials_due == dt.date(2026, 6, 9)
    assert c.due_level is DueLevel.OVERDUE
    assert [a.reason for a in c.reasons] == [Reason.MATERIALS_OVERDUE, Reason.NOT_NOTIFIED]
    receive_all(store, case.id)
    with store.transaction() as session:
        session.scalars(select(Appointment)).one().notified_on = TODAY
    c = card(store, case.id)
    assert c.missing_documents == () and c.due_level is DueLevel.NONE and c.reasons == ()


def test_borrowed_items_and_report_after_the_visit(store, make_case) -> None:
    case = make_case(materials=(DocumentKind.IMAGING_CD, DocumentKind.BLOOD_TEST))
    book(store, case.id, doctor(store), dt.date(2026, 6, 5))
    receive_all(store, case.id)
    with store.transaction() as session:
        session.get(SOCase, case.id).stage = Stage.DONE  # type: ignore[union-attr]
    c = card(store, case.id)
    assert c.borrowed_out == 1
    assert {a.reason for a in c.reasons} == {Reason.REPORT_NOT_HANDED, Reason.BORROWED_OUT}


def test_application_late_uses_the_setting(store, make_case) -> None:
    case = make_case()
    move_stage(store, case.id, Stage.FORMS_SENT)
    with store.transaction() as session:
        for doc in session.scalars(
            select(CaseDocument).where(CaseDocument.direction == Direction.OUT)
        ):
            doc.sent_on = TODAY - dt.timedelta(days=20)
    assert [a.text for a in card(store, case.id).reasons] == ["申込書未着（送付から20日）"]
    assert card(store, case.id, TODAY - dt.timedelta(days=7)).reasons == ()


def test_days_since_last_contact(store, make_case) -> None:
    case = make_case()  # the intake call, now
    later = clock.utcnow() + dt.timedelta(days=5)
    with store.transaction() as session:
        session.add(ContactLog(case_id=case.id, kind="call_out", at=later))
    day_of_call = later.astimezone().date()
    assert card(store, case.id, day_of_call + dt.timedelta(days=3)).days_since_contact == 3


@pytest.mark.parametrize("query", ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ", "みなと", "ミナト内科"])
def test_text_filter_any_kana_spelling_and_referrer(store, make_case, query: str) -> None:
    yamada = make_case()
    make_case(name="鈴木　花子", furigana="スズキ　ハナコ", referrer=None)
    assert [c.id for c in board_cards(store, text=query, today=TODAY).cards] == [yamada.id]


def test_text_filter_by_case_number(store, make_case) -> None:
    make_case()
    second = make_case()
    found = board_cards(store, text=second.case_number.lower(), today=TODAY).cards
    assert [c.id for c in found] == [second.id]


def test_department_and_doctor_filters(store, make_case) -> None:
    one, two, unbooked = make_case(), make_case(), make_case()
    sato = doctor(store)
    tanaka = doctor(store, "呼吸器内科", "田中 次郎")
    book(store, one.id, sato, dt.date(2026, 7, 1))
    book(store, two.id, tanaka, dt.date(2026, 7, 2))
    assert [c.id for c in board_cards(store, doctor_id=tanaka, today=TODAY).cards] == [two.id]
    with store.read() as session:
        dept = session.get(Doctor, sato).department_id  # type: ignore[union-attr]
    assert [c.id for c in board_cards(store, department_id=dept, today=TODAY).cards] == [one.id]
    assert len(board_cards(store, today=TODAY).cards) == 3 and unbooked.id


def test_override_moves_past_missing_documents_and_is_in_the_history(store, make_case) -> None:
    case = make_case()
    book(store, case.id, doctor(store), dt.date(2026, 7, 1))
    with pytest.raises(MissingRequirement, match="紹介状"):
        move_stage(store, case.id, Stage.MATERIALS_RECEIVED)
    with pytest.raises(MissingRequirement):
        move_stage(store, case.id, Stage.MATERIALS_RECEIVED, override_reason="   ")
    moved = move_stage(
        store, case.id, Stage.MATERIALS_RECEIVED, override_reason="当日持参と電話で確認"
    )
    assert moved.stage is Stage.MATERIALS_RECEIVED
    last = moved.history[-1]
    assert last.summary == (
        "段階を変更：予約確定 → 資料受領（確認のうえ進めました：当日持参と電話で確認）"
    )
    assert last.after is not None and last.after["override_reason"] == "当日持参と電話で確認"


def test_override_never_passes_a_forbidden_move(store, make_case) -> None:
    case = make_case()
    with pytest.raises(ValidationError, match="進めません"):
        move_stage(store, case.id, Stage.BOOKED, override_reason="急ぎ")
    assert get_case(store, case.id).stage is Stage.INQUIRY
    with store.read() as session:
        stage_moves = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.CASE_STAGE)
        ).all()
    assert stage_moves == []


def test_a_booking_on_a_day_made_a_closure_is_flagged(store, make_case) -> None:
    from desktop_app.services.closures import add_closure

    doc = doctor(store)
    flagged, fine = make_case(), make_case()
    thursday, friday = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2)
    book(store, flagged.id, doc, thursday)
    book(store, fine.id, doc, friday)
    receive_all(store, flagged.id)
    assert not card(store, flagged.id).on_closed_day
    add_closure(store, thursday, "院内行事", today=TODAY)
    c = card(store, flagged.id)
    assert c.on_closed_day
    assert [(a.reason, a.text) for a in c.reasons] == [(Reason.CLOSED_DAY, "休診日の予約（6/11）")]
    assert not card(store, fine.id).on_closed_day
    # A day closed by the yearly closures (年末年始) or a holiday is one too.
    year_end = make_case()
    book(store, year_end.id, doc, dt.date(2026, 12, 29))
    receive_all(store, year_end.id)
    assert card(store, year_end.id).reasons[0].text == "休診日の予約（12/29）"
    assert card(store, flagged.id, today=thursday + dt.timedelta(days=1)).on_closed_day is False
