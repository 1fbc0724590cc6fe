"""書類ボード: every open case as a card in its stage's column; what needs action, in red.

The page loads the board when it is shown and, after a service call, reloads only the cards
of the cases the change notice names (one query for those cases, one row change per card).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.attention import Reason
from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.stages import MAIN_LINE, OPEN_STAGES, Stage, is_step_back, may_override
from desktop_app.services.access import refusal_for
from desktop_app.services.board import BoardCard, BoardData, board_cards, board_cards_for
from desktop_app.services.cases import move_stage
from desktop_app.services.dto import DepartmentData, DoctorData
from desktop_app.services.masters import list_departments, list_doctors
from desktop_app.services.store import Store
from desktop_app.ui import actions
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.board import prompts
from desktop_app.ui.board.view import BoardColumn, BoardColumnView
from desktop_app.ui.case_detail import (
    CaseDetailDialog,
    OpenCaseDialogs,
    ask_reason,
    confirm_step_back,
)
from desktop_app.ui.check_in import check_in_case
from desktop_app.ui.value_combo import ValueCombo

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 200
SEARCH_PLACEHOLDER = "氏名・フリガナ・案件番号・紹介元"
HINT = (
    "カードはドラッグで別の段階へ移せます。右クリックでメニュー。"
    "←→↑↓ で移動、Enter で開く、Ctrl+→ か「.」で次の段階、Ctrl+← か「,」で戻す。"
)


class BoardPage(QWidget):
    receipt_requested = Signal()  # the 書類受領 button: the window opens the receipt dialog
    loaded = Signal()  # the whole board has been (re)loaded

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.today: dt.date | None = None  # None: the real today (tests and demos pin it)
        self._cards: dict[int, BoardCard] = {}
        self._details = OpenCaseDialogs(runner, self)
        self._loaded = False
        self._masters_filled = False
        self._generation = 0  # which full load is the latest

        title = QLabel("書類ボード")
        title.setObjectName("pageTitle")
        self.summary_label = QLabel()
        self.summary_label.setObjectName("boardSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.receipt_button = QPushButton("書類受領…")
        self.receipt_button.setObjectName("primary")
        self.receipt_button.setToolTip("届いた申込書・紹介状・資料を記録します")
        self.receipt_button.clicked.connect(self.receipt_requested)
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addSpacing(16)
        title_row.addWidget(self.summary_label, 1)
        title_row.addWidget(self.receipt_button)

        self.attention_only = QCheckBox("要対応のみ")
        self.attention_only.setToolTip("今日、何か対応が必要な案件だけを表示します")
        self.attention_only.toggled.connect(self._show_cards)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.department_combo = ValueCombo()
        self.doctor_combo = ValueCombo()
        self.department_combo.setMinimumWidth(140)
        self.doctor_combo.setMinimumWidth(140)
        bar = QHBoxLayout()
        bar.addWidget(self.attention_only)
        bar.addSpacing(12)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(QLabel("診療科"))
        bar.addWidget(self.department_combo)
        bar.addWidget(QLabel("担当医"))
        bar.addWidget(self.doctor_combo)

        self.columns: dict[Stage, BoardColumn] = {}
        columns_row = QHBoxLayout()
        columns_row.setSpacing(4)
        for stage in OPEN_STAGES:
            column = BoardColumn(stage)
            self._wire(column.view)
            self.columns[stage] = column
            columns_row.addWidget(column, 1)

        hint = QLabel(HINT)
        hint.setObjectName("muted")
        hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 12, 10, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addLayout(bar)
        layout.addLayout(columns_row, 1)
        layout.addWidget(hint)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.department_combo.currentIndexChanged.connect(self._department_changed)
        self.doctor_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        runner.changed.connect(self._on_changed)

    def _wire(self, view: BoardColumnView) -> None:
        view.column_model().move_requested.connect(self._dropped)
        view.neighbour_requested.connect(partial(self._focus_neighbour, view))
        view.open_requested.connect(self.open_case)
        view.step_requested.connect(self.step_case)
        view.menu_requested.connect(self._exec_menu)

    # Loading ----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        # Every time the page comes up: the day may have turned, and 要対応 with it.
        super().showEvent(event)
        self.refresh()

    def prepare(self) -> None:
        """Before the page is first shown (the window asks once its start is done): off the
        UI thread, read the filters' departments and doctors and run the board's query once,
        so that the first showing finds the filters filled and SQLAlchemy's statements
        compiled (about 35 ms less). The cards found are dropped: showing the page loads
        them afresh, and cards already in the columns would be laid out twice. The clerk
        did not ask for this, so a failure is only logged (showing the page tries again)."""
        if self._loaded or self._masters_filled or self.isVisible():
            return
        today = self.today

        def warm(store: Store) -> tuple[Sequence[DepartmentData], Sequence[DoctorData]]:
            board_cards(store, today=today)
            return list_departments(store), list_doctors(store, None)

        self._runner.run_in_background(
            self,
            warm,
            on_done=self._prepared,
            on_failed=lambda exc: log.warning("preparing the board failed: %s", exc),
        )

    def _prepared(self, masters: tuple[Sequence[DepartmentData], Sequence[DoctorData]]) -> None:
        if not self._masters_filled:  # else the page was shown first and filled them itself
            departments, doctors = masters
            self._set_departments(departments)
            self._set_doctors(doctors)
            self._masters_filled = True

    def refresh(self) -> None:
        """Load the whole board (on show, a new filter, a change that named no case).

        The query runs off the UI thread (about 0.3 s for 1,000 open cases); ``loaded`` is
        emitted when the cards are in. A load overtaken by a newer one is dropped.
        """
        self._search_timer.stop()
        if not self._masters_filled:
            self._fill_masters()
        self._generation += 1
        # Read on this thread; the worker gets plain values, never a widget.
        text, today = self.search_edit.text(), self.today
        department_id = self.department_combo.value()
        doctor_id = self.doctor_combo.value()

        def load(store: Store) -> BoardData:
            return board_cards(
                store, text=text, department_id=department_id, doctor_id=doctor_id, today=today
            )

        self._runner.run_in_background(
            self, load, on_done=partial(self._show_loaded, self._generation)
        )

    def _show_loaded(self, generation: int, data: BoardData) -> None:
        if generation != self._generation:
            return  # a newer load (another filter) is on its way
        self._loaded = True
        self._cards = {c.id: c for c in data.cards}
        self._show_cards()
        self.loaded.emit()

    def update_cases(self, case_ids: frozenset[int] | set[int]) -> None:
        """Reload only these cases' cards: moved, changed in place, added or taken away."""
        if not case_ids:
            return
        data = self._runner.call(
            self, board_cards_for, self._runner.store, sorted(case_ids), **self._filters()
        )
        if data is None:
            return
        fresh = {c.id: c for c in data.cards}
        for case_id in case_ids:
            old = self._cards.pop(case_id, None)
            new = fresh.get(case_id)
            if old is not None and (new is None or new.stage != old.stage or not self._shows(new)):
                self.columns[old.stage].model.remove(case_id)
            if new is not None:
                self._cards[case_id] = new
                if self._shows(new):
                    self.columns[new.stage].model.upsert(new)
        self._update_summary()

    def _filters(self) -> dict[str, object]:
        return {
            "text": self.search_edit.text(),
            "department_id": self.department_combo.value(),
            "doctor_id": self.doctor_combo.value(),
            "today": self.today,
        }

    def _shows(self, card: BoardCard) -> bool:
        return card.needs_action or not self.attention_only.isChecked()

    def _show_cards(self) -> None:
        by_stage: dict[Stage, list[BoardCard]] = {s: [] for s in OPEN_STAGES}
        for card in self._cards.values():
            if self._shows(card):
                by_stage[card.stage].append(card)
        for stage, column in self.columns.items():
            column.model.set_cards(by_stage[stage])
        self._update_summary()

    def _update_summary(self) -> None:
        urgent = [c for c in self._cards.values() if c.needs_action]
        if not urgent:
            self.summary_label.setText(f"進行中 {len(self._cards)}件　今日の要対応はありません")
            return
        kinds = Counter(a.reason for c in urgent for a in c.reasons)
        # In the order of urgency, not of frequency: overdue materials come first.
        detail = "・".join(f"{r.label} {kinds[r]}" for r in Reason if r in kinds)
        self.summary_label.setText(
            f"進行中 {len(self._cards)}件　<span style='color:#b3261e; font-weight:bold'>"
            f"要対応 {len(urgent)}件</span>　<span style='color:#6b7280'>{detail}</span>"
        )

    def _fill_masters(self) -> None:
        self._set_departments(self._runner.read(self, list_departments) or ())
        self._fill_doctors()
        self._masters_filled = True

    def _set_departments(self, departments: Sequence[DepartmentData]) -> None:
        chosen = self.department_combo.value()
        self.department_combo.blockSignals(True)
        self.department_combo.clear()
        self.department_combo.add("すべて", None)
        for dept in departments:
            self.department_combo.add(dept.name, dept.id)
        self.department_combo.setCurrentIndex(max(0, self.department_combo.index_of(chosen)))
        self.department_combo.blockSignals(False)

    def _fill_doctors(self) -> None:
        department_id = self.department_combo.value()
        self._set_doctors(self._runner.read(self, list_doctors, department_id) or ())

    def _set_doctors(self, doctors: Sequence[DoctorData]) -> None:
        chosen = self.doctor_combo.value()
        self.doctor_combo.blockSignals(True)
        self.doctor_combo.clear()
        self.doctor_combo.add("すべて", None)
        for doctor in doctors:
            self.doctor_combo.add(doctor.name, doctor.id)
        self.doctor_combo.setCurrentIndex(max(0, self.doctor_combo.index_of(chosen)))
        self.doctor_combo.blockSignals(False)

    def _department_changed(self, _index: int) -> None:
        self._fill_doctors()
        self.refresh()

    def _on_changed(self, notice: ChangeNotice) -> None:
        if not self.isVisible() or not self._loaded:
            return  # the page reloads whenever it is shown
        if notice.touches(Change.MASTERS):
            self._masters_filled = False  # a new doctor or department for the filters
            self.refresh()
        elif notice.touches(Change.SETTINGS):
            self.refresh()  # the reminder days may have changed
        elif notice.touches(Change.CASES) and not notice.from_(self):
            # This page updates its own moves as they return; others by the cases named.
            if notice.changes.case_ids:
                self.update_cases(notice.changes.case_ids)
            else:
                self.refresh()

    # Moving cards -----------------------------------------------------------------------

    def move_case(self, case_id: int, target: Stage, *, reason: str = "", code: str = "") -> bool:
        """Ask the stage machine to move the case; a refusal the clerk may pass over asks why.

        To 当日受付 the move is the check-in itself: the appointment is marked arrived, and
        missing papers are named in the guide's words before the clerk goes on.
        """
        card = self._cards.get(case_id)
        if target == Stage.CHECKED_IN and card is not None and card.stage != Stage.DONE:
            checked = check_in_case(self._runner, self, case_id, expected_version=card.version)
            self.update_cases({case_id})
            if checked is not None:
                self._focus_case(case_id)
            return checked is not None
        if (
            card is not None
            and is_step_back(card.stage, target)
            and not confirm_step_back(self, card.stage, target)
        ):
            return False
        passable: list[ValidationError] = []

        def refused(error: ValidationError) -> None:
            if may_override(error):
                passable.append(error)
            else:
                actions.show_error(self, error.message)

        def run(override_reason: str = "") -> object:
            return self._runner.run(
                self,
                move_stage,
                case_id,
                target,
                reason=reason,
                exclusion_code=code,
                today=self.today,
                expected_version=card.version if card else None,
                changes=Change.CASES,
                on_error=refused,
                override_reason=override_reason,
            )

        moved = run()
        if moved is None and passable:
            why = prompts.ask_override_reason(self, passable[0].message, target)
            if why:
                moved = run(override_reason=why)
        self.update_cases({case_id})
        if moved is not None:
            self._focus_case(case_id)
        return moved is not None

    def step_case(self, case_id: int, step: int) -> bool:
        """One stage forward (+1) or back (-1) along the main line."""
        card = self._cards.get(case_id)
        if card is None:
            return False
        at = MAIN_LINE.index(card.stage) + step
        if not 0 <= at < len(MAIN_LINE):
            return False
        return self.move_case(case_id, MAIN_LINE[at])

    def book_case(self, case_id: int) -> QDialog | None:
        """The booking dialog for a card waiting for a date; the card follows the booking."""
        from desktop_app.ui.booking_dialog import BookingDialog  # it imports print_menu too

        dialog = BookingDialog(self._runner, case_id, self)
        dialog.exec()
        self.update_cases({case_id})
        return dialog

    def cancel_case(self, case_id: int) -> bool:
        answer = ask_reason(self, Stage.CANCELLED, ())
        if answer is None:
            return False
        return self.move_case(case_id, Stage.CANCELLED, reason=answer[0])

    def _dropped(self, case_id: int, _version: int, target: object) -> None:
        assert isinstance(target, Stage)
        # Deferred: the view finishes its drop before the card moves under it.
        QTimer.singleShot(0, self, lambda: self.move_case(case_id, target))

    def context_menu(self, case_id: int) -> QMenu:
        """次の段階へ / 戻す / キャンセル… / 開く for one card."""
        menu = QMenu(self)
        card = self._cards.get(case_id)
        if card is None:
            return menu
        at = MAIN_LINE.index(card.stage)
        forward = menu.addAction(f"次の段階へ（{MAIN_LINE[at + 1].label}）")
        forward.triggered.connect(lambda: self.step_case(case_id, 1))
        if at > 0:
            back = menu.addAction(f"戻す（{MAIN_LINE[at - 1].label}）")
            back.triggered.connect(lambda: self.step_case(case_id, -1))
        arrived_today = (
            card.stage in (Stage.BOOKED, Stage.MATERIALS_RECEIVED)
            and card.appointment is not None
            and card.appointment.date() == (self.today or clock.today())
        )
        if arrived_today:
            menu.addAction("当日受付").triggered.connect(
                lambda: self.move_case(case_id, Stage.CHECKED_IN)
            )
        if card.stage == Stage.DOCTOR_REVIEW and card.appointment is None:
            menu.addAction("予約…").triggered.connect(lambda: self.book_case(case_id))
        menu.addSeparator()
        menu.addAction("キャンセル…").triggered.connect(lambda: self.cancel_case(case_id))
        menu.addSeparator()
        opener = menu.addAction("開く")
        opener.triggered.connect(lambda: self.open_case(case_id))
        refusal = refusal_for(self._runner.store, move_stage)
        if refusal is not None:
            # A role that may not move cases (医師) sees why, and may still open the card.
            for action in menu.actions():
                if action is not opener and not action.isSeparator():
                    action.setEnabled(False)
            menu.setToolTipsVisible(True)
            for action in menu.actions():
                action.setToolTip(refusal if action is not opener else "")
        return menu

    def _exec_menu(self, case_id: int, at: QPoint) -> None:
        menu = self.context_menu(case_id)
        menu.exec(at)
        menu.deleteLater()

    # Focus and opening ------------------------------------------------------------------

    def _focus_neighbour(self, view: BoardColumnView, direction: int, row: int) -> None:
        stages = list(self.columns)
        at = stages.index(view.column_model().stage) + direction
        if 0 <= at < len(stages):
            self.columns[stages[at]].view.focus_row(row)

    def _focus_case(self, case_id: int) -> None:
        card = self._cards.get(case_id)
        if card is None or not self._shows(card):
            return
        column = self.columns[card.stage]
        column.view.focus_row(column.model.row_of_case(case_id))

    def focused_case_id(self) -> int | None:
        for column in self.columns.values():
            if column.view.hasFocus():
                return column.view.current_case_id()
        return None

    def open_case(self, case_id: int) -> CaseDetailDialog | None:
        """The case's detail; one already open comes to the front."""
        return self._details.open(case_id)
