"""The pages' typed values and the draft file: a draft written before them still loads."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desktop_app.domain.documents import Channel, DocumentKind
from desktop_app.domain.people import Attendance, ConsultationCategory, Relationship, Sex
from desktop_app.services import drafts
from desktop_app.services.dto import DepartmentData
from desktop_app.ui.intake.state import build_new_case
from desktop_app.ui.intake.values import (
    AttendanceValues,
    CallerValues,
    ContentValues,
    IntakeSnapshot,
    MailTarget,
    MailValues,
    PatientValues,
)
from desktop_app.ui.intake.wizard import IntakeWizard
from tests.ui.intake.conftest import TODAY

# Written by the wizard before the pages had dataclasses (main at f6e6c04), every page
# filled; only department_id, the phones and the screening answer were edited by hand, to
# values that wizard wrote too.
OLD_DRAFT = """{
 "version": 1,
 "saved_at": "2026-11-25T08:52:50.421173+00:00",
 "page": 6,
 "values": {
  "caller": {
   "relationship": "spouse",
   "name": "山田　花子",
   "furigana": "ヤマダ　ハナコ",
   "phone": "090-1234-5678"
  },
  "patient": {
   "name": "山田　太郎",
   "furigana": "ヤマダ　タロウ",
   "birth": "S45.3.15",
   "sex": "male",
   "postal": "053-0022",
   "address": "北海道苫小牧市表町1-1-1",
   "phone": "0144-11-2233",
   "mobile": "090-1111-2222",
   "existing_id": null,
   "dismissed": [
    3,
    7
   ]
  },
  "doctor": {
   "institution": "みなと内科クリニック",
   "department": "消化器内科",
   "doctor": "北村　誠司",
   "diagnosis": "胃がん",
   "informed": "yes"
  },
  "content": {
   "category": "major_operation",
   "text": "手術を勧められたが薬の治療も聞きたい",
   "department_id": 2,
   "dates": "平日の午前",
   "answers": {
    "complaint": false,
    "transfer": true,
    "accident_lawsuit": false
   },
   "exclusion_code": "transfer"
  },
  "attendance": {
   "attendance": "family_only",
   "materials": [
    "imaging_cd",
    "other_material"
   ]
  },
  "mail": {
   "channel": "fax",
   "target": "other",
   "name": "Yamada Hanako",
   "postal": "053-0022",
   "address": "北海道苫小牧市表町1-2-3"
  }
 }
}"""


def _old_draft() -> drafts.Draft:
    return drafts.parse_draft(OLD_DRAFT.encode("utf-8"))


def test_an_old_draft_loads_into_typed_values() -> None:
    snapshot = IntakeSnapshot.from_json(_old_draft().values)
    assert snapshot.caller == CallerValues(
        Relationship.SPOUSE, "山田　花子", "ヤマダ　ハナコ", "090-1234-5678"
    )
    patient = snapshot.patient
    assert patient.sex is Sex.MALE
    assert patient.birth == "S45.3.15"  # as typed, so the page shows it as it was
    assert patient.birth_date(TODAY) == dt.date(1970, 3, 15)
    assert patient.existing_id is None
    assert patient.dismissed == frozenset({3, 7})
    assert snapshot.doctor.informed is True
    content = snapshot.content
    assert content.category is ConsultationCategory.MAJOR_OPERATION
    assert content.department_id == 2
    assert dict(content.answers) == {
        "complaint": False,
        "transfer": True,
        "accident_lawsuit": False,
    }
    assert snapshot.attendance == AttendanceValues(
        Attendance.FAMILY_ONLY, (DocumentKind.IMAGING_CD, DocumentKind.OTHER_MATERIAL)
    )
    assert snapshot.mail == MailValues(
        Channel.FAX, MailTarget.OTHER, "Yamada Hanako", "053-0022", "北海道苫小牧市表町1-2-3"
    )


def test_an_old_draft_round_trips_to_the_same_json() -> None:
    values = _old_draft().values
    again = IntakeSnapshot.from_json(values).to_json()
    assert again == values
    # Key for key and in the same order: the file the wizard writes is the file it wrote.
    assert json.dumps(again, ensure_ascii=False, indent=1) == json.dumps(
        values, ensure_ascii=False, indent=1
    )


def test_an_old_draft_goes_through_the_wizard_unchanged(wizard: IntakeWizard, store) -> None:
    wizard.context.departments = (DepartmentData(1, "内科"), DepartmentData(2, "外科"))
    wizard.content.context_changed()
    draft = _old_draft()
    assert wizard.check_draft(draft) is None
    assert wizard.restore(draft)
    assert wizard.current_step().key == "confirm"
    assert wizard.snapshot().to_json() == draft.values
    assert "対象外として登録" in wizard.register_button.text()
    wizard.save_draft_now()
    saved = json.loads(drafts.draft_path(store).read_text(encoding="utf-8"))
    assert saved["values"] == draft.values
    new = build_new_case(wizard.snapshot(), wizard.context.settings, TODAY)
    assert new.caller is not None and new.caller.relationship is Relationship.SPOUSE
    assert new.patient is not None and new.patient.birth_date == dt.date(1970, 3, 15)
    assert new.primary_doctor_informed is True
    assert new.desired_department_id == 2
    assert new.exclusion_code == "transfer"
    assert new.mail_channel is Channel.FAX
    assert new.mail_to_name == "Yamada Hanako"


def test_missing_pages_and_fields_take_the_defaults() -> None:
    assert IntakeSnapshot.from_json({}) == IntakeSnapshot()
    assert IntakeSnapshot.from_json({"patient": {"name": "山田"}}).patient == PatientValues(
        name="山田"
    )
    assert IntakeSnapshot().to_json()["doctor"]["informed"] == "unknown"


def test_unknown_pages_fields_and_codes_are_dropped() -> None:
    snapshot = IntakeSnapshot.from_json(
        {
            "caller": {"relationship": "neighbour", "from_a_newer_version": [1]},
            "doctor": {"informed": "maybe"},
            "content": {"category": "", "answers": {"complaint": True, "odd": 1}},
            "attendance": {"attendance": "robot", "materials": ["imaging_cd", "not_a_kind", 3]},
            "mail": {"channel": "pigeon", "target": "moon"},
            "a_page_not_known_yet": {"x": {"y": 1}},
        }
    )
    assert snapshot.caller == CallerValues()
    assert snapshot.doctor.informed is None
    assert snapshot.content == ContentValues(answers={"complaint": True})
    assert snapshot.attendance == AttendanceValues(materials=(DocumentKind.IMAGING_CD,))
    assert snapshot.mail == MailValues()
    assert "a_page_not_known_yet" not in snapshot.to_json()


@pytest.mark.parametrize("dismissed", [["abc"], [None], [[1]]])
def test_an_id_that_is_no_id_is_refused(dismissed: list[object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        IntakeSnapshot.from_json({"patient": {"dismissed": dismissed}})


def test_only_typed_text_makes_a_snapshot_worth_keeping() -> None:
    chosen = IntakeSnapshot(
        caller=CallerValues(relationship=Relationship.CHILD),
        attendance=AttendanceValues(materials=(DocumentKind.IMAGING_CD,)),
        content=ContentValues(answers={"complaint": True}),
    )
    assert IntakeSnapshot().is_blank()
    assert chosen.is_blank()
    assert IntakeSnapshot(mail=MailValues(address="  ")).is_blank()
    assert not IntakeSnapshot(content=ContentValues(dates="12月")).is_blank()
