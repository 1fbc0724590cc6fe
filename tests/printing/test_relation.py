"""Where a form names one family member, the 続柄 printed is their own (母, 妻…) when known,
else the category's label as before (issue #24 item 3): 申込書, 相談同意書, the report, the
day list; and the case service hands the stored relation to the forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from desktop_app.domain.forms import FormKind
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.stages import Stage
from desktop_app.printing import CallerInfo, CaseInfo, DayListEntry, build_form
from desktop_app.printing.model import attendees_text
from desktop_app.services.cases import create_case
from desktop_app.services.dto import NewCaller, NewCase, NewPatient
from desktop_app.services.forms import render_form

from .conftest import pdf_text

MOTHER = CallerInfo("佐々木　恵子", Relationship.PARENT, "09012345678", relation="母")
PARENT_ONLY = CallerInfo("佐々木　恵子", Relationship.PARENT, "09012345678")


def _family_case(case: CaseInfo, caller: CallerInfo) -> CaseInfo:
    return replace(case, caller=caller, attendance=Attendance.FAMILY_ONLY)


@pytest.mark.parametrize("kind", [FormKind.APPLICATION, FormKind.CONSENT, FormKind.REPORT])
def test_the_form_prints_the_relation_when_known(kind, settings, full_case, today) -> None:
    known = pdf_text(build_form(kind, settings, _family_case(full_case, MOTHER), today=today))
    assert "母佐々木恵子" in known or "続柄母" in known or "続柄\u3000母" in known, known
    assert "父母" not in known
    unknown = pdf_text(
        build_form(kind, settings, _family_case(full_case, PARENT_ONLY), today=today)
    )
    assert "父母" in unknown


def test_the_day_list_prints_the_relation(settings, today) -> None:
    def entry(caller: CallerInfo) -> DayListEntry:
        return DayListEntry(
            start=dt.datetime(2026, 11, 10, 10, 0),
            case_number="SO-2026-0100",
            name="佐々木　一郎",
            furigana="ササキ　イチロウ",
            department="外科",
            doctor="高橋　誠",
            status=Stage.SETTLED.label,
            attendance=Attendance.PATIENT_AND_FAMILY,
            caller=caller,
        )

    known = pdf_text(
        build_form(FormKind.DAYLIST, settings, today=today, day_entries=[entry(MOTHER)])
    )
    assert "母佐々木恵子" in known and "父母" not in known
    unknown = build_form(FormKind.DAYLIST, settings, today=today, day_entries=[entry(PARENT_ONLY)])
    assert "父母佐々木恵子" in pdf_text(unknown)


def test_the_attendees_name_the_relation_and_never_the_patient_s() -> None:
    both = Attendance.PATIENT_AND_FAMILY
    assert (
        attendees_text(both, "佐々木　一郎", MOTHER)
        == "ご本人\u3000佐々木　一郎、母\u3000佐々木　恵子"
    )
    self_caller = CallerInfo(relationship=Relationship.SELF, relation="父")
    assert self_caller.relation_label == ""


def test_the_application_of_a_stored_case_prints_its_relation(store) -> None:
    caller = NewCaller(name="山田　花子", relationship=Relationship.SPOUSE, relation="妻")
    patient = NewPatient(
        name="山田　太郎", furigana="ヤマダ　タロウ", postal_code="0530022", address="苫小牧市"
    )
    new = NewCase(patient=patient, caller=caller, attendance=Attendance.FAMILY_ONLY)
    case = create_case(store, new)
    text = pdf_text(render_form(store, FormKind.APPLICATION, case.id).pdf)
    assert "続柄妻" in text and "配偶者" not in text
