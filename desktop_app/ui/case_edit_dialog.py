"""訂正: the fields the intake wizard collected, edited after intake, checked by its rules."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QStringListModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCompleter,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import clock
from desktop_app.domain.case_fields import parse_birth_date
from desktop_app.domain.changes import Change
from desktop_app.domain.contact import format_postal
from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import ConsultationCategory, Relationship, Sex, age_on
from desktop_app.domain.wareki import format_seireki, format_wareki
from desktop_app.services.case_edit import case_edit_form, save_case_edit
from desktop_app.services.case_edit_data import (
    CallerEdit,
    CaseEdit,
    CaseEditForm,
    ConsultationEdit,
    MailingEdit,
    PatientEdit,
    ReferrerEdit,
)
from desktop_app.services.dto import CaseDetail
from desktop_app.services.intake import list_referrers
from desktop_app.services.masters import list_departments
from desktop_app.ui import text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_edit_parts import (
    CHANNELS,
    CLOSED_CASE,
    INFORMED,
    MAIL_FOLLOWS,
    SHARED_PATIENT,
    TAB_CALLER,
    TAB_CONTENT,
    TAB_MAIL,
    TAB_PATIENT,
    TAB_REFERRER,
    TAB_TITLES,
    form_layout,
    notice,
    phone_text,
    row_label,
)
from desktop_app.ui.intake.fields import (
    MEDIUM_WIDTH,
    SHORT_WIDTH,
    Choice,
    FieldRow,
    beside,
    check_fax,
    check_furigana,
    check_phone,
    line_edit,
)
from desktop_app.ui.intake.postal_row import PostalCodeRow
from desktop_app.ui.intake.style import WIZARD_STYLE
from desktop_app.ui.layout_tools import fit_date_edit, fit_to_screen
from desktop_app.ui.relation_choice import RelationChoice
from desktop_app.ui.value_combo import ValueCombo


class CaseEditDialog(QDialog):
    """Five tabs as the wizard's pages; each error is shown beside its field."""

    def __init__(self, runner: ServiceRunner, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.case_id = case_id
        self.form_data: CaseEditForm | None = None
        self.saved: CaseDetail | None = None
        self.setWindowTitle("案件の内容を訂正")
        text_size.set_style(self, WIZARD_STYLE)  # its sizes follow 文字の大きさ
        fit_to_screen(self, 880, 620)

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.closed_note = notice("")
        self.closed_note.hide()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._patient_tab(), TAB_TITLES[TAB_PATIENT])
        self.tabs.addTab(self._caller_tab(), TAB_TITLES[TAB_CALLER])
        self.tabs.addTab(self._referrer_tab(), TAB_TITLES[TAB_REFERRER])
        self.tabs.addTab(self._content_tab(), TAB_TITLES[TAB_CONTENT])
        self.tabs.addTab(self._mail_tab(), TAB_TITLES[TAB_MAIL])

        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.clicked.connect(self.save)
        self.save_button.setMinimumWidth(120)
        self.cancel_button = QPushButton("キャンセル")
        self.cancel_button.setMinimumWidth(120)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.closed_note)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

    # Tabs ----------------------------------------------------------------------------------
    def _patient_tab(self) -> QWidget:
        tab = QWidget()
        self.shared_note = notice("")
        self.shared_note.hide()
        self.name = FieldRow(line_edit("例：山田　太郎", 100), width=MEDIUM_WIDTH)
        self.furigana = FieldRow(
            line_edit("例：ヤマダ　タロウ（ひらがな可）", 100), width=MEDIUM_WIDTH
        )
        self.birth = FieldRow(line_edit("例：S45.3.15", 30), width=SHORT_WIDTH, note=True)
        self.sex = Choice([(s.value, s.label) for s in Sex])
        self.address = FieldRow(line_edit("番地・建物名まで", 300))
        self.postal = PostalCodeRow(self.address)
        self.phone = FieldRow(line_edit("例：0144-11-2233", 20), width=SHORT_WIDTH)
        self.mobile = FieldRow(line_edit("例：090-1234-5678", 20), width=SHORT_WIDTH)
        self.fax = FieldRow(line_edit("例：0144-11-2234", 20), width=SHORT_WIDTH)
        form = form_layout(tab)
        form.addRow(self.shared_note)
        form.addRow(row_label("氏名", required=True), self.name)
        form.addRow(row_label("フリガナ", required=True), self.furigana)
        form.addRow(row_label("生年月日"), self.birth)
        form.addRow(row_label("性別"), self.sex)
        form.addRow(row_label("郵便番号"), self.postal)
        form.addRow(row_label("住所"), self.address)
        form.addRow(row_label("電話番号"), self.phone)
        form.addRow(row_label("携帯電話"), self.mobile)
        form.addRow(row_label("FAX"), self.fax)
        self.furigana.editor.editingFinished.connect(
            lambda: check_furigana(self.furigana, required=True)
        )
        self.birth.editor.textChanged.connect(self._show_birth)
        self.phone.editor.editingFinished.connect(lambda: check_phone(self.phone))
        self.mobile.editor.editingFinished.connect(lambda: check_phone(self.mobile, "mobile"))
        self.fax.editor.editingFinished.connect(lambda: check_fax(self.fax))
        return tab

    def _caller_tab(self) -> QWidget:
        tab = QWidget()
        # The relation itself (父, 妻…); the category follows (domain/people.RELATIONS).
        self.relationship = RelationChoice(include_not_family=False)
        self.caller_name = FieldRow(line_edit("例：山田　花子", 100), width=MEDIUM_WIDTH, note=True)
        self.caller_furigana = FieldRow(line_edit("例：ヤマダ　ハナコ", 100), width=MEDIUM_WIDTH)
        self.caller_phone = FieldRow(line_edit("例：090-1234-5678", 20), width=SHORT_WIDTH)
        self.caller_fax = FieldRow(line_edit("例：0144-11-2234", 20), width=SHORT_WIDTH)
        self.caller_fax.editor.setAccessibleName("相談者のFAX")
        form = form_layout(tab)
        form.addRow(row_label("ご関係（続柄）", required=True), self.relationship)
        form.addRow(row_label("相談者の氏名"), self.caller_name)
        form.addRow(row_label("相談者のフリガナ"), self.caller_furigana)
        form.addRow(
            row_label("相談者の電話番号"), beside(self.caller_phone, "FAX", self.caller_fax)
        )
        self.relationship.changed.connect(self._relationship_changed)
        self.caller_furigana.editor.editingFinished.connect(
            lambda: check_furigana(self.caller_furigana, required=False, field="caller_furigana")
        )
        self.caller_phone.editor.editingFinished.connect(lambda: check_phone(self.caller_phone))
        self.caller_fax.editor.editingFinished.connect(
            lambda: check_fax(self.caller_fax, "caller_fax")
        )
        return tab

    def _referrer_tab(self) -> QWidget:
        tab = QWidget()
        self.institution = FieldRow(line_edit("例：みなと内科クリニック（空欄：紹介元なし）", 200))
        self.referrer_department = FieldRow(line_edit("例：消化器内科", 100), width=MEDIUM_WIDTH)
        self.referrer_doctor = FieldRow(line_edit("例：北村　誠司", 100), width=MEDIUM_WIDTH)
        self.institution_completer = QCompleter(QStringListModel(self), self)
        self.institution_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.institution_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.institution.editor.setCompleter(self.institution_completer)
        form = form_layout(tab)
        form.addRow(row_label("紹介元医療機関"), self.institution)
        form.addRow(row_label("診療科"), self.referrer_department)
        form.addRow(row_label("主治医"), self.referrer_doctor)
        form.addRow(notice("一覧にない医療機関・医師は保存時に追加されます。"))
        return tab

    def _content_tab(self) -> QWidget:
        tab = QWidget()
        self.category = Choice([(c.value, c.label) for c in ConsultationCategory], columns=2)
        self.content = QPlainTextEdit()
        self.content.setTabChangesFocus(True)
        text_size.keep(self.content, fixed_height=96)
        self.diagnosis = FieldRow(line_edit("わかる範囲で（例：胃がん）", 200))
        self.informed = Choice([(key, label) for key, _value, label in INFORMED])
        self.department = ValueCombo()
        text_size.keep(self.department, fixed_width=MEDIUM_WIDTH)
        self.department_error = QLabel()
        self.department_error.setObjectName("fieldError")
        self.department_error.hide()
        department_box = QWidget()
        department_layout = QVBoxLayout(department_box)
        department_layout.setContentsMargins(0, 0, 0, 0)
        department_layout.addWidget(self.department)
        department_layout.addWidget(self.department_error)
        self.dates = FieldRow(line_edit("例：平日の午前、12月中旬以降", 300))
        received = QDateEdit()
        received.setCalendarPopup(True)
        received.setDisplayFormat("yyyy/MM/dd")
        received.setMaximumDate(QDate(clock.today()))
        fit_date_edit(received)
        received.setAccessibleName("受付日")
        self.received = FieldRow(received, note=True)
        self.received.note.setText("お問い合わせのあった日。統計はこの日で数えます")
        form = form_layout(tab)
        form.addRow(row_label("受付日"), self.received)
        form.addRow(row_label("相談の種類"), self.category)
        form.addRow(row_label("相談内容"), self.content)
        form.addRow(row_label("病名"), self.diagnosis)
        form.addRow(row_label("主治医への相談"), self.informed)
        form.addRow(row_label("希望する診療科"), department_box)
        form.addRow(row_label("希望日"), self.dates)
        return tab

    def _mail_tab(self) -> QWidget:
        tab = QWidget()
        self.channel = Choice([(c.value, c.label) for c in CHANNELS])
        self.mail_name = FieldRow(line_edit("例：山田　花子", 100), width=MEDIUM_WIDTH)
        self.mail_address = FieldRow(line_edit("番地・建物名まで", 300))
        self.mail_postal = PostalCodeRow(self.mail_address)
        form = form_layout(tab)
        form.addRow(row_label("送付方法", required=True), self.channel)
        form.addRow(row_label("宛名"), self.mail_name)
        form.addRow(row_label("郵便番号"), self.mail_postal)
        form.addRow(row_label("住所"), self.mail_address)
        form.addRow(notice(MAIL_FOLLOWS))
        return tab

    # Reading -------------------------------------------------------------------------------
    def load(self) -> bool:
        """Read the case's current values into the tabs; False when it could not be read."""
        found = self._runner.read(self, case_edit_form, self.case_id)
        departments = self._runner.read(self, list_departments)
        referrers = self._runner.read(self, list_referrers)
        if found is None or departments is None:
            return False
        self.form_data = found
        model = self.institution_completer.model()
        assert isinstance(model, QStringListModel)
        model.setStringList(list(dict.fromkeys(r.institution for r in referrers or ())))
        self.department.clear()
        self.department.add("指定なし", None)
        for dep in departments:
            self.department.add(dep.name, dep.id)
        self._fill(found)
        return True

    def _fill(self, found: CaseEditForm) -> None:
        e = found.edit
        self.title.setText(f"{found.case_number}　{e.patient.name} 様")
        self.closed_note.setText(CLOSED_CASE.format(stage=found.stage.label))
        self.closed_note.setVisible(not found.stage.is_open)
        numbers = "、".join(found.other_case_numbers)
        self.shared_note.setText(SHARED_PATIENT.format(numbers=numbers))
        self.shared_note.setVisible(bool(found.other_case_numbers))
        p = e.patient
        self.name.editor.setText(p.name)
        self.furigana.editor.setText(p.furigana)
        self.birth.editor.setText(format_wareki(p.birth_date) if p.birth_date else "")
        self.sex.set_value(p.sex)
        self.postal.editor.setText(format_postal(p.postal_code, mark=False))
        self.address.editor.setText(p.address)
        self.phone.editor.setText(phone_text(p.phone))
        self.mobile.editor.setText(phone_text(p.mobile))
        self.fax.editor.setText(phone_text(p.fax))
        c = e.caller
        self.relationship.set_relation(c.relationship, c.relation)
        self.caller_name.editor.setText(c.name)
        self.caller_furigana.editor.setText(c.furigana)
        self.caller_phone.editor.setText(phone_text(c.phone))
        self.caller_fax.editor.setText(phone_text(c.fax))
        self._relationship_changed()
        self.institution.editor.setText(e.referrer.institution)
        self.referrer_department.editor.setText(e.referrer.department)
        self.referrer_doctor.editor.setText(e.referrer.doctor)
        k = e.consultation
        self.category.set_value(k.category)
        self.content.setPlainText(k.content)
        self.diagnosis.editor.setText(k.diagnosis)
        self.informed.set_value(
            next(key for key, v, _ in INFORMED if v is k.primary_doctor_informed)
        )
        index = self.department.index_of(k.desired_department_id)
        self.department.setCurrentIndex(max(index, 0))
        self.dates.editor.setText(k.desired_dates)
        if k.received_on is not None:
            self.received.editor.setDate(QDate(k.received_on))
        m = e.mailing
        self.channel.set_value(m.channel if m.channel in CHANNELS else Channel.MAIL)
        self.mail_name.editor.setText(m.to_name)
        self.mail_postal.editor.setText(format_postal(m.postal_code, mark=False))
        self.mail_address.editor.setText(m.address)
        self._clear_errors()

    def _show_birth(self) -> None:
        try:
            born = parse_birth_date(self.birth.editor.text(), clock.today())
        except ValidationError:
            self.birth.set_note("")
            return
        self.birth.set_error("")
        age = f"　{age_on(born, clock.today())}歳" if born else ""
        self.birth.set_note(f"{format_wareki(born)}（{format_seireki(born)}）{age}" if born else "")

    def _relationship_changed(self) -> None:
        is_self = self.relationship.category() == Relationship.SELF
        for row in (self.caller_name, self.caller_furigana, self.caller_fax):
            row.editor.setEnabled(not is_self)
            if is_self:
                row.set_error("")
        self.caller_name.set_note("ご本人（患者さんの氏名を使います）" if is_self else "")

    # Saving --------------------------------------------------------------------------------
    def current_edit(self) -> CaseEdit:
        """What the tabs hold now; ValidationError for a birth date that is not a date."""
        assert self.form_data is not None
        informed = next(v for key, v, _ in INFORMED if key == self.informed.value())
        return CaseEdit(
            patient=PatientEdit(
                name=self.name.editor.text(),
                furigana=self.furigana.editor.text(),
                birth_date=parse_birth_date(self.birth.editor.text(), clock.today()),
                sex=Sex(self.sex.value() or Sex.UNKNOWN),
                postal_code=self.postal.editor.text(),
                address=self.address.editor.text(),
                phone=self.phone.editor.text(),
                mobile=self.mobile.editor.text(),
                fax=self.fax.editor.text(),
            ),
            caller=CallerEdit(
                self.relationship.category() or Relationship.SELF,
                self.caller_name.editor.text(),
                self.caller_furigana.editor.text(),
                self.caller_phone.editor.text(),
                self.relationship.relation(),
                self.caller_fax.editor.text(),
            ),
            referrer=ReferrerEdit(
                self.institution.editor.text(),
                self.referrer_department.editor.text(),
                self.referrer_doctor.editor.text(),
            ),
            consultation=ConsultationEdit(
                content=self.content.toPlainText(),
                category=ConsultationCategory(self.category.value() or ConsultationCategory.OTHER),
                diagnosis=self.diagnosis.editor.text(),
                primary_doctor_informed=informed,
                desired_department_id=self.department.value(),
                desired_dates=self.dates.editor.text(),
                received_on=_day(self.received.editor),
            ),
            mailing=MailingEdit(
                self.mail_name.editor.text(),
                self.mail_postal.editor.text(),
                self.mail_address.editor.text(),
                Channel(self.channel.value() or Channel.MAIL),
            ),
            version=self.form_data.edit.version,
            patient_version=self.form_data.edit.patient_version,
        )

    def save(self) -> CaseDetail | None:
        """Save through the runner; the dialog closes on success, errors stay beside fields."""
        if self.form_data is None:
            return None
        self._clear_errors()
        try:
            edit = self.current_edit()
        except ValidationError as exc:
            self.show_error(exc)
            return None
        refused: list[ValidationError] = []

        def on_error(exc: ValidationError) -> None:
            refused.append(exc)
            self.show_error(exc)

        saved = self._runner.run(
            self,
            save_case_edit,
            self.case_id,
            edit,
            expected_version=edit.version,
            changes=Change.CASES,
            on_error=on_error,
            case_ids=frozenset(self.form_data.other_case_ids),
        )
        if saved is None:
            if not refused:
                self.load()  # another desk changed it: the clerk has been told; show theirs
            return None
        self.saved = saved
        self.accept()
        return saved

    def _rows(self) -> dict[str, tuple[int, FieldRow]]:
        return {
            "name": (TAB_PATIENT, self.name),
            "furigana": (TAB_PATIENT, self.furigana),
            "birth_date": (TAB_PATIENT, self.birth),
            "postal_code": (TAB_PATIENT, self.postal),
            "phone": (TAB_PATIENT, self.phone),
            "mobile": (TAB_PATIENT, self.mobile),
            "fax": (TAB_PATIENT, self.fax),
            "caller_name": (TAB_CALLER, self.caller_name),
            "caller_furigana": (TAB_CALLER, self.caller_furigana),
            "caller_phone": (TAB_CALLER, self.caller_phone),
            "caller_fax": (TAB_CALLER, self.caller_fax),
            "diagnosis": (TAB_CONTENT, self.diagnosis),
            "received_on": (TAB_CONTENT, self.received),
            "mail_to_name": (TAB_MAIL, self.mail_name),
            "mail_postal_code": (TAB_MAIL, self.mail_postal),
            "mail_address": (TAB_MAIL, self.mail_address),
        }

    def show_error(self, exc: ValidationError) -> None:
        """The message beside its field, on its tab; otherwise beside the buttons."""
        found = self._rows().get(exc.field or "")
        if found is not None:
            tab, row = found
            row.set_error(exc.message)
            self.tabs.setCurrentIndex(tab)
            row.editor.setFocus()
        elif exc.field == "desired_department":
            self.department_error.setText(exc.message)
            self.department_error.show()
            self.tabs.setCurrentIndex(TAB_CONTENT)
        else:
            if exc.field in ("relationship", "relation"):
                self.tabs.setCurrentIndex(TAB_CALLER)
            if exc.field == "relation":
                self.relationship.set_error(exc.message)
            self.error.setText(exc.message)

    def _clear_errors(self) -> None:
        for _tab, row in self._rows().values():
            row.set_error("")
        self.department_error.hide()
        self.error.setText("")

    def error_texts(self) -> dict[str, str]:
        """The messages now shown beside fields, by field name (for tests and the status)."""
        return {
            name: row.error.text() for name, (_t, row) in self._rows().items() if row.error.text()
        }


def edit_case(runner: ServiceRunner, parent: QWidget, case_id: int) -> CaseDetail | None:
    """Open the edit dialog for a case; the saved case, or None when nothing was saved."""
    dialog = CaseEditDialog(runner, case_id, parent)
    if not dialog.load():
        return None
    dialog.exec()
    dialog.deleteLater()  # now, while the window it belongs to is alive, not at exit
    return dialog.saved


def _day(edit: QDateEdit) -> dt.date:
    day = edit.date()
    return dt.date(day.year(), day.month(), day.day())
