"""7 確認: everything on one page before 登録, then the case number and the packet."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.contact import format_phone, format_postal, normalize_phone
from desktop_app.domain.eligibility import Route
from desktop_app.domain.people import INFORMED_LABELS, Relationship, relation_label
from desktop_app.domain.stages import Stage
from desktop_app.domain.wareki import format_seireki, format_wareki
from desktop_app.services.dto import CaseDetail
from desktop_app.ui.formats import BLANK
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.state import confirmed_exclusion, needs
from desktop_app.ui.intake.values import IntakeSnapshot
from desktop_app.ui.layout_tools import fit_date_edit


def _phone(raw: str) -> str:
    digits = normalize_phone(raw)
    return format_phone(digits) if digits else ""


def _rows(pairs: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='color:#6b7280; padding:2px 14px 2px 0'>{escape(k)}</td>"
        f"<td style='padding:2px 0'>{escape(v) if v else BLANK}</td></tr>"
        for k, v in pairs
    )
    return f"<table>{cells}</table>"


class ConfirmStep(IntakeStep):
    key = "confirm"
    title = "確認"
    lead = "内容を読み上げて確認してください。違っていれば「戻る」で直せます（入力は消えません）。"

    print_requested = Signal()
    restart_requested = Signal()

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.banner = QLabel()
        self.banner.setObjectName("exclusionBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.body().addWidget(self.banner)
        self.result = QFrame()
        self.body().addWidget(self.result)

        # 受付日: the day the call came. Today, unless the clerk writes up yesterday's call.
        received = QHBoxLayout()
        self.received_edit = QDateEdit()
        self.received_edit.setCalendarPopup(True)
        self.received_edit.setDisplayFormat("yyyy/MM/dd")
        fit_date_edit(self.received_edit)
        self.received_edit.setAccessibleName("受付日")
        received_label = QLabel("受付日(&U)")
        received_label.setBuddy(self.received_edit)
        received_note = QLabel("お問い合わせのあった日（後から入力するときはその日に）")
        received_note.setObjectName("hint")
        received.addWidget(received_label)
        received.addWidget(self.received_edit)
        received.addWidget(received_note, 1)
        self.body().addLayout(received)
        self.reset_received_on()

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        self.sections: dict[str, QLabel] = {}
        for index, (key, title) in enumerate(
            (
                ("caller", "相談者"),
                ("patient", "患者"),
                ("doctor", "主治医"),
                ("content", "相談内容"),
                ("attendance", "来院者と必要な書類"),
                ("mail", "送付"),
            )
        ):
            box = QGroupBox(title)
            layout = QVBoxLayout(box)
            label = QLabel()
            label.setWordWrap(True)
            layout.addWidget(label)
            layout.addStretch(1)
            self.sections[key] = label
            grid.addWidget(box, index // 2, index % 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.body().addLayout(grid)

        self.result.setObjectName("doneBox")
        result_layout = QVBoxLayout(self.result)
        self.result_label = QLabel()
        self.result_label.setObjectName("doneTitle")
        self.result_label.setWordWrap(True)
        self.result_note = QLabel()
        self.result_note.setWordWrap(True)
        self.print_button = QPushButton("送付書類を印刷")
        self.print_button.setObjectName("primary")
        self.print_button.clicked.connect(self.print_requested)
        self.restart_button = QPushButton("次の受付を始める（Ctrl+N）")
        self.restart_button.clicked.connect(self.restart_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.restart_button)
        buttons.addStretch(1)
        result_layout.addWidget(self.result_label)
        result_layout.addWidget(self.result_note)
        result_layout.addLayout(buttons)
        self.result.hide()
        self.body().addStretch(1)

    def reset_received_on(self) -> None:
        """受付日 back to today (a new intake)."""
        today = QDate(self.context.today())
        self.received_edit.setMaximumDate(today)
        self.received_edit.setDate(today)

    def received_on(self) -> dt.date:
        day = self.received_edit.date()
        return dt.date(day.year(), day.month(), day.day())

    def enter(self, snapshot: IntakeSnapshot) -> None:
        super().enter(snapshot)
        settings, today = self.context.settings, self.context.today()
        self.received_edit.setMaximumDate(QDate(today))
        exclusion = confirmed_exclusion(snapshot, settings)
        if exclusion is not None:
            route = (
                f"<br>ご案内先：{exclusion.route.label}" if exclusion.route != Route.NONE else ""
            )
            self.banner.setText(
                f"<b>対象外として登録します：{escape(exclusion.label)}</b>{route}<br>"
                "書類はお送りしません。登録すると案件は「対象外」で記録されます。"
            )
        self.banner.setVisible(exclusion is not None)
        caller, patient = snapshot.caller, snapshot.patient
        rel = caller.relationship
        self.sections["caller"].setText(
            _rows(
                [("ご関係", relation_label(rel, caller.relation))]
                + (
                    []
                    if rel == Relationship.SELF
                    else [("氏名", caller.name.strip()), ("フリガナ", caller.furigana.strip())]
                )
                + [("電話番号", _phone(caller.phone))]
                + ([] if rel == Relationship.SELF else [("FAX", _phone(caller.fax))])
            )
        )
        born = patient.birth_or_none(today)
        need = needs(snapshot, settings, today)
        birth = ""
        if born is not None:
            birth = f"{format_wareki(born)}（{format_seireki(born)}）{need.age}歳"
            birth += "・未成年" if need.minor else ""
        postal = patient.postal.strip()
        existing = patient.existing_id
        self.sections["patient"].setText(
            _rows(
                [
                    ("氏名", patient.name.strip()),
                    ("フリガナ", patient.furigana.strip()),
                    ("生年月日", birth),
                    ("性別", patient.sex.label),
                    (
                        "住所",
                        (format_postal(postal.replace("-", "")) + " " if postal else "")
                        + patient.address.strip(),
                    ),
                    ("電話番号", _phone(patient.phone)),
                    ("携帯電話", _phone(patient.mobile)),
                    ("FAX", _phone(patient.fax)),
                ]
                + ([("登録", f"登録済みの患者さん（患者ID {existing}）")] if existing else [])
            )
        )
        doctor = snapshot.doctor
        informed = INFORMED_LABELS[doctor.informed]
        self.sections["doctor"].setText(
            _rows(
                [
                    ("医療機関", doctor.institution.strip()),
                    ("診療科", doctor.department.strip()),
                    ("主治医", doctor.doctor.strip()),
                    ("病名", doctor.diagnosis.strip()),
                    ("主治医への相談", informed),
                ]
            )
        )
        content = snapshot.content
        dep_id = content.department_id
        dep = next((d.name for d in self.context.departments if d.id == dep_id), "指定なし")
        yes = [r.label for r in settings.exclusion_reasons if content.answers.get(r.code)]
        self.sections["content"].setText(
            _rows(
                [
                    ("種類", content.category.label),
                    ("内容", content.text.strip()),
                    ("希望する診療科", dep),
                    ("希望日", content.dates.strip()),
                    ("確認の質問", "、".join(yes) if yes else "該当なし"),
                ]
            )
        )
        incoming = (
            "、".join(k.label for k in need.incoming) if exclusion is None else "不要（対象外）"
        )
        self.sections["attendance"].setText(
            _rows(
                [("来院される方", snapshot.attendance.attendance.label), ("必要なもの", incoming)]
            )
        )
        mail = snapshot.mail
        if mail.to_other:
            mail_postal = mail.postal.strip().replace("-", "")
            to = f"{mail.name.strip()} 様　{format_postal(mail_postal)}　{mail.address.strip()}"
        else:
            to = f"患者さんのご住所（{patient.address.strip() or '未入力'}）"
        documents = (
            "、".join(k.label for k in need.mailout) if exclusion is None else "送付しません"
        )
        self.sections["mail"].setText(
            _rows([("方法", mail.channel.label), ("送付先", to), ("書類", documents)])
        )

    def show_result(self, case: CaseDetail) -> None:
        self.result_label.setText(
            f"登録しました。案件番号 {case.case_number}（{case.stage.label}）"
        )
        sent = case.stage != Stage.INQUIRY and not case.exclusion_code
        if case.exclusion_code:
            note = "対象外として記録しました。書類は送付しません。"
        elif sent:
            note = "送付書類を送付済みとして記録しました。次のお電話は「新しい受付」から。"
        else:
            note = (
                "送付書類は「送付予定」として記録しました。「送付書類を印刷」で印刷し、"
                "送付したと答えると（郵送・FAX・手渡し）「書類送付済」になります。"
            )
        self.result_note.setText(note)
        self.print_button.setVisible(not case.exclusion_code and not sent)
        self.result.show()
        # The next thing the clerk does: print the packet, or take the next call.
        done = case.exclusion_code or sent
        (self.restart_button if done else self.print_button).setFocus()

    def clear_result(self) -> None:
        self.result.hide()
