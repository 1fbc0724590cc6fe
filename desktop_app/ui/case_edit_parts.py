"""Pieces of the case edit dialog: its tabs, its notices, and form helpers."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.domain.contact import format_phone
from desktop_app.domain.documents import Channel
from desktop_app.domain.people import INFORMED_LABELS

TAB_PATIENT, TAB_CALLER, TAB_REFERRER, TAB_CONTENT, TAB_MAIL = range(5)
TAB_TITLES = ("患者", "相談者", "紹介元", "相談内容", "送付先")
INFORMED = (
    ("yes", True, INFORMED_LABELS[True]),
    ("no", False, INFORMED_LABELS[False]),
    ("unknown", None, INFORMED_LABELS[None]),
)
CHANNELS = (Channel.MAIL, Channel.FAX, Channel.HANDED)
SHARED_PATIENT = "この患者さんの他の案件にも反映されます（{numbers}）。"
CLOSED_CASE = "終了した案件（{stage}）です。誤りの訂正として保存し、変更履歴に残ります。"
MAIL_FOLLOWS = (
    "宛名が患者さんご本人のときは、「患者」での氏名・住所の訂正が送付先にも反映されます"
    "（終了した案件を除く）。"
)
LABEL_WIDTH = 130


def row_label(text: str, required: bool = False) -> QLabel:
    label = QLabel(f"{text}<span style='color:#b3261e'>＊</span>" if required else text)
    label.setMinimumWidth(LABEL_WIDTH)
    return label


def form_layout(parent: QWidget) -> QFormLayout:
    """A form at the top of ``parent``; the space below stays empty rather than spread out."""
    outer = QVBoxLayout(parent)
    outer.setContentsMargins(16, 14, 16, 14)
    form = QFormLayout()
    outer.addLayout(form)
    outer.addStretch(1)
    form.setHorizontalSpacing(14)
    form.setVerticalSpacing(8)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def notice(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("noticeLabel")
    label.setWordWrap(True)
    return label


def phone_text(digits: str) -> str:
    return format_phone(digits) if digits else ""
