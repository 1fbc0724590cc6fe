"""The case detail's 会計 tab: the day of the visit and the money, in the order of the work.

当日受付 → 実施時間 → 報告書 → 会計 → 完了, each button enabled only when it applies; the
payments below, a voided one struck through with its reason; 取消 and the 領収書 of the
selected payment. Every write goes through the ServiceRunner; the small forms are the
patchable ``visit_dialogs.ask_*`` functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.fees import consultation_fee
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Stage, settle_missing
from desktop_app.services import visit
from desktop_app.services.dto import CaseDetail, DocumentData, PaymentData
from desktop_app.services.settings import get_settings
from desktop_app.ui import actions, print_menu, visit_dialogs
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_detail_sections import PAYMENT_HEADERS, make_table, payment_rows
from desktop_app.ui.check_in import check_in_case
from desktop_app.ui.formats import BLANK, short_date, yen
from desktop_app.ui.permissions import gate
from desktop_app.ui.rows_model import AnyIndex, RowsModel

STATE_COLUMN = PAYMENT_HEADERS.index("状態")
VOIDED_COLOR = QColor("#8a8f98")
VOID_STATE_COLOR = QColor("#b3261e")
CLOSE_REFUSED = "まだ完了にできません："

CLOSE_TIP = "会計・報告書済にします"


class PaymentsModel(RowsModel):
    """The case's payments; a voided one is struck through, its 状態 says 取消 and why."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(PAYMENT_HEADERS, parent, right_aligned=frozenset({3, 4, 5, 6}))
        self._voided: list[bool] = []

    def set_detail(self, detail: CaseDetail) -> None:
        self._voided = [p.voided for p in detail.payments]
        self.set_rows(payment_rows(detail))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < len(self._voided) and self._voided[index.row()]:
            state = index.column() == STATE_COLUMN
            if role == Qt.ItemDataRole.FontRole and not state:
                font = QFont()
                font.setStrikeOut(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole:
                return VOID_STATE_COLOR if state else VOIDED_COLOR
        return super().data(index, role)


def open_items_text(message: str) -> str:
    """The refusal of 完了 with one open item per line (the service joins them with ／)."""
    if not message.startswith(CLOSE_REFUSED):
        return message
    items = message[len(CLOSE_REFUSED) :].rstrip("。").split("／")
    return "まだ完了にできません。残っていること：\n" + "\n".join(f"・{i}" for i in items)


class VisitPanel(QWidget):
    """The 会計 tab of one case."""

    def __init__(
        self,
        runner: ServiceRunner,
        on_result: Callable[[CaseDetail], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._on_result = on_result
        self.detail: CaseDetail | None = None
        self.model = PaymentsModel(self)
        self.table: QTableView = make_table(self.model, STATE_COLUMN)
        self.table.setAccessibleName("会計の一覧")

        self.values: dict[str, QLabel] = {}
        steps = QGridLayout()
        steps.setContentsMargins(10, 8, 10, 0)
        steps.setHorizontalSpacing(28)
        steps.setVerticalSpacing(2)
        for column, (key, title) in enumerate(
            (
                ("check_in", "当日受付"),
                ("minutes", "実施時間"),
                ("report", "報告書"),
                ("paid", "お会計"),
            )
        ):
            name = QLabel(title)
            name.setObjectName("muted")
            value = QLabel(BLANK)
            font = value.font()
            font.setBold(True)
            value.setFont(font)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            steps.addWidget(name, 0, column)
            steps.addWidget(value, 1, column)
            # 報告書 and お会計 say more than the first two.
            steps.setColumnStretch(column, 2 if column >= 2 else 1)
        self.next_label = QLabel()
        self.next_label.setObjectName("muted")
        self.next_label.setContentsMargins(10, 0, 10, 0)

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setContentsMargins(8, 0, 8, 0)
        for key, text, slot, tip in (
            ("check_in", "当日受付", self.check_in, "予約日に、来院された患者さんを受け付けます"),
            ("minutes", "実施時間…", self.record_minutes, "実際の相談時間（報告書の作成は除く）"),
            ("report", "報告書…", self.record_report, "主治医への報告書の作成とお渡し"),
            ("pay", "会計…", self.pay, "料金を受け取り、領収書番号を付けます"),
            ("void", "取消…", self.void, "選んだ会計を理由を付けて取り消します"),
            ("receipt", "領収書", self._print_selected, "選んだ会計の領収書（取消分は取消印つき）"),
            ("close", "完了", self.close_case, CLOSE_TIP),
        ):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            self.buttons[key] = button
            if key == "void":
                row.addSpacing(20)
            if key == "close":
                row.addStretch(1)
            row.addWidget(button)
        self.buttons["close"].setObjectName("primary")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.setSpacing(8)
        layout.addLayout(steps)
        layout.addWidget(self.next_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

    # Showing ---------------------------------------------------------------------------

    def set_detail(self, detail: CaseDetail) -> None:
        current = self.selected()
        self.detail = detail
        self.model.set_detail(detail)
        self._select(current.id if current else None)
        self._show_steps(detail)
        self._update_buttons()

    def _select(self, payment_id: int | None) -> None:
        assert self.detail is not None
        rows = [i for i, p in enumerate(self.detail.payments) if p.id == payment_id]
        if not rows and self.detail.payments:
            rows = [len(self.detail.payments) - 1]  # the newest, so 領収書 prints it
        if rows:
            self.table.setCurrentIndex(self.model.index(rows[0], 0))

    def selected(self) -> PaymentData | None:
        """The payment on the current row (rows follow ``detail.payments``)."""
        row = self.table.currentIndex().row()
        if self.detail is None or not 0 <= row < len(self.detail.payments):
            return None
        return self.detail.payments[row]

    def _show_steps(self, d: CaseDetail) -> None:
        appt = d.appointment
        seen = d.stage in (Stage.CHECKED_IN, Stage.DONE, Stage.SETTLED)
        if seen or (appt is not None and appt.checked_in):
            check_in = "受付済"
        elif appt is not None:
            check_in = f"予約 {short_date(appt.date)} {appt.start_time:%H:%M}"
        else:
            check_in = "予約なし"
        minutes = BLANK if d.actual_minutes is None else f"{d.actual_minutes}分"
        if d.report_delivered_on is not None and d.report_channel is not None:
            report = f"{d.report_channel.label} {short_date(d.report_delivered_on)}"
        elif d.report_written_on is not None:
            report = f"作成済 {short_date(d.report_written_on)}（未渡し）"
        else:
            report = "未作成"
        live = _live(d)
        paid = (
            "未会計"
            if live is None
            else f"{yen(live.total_yen)} {live.method}（{live.receipt_number}）"
        )
        for key, text in (
            ("check_in", check_in),
            ("minutes", minutes),
            ("report", report),
            ("paid", paid),
        ):
            self.values[key].setText(text)
        self.next_label.setText(_next_step(d))

    def _update_buttons(self) -> None:
        d = self.detail
        b = self.buttons
        if d is None:
            for button in b.values():
                button.setEnabled(False)
            return
        appt = d.appointment
        seen = d.stage in (Stage.CHECKED_IN, Stage.DONE)
        live = _live(d)
        chosen = self.selected()
        r = self._runner
        gate(
            b["check_in"],
            r,
            visit.check_in,
            enabled=d.stage in (Stage.BOOKED, Stage.MATERIALS_RECEIVED)
            and appt is not None
            and appt.date == clock.today(),
        )
        gate(b["minutes"], r, visit.record_session, enabled=seen and live is None)
        gate(b["report"], r, visit.record_report, enabled=seen)
        gate(
            b["pay"],
            r,
            visit.record_payment,
            enabled=d.stage == Stage.DONE and d.actual_minutes is not None and not live,
        )
        gate(
            b["void"],
            r,
            visit.void_payment,
            enabled=chosen is not None and not chosen.voided and d.stage != Stage.SETTLED,
        )
        b["receipt"].setEnabled(chosen is not None)
        missing = settle_missing(
            paid=live is not None,
            report_delivered=d.report_delivered_on is not None,
            unreturned_borrowed=tuple(
                doc.display_label
                for doc in d.documents
                if doc.borrowed and doc.received_on is not None and doc.returned_on is None
            ),
        )
        if d.stage != Stage.DONE:
            tip = "実施済の案件を、会計と報告書のあとで完了にします"
        else:
            tip = "\n".join(missing) if missing else CLOSE_TIP
        gate(
            b["close"], r, visit.close_case, enabled=d.stage == Stage.DONE and not missing, tip=tip
        )

    # Actions ---------------------------------------------------------------------------

    def _write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = self._runner.run(self, fn, *args, changes=Change.CASES, **kwargs)
        if result is not None:
            self._on_result(result.case if isinstance(result, visit.PaymentResult) else result)
        return result

    def check_in(self) -> None:
        d = self.detail
        if d is None:
            return
        done = check_in_case(self._runner, self, d.id, expected_version=d.version)
        if done is not None:
            self._on_result(done)

    def record_minutes(self) -> None:
        d = self.detail
        settings = self._runner.read(self, get_settings)
        if d is None or settings is None:
            return
        minutes = visit_dialogs.ask_minutes(self, settings, d.actual_minutes)
        if minutes is not None:
            self._write(visit.record_session, d.id, minutes=minutes, expected_version=d.version)

    def record_report(self) -> None:
        d = self.detail
        if d is None:
            return
        answer = visit_dialogs.ask_report(
            self, d.report_written_on, d.report_channel, d.report_delivered_on
        )
        if answer is not None:
            self._write(visit.record_report, d.id, **answer)

    def pay(self) -> None:
        d = self.detail
        settings = self._runner.read(self, get_settings)
        if d is None or settings is None or d.actual_minutes is None:
            return
        try:
            fee = consultation_fee(d.actual_minutes, settings)
        except ValidationError as error:  # the settings changed since the minutes were taken
            actions.show_error(self, error.message)
            return
        answer = visit_dialogs.ask_payment(self, fee, settings.payment_methods)
        if answer is None:
            return
        paid = self._write(visit.record_payment, d.id, **answer)
        if paid is not None:
            self._select(paid.payment_id)
            self._update_buttons()
        if paid is not None and visit_dialogs.confirm(
            self, "領収書", f"領収書（{paid.receipt_number}）を印刷しますか？"
        ):
            self.print_receipt(paid.payment_id)

    def void(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.voided:
            return
        reason = visit_dialogs.ask_text(
            self, f"会計の取消：領収書 {chosen.receipt_number}", "取り消す理由"
        )
        if reason is not None:
            self._write(visit.void_payment, chosen.id, reason=reason)

    def print_receipt(self, payment_id: int | None = None) -> QDialog | None:
        """The 領収書 of ``payment_id`` (default: the selected payment); a voided one says 取消."""
        if self.detail is None:
            return None
        if payment_id is None:
            chosen = self.selected()
            payment_id = chosen.id if chosen else None
        return print_menu.open_preview(
            self._runner, self, FormKind.RECEIPT, self.detail.id, payment_id=payment_id
        )

    def _print_selected(self) -> None:
        self.print_receipt()

    def close_case(self) -> None:
        d = self.detail
        if d is None:
            return
        self._write(
            visit.close_case,
            d.id,
            expected_version=d.version,
            on_error=lambda error: actions.show_error(self, open_items_text(error.message)),
        )


def _on_loan(doc: DocumentData) -> bool:
    """Borrowed, received, and neither returned nor waived: keeps the case from 完了."""
    return (
        doc.borrowed
        and doc.received_on is not None
        and doc.returned_on is None
        and doc.waived_on is None
    )


def _live(d: CaseDetail) -> PaymentData | None:
    live = [p for p in d.payments if not p.voided]
    return live[-1] if live else None


def _next_step(d: CaseDetail) -> str:
    """One line that says what the desk does next on this case."""
    if d.stage in (Stage.BOOKED, Stage.MATERIALS_RECEIVED):
        return "次：予約日に来院されたら「当日受付」を押してください。"
    if d.stage == Stage.CHECKED_IN:
        return "次：相談が終わったら「実施時間…」を記録してください。"
    if d.stage == Stage.DONE:
        if d.report_delivered_on is None:
            return "次：報告書を患者さんにお渡しし（「報告書…」）、お会計へ。"
        if _live(d) is None:
            return "次：「会計…」で料金を受け取ってください。"
        if any(_on_loan(doc) for doc in d.documents):
            return "次：お借りした資料を返却（書類タブ）してから「完了」を押してください。"
        return "次：「完了」を押してください。"
    if d.stage == Stage.SETTLED:
        return "この案件は完了しています。"
    return "当日受付は予約が確定してからです。"
