"""Text with NUL, controls, lone surrogates or noncharacters, given to every service that
takes text: stored clean, or refused with a message naming the field; never another error.

The services and the text they take (one row of SERVICES each):

| service                         | text fed                                                  |
|---------------------------------|-----------------------------------------------------------|
| cases.create_case               | patient, caller and referrer names, フリガナ, addresses,   |
|                                 | phones, consultation, diagnosis, desired dates, mailing,  |
|                                 | call summary, a screening answer's key                     |
| case_edit.save_case_edit        | patient name and address, referrer, consultation, mailing |
| contacts.log_contact            | party, summary                                            |
| cases.move_stage                | the reason for a cancellation                             |
| decisions.record_decision       | the reason for a refusal                                  |
| booking.cancel_appointment      | the reason                                                |
| materials.add_item              | label, source                                             |
| paper_trail.mark_received/waive | note, reason                                              |
| intake.log_enquiry              | caller name, phone, summary                               |
| intake.find_existing_patients   | フリガナ, phone                                            |
| masters.add_department / rename | department name                                           |
| masters.add_doctor              | name, フリガナ, title                                      |
| masters.suggest_institutions    | what was typed                                            |
| closures.add_closure            | reason                                                    |
| doctor_hours.add_exception      | note                                                      |
| settings.update_settings        | hospital, office, address, exclusion reasons, payment     |
|                                 | methods, backup folder                                    |
| staff_admin.add_account/update  | login, display name (staff names)                         |
| staff.sign_in / unlock          | login, password                                           |
| drafts.save_draft               | any field of the intake's draft                           |
| case_rows.search_cases          | the search box                                            |
| cases.find_case_id              | a case number                                             |
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from desktop_app.domain.documents import Channel, ContactKind, Direction, DocumentKind
from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS
from desktop_app.domain.people import Relationship
from desktop_app.domain.roles import Role
from desktop_app.domain.slots import HoursChange
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services import (
    booking,
    case_edit,
    case_rows,
    cases,
    closures,
    contacts,
    decisions,
    doctor_hours,
    drafts,
    intake,
    masters,
    materials,
    paper_trail,
    staff,
    staff_admin,
)
from desktop_app.services import settings as clinic_settings
from desktop_app.services.dto import NewCaller, NewCase, NewPatient, NewReferrer
from desktop_app.services.store import Store, open_store
from tests.bad_input import (
    assert_clear_error,
    broken_text,
    budget,
    open_test_store,
    stored_rows,
    stored_text_problems,
    text_problems,
)
from tests.board_setup import book as set_up_booking

TODAY = dt.date(2026, 12, 3)
PASSWORD = "kanri-pass-1"


@dataclass
class World:
    """One database for every example, with what the services need to find."""

    store: Store
    department_id: int
    doctor_id: int
    case_id: int
    admin_id: int
    days: Iterator[int]
    fresh: Any = None  # what a service's set-up made for this example

    def new_case(self) -> int:
        return cases.create_case(self.store, _good_case()).id


def _good_case() -> NewCase:
    return NewCase(
        patient=NewPatient(name="山田　太郎", furigana="ヤマダ　タロウ", phone="0144-11-2233"),
        consultation="手術を勧められた",
        today=TODAY,
    )


@dataclass(frozen=True)
class Template:
    """A database with an administrator, a department, a doctor and a case, built once."""

    path: Path
    department_id: int
    doctor_id: int
    case_id: int
    admin_id: int


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    from argon2 import PasswordHasher

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    path = Path(tmp_path_factory.mktemp("text-boundary")) / "template.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff, "_hasher", quick)
        patch.setattr(staff, "_DUMMY_HASH", quick.hash("dummy"))
        store = open_test_store(path)
        admin = staff.create_first_admin(store, "kanri", "管理 花子", PASSWORD, PASSWORD)
        store.user = None
        department = masters.add_department(store, "消化器内科")
        doctor = masters.add_doctor(store, masters.DoctorInput(department.id, "佐藤　一郎"))
        case = cases.create_case(store, _good_case())
        store.close()  # the -wal is folded in: the file alone is the database
    return Template(path, department.id, doctor.id, case.id, admin.id)


@pytest.fixture
def world(template: Template, tmp_path: Path, quick_hashes: None) -> Iterator[World]:
    """Each service its own copy of the template: small, so every example reads it whole."""
    path = tmp_path / "text.db"
    shutil.copyfile(template.path, path)
    store = open_test_store(path)  # a program: every role's service may be called
    yield World(
        store, template.department_id, template.doctor_id, template.case_id,
        template.admin_id, itertools.count(1),
    )  # fmt: skip
    store.close()


# Each service: a function of the world, the field fed, and the text; and the fields with a
# valid value, which the hostile characters are slipped into.
Call = Callable[[World, str, str], object]


@dataclass(frozen=True)
class TextService:
    name: str
    call: Call
    fields: dict[str, str]
    # A refusal may still write (a failed sign-in is logged); otherwise nothing is written.
    writes_when_refused: bool = False
    # Run before each example, outside what is compared (a new case to cancel, say).
    setup: Callable[[World], object] | None = None


def _create_case(w: World, field: str, text: str) -> object:
    patient = {"name": "山田　太郎", "furigana": "ヤマダ　タロウ", "address": "苫小牧市表町1-1",
               "phone": "0144-11-2233"}  # fmt: skip
    caller = {"name": "山田　花子", "furigana": "ヤマダ　ハナコ", "phone": "090-1234-5678"}
    referrer = {"institution": "みなと内科", "department": "内科", "doctor": "北村　誠司",
                "address": "苫小牧市"}  # fmt: skip
    case = {"consultation": "手術を勧められた", "diagnosis": "胃がん", "desired_dates": "平日",
            "mail_to_name": "", "mail_address": "", "call_summary": ""}  # fmt: skip
    part, _, name = field.partition(".")
    answers = {"複数の病院に相談": True}
    if part == "patient":
        patient[name] = text
    elif part == "caller":
        caller[name] = text
    elif part == "referrer":
        referrer[name] = text
    elif part == "answers":
        answers = {text: True}
    else:
        case[field] = text
    return cases.create_case(
        w.store,
        NewCase(
            patient=NewPatient(**patient),
            caller=NewCaller(relationship=Relationship.CHILD, **caller),
            referrer=NewReferrer(**referrer),
            screening_answers=answers,
            today=TODAY,
            **case,
        ),
    )


def _save_case_edit(w: World, field: str, text: str) -> object:
    form = case_edit.case_edit_form(w.store, w.case_id)
    section, _, name = field.partition(".")
    edit = dataclasses.replace(
        form.edit, **{section: dataclasses.replace(getattr(form.edit, section), **{name: text})}
    )
    return case_edit.save_case_edit(w.store, w.case_id, edit, expected_version=form.edit.version)


def _move_stage(w: World, _field: str, text: str) -> object:
    return cases.move_stage(w.store, w.fresh, Stage.CANCELLED, reason=text)


def _record_decision(w: World, _field: str, text: str) -> object:
    return decisions.record_decision(
        w.store, w.fresh, department_id=w.department_id, doctor_id=w.doctor_id,
        decision=Decision.DECLINED, reason=text, on=TODAY,
    )  # fmt: skip


def _booked(w: World) -> int:
    case_id = w.new_case()
    set_up_booking(w.store, case_id, w.doctor_id, TODAY + dt.timedelta(days=next(w.days)))
    return cases.get_case(w.store, case_id).appointments[-1].id


def _cancel_appointment(w: World, _field: str, text: str) -> object:
    return booking.cancel_appointment(w.store, w.fresh, reason=text)


def _expected_document(w: World) -> tuple[int, int]:
    """A new case and one of the documents it expects back."""
    case = cases.get_case(w.store, w.new_case())
    return case.id, next(d.id for d in case.documents if d.direction == Direction.IN)


def _paper_trail(w: World, field: str, text: str) -> object:
    case_id, document = w.fresh
    if field == "note":
        return paper_trail.mark_received(
            w.store, case_id, document, on=TODAY, channel=Channel.MAIL, note=text
        )
    return paper_trail.waive(w.store, case_id, document, reason=text, on=TODAY)


def _settings(w: World, field: str, text: str) -> object:
    current = clinic_settings.get_settings(w.store)
    if field.startswith("reason."):
        first = dataclasses.replace(DEFAULT_EXCLUSION_REASONS[0], **{field[7:]: text})
        new = dataclasses.replace(
            current, exclusion_reasons=(first, *DEFAULT_EXCLUSION_REASONS[1:])
        )
    elif field == "payment_methods":
        new = dataclasses.replace(current, payment_methods=("現金", text))
    else:
        new = dataclasses.replace(current, **{field: text})
    return clinic_settings.update_settings(w.store, new)


def _add_account(w: World, field: str, text: str) -> object:
    values = {"login": f"user{next(w.days)}", "display_name": "受付 一郎"}
    values[field] = text
    return staff_admin.add_account(
        w.store, values["login"], values["display_name"], Role.RECEPTION, PASSWORD, PASSWORD
    )


def _sign_in(w: World, field: str, text: str, *, unlock: bool = False) -> object:
    values = {"login": "kanri", "password": PASSWORD}
    values[field] = text
    desk = open_store(w.store.location)  # its own signed-in user, not the world's
    try:
        service = staff.unlock if unlock else staff.sign_in
        return service(desk, values["login"], values["password"])
    finally:
        desk.close()


def _save_draft(w: World, field: str, text: str) -> object:
    page, _, name = field.partition(".")
    values: dict[str, Any] = {"patient": {"name": "山田　太郎", "answers": {"q": True}}}
    if name == "key":
        values[page][text] = "x"
    else:
        values.setdefault(page, {})[name] = text
    saved = drafts.save_draft(w.store, values, page=1)
    loaded = drafts.open_draft(w.store)
    assert loaded.set_aside is None, "a saved draft must read back"
    assert loaded.draft is not None and loaded.draft.values == saved.values
    return saved


SERVICES = (
    TextService(
        "create_case",
        _create_case,
        {
            "patient.name": "山田　太郎",
            "patient.furigana": "ヤマダ　タロウ",
            "patient.address": "苫小牧市表町1-1",
            "patient.phone": "0144-11-2233",
            "caller.name": "山田　花子",
            "caller.furigana": "ヤマダ　ハナコ",
            "caller.phone": "090-1234-5678",
            "referrer.institution": "みなと内科",
            "referrer.department": "内科",
            "referrer.doctor": "北村　誠司",
            "referrer.address": "苫小牧市",
            "consultation": "手術を\n勧められた",
            "diagnosis": "胃がん",
            "desired_dates": "平日",
            "mail_to_name": "山田　花子",
            "mail_address": "札幌市",
            "call_summary": "本人より",
            "answers.key": "他院",
        },
    ),
    TextService(
        "save_case_edit",
        _save_case_edit,
        {
            "patient.name": "山田　太郎",
            "patient.address": "苫小牧市表町1-1",
            "referrer.institution": "みなと内科",
            "consultation.content": "手術を\n勧められた",
            "consultation.diagnosis": "胃がん",
            "mailing.to_name": "山田　太郎",
            "mailing.address": "苫小牧市",
        },
    ),
    TextService(
        "log_contact",
        lambda w, f, t: contacts.log_contact(
            w.store, w.case_id, ContactKind.CALL_IN, **{"party": "本人", "summary": "", f: t}
        ),
        {"party": "本人", "summary": "予約の\n問い合わせ"},
    ),
    TextService(
        "move_stage (reason)", _move_stage, {"reason": "本人より辞退"}, setup=World.new_case
    ),
    TextService(
        "record_decision (reason)",
        _record_decision,
        {"reason": "専門外のため"},
        setup=World.new_case,
    ),
    TextService(
        "cancel_appointment (reason)", _cancel_appointment, {"reason": "体調不良"}, setup=_booked
    ),
    TextService(
        "materials.add_item",
        lambda w, f, t: materials.add_item(
            w.store, w.case_id, DocumentKind.OTHER_MATERIAL, **{"label": "CD-R", "source": "", f: t}
        ),
        {"label": "CD-R", "source": "みなと内科"},
    ),
    TextService(
        "paper_trail",
        _paper_trail,
        {"note": "FAXで受領", "reason": "不要になった"},
        setup=_expected_document,
    ),
    TextService(
        "log_enquiry",
        lambda w, f, t: intake.log_enquiry(
            w.store,
            **{"caller_name": "鈴木　一郎", "phone": "", "summary": "", f: t},
            relationship=Relationship.OTHER,
        ),
        {"caller_name": "鈴木　一郎", "phone": "0144-11-2233", "summary": "知人の相談"},
    ),
    TextService(
        "find_existing_patients",
        lambda w, f, t: intake.find_existing_patients(
            w.store,
            **{"furigana": "ヤマダ　タロウ", "phones": ["0144112233"], f: t},
            birth_date=None,
        ),
        {"furigana": "ヤマダ　タロウ"},
    ),
    TextService(
        "add_department", lambda w, f, t: masters.add_department(w.store, t), {"name": "循環器内科"}
    ),
    TextService(
        "rename_department",
        lambda w, f, t: masters.rename_department(w.store, w.department_id, t),
        {"name": "消化器内科"},
    ),
    TextService(
        "add_doctor",
        lambda w, f, t: masters.add_doctor(
            w.store,
            masters.DoctorInput(w.department_id, **{"name": "田中　一郎", f: t}),
        ),
        {"name": "田中　一郎", "furigana": "タナカ　イチロウ", "title": "部長"},
    ),
    TextService(
        "suggest_institutions",
        lambda w, f, t: masters.suggest_institutions(w.store, t),
        {"text": "みなと"},
    ),
    TextService(
        "add_closure",
        lambda w, f, t: closures.add_closure(
            w.store, TODAY + dt.timedelta(days=next(w.days)), t, today=TODAY
        ),
        {"reason": "院内行事"},
    ),
    TextService(
        "doctor_hours.add_exception",
        lambda w, f, t: doctor_hours.add_exception(
            w.store,
            w.doctor_id,
            doctor_hours.ExceptionInput(
                TODAY + dt.timedelta(days=next(w.days)), HoursChange.LEAVE, note=t
            ),
            today=TODAY,
        ),
        {"note": "学会"},
    ),
    TextService(
        "update_settings",
        _settings,
        {
            "hospital_name": "苫小牧市立病院",
            "office_name": "地域医療連携室",
            "address": "苫小牧市清水町1-5-20",
            "reason.label": "第三者からの相談",
            "reason.script": "ご本人の\n同意が必要です",
            "payment_methods": "振込",
            "backup_folder": "/srv/backup",
        },
    ),
    TextService("add_account", _add_account, {"login": "uketsuke", "display_name": "受付 一郎"}),
    TextService(
        "update_account",
        lambda w, f, t: staff_admin.update_account(
            w.store, w.admin_id, display_name=t, role=Role.ADMIN
        ),
        {"display_name": "管理 花子"},
    ),
    TextService(
        "sign_in", _sign_in, {"login": "kanri", "password": PASSWORD}, writes_when_refused=True
    ),
    TextService(
        "unlock",
        lambda w, f, t: _sign_in(w, f, t, unlock=True),
        {"login": "kanri", "password": PASSWORD},
        writes_when_refused=True,
    ),
    TextService(
        "save_draft",
        _save_draft,
        {"patient.name": "山田　太郎", "content.text": "手術を\n勧められた", "patient.key": "n"},
    ),
    TextService(
        "search_cases", lambda w, f, t: case_rows.search_cases(w.store, t), {"query": "やまだ"}
    ),
    TextService(
        "find_case_id",
        lambda w, f, t: cases.find_case_id(w.store, t),
        {"case_number": "SO-2026-0001"},
    ),
)


@st.composite
def inputs(draw: st.DrawFn, service: TextService) -> tuple[str, str]:
    field = draw(st.sampled_from(sorted(service.fields)))
    return field, draw(broken_text(service.fields[field], max_size=40))


EXAMPLES_PER_SERVICE = 25


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
@settings(budget(EXAMPLES_PER_SERVICE, reuse_fixtures=True), derandomize=True, database=None)
@given(data=st.data())
def test_text_is_stored_clean_or_refused_naming_the_field(
    world: World, service: TextService, data: st.DataObject
) -> None:
    field, text = data.draw(inputs(service), label="field, text")
    world.fresh = service.setup(world) if service.setup else None
    before = stored_rows(world.store)
    try:
        result = service.call(world, field, text)
    except Exception as exc:
        assert_clear_error(exc)
        if not service.writes_when_refused:
            assert stored_rows(world.store) == before, "refused, but something was written"
        event(f"refused: {getattr(exc, 'field', None)}")
    else:
        event("accepted")
        assert not text_problems(result, where=service.name)
    assert not stored_text_problems(world.store, since=before)


def test_the_log_keeps_a_scrubbed_quote_and_its_chain_holds(store: Store) -> None:
    """A restore's file name is recorded as it was (no field to refuse it in): NUL dropped,
    a byte that was no UTF-8 as U+FFFD, before the row is hashed."""
    from sqlalchemy import select

    from desktop_app.db.models import AuditEntry
    from desktop_app.services.audit import verify_chain
    from desktop_app.services.backup import record_restore

    record_restore(store, "recovery:\x00root", "/media/usb/\udcff\x00.db", {"note": "\x85"})
    with store.read() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert entry.staff == "recovery:root"
        assert entry.summary.endswith("/media/usb/\ufffd.db")
        assert entry.after == {"source": "/media/usb/\ufffd.db", "note": "\n"}
        assert verify_chain(session) is None
    assert not stored_text_problems(store)


def test_a_login_name_that_is_no_text_is_kept_as_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The operating system's user (LOGNAME of bytes that are no UTF-8) signs what a program
    writes without a signed-in user."""
    monkeypatch.setenv("LOGNAME", "clerk\udcff\x01")
    store = open_store(tmp_path / "os-user.db", create=True)
    try:
        assert store.staff == "clerk\ufffd"
        cases.create_case(store, _good_case())
        assert not stored_text_problems(store)
    finally:
        store.close()
