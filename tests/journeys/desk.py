"""The reception clerk at the desk: keys, clicks and the answers they give the real dialogs.

Every step opens a dialog by its own button (or shortcut), sets its real widgets and clicks
its real buttons. Modal dialogs block the click that opens them, so their answers are queued
first with ``answer_modals`` and checked afterwards (``.pending == 0``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QMenu,
    QMessageBox,
    QRadioButton,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.stages import Decision
from desktop_app.services.booking import SlotData
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.store import Store
from desktop_app.ui.booking_dialog import BookingDialog
from desktop_app.ui.calendar.grid_model import CELL_ROLE
from desktop_app.ui.calendar.page import CalendarPage
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.decision_dialog import DecisionDialog
from desktop_app.ui.intake.wizard import IntakeWizard
from desktop_app.ui.main_window import PAGE_CALENDAR, PAGE_CASES, PAGE_INTAKE, MainWindow
from desktop_app.ui.print_preview import PrintPreviewDialog
from desktop_app.ui.receipt_dialog import ReceiptDialog
from tests.ui.conftest import type_japanese
from tests.ui.keyboard import Keyboard
from tests.ui.modals import Step, answer_modals, button, click, no, print_to_pdf

W = TypeVar("W", bound=QWidget)


@dataclass(frozen=True)
class Clinic:
    """The masters the administrator set up (see conftest.clinic)."""

    department_id: int
    department: str
    doctor_id: int
    doctor: str
    other_doctor_id: int


@dataclass(frozen=True)
class Call:
    """What the caller says on the phone, in the order the intake asks it."""

    relationship: Relationship = Relationship.SELF
    relation: str = ""  # the button the clerk picks for family (母, 妻…); the category follows
    caller_name: str = ""
    caller_furigana: str = ""
    caller_phone: str = "0144-11-2233"
    patient_name: str = "山田　太郎"
    patient_furigana: str = "やまだ　たろう"
    birth: str = "S45.3.15"
    postal: str = "0530022"
    house_number: str = "1-1-1"
    institution: str = "みなと内科クリニック"
    referrer_department: str = "呼吸器内科"
    referrer_doctor: str = "北村　誠司"
    diagnosis: str = "肺がん"
    consultation: str = "手術を勧められたが薬の治療も聞きたい"
    desired_department: str = "呼吸器内科"
    desired_dates: str = "平日の午後"
    attendance: Attendance = Attendance.PATIENT
    materials: tuple[DocumentKind, ...] = field(default=())


# Small answers ---------------------------------------------------------------------------


def ok(dialog: QWidget) -> None:
    """Click the dialog's OK button (the standard one, whatever the translation calls it)."""
    boxes = [b for b in dialog.findChildren(QDialogButtonBox) if b.isVisible()]
    found = [b.button(QDialogButtonBox.StandardButton.Ok) for b in boxes]
    target = next((b for b in found if b is not None), None)
    assert target is not None, f"no OK button in {dialog.windowTitle()!r}"
    assert target.isEnabled(), f"OK is disabled in {dialog.windowTitle()!r}"
    target.click()


def pick(combo: QComboBox, text: str) -> None:
    """Choose the item the clerk reads as ``text`` (exactly)."""
    index = combo.findText(text)
    items = [combo.itemText(i) for i in range(combo.count())]
    assert index >= 0, f"{text!r} is not offered: {items}"
    combo.setCurrentIndex(index)


def radio(dialog: QWidget, text: str) -> None:
    target = button(dialog, text)
    assert isinstance(target, QRadioButton), type(target)
    target.click()
    assert target.isChecked()


def shown(kind: type[W], *, where: Callable[[W], bool] = lambda _w: True) -> list[W]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, kind) and w.isVisible() and where(w)
    ]


# The clerk -------------------------------------------------------------------------------


class Desk(Keyboard):
    def __init__(
        self,
        qtbot: Any,
        window: MainWindow,
        store: Store,
        clinic: Clinic,
        printed: list[Path],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.qtbot = qtbot
        self.window = window
        self.store = store
        self.clinic = clinic
        self.printed = printed
        self.folder = Path(self.store.file.parent if self.store.file else ".")
        self.monkeypatch = monkeypatch

    # State ---------------------------------------------------------------------------------

    def case(self, case_id: int) -> CaseDetail:
        return get_case(self.store, case_id)

    def wait_for(self, kind: type[W], *, where: Callable[[W], bool] = lambda _w: True) -> W:
        self.qtbot.waitUntil(lambda: bool(shown(kind, where=where)), timeout=5000)
        return shown(kind, where=where)[0]

    def move_clock_to(self, when: dt.datetime) -> None:
        """Another day at the desk: the program's own clock (its settable offset) moves.

        Nothing may be reading off the UI thread meanwhile: setting a variable of the process
        environment while another thread reads it (the C library does, for the time zone)
        is not safe."""
        self.window.runner.wait_for_background()
        self.monkeypatch.setenv(clock.OFFSET_VARIABLE, str(clock.offset_to(when)))
        assert clock.today() == when.date()

    # Keys ------------------------------------------------------------------------------------

    def to_front(self) -> None:
        """The clerk clicks on the main window (after closing a dialog)."""
        self.window.raise_()
        self.window.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)

    def shortcut(self, key: Qt.Key) -> None:
        self.to_front()
        focus = QApplication.focusWidget() or self.window
        self.qtbot.keyClick(focus, key, Qt.KeyboardModifier.ControlModifier)

    # 1 受付 (Ctrl+N) --------------------------------------------------------------------------

    @property
    def wizard(self) -> IntakeWizard:
        return self.window.intake

    def _next_page(self, expected: str) -> None:
        """Ctrl+Enter: the next page of the intake."""
        focus = QApplication.focusWidget() or self.wizard
        self.qtbot.keyClick(focus, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert self.wizard.current_step().key == expected, self.wizard.error_label.text()

    def take_call(self, call: Call) -> CaseDetail:
        """The phone rings: Ctrl+N, the seven pages, 登録. The case as registered."""
        self.shortcut(Qt.Key.Key_N)
        assert self.window.stack.currentIndex() == PAGE_INTAKE
        w = self.wizard
        assert w.current_step().key == "caller"

        caller = w.caller
        self.choose(caller.relationship, call.relation or call.relationship.value)
        if call.relationship is not Relationship.SELF:
            self.type(caller.name, call.caller_name)
            self.type(caller.furigana, call.caller_furigana)
        self.type(caller.phone, call.caller_phone)
        self._next_page("patient")

        patient = w.patient
        self.type(patient.name, call.patient_name)
        self.type(patient.furigana, call.patient_furigana)
        self.type(patient.birth, call.birth)
        self.choose(patient.sex, "male" if "太郎" in call.patient_name else "female")
        self.type(patient.postal, call.postal)
        self.type(patient.address, call.house_number, replace=False)
        self._next_page("doctor")

        doctor = w.doctor
        self.type(doctor.institution, call.institution)
        self.type(doctor.department, call.referrer_department)
        self.type(doctor.doctor, call.referrer_doctor)
        self.type(doctor.diagnosis, call.diagnosis)
        self.choose(doctor.informed, "yes")
        self._next_page("content")

        content = w.content
        self.choose(content.category, "major_operation")
        self.type(content.text, call.consultation, enter=False)
        self.focus(content.department)
        pick(content.department, call.desired_department)
        self.type(content.dates, call.desired_dates)
        self._next_page("attendance")

        attendance = w.attendance
        self.choose(attendance.attendance, call.attendance.value)
        for kind in call.materials:
            box = attendance.materials[kind]
            self.focus(box)
            self.qtbot.keyClick(box, Qt.Key.Key_Space)
            assert box.isChecked()
        self._next_page("mail")
        self._next_page("confirm")

        self.qtbot.keyClick(w.register_button, Qt.Key.Key_Space)
        self.qtbot.waitUntil(lambda: w.case is not None)
        assert w.case is not None
        return self.case(w.case.id)

    def print_packet(self, sent_as: str = "郵送で送付した") -> PrintPreviewDialog:
        """送付書類を印刷 on the intake's last page, 印刷… in the preview, then say how it went
        out; the preview is closed again. Returns it (closed) for what it showed."""
        confirm = self.wizard.confirm
        assert confirm.print_button.isVisible() and confirm.print_button.hasFocus()
        self.qtbot.keyClick(confirm.print_button, Qt.Key.Key_Space)
        preview = self.wait_for(PrintPreviewDialog)
        self.print_preview(preview, sent_as)
        return preview

    def print_preview(self, preview: PrintPreviewDialog, sent_as: str | None = None) -> Path:
        """印刷… in an open preview (the OS print dialog answered with the PDF printer); the
        送付の記録 question answered with ``sent_as`` when the form is one that is sent."""
        out = self.folder / f"printed-{len(self.printed) + 1}.pdf"
        answered: list[str] = []

        # The preview itself is modal, so the print dialog and then the 送付の記録 box are
        # found by what they are, as they open, rather than as "the next modal widget".
        def print_dialog() -> None:
            shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QPrintDialog)]
            if not any(w.isVisible() for w in shown):
                QTimer.singleShot(10, print_dialog)
                return
            answered.append("print")
            if sent_as:
                QTimer.singleShot(10, sent_box)
            print_to_pdf(out)(next(w for w in shown if w.isVisible()))

        def sent_box() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox) or not box.isVisible():
                QTimer.singleShot(10, sent_box)
                return
            answered.append("sent")
            assert sent_as is not None
            _press_in_box(sent_as)(box)

        QTimer.singleShot(0, print_dialog)
        click(preview, "印刷…")
        expected = ["print", "sent"] if sent_as else ["print"]
        assert answered == expected, f"the print dialog or 送付の記録 was not asked: {answered}"
        self.printed.append(out)
        assert out.is_file() and out.read_bytes().startswith(b"%PDF"), "nothing was printed"
        assert "印刷しました" in preview.status_label.text()
        click(preview, "閉じる")
        self.qtbot.waitUntil(lambda: not preview.isVisible())
        return out

    # 案件一覧 and the case window -------------------------------------------------------------

    def open_case(self, case_number: str) -> CaseDetailDialog:
        """Ctrl+F, the case number, Enter, Enter: the case window."""
        self.shortcut(Qt.Key.Key_F)
        assert self.window.stack.currentIndex() == PAGE_CASES
        search = self.window.case_list.search_edit
        self.qtbot.waitUntil(search.hasFocus)
        self.qtbot.keyClicks(search, case_number)
        self.qtbot.keyClick(search, Qt.Key.Key_Return)
        table = self.window.case_list.table
        self.qtbot.waitUntil(table.hasFocus)
        assert table.model().rowCount() == 1, "the case number finds exactly its case"
        self.qtbot.keyClick(table, Qt.Key.Key_Return)
        return self.wait_for(
            CaseDetailDialog,
            where=lambda d: d.detail is not None and d.detail.case_number == case_number,
        )

    def close_window(self, dialog: QDialog) -> None:
        """The case window's 閉じる."""
        closes = [
            b.button(QDialogButtonBox.StandardButton.Close)
            for b in dialog.findChildren(QDialogButtonBox)
        ]
        target = next(b for b in closes if b is not None)
        target.click()
        self.qtbot.waitUntil(lambda: not dialog.isVisible())

    def decide(
        self,
        case_window: CaseDetailDialog,
        decision: Decision,
        *,
        reason: str = "",
        doctor: str | None = None,
        then: Iterable[Step] = (),
    ) -> DecisionDialog:
        """担当医確認: the department and doctor, the decision (and reason), 記録."""
        seen: list[DecisionDialog] = []

        def answer(dialog: QWidget) -> None:
            assert isinstance(dialog, DecisionDialog), type(dialog)
            seen.append(dialog)
            pick(dialog.department_combo, self.clinic.department)
            assert not dialog.record_button.isEnabled(), "no doctor is chosen for the clerk"
            pick(dialog.doctor_combo, doctor or self.clinic.doctor)
            radio(dialog, decision.label)
            if reason:
                type_japanese(dialog.reason_edit, reason)
            click(dialog, "記録")

        answers = answer_modals(answer, *then)
        assert case_window.decision_button.isEnabled()
        case_window.decision_button.click()
        assert answers.pending == 0
        return seen[0]

    def book(self, case_window: CaseDetailDialog, *, confirmation: Step = no) -> SlotData:
        """予約…: the first free slot the dialog offers (selected already), 予約する."""
        chosen: list[SlotData] = []

        def answer(dialog: QWidget) -> None:
            assert isinstance(dialog, BookingDialog), type(dialog)
            assert dialog.slot_list.count() > 0, dialog.error_label.text()
            slot = dialog.selected_slot()
            assert slot is not None
            chosen.append(slot)
            click(dialog, "予約する")

        answers = answer_modals(answer, confirmation)
        case_window.booking_button.click()
        assert answers.pending == 0
        return chosen[0]

    def up_to_booking(self, call: Call, **receive: str) -> tuple[CaseDetail, SlotData]:
        """The common first half: the call, the packet posted, the application received,
        Dr 青木 accepts, the first free slot booked; the case window closed again."""
        case = self.take_call(call)
        self.print_packet("郵送で送付した")
        self.receive(case.case_number, ["セカンドオピニオン外来申込書"], **receive)
        window = self.open_case(case.case_number)
        self.decide(window, Decision.ACCEPTED)
        slot = self.book(window)
        self.close_window(window)
        return self.case(case.id), slot

    # 書類受領 (Ctrl+R) ------------------------------------------------------------------------

    def receive(self, case_number: str, labels: Iterable[str], how: str = "郵送") -> str:
        """Ctrl+R, the case number as the barcode reader types it, Space on each paper that
        came, how it came, 受領を記録; the dialog is closed again. Returns what it said."""
        self.shortcut(Qt.Key.Key_R)
        dialog = self.wait_for(ReceiptDialog)
        self.qtbot.waitUntil(dialog.query_edit.hasFocus)
        self.qtbot.keyClicks(dialog.query_edit, case_number)
        self.qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
        assert dialog.case_panel.isVisible(), dialog.message_label.text()
        checklist: QListWidget = dialog.checklist
        for label in labels:
            rows = [
                i
                for i in range(checklist.count())
                if checklist.item(i).text().startswith(label)
                and checklist.item(i).flags() & Qt.ItemFlag.ItemIsUserCheckable
            ]
            lines = [checklist.item(i).text() for i in range(checklist.count())]
            assert len(rows) == 1, f"{label!r} is not awaited once: {lines}"
            checklist.setCurrentRow(rows[0])
            self.focus(checklist)
            self.qtbot.keyClick(checklist.viewport(), Qt.Key.Key_Space)
            assert checklist.item(rows[0]).checkState() == Qt.CheckState.Checked, label
        radio(dialog, how)
        click(dialog, "受領を記録 (Ctrl+Enter)")
        said = dialog.done_label.text()
        assert said.startswith("記録しました"), dialog.message_label.text()
        click(dialog, "閉じる")
        self.qtbot.waitUntil(lambda: not dialog.isVisible())
        return said

    # カレンダー ----------------------------------------------------------------------------

    def calendar(self) -> CalendarPage:
        self.shortcut(Qt.Key.Key_4)
        assert self.window.stack.currentIndex() == PAGE_CALENDAR
        page = self.window.calendar_page
        self.qtbot.waitUntil(page.isVisible)
        return page

    def calendar_week_of(self, page: CalendarPage, day: dt.date) -> None:
        """▶ until the week on screen holds ``day``."""
        for _ in range(10):
            first, last = page.visible_range()
            if first <= day <= last:
                return
            page.next_button.click()
        raise AssertionError(f"{day} is not reached with ▶")

    def calendar_cell_of(self, page: CalendarPage, case_id: int) -> QModelIndex:
        """The grid cell where the case's appointment shows (the week on screen)."""
        model = page.grid_model
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                cell = index.data(CELL_ROLE)
                if cell is not None and any(a.case_id == case_id for a in cell.live):
                    return index
        raise AssertionError("the appointment is not in the calendar on screen")

    def right_click_menu(self, page: CalendarPage, index: QModelIndex, item: str) -> None:
        """Right-click the cell, then pick ``item`` of the menu with the arrow keys and Enter.

        The menu blocks (QMenu.exec), so the keys are queued for when it shows."""
        grid = page.grid
        grid.scrollTo(index)
        where = grid.visualRect(index).center()
        picked: list[str] = []
        over = False  # the right-click has been handled: stop waiting for a menu

        def choose() -> None:
            menu = QApplication.activePopupWidget()
            if not isinstance(menu, QMenu):
                if not over:
                    QTimer.singleShot(10, choose)
                return
            labels = [a.text() for a in menu.actions() if not a.isSeparator()]
            assert item in labels, f"{item!r} not in the menu: {labels}"
            for _ in range(len(menu.actions()) + 1):
                self.qtbot.keyClick(menu, Qt.Key.Key_Down)
                if menu.activeAction() is not None and menu.activeAction().text() == item:
                    break
            picked.append(menu.activeAction().text())
            self.qtbot.keyClick(menu, Qt.Key.Key_Return)

        QTimer.singleShot(0, choose)
        event = QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, where, grid.viewport().mapToGlobal(where)
        )
        QApplication.sendEvent(grid.viewport(), event)
        over = True
        assert picked == [item], "no menu opened on the appointment"


def _press_in_box(text: str) -> Step:
    """The 送付の記録 box's answer (郵送で送付した / FAXで送付した / 手渡しした)."""

    def step(dialog: QWidget) -> None:
        assert dialog.windowTitle() == "送付の記録", dialog.windowTitle()
        click(dialog, text)

    return step
