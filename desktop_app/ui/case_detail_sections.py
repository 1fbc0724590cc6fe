"""The groups and tables of the case detail, built from a ``CaseDetail`` (no store access)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.contact import format_phone, format_postal
from desktop_app.domain.documents import Direction
from desktop_app.domain.people import INFORMED_LABELS, age_on
from desktop_app.domain.settings import DateStyle
from desktop_app.services.dto import CaseDetail, DocumentData, PaymentData
from desktop_app.ui import text_size
from desktop_app.ui.formats import (
    BLANK,
    date_text,
    local_time_text,
    short_date,
    text_or_blank,
    yen,
)
from desktop_app.ui.rows_model import RowsModel

DOCUMENT_HEADERS = ("書類", "送付/受領", "必須", "期限", "日付", "方法", "借用/返却")
CONTACT_HEADERS = ("日時", "種別", "相手", "内容", "担当者")
PAYMENT_HEADERS = (
    "領収書番号",
    "支払日",
    "支払方法",
    "実施時間",
    "基本料金",
    "延長料金",
    "合計",
    "状態",
)
HISTORY_HEADERS = ("日時", "担当者", "内容")
LABEL_WIDTH = 100


def _group(title: str, rows: list[tuple[str, str]]) -> QGroupBox:
    box = QGroupBox(title)
    form = QFormLayout(box)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setHorizontalSpacing(14)
    form.setVerticalSpacing(6)
    for label, value in rows:
        name = QLabel(label)
        name.setObjectName("muted")
        # One label width in every group, so the values of stacked groups line up.
        name.setMinimumWidth(LABEL_WIDTH)
        name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        text = QLabel(value)
        text.setWordWrap(True)
        # Clerks copy numbers and addresses into other systems.
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(name, text)
    return box


def _address(postal: str, address: str) -> str:
    parts = [format_postal(postal) if postal else "", address.strip()]
    return " ".join(p for p in parts if p) or BLANK


def _phone(digits: str) -> str:
    return format_phone(digits) if digits else BLANK


def overview(detail: CaseDetail, style: DateStyle, today: dt.date | None = None) -> QWidget:
    """Two columns of groups: who (患者, 相談者, 紹介元, 郵送先) and what (相談, 判断, 予約)."""
    today = today or clock.today()
    widget = QWidget()
    columns = QHBoxLayout(widget)
    columns.setContentsMargins(12, 6, 12, 12)
    columns.setSpacing(14)
    left = [_patient(detail, style, today), _caller(detail), _referrer(detail), _mailing(detail)]
    right = [_consultation(detail, style), _decision(detail, style), _appointment(detail, style)]
    # Two independent columns: a long consultation text does not stretch the patient box.
    for boxes in (left, right):
        column = QVBoxLayout()
        column.setSpacing(6)
        for box in boxes:
            column.addWidget(box)
        column.addStretch(1)
        columns.addLayout(column, 1)
    return widget


def _patient(detail: CaseDetail, style: DateStyle, today: dt.date) -> QGroupBox:
    p = detail.patient
    birth = date_text(p.birth_date, style)
    if p.birth_date is not None and p.birth_date <= today:
        birth += f"（{age_on(p.birth_date, today)}歳）"
    return _group(
        "患者",
        [
            ("氏名", p.name),
            ("フリガナ", text_or_blank(p.furigana)),
            ("生年月日", birth),
            ("性別", p.sex.label),
            ("住所", _address(p.postal_code, p.address)),
            ("電話", _phone(p.phone)),
            ("携帯", _phone(p.mobile)),
            ("FAX", _phone(p.fax)),
        ],
    )


def _caller(detail: CaseDetail) -> QGroupBox:
    c = detail.caller
    if c is None:
        return _group("相談者", [("", "患者ご本人からのお問い合わせ")])
    return _group(
        "相談者",
        [
            ("氏名", c.name),
            ("フリガナ", text_or_blank(c.furigana)),
            ("続柄", c.relation_label),
            ("電話", _phone(c.phone)),
            ("FAX", _phone(c.fax)),
        ],
    )


def _referrer(detail: CaseDetail) -> QGroupBox:
    r = detail.referrer
    if r is None:
        return _group("紹介元", [("", "未登録")])
    return _group(
        "紹介元",
        [
            ("医療機関", r.institution),
            ("診療科", text_or_blank(r.department)),
            ("主治医", text_or_blank(r.doctor)),
            ("住所", _address(r.postal_code, r.address)),
            ("TEL / FAX", f"{_phone(r.tel)} / {_phone(r.fax)}"),
        ],
    )


def _mailing(detail: CaseDetail) -> QGroupBox:
    return _group(
        "書類の送付先",
        [
            ("宛名", text_or_blank(detail.mail_to_name)),
            ("住所", _address(detail.mail_postal_code, detail.mail_address)),
            ("方法", detail.mail_channel.label),
        ],
    )


def _consultation(detail: CaseDetail, style: DateStyle) -> QGroupBox:
    return _group(
        "相談内容",
        [
            ("受付日", date_text(detail.received_on, style)),
            ("来院者", detail.attendance.label),
            ("相談の種類", detail.category.label),
            ("病名", text_or_blank(detail.diagnosis)),
            ("内容", text_or_blank(detail.consultation)),
            ("主治医への相談", INFORMED_LABELS[detail.primary_doctor_informed]),
            ("希望診療科", text_or_blank(detail.desired_department)),
            ("希望日", text_or_blank(detail.desired_dates)),
        ],
    )


def _decision(detail: CaseDetail, style: DateStyle) -> QGroupBox:
    rows = [
        ("診療科", text_or_blank(detail.department)),
        ("担当医", text_or_blank(detail.doctor)),
        ("判断", detail.decision.label),
    ]
    if detail.decision_reason.strip():
        rows.append(("判断の理由", detail.decision_reason.strip()))
    if detail.end_reason.strip():
        rows.append(("終了の理由", detail.end_reason.strip()))
    if detail.ended_on is not None:
        rows.append(("終了日", date_text(detail.ended_on, style)))
    return _group("担当医・判断", rows)


def _appointment(detail: CaseDetail, style: DateStyle) -> QGroupBox:
    live = detail.appointment
    rows: list[tuple[str, str]] = []
    if live is None:
        rows.append(("日時", "未予約"))
    else:
        when = f"{date_text(live.date, style, weekday=True)} {live.start_time:%H:%M}"
        rows += [
            ("日時", when),
            ("予定時間", f"{live.minutes}分"),
            ("担当医", f"{live.doctor}（{live.department}）"),
        ]
    cancelled = [a for a in detail.appointments if a.cancelled]
    if cancelled:
        rows.append(
            (
                "取消した予約",
                "、".join(f"{short_date(a.date)} {a.start_time:%H:%M}" for a in cancelled),
            )
        )
    actual = BLANK if detail.actual_minutes is None else f"{detail.actual_minutes}分"
    rows.append(("実施時間", actual))
    rows.append(("報告書のお渡し", date_text(detail.report_delivered_on, style)))
    return _group("予約", rows)


# Table rows --------------------------------------------------------------------------------


def document_rows(detail: CaseDetail) -> list[tuple[str, ...]]:
    return [_document_row(d) for d in detail.documents]


def _document_row(d: DocumentData) -> tuple[str, ...]:
    if d.direction == Direction.OUT:
        done = short_date(d.sent_on) or "未送付"
    elif d.waived_on is not None:
        done = f"不要（{d.waived_reason}）"
    else:
        done = short_date(d.received_on) or "未着"
    if not d.borrowed:
        loan = ""
    elif d.returned_on is not None:
        loan = f"返却済 {short_date(d.returned_on)}"
    else:
        loan = "借用中" if d.received_on is not None else "借用予定"
    return (
        d.display_label,
        d.direction.label,
        "必須" if d.required else "",
        short_date(d.due_date),
        done,
        d.channel.label if d.channel else "",
        loan,
    )


def contact_rows(detail: CaseDetail) -> list[tuple[str, ...]]:
    return [
        (local_time_text(c.at), c.kind.label, c.party, c.summary, c.staff) for c in detail.contacts
    ]


def payment_rows(detail: CaseDetail) -> list[tuple[str, ...]]:
    return [
        (
            p.receipt_number,
            short_date(p.paid_on),
            p.method,
            f"{p.minutes}分",
            yen(p.base_yen),
            yen(p.extension_yen),
            yen(p.total_yen),
            _payment_state(p),
        )
        for p in detail.payments
    ]


def _payment_state(p: PaymentData) -> str:
    if p.voided:
        return f"取消（{p.void_reason}）" if p.void_reason else "取消"
    return f"有効（金額変更：{p.amount_reason}）" if p.amount_reason else "有効"


def history_rows(detail: CaseDetail) -> list[tuple[str, ...]]:
    # Newest first: the clerk looks for what just happened.
    return [(local_time_text(h.at), h.staff, h.summary) for h in reversed(detail.history)]


def make_table(model: RowsModel, stretch_column: int) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    text_size.keep(table.verticalHeader(), default_section_size=28)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return table
