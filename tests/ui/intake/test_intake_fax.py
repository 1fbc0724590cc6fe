"""FAX numbers at intake: the patient's under 携帯電話, the family caller's beside the phone,
checked as the phones are, carried in the draft (an older draft still loads) and stored."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from desktop_app.services import drafts
from desktop_app.services.cases import get_case
from desktop_app.services.dto import DepartmentData
from desktop_app.ui.intake.values import IntakeSnapshot
from desktop_app.ui.intake.wizard import IntakeWizard
from tests.ui.intake.conftest import Driver
from tests.ui.intake.test_intake_values import OLD_DRAFT

FAX_MESSAGE = "FAX番号は0から始まる10桁または11桁で入力してください。"


def _caller_with_fax(drive: Driver) -> None:
    w = drive.wizard.caller
    drive.choose(w.relationship, "娘")
    drive.type(w.name, "山田　花子")
    drive.type(w.furigana, "やまだ　はなこ")
    drive.type(w.phone, "09012345678")
    drive.type(w.fax, "0112223344")
    assert w.fax.editor.text() == "011-222-3344"  # shown with its hyphens, as the phones
    drive.next()
    assert drive.page() == "patient"


def _patient(drive: Driver, fax: str) -> None:
    w = drive.wizard.patient
    drive.type(w.name, "山田　太郎")
    drive.type(w.furigana, "やまだ　たろう")
    drive.type(w.birth, "S45.3.15")
    drive.choose(w.sex, "male")
    drive.type(w.postal, "0530022")
    drive.type(w.address, "1-1-1", replace=False)
    drive.type(w.phone, "0144112233")
    drive.type(w.fax, fax)


def test_a_typed_fax_goes_through_the_wizard_to_the_stored_case(
    drive: Driver, wizard: IntakeWizard, store
) -> None:
    _caller_with_fax(drive)
    patient = wizard.patient
    # The FAX row sits under 携帯電話, the same width as the phones.
    assert patient.inputs()[-2:] == [patient.mobile.editor, patient.fax.editor]
    assert patient.fax.editor.width() == patient.mobile.editor.width()

    _patient(drive, "0144-11-223")  # a digit short
    assert patient.fax.error_text() == FAX_MESSAGE
    drive.next()
    assert drive.page() == "patient"  # refused until it is a number
    drive.type(patient.fax, "0144-11-2234")  # Enter in the last field: the next page
    assert patient.fax.error_text() == ""
    assert drive.page() == "doctor"

    draft = drafts.load_draft(store)
    assert draft is not None
    assert draft.values["patient"]["fax"] == "0144-11-2234"
    assert draft.values["caller"]["fax"] == "011-222-3344"

    drive.doctor()
    drive.content()
    assert drive.page() == "attendance"
    drive.next()
    assert drive.page() == "mail"
    drive.next()
    assert drive.page() == "confirm"
    assert "0144-11-2234" in wizard.confirm.sections["patient"].text()
    assert "011-222-3344" in wizard.confirm.sections["caller"].text()
    drive.qtbot.keyClick(wizard.register_button, Qt.Key.Key_Space)
    drive.qtbot.waitUntil(lambda: wizard.case is not None)

    case = get_case(store, wizard.case.id)
    assert case.patient.fax == "0144112234"
    assert case.caller is not None and case.caller.fax == "0112223344"


def test_the_patient_on_the_phone_gives_the_fax_on_the_patient_page(
    drive: Driver, wizard: IntakeWizard
) -> None:
    caller = wizard.caller
    drive.choose(caller.relationship, "self")
    assert not caller.fax.editor.isEnabled()  # ご本人: their FAX is the patient's
    drive.choose(caller.relationship, "妻")
    assert caller.fax.editor.isEnabled()
    drive.type(caller.fax, "123")
    assert caller.fax.error_text() == FAX_MESSAGE
    drive.choose(caller.relationship, "self")
    assert caller.fax.error_text() == ""


def test_a_draft_with_fax_numbers_comes_back_and_one_from_before_loads_without(
    drive: Driver, wizard: IntakeWizard, store
) -> None:
    _caller_with_fax(drive)
    _patient(drive, "0144112234")
    assert drive.page() == "doctor"
    wizard.save_draft_now()
    saved = drafts.load_draft(store)
    assert saved is not None

    wizard.context.departments = (DepartmentData(1, "内科"), DepartmentData(2, "外科"))
    wizard.content.context_changed()
    old = drafts.parse_draft(OLD_DRAFT.encode("utf-8"))  # written before FAX numbers
    assert wizard.check_draft(old) is None
    assert wizard.restore(old)
    assert wizard.patient.name.editor.text() == "山田　太郎"
    assert wizard.patient.fax.editor.text() == "" and wizard.caller.fax.editor.text() == ""
    snapshot = wizard.snapshot()
    assert snapshot.patient.fax == "" and snapshot.caller.fax == ""
    assert "fax" not in snapshot.to_json()["patient"]  # it writes the file it read

    assert wizard.check_draft(saved) is None
    assert wizard.restore(saved)
    assert wizard.current_step().key == "doctor"
    assert wizard.patient.fax.editor.text() == "0144-11-2234"
    assert wizard.caller.fax.editor.text() == "011-222-3344"
    assert IntakeSnapshot.from_json(json.loads(json.dumps(saved.values))).patient.fax == (
        "0144-11-2234"
    )
