from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.documents import Channel, ContactKind, Direction, DocumentKind
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.cases import get_case
from desktop_app.ui import case_actions, decision_dialog
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.decision_dialog import DecisionDialog
from tests.services.trail_helpers import add_doctor, doc_of
from tests.ui.conftest import type_japanese

K = DocumentKind
TODAY = dt.date.today()


@pytest.fixture
def detail_of(qtbot, runner):
    def open_(case_id: int) -> CaseDetailDialog:
        dialog = CaseDetailDialog(runner, case_id)
        qtbot.addWidget(dialog)
        assert dialog.load()
        return dialog

    return open_


@pytest.fixture
def answers(monkeypatch):
    """What the clerk types into the small action forms, in order."""
    queue: list[dict | None] = []

    def fake(_parent, title, _fields):
        assert title
        return queue.pop(0)

    monkeypatch.setattr(case_actions, "ask_fields", fake)
    return queue


def _select(dialog: CaseDetailDialog, doc_id: int) -> None:
    panel = dialog.documents_panel
    row = next(i for i, d in enumerate(dialog.detail.documents) if d.id == doc_id)
    panel.table.setCurrentIndex(dialog.documents_model.index(row, 0))


def test_receive_then_undo_from_the_documents_tab(detail_of, make_case, answers, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    app = doc_of(case, K.APPLICATION)
    _select(dialog, app.id)
    assert dialog.documents_panel.buttons["receive"].isEnabled()
    assert not dialog.documents_panel.buttons["send"].isEnabled()
    answers.append({"on": TODAY, "channel": Channel.FAX, "note": ""})
    dialog.documents_panel.buttons["receive"].click()
    assert dialog.stage_label.text() == "申込書受領"  # moved by itself, shown at once
    assert doc_of(get_case(store, case.id), K.APPLICATION).channel == Channel.FAX
    _select(dialog, app.id)
    assert not dialog.documents_panel.buttons["receive"].isEnabled()
    answers.append({"reason": "別の方の申込書"})
    dialog.documents_panel.buttons["undo"].click()
    assert doc_of(get_case(store, case.id), K.APPLICATION).received_on is None


def test_add_an_item_and_return_it(detail_of, make_case, answers, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    answers.append(
        {"kind": K.IMAGING_FILM, "label": "CTフィルム", "quantity": 2, "source": "みなと内科"}
    )
    dialog.documents_panel.buttons["add"].click()
    film = next(d for d in dialog.detail.documents if d.label == "CTフィルム")
    rows = [
        dialog.documents_model.index(r, 0).data() for r in range(dialog.documents_model.rowCount())
    ]
    assert "CTフィルム ×2" in rows
    _select(dialog, film.id)
    assert not dialog.documents_panel.buttons["return"].isEnabled()  # not in yet
    answers.append({"on": TODAY, "channel": Channel.BROUGHT, "note": ""})
    dialog.documents_panel.buttons["receive"].click()
    _select(dialog, film.id)
    answers.append({"on": TODAY, "to": "みなと内科", "channel": Channel.MAIL})
    dialog.documents_panel.buttons["return"].click()
    back = next(d for d in get_case(store, case.id).documents if d.id == film.id)
    assert back.returned_on == TODAY and back.return_channel == Channel.MAIL


def test_waive_and_send(detail_of, make_case, answers, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    _select(dialog, doc_of(case, K.REFERRAL_LETTER).id)
    answers.append({"reason": "紹介状なしで相談", "on": TODAY})
    dialog.documents_panel.buttons["waive"].click()
    guide = doc_of(case, K.GUIDE, Direction.OUT)
    _select(dialog, guide.id)
    answers.append({"on": TODAY, "channel": Channel.HANDED, "note": ""})
    dialog.documents_panel.buttons["send"].click()
    after = get_case(store, case.id)
    assert doc_of(after, K.REFERRAL_LETTER).waived_reason == "紹介状なしで相談"
    assert doc_of(after, K.GUIDE, Direction.OUT).sent_on == TODAY


def test_backing_out_writes_nothing(detail_of, make_case, answers, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    _select(dialog, doc_of(case, K.APPLICATION).id)
    answers.append(None)
    dialog.documents_panel.buttons["receive"].click()
    assert [h.action for h in get_case(store, case.id).history] == ["case.create"]


def test_contact_quick_entry(qtbot, detail_of, make_case, store) -> None:
    case = make_case()
    dialog = detail_of(case.id)
    panel = dialog.contacts_panel
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(ContactKind.FAX_IN))
    type_japanese(panel.party_edit, "みなと内科")
    type_japanese(panel.summary_edit, "紹介状をFAXで受信")
    panel.log_button.click()
    last = get_case(store, case.id).contacts[-1]
    assert last.kind == ContactKind.FAX_IN and last.party == "みなと内科"
    assert panel.summary_edit.text() == "" and dialog.contacts_model.rowCount() == 2


def test_decision_dialog_accepts_and_declines(
    qtbot, runner, detail_of, make_case, store, monkeypatch
):
    add_doctor(store)
    dep2, _ = add_doctor(store, department="呼吸器内科", name="田中 二郎")
    case = make_case()
    dialog = detail_of(case.id)
    assert dialog.decision_button.isEnabled()
    decide = DecisionDialog(runner, dialog.detail, dialog)
    qtbot.addWidget(decide)
    decide.department_combo.setCurrentIndex(decide.department_combo.findData(dep2))
    assert [decide.doctor_combo.itemText(i) for i in range(decide.doctor_combo.count())] == [
        "田中 二郎"
    ]
    decide.set_decision(Decision.DECLINED)
    decide.save()  # no reason: told in the dialog, nothing written
    assert "理由" in decide.error_label.text()
    assert get_case(store, case.id).decision == Decision.PENDING
    offered: list[str] = []
    monkeypatch.setattr(
        decision_dialog, "offer_letter", lambda _p, r: offered.append(r.notify_name) or False
    )
    type_japanese(decide.reason_edit, "専門外のため")
    decide.save()
    after = get_case(store, case.id)
    assert after.stage == Stage.EXCLUDED and after.doctor == "田中 二郎"
    assert offered == ["山田　太郎"]
    assert decide.result_ is not None
    assert decision_dialog.letter_for(decide.result_) is FormKind.DECLINE
