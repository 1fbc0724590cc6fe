"""The 担当医・診療枠 page: add a doctor, set hours, leave, deactivate; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry, SOCase
from desktop_app.domain import clock
from desktop_app.services import closures, doctor_hours, masters
from desktop_app.services.masters import DoctorInput
from desktop_app.ui import masters_dialogs
from desktop_app.ui.masters_dialogs import HALF_HOURS, FormDialog
from desktop_app.ui.masters_page import MastersDialog, MastersPage
from desktop_app.ui.settings_page import SettingsPage
from tests.ui.conftest import type_japanese

Filler = Callable[[FormDialog], None]


@pytest.fixture
def fill(monkeypatch) -> list[Filler]:
    """What the clerk does in each form the page opens, in order; then 保存 is pressed."""
    queue: list[Filler] = []

    def run(dialog: FormDialog) -> bool:
        queue.pop(0)(dialog)
        dialog.save_button().click()
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(masters_dialogs, "run_dialog", run)
    return queue


@pytest.fixture
def answers(monkeypatch) -> list[bool]:
    queue: list[bool] = []
    monkeypatch.setattr(masters_dialogs, "confirm", lambda _p, _t, _m: queue.pop(0))
    return queue


@pytest.fixture
def page(qtbot, runner, store, model_tester) -> MastersPage:
    masters.add_department(store, "呼吸器内科")
    p = MastersPage(runner)
    qtbot.addWidget(p)
    p.reload()
    panel = p.doctors
    for model in (panel.tree_model, panel.windows_model, panel.exceptions_model):
        model_tester(model)
    return p


def _audits(store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(AuditEntry.id))) or 0


def _time(combo, t: dt.time) -> None:
    combo.setCurrentIndex(HALF_HOURS.index(t))


def test_add_a_doctor_set_tuesday_hours_add_leave_and_deactivate(
    page, store, fill, answers
) -> None:
    panel = page.doctors
    assert panel.select("department", masters.master_departments(store)[0].id)

    def doctor_form(d) -> None:
        type_japanese(d.name_edit, "西田 直子")
        type_japanese(d.furigana_edit, "にしだ なおこ")
        type_japanese(d.title_edit, "部長")

    fill.append(doctor_form)
    panel.buttons["add_doctor"].click()
    (doctor,) = masters.master_doctors(store)
    assert (doctor.name, doctor.furigana, doctor.department) == (
        "西田　直子",
        "ニシダ　ナオコ",
        "呼吸器内科",
    )
    assert panel.selected_doctor() == doctor
    assert panel.doctor_label.text().startswith("西田　直子（呼吸器内科・部長）")

    def tuesday(d) -> None:
        d.weekday_combo.setCurrentIndex(1)
        _time(d.start_combo, dt.time(14))
        _time(d.end_combo, dt.time(16))

    fill.append(tuesday)
    panel.hour_buttons["add_window"].click()
    (window,) = doctor_hours.doctor_hours(store, doctor.id).windows
    assert (window.weekday, window.start, window.end) == (1, dt.time(14), dt.time(16))
    assert window.valid_from is None and window.valid_to is None
    index = panel.windows_model.index(0, 0)
    row = [panel.windows_model.index(0, c).data() for c in range(4)]
    assert index.isValid() and row == ["火曜", "14:00", "16:00", "期限なし"]

    leave_day = clock.today() + dt.timedelta(days=7)

    def leave(d) -> None:
        d.date_edit.setDate(QDate(leave_day))
        type_japanese(d.note_edit, "学会出張")

    fill.append(leave)
    panel.hour_buttons["add_exception"].click()
    (exception,) = doctor_hours.doctor_hours(store, doctor.id).exceptions
    assert (exception.date, exception.whole_day, exception.note) == (leave_day, True, "学会出張")
    assert [panel.exceptions_model.index(0, c).data() for c in (1, 2, 3)] == [
        "休み",
        "終日",
        "学会出張",
    ]

    assert panel.buttons["active"].text() == "使用停止"
    panel.buttons["active"].click()
    assert masters.list_doctors(store) == ()
    assert panel.selected_doctor() is not None
    assert "使用停止" in panel.tree.currentIndex().data()
    assert panel.buttons["active"].text() == "使用再開"


def test_a_window_ending_before_it_starts_is_refused_beside_the_field(page, store, fill) -> None:
    dept = masters.master_departments(store)[0]
    doctor = masters.add_doctor(store, DoctorInput(dept.id, "西田 直子"))
    page.doctors.reload()
    assert page.doctors.select("doctor", doctor.id)
    before = _audits(store)
    seen: list[FormDialog] = []

    def backwards(d) -> None:
        seen.append(d)
        d.weekday_combo.setCurrentIndex(1)
        _time(d.start_combo, dt.time(16))
        _time(d.end_combo, dt.time(14))

    fill.append(backwards)
    page.doctors.hour_buttons["add_window"].click()
    dialog = seen[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not dialog.errors["end"].isHidden()
    assert "より後" in dialog.errors["end"].text()
    assert doctor_hours.doctor_hours(store, doctor.id).windows == ()
    assert _audits(store) == before


def test_a_doctor_without_a_name_is_refused(page, store, fill) -> None:
    seen: list[FormDialog] = []
    fill.append(seen.append)
    before = _audits(store)
    page.doctors.buttons["add_doctor"].click()
    assert "氏名" in seen[0].errors["name"].text()
    assert not seen[0].errors["name"].isHidden()
    assert masters.master_doctors(store) == ()
    assert _audits(store) == before


def test_a_used_doctor_is_not_deleted(page, store, make_case, answers, shown_errors) -> None:
    dept = masters.master_departments(store)[0]
    doctor = masters.add_doctor(store, DoctorInput(dept.id, "西田 直子"))
    case = make_case()
    with store.transaction() as session:
        row = session.get(SOCase, case.id)
        assert row is not None
        row.doctor_id = doctor.id
    page.doctors.reload()
    page.doctors.select("doctor", doctor.id)
    answers.append(True)
    page.doctors.buttons["delete"].click()
    assert shown_errors and "使用停止" in shown_errors[0]
    assert len(masters.master_doctors(store)) == 1


def test_departments_move_and_unused_ones_are_deleted(page, store, fill, answers) -> None:
    fill.append(lambda d: type_japanese(d.name_edit, "消化器内科"))
    page.doctors.buttons["add_department"].click()
    assert [d.name for d in masters.list_departments(store)] == ["呼吸器内科", "消化器内科"]
    page.doctors.buttons["up"].click()
    assert [d.name for d in masters.list_departments(store)] == ["消化器内科", "呼吸器内科"]
    assert page.doctors.tree_model.item(0).text() == "消化器内科"
    answers.append(True)
    page.doctors.buttons["delete"].click()
    assert [d.name for d in masters.master_departments(store)] == ["呼吸器内科"]


def test_closures_tab_adds_a_closure_and_lists_the_holidays(page, store, fill, answers) -> None:
    panel = page.closures
    assert panel.holidays_model.rowCount() >= 15
    day = clock.today() + dt.timedelta(days=10)

    def closure(d) -> None:
        d.date_edit.setDate(QDate(day))
        type_japanese(d.reason_edit, "設備点検")

    fill.append(closure)
    panel.add_button.click()
    assert [(c.date, c.reason) for c in closures.list_closures(store)] == [(day, "設備点検")]
    assert panel.closures_model.index(0, 1).data() == "設備点検"
    seen: list[FormDialog] = []
    fill.append(seen.append)  # no reason typed
    panel.add_button.click()
    assert "理由" in seen[0].errors["reason"].text()
    panel.closures_view.setCurrentIndex(panel.closures_model.index(0, 0))
    answers.append(True)
    panel.remove_button.click()
    assert closures.list_closures(store) == ()


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, showing a dialog
def test_settings_page_opens_the_masters(qtbot, runner, store) -> None:
    masters.add_department(store, "呼吸器内科")
    settings = SettingsPage(runner)
    qtbot.addWidget(settings)
    settings.show()
    settings.masters_button.click()
    dialog = settings.masters_dialog
    assert isinstance(dialog, MastersDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.page.tabs.count() == 2
    assert dialog.page.doctors.tree_model.item(0).text() == "呼吸器内科"
    dialog.accept()
