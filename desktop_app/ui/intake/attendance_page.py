"""5 来院者: who will come, and what the case will therefore need."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QWidget

from desktop_app.domain.documents import TEST_MATERIALS, DocumentKind
from desktop_app.domain.people import Attendance
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.fields import Choice
from desktop_app.ui.intake.state import needs
from desktop_app.ui.intake.values import AttendanceValues, IntakeSnapshot


def bullet_list(kinds: tuple[DocumentKind, ...], highlight: frozenset[DocumentKind]) -> str:
    items = []
    for kind in kinds:
        label = kind.label
        if kind in highlight:
            label = f"<b style='color:#b3261e'>{label}</b>"
        items.append(f"・{label}")
    return "<br>".join(items)


class AttendanceStep(IntakeStep):
    key = "attendance"
    title = "来院者"
    lead = (
        "当日どなたがいらっしゃるかを伺います。ご家族だけの場合は、ご本人の相談同意書が必要です。"
    )

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.attendance = Choice([(a.value, a.label) for a in Attendance])
        self.attendance.set_value(Attendance.PATIENT)
        self.materials: dict[DocumentKind, QCheckBox] = {}
        materials_row = QWidget()
        grid = QGridLayout(materials_row)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        for index, kind in enumerate(TEST_MATERIALS):
            check = QCheckBox(kind.label)
            check.toggled.connect(self._refresh)
            check.toggled.connect(self.changed)
            self.materials[kind] = check
            grid.addWidget(check, index // 2, index % 2)
        grid.setColumnStretch(2, 1)

        form = self.form()
        form.addRow(self.label("来院される方", required=True), self.attendance)
        form.addRow(self.label("お持ちいただく資料"), materials_row)
        self.body().addLayout(form)

        self.notice = QLabel()
        self.notice.setObjectName("noticeLabel")
        self.notice.setWordWrap(True)
        self.body().addWidget(self.notice)

        box = QGroupBox("この案件で必要になるもの")
        columns = QHBoxLayout(box)
        columns.setSpacing(24)
        self.mailout_label = QLabel()
        self.incoming_label = QLabel()
        for heading, label in (
            ("当院からお送りする書類", self.mailout_label),
            ("ご持参・ご返送いただくもの", self.incoming_label),
        ):
            part = QLabel(f"<b>{heading}</b>")
            column = QGridLayout()
            column.addWidget(part, 0, 0)
            column.addWidget(label, 1, 0)
            column.setRowStretch(2, 1)
            columns.addLayout(column, 1)
        self.body().addWidget(box)
        self.body().addStretch(1)

        self.attendance.changed.connect(self._refresh)
        self.attendance.changed.connect(self.changed)

    def enter(self, snapshot: IntakeSnapshot) -> None:
        super().enter(snapshot)
        self._refresh()

    def _refresh(self) -> None:
        snapshot = replace(self.snapshot, attendance=self.values())
        need = needs(snapshot, self.context.settings, self.context.today())
        who = snapshot.attendance.attendance
        notes = []
        if need.minor:
            notes.append(
                f"患者さんは未成年（{need.age}歳）です。ご家族の方は続柄を確認できる書類"
                "（健康保険証など）をお持ちください。"
            )
        if who == Attendance.FAMILY_ONLY and not need.minor:
            notes.append(
                "ご家族だけでいらっしゃるため、ご本人の相談同意書が必要です（用紙をお送りします）。"
            )
        if need.minor is None:
            notes.append("生年月日が未入力のため、未成年かどうかは判断していません。")
        self.notice.setText("<br>".join(notes))
        self.notice.setVisible(bool(notes))
        special = frozenset(
            {DocumentKind.CONSENT, DocumentKind.CONSENT_FORM, DocumentKind.RELATIONSHIP_PROOF}
        )
        self.mailout_label.setText(bullet_list(need.mailout, special))
        self.incoming_label.setText(bullet_list(need.incoming, special))

    def values(self) -> AttendanceValues:
        return AttendanceValues(
            attendance=Attendance(self.attendance.value() or Attendance.PATIENT),
            materials=tuple(k for k, check in self.materials.items() if check.isChecked()),
        )

    def load(self, values: AttendanceValues) -> None:
        """Put saved values back (draft recovery, 破棄)."""
        self.attendance.set_value(values.attendance)
        chosen = set(values.materials)
        for kind, check in self.materials.items():
            check.blockSignals(True)
            check.setChecked(kind in chosen)
            check.blockSignals(False)
        self._refresh()

    def inputs(self) -> list[QWidget]:
        return [self.attendance, *self.materials.values()]
