from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain import clock
from desktop_app.domain.documents import Channel, ContactKind, Direction, DocumentKind
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.cases import get_case
from desktop_app.ui import decision_dialog
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.decision_dialog import CHOOSE_DOCTOR, DecisionDialog
from tests.services.trail_helpers import add_doctor, doc_of
from tests.ui.conftest import type_japanese
from tests.ui.dialog_answers import close_form, fields, open_previews, take_previews
from tests.ui.modals import answer_modals, message_text, no, yes

K = DocumentKind
TODAY = clock.today()


@pytest.fixture
def detail_of(qtbot, runner):
    def open_(case_id: int) -> CaseDetailDialog:
        dialog = CaseDetailDialog(runner, case_id)
        qtbot.addWidget(dialog)
        assert dialog.load()
        return dialog

    return open_


def _select(dialog: CaseDetailDialog, doc_id: int) -> None:
    panel = dialog.documents_panel
    row = next(i for i, d in enumerate(dialog.detail.documents) if d.id == doc_id)
    panel.table.setCurrentIndex(dialog.documents_model.index(row, 0))


def test_receive_then_undo_from_the_documents_tab(detail_of, make_case, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    app = doc_of(case, K.APPLICATION)
    _select(dialog, app.id)
    assert dialog.documents_panel.buttons["receive"].isEnabled()
    assert not dialog.documents_panel.buttons["send"].isEnabled()
    seen: list[dict] = []
    asked = answer_modals(fields({"受領方法": Channel.FAX}, seen=seen))
    dialog.documents_panel.buttons["receive"].click()
    assert asked.pending == 0
    assert seen == [{"受領日": TODAY, "受領方法": seen[0]["受領方法"], "メモ": ""}]
    assert dialog.stage_label.text() == "申込書受領"  # moved by itself, shown at once
    received = doc_of(get_case(store, case.id), K.APPLICATION)
    assert type(received.channel) is Channel and received.channel is Channel.FAX
    assert received.received_on == TODAY
    _select(dialog, app.id)
    assert not dialog.documents_panel.buttons["receive"].isEnabled()
    asked = answer_modals(fields({"取り消す理由": "別の方の申込書"}))
    dialog.documents_panel.buttons["undo"].click()
    assert asked.pending == 0
    assert doc_of(get_case(store, case.id), K.APPLICATION).received_on is None


def test_add_an_item_and_return_it(detail_of, make_case, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    asked = answer_modals(
        fields(
            {
                "種類": K.IMAGING_FILM,
                "内容（例：CTフィルム 胸部）": "CTフィルム",
                "数量": 2,
                "借用元": "みなと内科",
            }
        )
    )
    dialog.documents_panel.buttons["add"].click()
    assert asked.pending == 0
    film = next(d for d in dialog.detail.documents if d.label == "CTフィルム")
    assert type(film.kind) is K and film.kind is K.IMAGING_FILM
    assert film.source == "みなと内科"
    rows = [
        dialog.documents_model.index(r, 0).data() for r in range(dialog.documents_model.rowCount())
    ]
    assert "CTフィルム ×2" in rows
    _select(dialog, film.id)
    assert not dialog.documents_panel.buttons["return"].isEnabled()  # not in yet
    yesterday = TODAY - dt.timedelta(days=1)
    asked = answer_modals(fields({"受領日": yesterday, "受領方法": Channel.BROUGHT}))
    dialog.documents_panel.buttons["receive"].click()
    assert asked.pending == 0
    _select(dialog, film.id)
    seen: list[dict] = []
    asked = answer_modals(fields({"返却方法": Channel.MAIL}, seen=seen))
    dialog.documents_panel.buttons["return"].click()
    assert asked.pending == 0
    assert seen[0]["返却先"] == "みなと内科"  # prefilled with where it came from
    back = next(d for d in get_case(store, case.id).documents if d.id == film.id)
    assert back.received_on == yesterday
    assert back.returned_on == TODAY
    assert type(back.return_channel) is Channel and back.return_channel is Channel.MAIL


def test_waive_and_send(detail_of, make_case, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    _select(dialog, doc_of(case, K.REFERRAL_LETTER).id)
    asked = answer_modals(fields({"不要にする理由": "紹介状なしで相談"}))
    dialog.documents_panel.buttons["waive"].click()
    assert asked.pending == 0
    guide = doc_of(case, K.GUIDE, Direction.OUT)
    _select(dialog, guide.id)
    asked = answer_modals(fields({"送付方法": Channel.HANDED, "メモ": "窓口で"}))
    dialog.documents_panel.buttons["send"].click()
    assert asked.pending == 0
    after = get_case(store, case.id)
    assert doc_of(after, K.REFERRAL_LETTER).waived_reason == "紹介状なしで相談"
    sent = doc_of(after, K.GUIDE, Direction.OUT)
    assert sent.sent_on == TODAY
    assert type(sent.channel) is Channel and sent.channel is Channel.HANDED


def test_backing_out_writes_nothing(detail_of, make_case, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    _select(dialog, doc_of(case, K.APPLICATION).id)
    asked = answer_modals(close_form)
    dialog.documents_panel.buttons["receive"].click()
    assert asked.pending == 0
    assert [h.action for h in get_case(store, case.id).history] == ["case.create"]


def test_contact_quick_entry(qtbot, detail_of, make_case, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    panel = dialog.contacts_panel
    panel.kind_combo.setCurrentIndex(panel.kind_combo.index_of(ContactKind.FAX_IN))
    type_japanese(panel.party_edit, "みなと内科")
    type_japanese(panel.summary_edit, "紹介状をFAXで受信")
    panel.log_button.click()
    last = get_case(store, case.id).contacts[-1]
    assert last.kind == ContactKind.FAX_IN and last.party == "みなと内科"
    assert panel.summary_edit.text() == "" and dialog.contacts_model.rowCount() == 2


def test_decision_dialog_declines_and_prints_the_letter(
    qtbot, runner, detail_of, make_case, store
) -> None:
    add_doctor(store)
    dep2, _ = add_doctor(store, department="呼吸器内科", name="田中 二郎")
    case = make_case()
    dialog = detail_of(case.id)
    assert dialog.decision_button.isEnabled()
    decide = DecisionDialog(runner, dialog.detail, dialog)
    qtbot.addWidget(decide)
    assert decide.department_combo.set_value(dep2)
    doctors = [decide.doctor_combo.itemText(i) for i in range(decide.doctor_combo.count())]
    assert doctors == [CHOOSE_DOCTOR, "田中 二郎"]
    assert not decide.record_button.isEnabled()  # no doctor is chosen for the clerk
    decide.doctor_combo.setCurrentIndex(1)
    decide.set_decision(Decision.DECLINED)
    decide.save()  # no reason: told in the dialog, nothing written
    assert "理由" in decide.error_label.text()
    assert get_case(store, case.id).decision == Decision.PENDING

    questions: list[str] = []

    def read_then_yes(box) -> None:
        questions.append(message_text(box))
        yes(box)

    asked = answer_modals(read_then_yes)
    type_japanese(decide.reason_edit, "専門外のため")
    decide.save()
    assert asked.pending == 0
    after = get_case(store, case.id)
    assert after.stage is Stage.EXCLUDED and after.doctor == "田中 二郎"
    assert after.decision is Decision.DECLINED
    (question,) = questions
    assert "山田　太郎 様へのお知らせ" in question
    assert decide.result_ is not None and decide.result_.case.id == case.id
    assert decision_dialog.letter_for(decide.result_) is FormKind.DECLINE
    (letter,) = take_previews()
    assert (letter.kind, letter.case_id) == (FormKind.DECLINE, case.id)


def test_decision_letter_is_not_prepared_when_the_clerk_says_no(
    qtbot, runner, detail_of, make_case, store
) -> None:
    _dep, _doc = add_doctor(store)
    case = make_case()
    dialog = detail_of(case.id)
    decide = DecisionDialog(runner, dialog.detail, dialog)
    qtbot.addWidget(decide)
    decide.doctor_combo.setCurrentIndex(1)
    decide.set_decision(Decision.GENERAL_OUTPATIENT)
    type_japanese(decide.reason_edit, "一般外来で対応")
    asked = answer_modals(no)
    decide.save()
    assert asked.pending == 0
    assert get_case(store, case.id).decision is Decision.GENERAL_OUTPATIENT
    assert open_previews() == []
