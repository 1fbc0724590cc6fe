"""2 患者: name, フリガナ, birth date (西暦 or 和暦), address from the postal code, phones, FAX."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.domain.contact import format_phone, format_postal
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import Relationship, Sex, age_on, is_minor_on
from desktop_app.domain.wareki import format_seireki, format_wareki
from desktop_app.services.intake import PatientMatch, find_existing_patients
from desktop_app.ui.intake.base import IntakeContext, IntakeStep
from desktop_app.ui.intake.fields import (
    MEDIUM_WIDTH,
    SHORT_WIDTH,
    Choice,
    FieldRow,
    check_fax,
    check_furigana,
    check_phone,
    check_required,
    line_edit,
)
from desktop_app.ui.intake.postal_row import PostalCodeRow
from desktop_app.ui.intake.values import IntakeSnapshot, PatientValues, parse_birth


class PatientStep(IntakeStep):
    existing_chosen = Signal()

    key = "patient"
    title = "患者"
    lead = "患者さんご本人について伺います。＊は必須です。生年月日は 1970/3/15、S45.3.15、昭和45年3月15日 のどれでも入力できます。"

    def __init__(self, context: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.existing_id: int | None = None
        self.matches: tuple[PatientMatch, ...] = ()
        self._dismissed: set[int] = set()

        self.name = FieldRow(line_edit("例：山田　太郎", 100), width=MEDIUM_WIDTH)
        self.furigana = FieldRow(
            line_edit("例：ヤマダ　タロウ（ひらがな可）", 100), width=MEDIUM_WIDTH
        )
        self.birth = FieldRow(line_edit("例：S45.3.15", 30), width=SHORT_WIDTH, note=True)
        self.sex = Choice([(s.value, s.label) for s in Sex])
        self.sex.set_value(Sex.UNKNOWN)
        self.address = FieldRow(
            line_edit("郵便番号から町名まで入ります。番地・建物名を続けて入力", 300)
        )
        self.postal = PostalCodeRow(self.address)
        self.phone = FieldRow(line_edit("例：0144-11-2233", 20), width=SHORT_WIDTH)
        self.mobile = FieldRow(line_edit("例：090-1234-5678", 20), width=SHORT_WIDTH)
        # A household's fax, where forms can be faxed (「FAXで送る」); optional.
        self.fax = FieldRow(line_edit("例：0144-11-2234", 20), width=SHORT_WIDTH)

        form = self.form()
        form.addRow(self.label("氏名", required=True), self.name)
        form.addRow(self.label("フリガナ", required=True), self.furigana)
        form.addRow(self.label("生年月日"), self.birth)
        form.addRow(self.label("性別"), self.sex)
        form.addRow(self.label("郵便番号"), self.postal)
        form.addRow(self.label("住所"), self.address)
        form.addRow(self.label("電話番号"), self.phone)
        form.addRow(self.label("携帯電話"), self.mobile)
        form.addRow(self.label("FAX"), self.fax)
        self.body().addLayout(form)

        self.match_box = QFrame()
        self.match_box.setObjectName("matchBox")
        self.match_layout = QVBoxLayout(self.match_box)
        self.match_box.hide()
        self.body().addWidget(self.match_box)
        self.body().addStretch(1)

        for row in (self.name, self.furigana, self.birth, self.postal, self.address):
            row.editor.textEdited.connect(self.changed)
        for row in (self.phone, self.mobile, self.fax):
            row.editor.textEdited.connect(self.changed)
        self.sex.changed.connect(self.changed)
        self.name.editor.editingFinished.connect(
            lambda: check_required(self.name, "患者氏名を入力してください。")
        )
        self.furigana.editor.editingFinished.connect(self._furigana_left)
        self.birth.editor.textChanged.connect(self._show_birth)
        self.birth.editor.editingFinished.connect(self._birth_left)
        self.postal.filled.connect(self.changed)
        self.phone.editor.editingFinished.connect(lambda: self._phone_left(self.phone))
        self.mobile.editor.editingFinished.connect(lambda: self._phone_left(self.mobile))
        self.fax.editor.editingFinished.connect(lambda: check_fax(self.fax))

    # Field checks ------------------------------------------------------------------------
    def _furigana_left(self) -> None:
        if check_furigana(self.furigana, required=True):
            self.look_for_existing()

    def _show_birth(self) -> None:
        try:
            born = parse_birth(self.birth.editor.text(), self.context.today())
        except ValidationError:
            self.birth.set_note("")
            return
        self.birth.set_error("")
        if born is None:
            self.birth.set_note("")
            return
        today = self.context.today()
        note = f"{format_wareki(born)}（{format_seireki(born)}）　{age_on(born, today)}歳"
        if is_minor_on(born, today, self.context.settings.age_of_majority):
            note += "　<b style='color:#b3261e'>未成年</b>"
        self.birth.set_note(note)

    def _birth_left(self) -> bool:
        try:
            parse_birth(self.birth.editor.text(), self.context.today())
        except ValidationError as exc:
            self.birth.set_error(exc.message)
            return False
        self.birth.set_error("")
        self.look_for_existing()
        return True

    def _phone_left(self, row: FieldRow) -> None:
        if check_phone(row):
            self.look_for_existing()

    # Existing patients -------------------------------------------------------------------
    def look_for_existing(self) -> None:
        """Offer a registered patient with the same フリガナ and birth date, or phone."""
        if self.existing_id is not None:
            return
        try:
            born = parse_birth(self.birth.editor.text(), self.context.today())
        except ValidationError:
            born = None
        found = self.context.runner.read(
            self,
            find_existing_patients,
            self.furigana.editor.text(),
            born,
            (self.phone.editor.text(), self.mobile.editor.text()),
        )
        self.matches = tuple(m for m in found or () if m.patient.id not in self._dismissed)
        self._show_matches()

    def _clear_match_box(self) -> None:
        while self.match_layout.count():
            item = self.match_layout.takeAt(0)
            if item is None:
                break
            widget = item.widget()
            inner = item.layout()
            if widget is not None:
                widget.deleteLater()
            elif inner is not None:
                while inner.count():
                    child = inner.takeAt(0)
                    child_widget = child.widget() if child is not None else None
                    if child_widget is not None:
                        child_widget.deleteLater()

    def _show_matches(self) -> None:
        self._clear_match_box()
        if self.existing_id is not None:
            chosen = QLabel(
                f"登録済みの患者さん（患者ID {self.existing_id}）で受付します。"
                "氏名・住所などは登録済みの内容を使います。"
            )
            chosen.setObjectName("scriptTitle")
            chosen.setWordWrap(True)
            undo = QPushButton("選択を解除して新しい患者として入力")
            undo.clicked.connect(self.forget_existing)
            row = QHBoxLayout()
            row.addWidget(undo)
            row.addStretch(1)
            self.match_layout.addWidget(chosen)
            self.match_layout.addLayout(row)
            self.match_box.show()
            return
        if not self.matches:
            self.match_box.hide()
            return
        heading = QLabel(
            "登録済みの患者さんと一致します。同じ方なら選んでください（二重登録を防ぎます）。"
        )
        heading.setObjectName("scriptTitle")
        heading.setWordWrap(True)
        self.match_layout.addWidget(heading)
        for match in self.matches:
            p = match.patient
            born = format_wareki(p.birth_date) if p.birth_date else "生年月日なし"
            cases = (
                f"案件{match.case_count}件・最新 {match.last_case_number}"
                if match.case_count
                else "案件なし"
            )
            line = QHBoxLayout()
            text = QLabel(
                f"{p.name}（{p.furigana}）　{born}　{p.address or '住所なし'}　［{match.reason}・{cases}］"
            )
            text.setWordWrap(True)
            choose = QPushButton("この患者さんで受付")
            choose.setObjectName("primary")
            choose.clicked.connect(lambda _=False, m=match: self.choose_existing(m))
            line.addWidget(text, 1)
            line.addWidget(choose)
            self.match_layout.addLayout(line)
        self.new_button = QPushButton("別の方です（新しい患者として続ける）")
        self.new_button.clicked.connect(self.dismiss_matches)
        self.match_error = QLabel()
        self.match_error.setObjectName("fieldError")
        self.match_error.hide()
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addStretch(1)
        self.match_layout.addLayout(row)
        self.match_layout.addWidget(self.match_error)
        self.match_box.show()

    def choose_existing(self, match: PatientMatch) -> None:
        p = match.patient
        self.existing_id = p.id
        self.name.editor.setText(p.name)
        self.furigana.editor.setText(p.furigana)
        self.birth.editor.setText(format_wareki(p.birth_date) if p.birth_date else "")
        self.sex.set_value(p.sex)
        self.postal.editor.setText(format_postal(p.postal_code, mark=False))
        self.address.editor.setText(p.address)
        self.phone.editor.setText(_shown_phone(p.phone))
        self.mobile.editor.setText(_shown_phone(p.mobile))
        self.fax.editor.setText(_shown_phone(p.fax))
        self._set_editable(False)
        self.matches = ()
        self._show_matches()
        self.changed.emit()
        self.existing_chosen.emit()

    def forget_existing(self) -> None:
        if self.existing_id is not None:
            self._dismissed.add(self.existing_id)
        self.existing_id = None
        self._set_editable(True)
        self.matches = ()
        self._show_matches()
        self.changed.emit()

    def dismiss_matches(self) -> None:
        self._dismissed.update(m.patient.id for m in self.matches)
        self.matches = ()
        self._show_matches()
        self.changed.emit()

    def _set_editable(self, editable: bool) -> None:
        for row in (self.name, self.furigana, self.birth, self.postal, self.address):
            row.editor.setReadOnly(not editable)
        for row in (self.phone, self.mobile, self.fax):
            row.editor.setReadOnly(not editable)
        self.sex.setEnabled(editable)

    # The wizard's side ---------------------------------------------------------------------
    def enter(self, snapshot: IntakeSnapshot) -> None:
        super().enter(snapshot)
        caller = snapshot.caller
        # The patient on the phone gave a number already: the same one, unless typed here.
        if caller.relationship == Relationship.SELF and not self.phone.editor.text():
            self.phone.editor.setText(caller.phone)

    def values(self) -> PatientValues:
        return PatientValues(
            name=self.name.editor.text(),
            furigana=self.furigana.editor.text(),
            birth=self.birth.editor.text(),
            sex=Sex(self.sex.value() or Sex.UNKNOWN),
            postal=self.postal.editor.text(),
            address=self.address.editor.text(),
            phone=self.phone.editor.text(),
            mobile=self.mobile.editor.text(),
            fax=self.fax.editor.text(),
            existing_id=self.existing_id,
            dismissed=frozenset(self._dismissed),
        )

    def load(self, values: PatientValues) -> None:
        """Put saved values back (draft recovery, 破棄)."""
        self._dismissed = set(values.dismissed)
        self.name.editor.setText(values.name)
        self.furigana.editor.setText(values.furigana)
        self.birth.editor.setText(values.birth)
        self.postal.editor.setText(values.postal)
        self.address.editor.setText(values.address)
        self.phone.editor.setText(values.phone)
        self.mobile.editor.setText(values.mobile)
        self.fax.editor.setText(values.fax)
        self.sex.set_value(values.sex)
        self.existing_id = values.existing_id
        self._set_editable(self.existing_id is None)
        self._show_matches()

    def validate(self) -> bool:
        if self.existing_id is not None:
            return True
        ok = check_required(self.name, "患者氏名を入力してください。")
        ok &= check_furigana(self.furigana, required=True)
        ok &= self._birth_left()
        ok &= self.postal.check()
        ok &= check_phone(self.phone)
        ok &= check_phone(self.mobile, "mobile")
        ok &= check_fax(self.fax)
        if ok and self.matches:
            self.match_error.setText("同じ方か、別の方かを選んでください。")
            self.match_error.show()
            return False
        return ok

    def inputs(self) -> list[QWidget]:
        return [
            self.name.editor,
            self.furigana.editor,
            self.birth.editor,
            self.sex,
            self.postal.editor,
            self.address.editor,
            self.phone.editor,
            self.mobile.editor,
            self.fax.editor,
        ]


def _shown_phone(digits: str) -> str:
    return format_phone(digits) if digits else ""
