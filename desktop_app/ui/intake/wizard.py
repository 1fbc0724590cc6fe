"""The 受付 page: a keyboard-fast wizard the clerk fills while on the phone.

Seven pages in a QStackedWidget. Nothing is written to the cases until 登録; until then the
answers live in the pages and in a draft file saved on every page change and every few
seconds, so a crash or a closed window loses nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.services import drafts
from desktop_app.services.cases import create_case, get_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.intake import list_referrers, log_enquiry
from desktop_app.services.masters import list_departments
from desktop_app.services.settings import get_settings
from desktop_app.ui import text_size
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.intake import packet, prompts
from desktop_app.ui.intake.attendance_page import AttendanceStep
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.caller_page import CallerStep
from desktop_app.ui.intake.confirm_page import ConfirmStep
from desktop_app.ui.intake.content_page import ContentStep
from desktop_app.ui.intake.doctor_page import DoctorStep
from desktop_app.ui.intake.draft_fit import draft_problem
from desktop_app.ui.intake.fields import EnterFilter, focus_chain, focus_target
from desktop_app.ui.intake.mail_page import MailStep
from desktop_app.ui.intake.patient_page import PatientStep
from desktop_app.ui.intake.state import build_new_case, confirmed_exclusion
from desktop_app.ui.intake.style import WIZARD_STYLE
from desktop_app.ui.intake.values import IntakeSnapshot
from desktop_app.ui.layout_tools import TwoPartRow
from desktop_app.ui.print_preview import PrintPreviewDialog

log = logging.getLogger(__name__)

AUTOSAVE_MS = 4000


class IntakeWizard(QWidget):
    registered = Signal(object)  # CaseDetail
    enquiry_logged = Signal(object)  # EnquiryData

    def __init__(
        self,
        runner: ServiceRunner,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intakeWizard")
        text_size.set_style(self, WIZARD_STYLE)  # its sizes follow 文字の大きさ
        self.runner = runner
        self.context = IntakeContext(runner, today_override=today)
        self._load_context()
        self.case: CaseDetail | None = None
        self.dirty = False

        self.caller = CallerStep(self.context)
        self.patient = PatientStep(self.context)
        self.doctor = DoctorStep(self.context)
        self.content = ContentStep(self.context)
        self.attendance = AttendanceStep(self.context)
        self.mail = MailStep(self.context)
        self.confirm = ConfirmStep(self.context)
        self.steps: list[IntakeStep] = [
            self.caller,
            self.patient,
            self.doctor,
            self.content,
            self.attendance,
            self.mail,
            self.confirm,
        ]
        # What every field holds when nothing is typed: the types a draft must have.
        self.blank: IntakeSnapshot = self.snapshot()

        title = QLabel("受付")
        title.setObjectName("pageTitle")
        self.discard_button = QPushButton("入力を破棄")
        self.discard_button.setToolTip("入力中の受付を消して最初からやり直します")
        self.discard_button.clicked.connect(self.discard)
        self.step_labels: list[QLabel] = []
        steps_row = QHBoxLayout()
        steps_row.setSpacing(4)
        for number, step in enumerate(self.steps, 1):
            label = QLabel(f"{number} {step.title}")
            label.setObjectName("step")
            self.step_labels.append(label)
            steps_row.addWidget(label)
        steps_row.addStretch(1)
        steps = QHBoxLayout()
        steps.addWidget(title)
        steps.addSpacing(20)
        steps.addLayout(steps_row, 1)
        discard = QHBoxLayout()
        discard.addStretch(1)
        discard.addWidget(self.discard_button)
        # 入力を破棄 drops under the steps where the page is too narrow (特大 on a laptop).
        head = TwoPartRow(steps, discard)

        self.page_title = QLabel()
        self.page_title.setObjectName("stepTitle")
        self.stack = QStackedWidget()
        for step in self.steps:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(step)
            self.stack.addWidget(scroll)
            step.changed.connect(self._mark_dirty)

        self.saved_label = QLabel()
        self.saved_label.setObjectName("muted")
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.back_button = QPushButton("戻る (&B)")
        self.next_button = QPushButton("次へ (&N)")
        self.next_button.setObjectName("primary")
        self.register_button = QPushButton("登録 (&S)")
        self.register_button.setObjectName("primary")
        for button in (self.back_button, self.next_button, self.register_button):
            button.setMinimumWidth(120)
            button.setAutoDefault(False)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.register_button.clicked.connect(self.register)
        hint = QLabel("Enter：次の項目へ　Ctrl+Enter：次のページへ")
        hint.setObjectName("muted")
        foot = QHBoxLayout()
        foot.addWidget(self.saved_label)
        foot.addWidget(self.error_label, 1)
        foot.addWidget(hint)
        foot.addSpacing(12)
        foot.addWidget(self.back_button)
        foot.addWidget(self.next_button)
        foot.addWidget(self.register_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(8)
        layout.addWidget(head)
        layout.addWidget(self.page_title)
        layout.addWidget(self.stack, 1)
        layout.addLayout(foot)

        self.enter_filter = EnterFilter(self._enter_pressed, self)
        self._watch_inputs()
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.go_next)

        self.caller.enquiry_requested.connect(self.log_enquiry)
        # The registered patient's details are on file: nothing more to type on that page.
        self.patient.existing_chosen.connect(self.go_next)
        self.content.exclusion_confirmed.connect(self._exclusion_confirmed)
        self.confirm.print_requested.connect(self.print_packet)
        self.confirm.restart_requested.connect(self.start_new)
        runner.changed.connect(self._data_changed)

        self.autosave = QTimer(self)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self._autosave)
        self.autosave.start()
        self._show(0, save=False)

    # Context -----------------------------------------------------------------------------
    def _load_context(self) -> None:
        settings = self.runner.read(self, get_settings)
        if settings is not None:
            self.context.settings = settings
        self.context.departments = self.runner.read(self, list_departments) or ()
        self.context.referrers = self.runner.read(self, list_referrers) or ()

    def _data_changed(self, notice: ChangeNotice) -> None:
        if self.case is not None and notice.touches(Change.CASES, self.case.id):
            # The packet was printed and the clerk said it went out: the banner says so.
            case = self.runner.read(self, get_case, self.case.id)
            if case is not None and case.stage != self.case.stage:
                self.case = case
                self.confirm.show_result(case)
        # Settings and masters from any desk; cases only from this window's own pages (the
        # referrers a case saved here): another desk's every case change would reload the
        # referrer list for nothing.
        own_cases = notice.origin is not None and notice.touches(Change.CASES)
        if notice.touches(Change.SETTINGS | Change.MASTERS) or own_cases:
            self._load_context()
            for step in self.steps:
                step.context_changed()
            self._watch_inputs()

    def _watch_inputs(self) -> None:
        for step in self.steps:
            for widget in step.inputs():
                self.enter_filter.watch(widget)

    # Navigation --------------------------------------------------------------------------
    def current_index(self) -> int:
        return self.stack.currentIndex()

    def current_step(self) -> IntakeStep:
        return self.steps[self.current_index()]

    def snapshot(self) -> IntakeSnapshot:
        return IntakeSnapshot(
            caller=self.caller.values(),
            patient=self.patient.values(),
            doctor=self.doctor.values(),
            content=self.content.values(),
            attendance=self.attendance.values(),
            mail=self.mail.values(),
        )

    def _load(self, snapshot: IntakeSnapshot) -> None:
        self.caller.load(snapshot.caller)
        self.patient.load(snapshot.patient)
        self.doctor.load(snapshot.doctor)
        self.content.load(snapshot.content)
        self.attendance.load(snapshot.attendance)
        self.mail.load(snapshot.mail)

    def go_next(self) -> None:
        index = self.current_index()
        if self.case is not None:
            return
        if index == len(self.steps) - 1:
            self.register()
            return
        if not self.current_step().validate():
            self._focus_first_error()
            return
        self._show(index + 1)

    def go_back(self) -> None:
        if self.case is None and self.current_index() > 0:
            self._show(self.current_index() - 1)

    def go_to(self, index: int) -> None:
        self._show(index)

    def _show(self, index: int, *, save: bool = True) -> None:
        self.error_label.clear()
        self.stack.setCurrentIndex(index)
        step = self.steps[index]
        step.enter(self.snapshot())
        self.page_title.setText(f"{index + 1}. {step.title}")
        for number, label in enumerate(self.step_labels):
            state = "current" if number == index else ("done" if number < index else "todo")
            label.setProperty("state", state)
            label.style().unpolish(label)
            label.style().polish(label)
        last = index == len(self.steps) - 1
        self.back_button.setEnabled(index > 0 and self.case is None)
        self.next_button.setVisible(not last)
        self.register_button.setVisible(last)
        self.register_button.setEnabled(self.case is None)
        self.register_button.setText(
            "対象外として登録 (&S)" if last and self._excluded() else "登録 (&S)"
        )
        self._set_tab_order(step)
        inputs = [w for w in step.inputs() if w.isEnabled()]
        target = focus_target(inputs[0]) if inputs else self.register_button
        target.setFocus()
        if save:
            self.save_draft_now()

    def _excluded(self) -> bool:
        return confirmed_exclusion(self.snapshot(), self.context.settings) is not None

    def _set_tab_order(self, step: IntakeStep) -> None:
        chain: list[QWidget] = []
        for widget in step.inputs():
            chain.extend(focus_chain(widget))
        chain += [self.back_button, self.next_button, self.register_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _enter_pressed(self, widget: QWidget) -> bool:
        """Enter: the next input of this page, or 次へ after the last one."""
        inputs = self.current_step().inputs()
        index = next(
            (i for i, w in enumerate(inputs) if w is widget or w.isAncestorOf(widget)), None
        )
        if index is None:
            return False
        for candidate in inputs[index + 1 :]:
            usable = candidate.isEnabled() and candidate.isVisible()
            if isinstance(candidate, QLineEdit):
                usable = usable and not candidate.isReadOnly()
            if usable:
                focus_target(candidate).setFocus()
                return True
        self.go_next()
        return True

    def _focus_first_error(self) -> None:
        for widget in self.current_step().inputs():
            if widget.property("invalid"):
                widget.setFocus()
                return

    # Exclusion, enquiry, registration ----------------------------------------------------
    def _exclusion_confirmed(self) -> None:
        self._show(len(self.steps) - 1)

    def log_enquiry(self) -> None:
        values = self.caller.values()
        result = self.runner.run(
            self,
            log_enquiry,
            values.name,
            values.relationship,
            values.phone,
            changes=Change.ENQUIRIES,
        )
        if result is None:
            return
        drafts.discard_draft(self.runner.store)
        self.enquiry_logged.emit(result)
        self.reset()
        self.saved_label.setText(
            f"問い合わせとして記録しました（{result.party}）。案件は作っていません。"
        )

    def register(self) -> None:
        if self.case is not None:
            return
        self.error_label.clear()
        try:
            new = build_new_case(self.snapshot(), self.context.settings, self.context.today())
            new = dataclasses.replace(new, received_on=self.confirm.received_on())
        except ValidationError as exc:
            self._register_failed(exc)
            return
        case = self.runner.run(
            self,
            create_case,
            new,
            changes=Change.CASES,
            on_error=self._register_failed,
        )
        if case is None:
            return  # the draft stays, so nothing typed is lost
        self.case = case
        self.dirty = False
        drafts.discard_draft(self.runner.store)
        self.confirm.show_result(case)
        self.back_button.setEnabled(False)
        self.register_button.hide()
        self.saved_label.setText("")
        self.registered.emit(case)

    def _register_failed(self, exc: ValidationError) -> None:
        self.error_label.setText(f"登録できませんでした：{exc.message}（入力は保存されています）")
        self.save_draft_now()

    def print_packet(self) -> PrintPreviewDialog | None:
        if self.case is None:
            return None
        return packet.print_packet(self.runner, self.case, self)

    # Drafts ------------------------------------------------------------------------------
    def _mark_dirty(self) -> None:
        if self.case is None:
            self.dirty = True

    def _autosave(self) -> None:
        if self.dirty:
            self.save_draft_now()

    def save_draft_now(self) -> None:
        if self.case is not None:
            return
        snapshot = self.snapshot()
        if snapshot.is_blank():
            self.dirty = False
            return
        try:
            saved = drafts.save_draft(self.runner.store, snapshot.to_json(), self.current_index())
        except OSError:
            log.exception("could not save the intake draft")
            self.saved_label.setText("下書きを保存できませんでした")
            return
        self.dirty = False
        self.saved_label.setText(f"下書きを保存しました（{saved.saved_at:%H:%M:%S}）")

    def check_draft(self, draft: drafts.Draft) -> str | None:
        """Why ``draft`` does not fit the pages (a field of the wrong type), or None."""
        return draft_problem(draft.values, self.blank.to_json())

    def restore(self, draft: drafts.Draft) -> bool:
        """Put an unfinished intake back, on the page where it was left.

        False, with the wizard left blank, when the draft does not fit the pages: the caller
        sets it aside and tells the clerk.
        """
        problem = self.check_draft(draft)
        self.reset()
        if problem is not None:
            log.warning("intake draft does not fit the wizard: %s", problem)
            return False
        try:
            self._load(IntakeSnapshot.from_json(draft.values))
            self._show(min(max(draft.page, 0), len(self.steps) - 1), save=False)
        except Exception:
            # A value of the right type that is still no value (an id that is no id).
            log.exception("intake draft could not be put back into the wizard")
            self.reset()
            return False
        return True

    def has_input(self) -> bool:
        return self.case is None and not self.snapshot().is_blank()

    def reset(self) -> None:
        self.case = None
        self._load(IntakeSnapshot())
        self.confirm.clear_result()
        self.confirm.reset_received_on()
        self.saved_label.clear()
        self._show(0, save=False)
        self.dirty = False

    def start_new(self) -> None:
        """Ctrl+N: a fresh intake, unless one is half-typed (that one is shown instead)."""
        if self.has_input():
            focus_target(self.current_step().inputs()[0]).setFocus()
            return
        self.reset()

    def discard(self) -> None:
        if self.has_input() and not prompts.confirm_discard(self):
            return
        drafts.discard_draft(self.runner.store)
        self.reset()
