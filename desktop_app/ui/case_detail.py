"""The case detail dialog: everything about one case, its history, and moving its stage."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.eligibility import ExclusionReason
from desktop_app.domain.forms import FormKind
from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.stages import Stage, allowed_targets, is_step_back, next_stage
from desktop_app.services.booking import book
from desktop_app.services.case_edit import save_case_edit
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.decisions import DECIDABLE_STAGES, record_decision
from desktop_app.services.dto import CaseDetail
from desktop_app.services.settings import get_settings
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.case_actions import ContactsPanel, DocumentsPanel
from desktop_app.ui.case_detail_sections import (
    CONTACT_HEADERS,
    DOCUMENT_HEADERS,
    HISTORY_HEADERS,
    contact_rows,
    document_rows,
    history_rows,
    make_table,
    overview,
)
from desktop_app.ui.case_edit_dialog import edit_case
from desktop_app.ui.decision_dialog import DecisionDialog
from desktop_app.ui.keys import enter_presses, never_on_enter
from desktop_app.ui.layout_tools import TwoPartRow, fit_to_screen, settle_layout
from desktop_app.ui.permissions import gate
from desktop_app.ui.print_menu import CASE_FORMS, PACKET_TIP, forms_menu, open_preview
from desktop_app.ui.rows_model import RowsModel
from desktop_app.ui.value_combo import ValueCombo
from desktop_app.ui.visit_panel import VisitPanel

ENDING_STAGES = (Stage.CANCELLED, Stage.EXCLUDED)
ELSEWHERE_NOTE = "他の端末で更新されたため、最新の内容を表示しています"


def ask_reason(
    parent: QWidget, target: Stage, reasons: tuple[ExclusionReason, ...]
) -> tuple[str, str] | None:
    """Ask why the case ends: (reason text, exclusion code or ""), or None if the clerk backs out.

    Module-level so tests can answer it without a modal dialog.
    """
    if target == Stage.EXCLUDED and reasons:
        labels = [r.label for r in reasons]
        text, ok = QInputDialog.getItem(
            parent, "対象外の理由", "対象外とする理由を選んでください：", labels, 0, True
        )
        if not ok:
            return None
        code = next((r.code for r in reasons if r.label == text), "")
        return text, code
    text, ok = QInputDialog.getText(
        parent, f"{target.label}の理由", f"{target.label}にする理由を入力してください："
    )
    return (text, "") if ok else None


def confirm_step_back(parent: QWidget, current: Stage, target: Stage) -> bool:
    """Ask before a case goes back a stage; いいえ is the answer Enter gives."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "段階を戻す",
        f"この案件を「{current.label}」から「{target.label}」に戻しますか？",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class CaseDetailDialog(QDialog):
    def __init__(self, runner: ServiceRunner, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.case_id = case_id
        self.detail: CaseDetail | None = None
        self._settings: ClinicSettings | None = None
        self.setWindowTitle("案件の詳細")
        fit_to_screen(self, 1040, 720)

        self.number_label = QLabel()
        self.number_label.setObjectName("muted")
        self.name_label = QLabel()
        self.name_label.setObjectName("pageTitle")
        self.furigana_label = QLabel()
        self.furigana_label.setObjectName("muted")
        self.stage_label = QLabel()
        self.stage_label.setObjectName("stageBadge")

        self.target_combo = ValueCombo()
        self.target_combo.setMinimumWidth(170)
        self.move_button = QPushButton("段階を変更")
        self.move_button.clicked.connect(self.move_to_selected)

        self.edit_button = QPushButton("編集…")
        self.edit_button.setToolTip("患者・相談者・紹介元・相談内容・送付先を訂正します")
        self.edit_button.clicked.connect(self.open_edit)

        self.print_button = QPushButton("印刷")
        self.print_button.setObjectName("primary")
        self.print_button.setMenu(forms_menu(self, CASE_FORMS, self.open_form))
        self.print_button.setToolTip("この案件の書類を印刷します（Ctrl+P）")
        # The forms' menu from the keyboard, wherever the focus is in the window.
        self.print_shortcut = QShortcut(QKeySequence.StandardKey.Print, self)
        self.print_shortcut.activated.connect(self.show_print_menu)

        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.number_label)
        title_row = QHBoxLayout()
        title_row.addWidget(self.name_label)
        title_row.addSpacing(8)
        title_row.addWidget(self.furigana_label, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addSpacing(10)
        title_row.addWidget(self.stage_label, 0, Qt.AlignmentFlag.AlignVCenter)
        title_row.addStretch(1)
        names.addLayout(title_row)

        move_row = QHBoxLayout()
        move_row.addWidget(QLabel("変更先"))
        move_row.addWidget(self.target_combo)
        move_row.addWidget(self.move_button)

        # The name, and the actions beside it or (特大, a small screen) under it.
        header = QHBoxLayout()
        header.addLayout(move_row)
        header.addSpacing(16)
        self.decision_button = QPushButton("担当医確認")
        self.decision_button.clicked.connect(self.open_decision)
        header.addWidget(self.decision_button)
        self.booking_button = QPushButton("予約…")
        self.booking_button.setToolTip("空いている枠から予約します（予約済みなら日時を変更します）")
        self.booking_button.clicked.connect(self.open_booking)
        header.addWidget(self.booking_button)
        header.addWidget(self.edit_button)
        header.addWidget(self.print_button)

        self.documents_model = RowsModel(DOCUMENT_HEADERS, self)
        self.contacts_model = RowsModel(CONTACT_HEADERS, self)
        self.visit_panel = VisitPanel(runner, self._show)
        self.payments_model = self.visit_panel.model
        self.history_model = RowsModel(HISTORY_HEADERS, self)

        self.overview_area = QScrollArea()
        self.overview_area.setAccessibleName("概要")  # read with the arrow keys
        self.overview_area.setWidgetResizable(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.overview_area, "概要")
        self.documents_panel = DocumentsPanel(
            runner, make_table(self.documents_model, 0), self._show
        )
        self.contacts_panel = ContactsPanel(runner, make_table(self.contacts_model, 3), self._show)
        self.tabs.addTab(self.documents_panel, "書類")
        self.tabs.addTab(self.contacts_panel, "連絡記録")
        self.tabs.addTab(self.visit_panel, "会計")
        self.history_table: QTableView = make_table(self.history_model, 2)
        self.tabs.addTab(self.history_table, "変更履歴")
        for table, name in (
            (self.documents_panel.table, "書類の一覧"),
            (self.contacts_panel.table, "連絡記録の一覧"),
            (self.history_table, "変更履歴の一覧"),
        ):
            table.setAccessibleName(name)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # Shown when another desk's change reloaded what this window shows.
        self.elsewhere_note = QLabel(ELSEWHERE_NOTE)
        self.elsewhere_note.setObjectName("muted")
        self.elsewhere_note.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.elsewhere_note, 1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(10)
        layout.addWidget(TwoPartRow(names, header))
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        # Each button here writes one thing to the case: Enter presses none of them, so a
        # note's Enter in 連絡記録 logs the note and nothing else.
        enter_presses(self, None)
        never_on_enter(self.move_button)
        runner.changed.connect(self._on_changed)
        # Another member of staff signed in at the lock screen: their role's buttons.
        runner.user_changed.connect(lambda _actor: self.detail and self._show(self.detail))

    def show_print_menu(self) -> None:
        """Ctrl+P: the 印刷 button's menu, under the button (when it may be used)."""
        if self.print_button.isEnabled() and self.print_button.isVisible():
            self.print_button.showMenu()

    def load(self) -> bool:
        """Read the case (and the date style) and show it; False when it could not be read."""
        settings = self._runner.read(self, get_settings)
        detail = self._runner.read(self, get_case, self.case_id)
        if settings is None or detail is None:
            return False
        self._settings = settings
        self._show(detail)
        return True

    def _on_changed(self, notice: ChangeNotice) -> None:
        if notice.from_(self):
            return  # its own write: the result is already shown
        this_case = notice.touches(Change.CASES, self.case_id)
        if (this_case or notice.touches(Change.SETTINGS)) and self.load():
            # No origin: not a page of this window (another desk, or a write that lost to one).
            self.elsewhere_note.setVisible(this_case and notice.origin is None)

    def _show(self, detail: CaseDetail) -> None:
        assert self._settings is not None
        self.elsewhere_note.hide()  # what the clerk does here is shown as done here
        self.detail = detail
        self.setWindowTitle(f"案件の詳細 － {detail.case_number} {detail.patient.name}")
        self.number_label.setText(f"案件番号 {detail.case_number}")
        self.name_label.setText(f"{detail.patient.name} 様")
        self.furigana_label.setText(detail.patient.furigana)
        self.stage_label.setText(detail.stage.label)

        old = self.overview_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.overview_area.setWidget(overview(detail, self._settings.date_style))

        self.documents_model.set_rows(document_rows(detail))
        self.contacts_model.set_rows(contact_rows(detail))
        self.visit_panel.set_detail(detail)
        self.history_model.set_rows(history_rows(detail))
        counts = (len(detail.documents), len(detail.contacts), len(detail.payments))
        for tab, (name, count) in enumerate(
            zip(("書類", "連絡記録", "会計"), counts, strict=True), 1
        ):
            self.tabs.setTabText(tab, f"{name}（{count}）")
        self.tabs.setTabText(4, f"変更履歴（{len(detail.history)}）")
        self._fill_targets(detail.stage)
        self.documents_panel.set_detail(detail)
        self.contacts_panel.set_detail(detail)
        gate(
            self.decision_button,
            self._runner,
            record_decision,
            enabled=detail.stage in DECIDABLE_STAGES,
        )
        gate(self.edit_button, self._runner, save_case_edit)
        gate(self.booking_button, self._runner, book, enabled=detail.stage.is_open)
        from desktop_app.services.forms import render_form  # printing: loaded when first used

        gate(self.print_button, self._runner, render_form)
        from desktop_app.services.forms import NOT_AFTER_AN_END

        # A cancelled or excluded case: no confirmation, report or packet (render_form says
        # the same), greyed with the reason rather than refused after the click.
        ended = detail.stage in (Stage.CANCELLED, Stage.EXCLUDED)
        menu = self.print_button.menu()
        for action in menu.actions() if menu is not None else ():
            kind = action.data()
            if kind in NOT_AFTER_AN_END:
                action.setEnabled(not ended)
                usual = PACKET_TIP if kind == FormKind.PACKET else FormKind(kind).label
                action.setToolTip(
                    f"「{detail.stage.label}」の案件には印刷しません" if ended else usual
                )

    def _fill_targets(self, current: Stage) -> None:
        self.target_combo.clear()
        targets = allowed_targets(current)
        for target in targets:
            self.target_combo.add(target.label, target)
        gate(self.target_combo, self._runner, move_stage, enabled=bool(targets))
        gate(self.move_button, self._runner, move_stage, enabled=bool(targets))
        if not targets:
            self.target_combo.add("（終了した案件）")
            return
        # The next stage is offered first; a step back is never the one already chosen.
        self.target_combo.setCurrentIndex(max(self.target_combo.index_of(next_stage(current)), 0))

    def open_form(self, kind: FormKind) -> QDialog | None:
        """Preview one of this case's forms (printing it is recorded on the case)."""
        return open_preview(self._runner, self, kind, self.case_id)

    def select_target(self, target: Stage) -> None:
        self.target_combo.setCurrentIndex(self.target_combo.index_of(target))

    def move_to_selected(self) -> None:
        target = self.target_combo.value()
        if not isinstance(target, Stage) or self.detail is None:
            return
        if is_step_back(self.detail.stage, target) and not confirm_step_back(
            self, self.detail.stage, target
        ):
            return
        reason, code = "", ""
        if target in ENDING_STAGES:
            reasons = self._settings.exclusion_reasons if self._settings else ()
            answer = ask_reason(self, target, reasons)
            if answer is None:
                return
            reason, code = answer
        moved = self._runner.run(
            self,
            move_stage,
            self.case_id,
            target,
            reason=reason,
            exclusion_code=code,
            expected_version=self.detail.version if self.detail else None,
            changes=Change.CASES,
        )
        if moved is not None:
            self._show(moved)

    def open_decision(self) -> DecisionDialog | None:
        """The 担当医確認 dialog for this case; the result is shown here when it is recorded."""
        if self.detail is None:
            return None
        dialog = DecisionDialog(self._runner, self.detail, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_ is not None:
            self._show(dialog.result_.case)
        return dialog

    def open_edit(self) -> None:
        """Correct what the intake recorded; the case is shown again as saved."""
        saved = edit_case(self._runner, self, self.case_id)
        if saved is not None:
            self._show(saved)

    def open_booking(self) -> QDialog | None:
        """Book this case, or move its live appointment; the result is shown here."""
        from desktop_app.ui.booking_dialog import BookingDialog  # it imports print_menu too

        live = self.detail.appointment if self.detail else None
        dialog = BookingDialog(
            self._runner, self.case_id, self, appointment_id=live.id if live else None
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_ is not None:
            self._show(dialog.result_)
        return dialog


def open_case_window(
    runner: ServiceRunner, case_id: int, parent: QWidget
) -> CaseDetailDialog | None:
    """The case's window over ``parent`` (window-modal, freed when closed); None when the case
    could not be read (the clerk was told)."""
    dialog = CaseDetailDialog(runner, case_id, parent)
    if not dialog.load():
        dialog.deleteLater()
        return None
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


class OpenCaseDialogs(dict[int, CaseDetailDialog]):
    """A page's open case details, one per case: asked again, the open one comes forward."""

    def __init__(self, runner: ServiceRunner, parent: QWidget) -> None:
        super().__init__()
        self._runner = runner
        self._parent = parent

    def open(self, case_id: int) -> CaseDetailDialog | None:
        """The case's detail dialog, shown (non-modal); None when the case cannot be read."""
        dialog = self.get(case_id)
        if dialog is not None:
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = CaseDetailDialog(self._runner, case_id, self._parent)
        if not dialog.load():
            dialog.deleteLater()
            return None
        self[case_id] = dialog
        dialog.finished.connect(partial(self._forget, case_id))
        settle_layout(dialog)
        dialog.show()
        return dialog

    def _forget(self, case_id: int, _result: int = 0) -> None:
        dialog = self.pop(case_id, None)
        if dialog is not None:
            dialog.deleteLater()
