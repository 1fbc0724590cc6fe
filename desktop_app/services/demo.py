"""A demo database with realistic, fictitious cases in every stage (and up to 100,000)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from desktop_app.db import models as m
from desktop_app.db.seals import seal_unsealed
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import (
    Channel,
    ContactKind,
    Direction,
    DocumentKind,
    ReportChannel,
    required_incoming_documents,
)
from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.fees import consultation_fee
from desktop_app.domain.forms import mailout_documents
from desktop_app.domain.japanese import search_key
from desktop_app.domain.office_calendar import is_office_open, materials_due_date
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.roles import Role
from desktop_app.domain.settings import DEFAULT_SETTINGS
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services import audit
from desktop_app.services.db_identity import IDENTITY_KEY
from desktop_app.services.demo_data import (
    CLINICS,
    DECLINE_REASONS,
    DEMO_ACCOUNTS,
    DEPARTMENTS,
    EXCLUDED_CONSULTATIONS,
    FAMILY_NAMES,
    FAX_CALLERS,
    FAX_PATIENTS,
    FEMALE_NAMES,
    MALE_NAMES,
    PLACES,
    PROFILES,
    CaseProfile,
    area_code,
    home_fax,
)
from desktop_app.services.demo_mark import DEMO_MARK, is_demo_store
from desktop_app.services.store import Store

MAX_DEMO_CASES = 100_000
_Rows = dict[str, list[dict[str, Any]]]  # table name -> rows for one bulk insert
_BATCH = 5_000
# The most recent cases walk through every stage, so a small demo shows them all.
_SHOWCASE = (
    Stage.INQUIRY, Stage.FORMS_SENT, Stage.APPLICATION_RECEIVED, Stage.DOCTOR_REVIEW,
    Stage.BOOKED, Stage.MATERIALS_RECEIVED, Stage.CHECKED_IN, Stage.DONE, Stage.SETTLED,
    Stage.CANCELLED, Stage.EXCLUDED, Stage.BOOKED, Stage.INQUIRY, Stage.APPLICATION_RECEIVED,
)  # fmt: skip
# Showcase ranks that carry what every form needs to print: a minor patient (booked), a
# doctor's 不可 (お断り), a voided receipt (settled).
_SHOWCASE_MINOR, _SHOWCASE_DECLINED, _SHOWCASE_VOIDED = 4, 10, 8
# How an excluded case ends: an exclusion reason's code, or "declined" (the doctor's 不可).
_ENDINGS = ("complaint", "transfer", "transfer", "accident_lawsuit", "general_outpatient",
            "declined")  # fmt: skip
# Days a case needs between its enquiry and its stage (forms mailed, the application back,
# the decision, a booking at least five days on, the visit, the report), so no event falls
# after today nor before the enquiry.
_MIN_AGE = {
    Stage.FORMS_SENT: 1, Stage.APPLICATION_RECEIVED: 6, Stage.DOCTOR_REVIEW: 9,
    Stage.BOOKED: 10, Stage.MATERIALS_RECEIVED: 12, Stage.CHECKED_IN: 16, Stage.DONE: 20,
    Stage.SETTLED: 24, Stage.EXCLUDED: 9,
}  # fmt: skip
_SLOTS = (dt.time(14, 0), dt.time(14, 30), dt.time(15, 0), dt.time(15, 30))
_RECENT = dt.timedelta(days=120)


def mark_as_demo(store: Store) -> None:
    """Mark a database just created for the demo (and nothing else: the caller made it),
    and give it the demo accounts.

    A clinic's database can never take the mark: it has its administrator from its first
    start (and cases soon after), and a database with either is refused.
    """
    with store.transaction() as session:
        if session.scalar(select(func.count(m.SOCase.id))):
            raise ValidationError("案件のあるデータベースはデモ用にできません。")
        if session.scalar(select(func.count(m.StaffUser.id))):
            raise ValidationError("職員アカウントのあるデータベースはデモ用にできません。")
        session.merge(m.Setting(key=DEMO_MARK, value=True))
        _add_demo_accounts(session)
        # The entry names the database it marks: services/demo_mark.py checks it is this one.
        identity = session.get(m.Setting, IDENTITY_KEY)
        audit.record(
            session,
            store.staff,
            AuditAction.DEMO_MARK,
            "database",
            summary="デモ用データベースとして作成（デモのアカウントを追加）",
            after={"database": identity.value} if identity is not None else None,
        )


def ensure_demo_accounts(store: Store) -> None:
    """A demo database made before accounts existed gets the demo accounts."""
    if not is_demo_store(store):
        return
    with store.transaction() as session:
        if not session.scalar(select(func.count(m.StaffUser.id))):
            _add_demo_accounts(session)


def _add_demo_accounts(session: Session) -> None:
    for login, name, role, _password, hashed in DEMO_ACCOUNTS:
        session.add(
            m.StaffUser(login=login, display_name=name, role=Role(role), password_hash=hashed)
        )


def build_demo(
    store: Store,
    cases: int = 40,
    *,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Fill an empty demo store with fictitious data; returns the number of cases."""
    if not 0 <= cases <= MAX_DEMO_CASES:
        raise ValidationError(f"デモの案件数は0〜{MAX_DEMO_CASES:,}件で指定してください。")
    if not is_demo_store(store):
        raise ValidationError("デモ用に作られたデータベースではないため、デモデータは作れません。")
    builder = _Builder(random.Random(seed), today or store.clock.today())
    with store.transaction() as session:
        if session.scalar(select(func.count(m.SOCase.id))) or session.scalar(
            select(func.count(m.Department.id))
        ):
            raise ValidationError(
                "デモデータはすでに作成されています。作り直すには --db のファイルを消してください。"
            )
        builder.masters(session)
        for start in range(0, cases, _BATCH):
            builder.cases(session, start, min(cases, start + _BATCH), cases)
            if progress:
                progress(min(cases, start + _BATCH), cases)
        _advance_sequences(session, ("patients", "callers", "cases", "appointments"))
        seal_unsealed(session.connection())  # rows inserted in bulk, past the ORM's flush
        audit.record(
            session,
            store.staff,
            AuditAction.DEMO_BUILD,
            "database",
            summary=f"デモデータを作成（{cases}件）",
        )
    return cases


MAX_CHECKED_IN_TODAY = 8


@dataclass
class _Builder:
    rng: random.Random
    today: dt.date
    doctors: list[tuple[int, int, list[int]]] = field(default_factory=list)
    referrers: list[int] = field(default_factory=list)
    dept_names: dict[int, str] = field(default_factory=dict)
    referrer_depts: dict[int, str] = field(default_factory=dict)
    taken: set[tuple[int, dt.date, dt.time]] = field(default_factory=set)
    ids: dict[str, int] = field(default_factory=dict)
    checked_in: int = 0

    @property
    def closures(self) -> tuple[dt.date, ...]:
        return (dt.date(self.today.year, 8, 14), dt.date(self.today.year, 8, 15))

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def masters(self, session: Session) -> None:
        for order, (dept_name, doctor_names) in enumerate(DEPARTMENTS, start=1):
            dept = m.Department(name=dept_name, sort_order=order)
            session.add(dept)
            session.flush()
            self.dept_names[dept.id] = dept_name
            for k, name in enumerate(doctor_names):
                doctor = m.Doctor(
                    department_id=dept.id, name=name, title="部長" if k == 0 else "医長"
                )
                session.add(doctor)
                session.flush()
                weekdays = [(order + k) % 5, (order + k + 2) % 5]
                for weekday in weekdays:
                    session.add(
                        m.DoctorAvailability(
                            doctor_id=doctor.id,
                            weekday=weekday,
                            start_time=dt.time(14, 0),
                            end_time=dt.time(16, 0),
                        )
                    )
                self.doctors.append((doctor.id, dept.id, weekdays))
        for name, postal, address, department, doctor_names in CLINICS:
            inst = m.ReferringInstitution(
                name=name,
                search_key=search_key(name),
                postal_code=postal,
                address=address,
                tel=_landline(self.rng, area_code(address)),
                fax=_landline(self.rng, area_code(address)),
            )
            session.add(inst)
            session.flush()
            for doctor_name in doctor_names:
                ref = m.ReferringDoctor(
                    institution_id=inst.id, department=department, name=doctor_name
                )
                session.add(ref)
                session.flush()
                self.referrers.append(ref.id)
                self.referrer_depts[ref.id] = department
        for day in self.closures:
            session.add(m.ClinicClosure(date=day, reason="病院休診日（お盆）"))
        session.flush()

    def cases(self, session: Session, start: int, stop: int, total: int) -> None:
        rows: _Rows = {
            t: []
            for t in (
                "patients", "callers", "cases", "documents", "appointments", "contacts",
                "payments", "audit",
            )
        }  # fmt: skip
        span_days = max(120, total // 10)
        for i in range(start, stop):
            age = (total - 1 - i) * span_days // max(total, 1)
            recent_rank = total - 1 - i
            stage = _SHOWCASE[recent_rank] if recent_rank < len(_SHOWCASE) else self.stage_for(age)
            created = self.today - dt.timedelta(days=max(age, _MIN_AGE.get(stage, 0)))
            if stage == Stage.CHECKED_IN:
                # A day holds so many sessions: past that, the case is booked for a later day
                # (a large demo would otherwise run out of today's half hours).
                if self.checked_in >= MAX_CHECKED_IN_TODAY:
                    stage = Stage.BOOKED
                else:
                    self.checked_in += 1
            self.case(rows, i, created, stage, recent_rank)
        for table, model in (
            ("patients", m.Patient), ("callers", m.Caller), ("cases", m.SOCase),
            ("documents", m.CaseDocument), ("appointments", m.Appointment),
            ("contacts", m.ContactLog), ("payments", m.Payment), ("audit", m.AuditEntry),
        ):  # fmt: skip
            if table == "audit":  # chained like every other entry (services/audit.py)
                audit.chain_rows(session, rows[table])
            if rows[table]:
                session.execute(insert(model), rows[table])
        counters: dict[str, int] = {}
        for case in rows["cases"]:
            year = case["case_number"].split("-")[1]
            counters[f"case:{year}"] = int(case["case_number"].split("-")[2])
        for payment in rows["payments"]:
            counters[f"receipt:{payment['receipt_number'].split('-')[1]}"] = int(
                payment["receipt_number"].split("-")[2]
            )
        for name, value in counters.items():
            session.merge(m.Counter(name=name, value=value))
        session.flush()

    def referrers_for(self, profile: CaseProfile, minor: bool) -> list[int]:
        """Primary doctors who would refer this profile: a child's from the 小児科."""
        wanted = set(profile.referrer_departments)
        if minor and "小児科" in wanted:
            wanted = {"小児科"}
        elif not minor:
            wanted.discard("小児科")
        return [r for r in self.referrers if self.referrer_depts[r] in wanted]

    def stage_for(self, age: int) -> Stage:
        r = self.rng.random()
        if age > 60:
            return Stage.SETTLED if r < 0.75 else Stage.CANCELLED if r < 0.9 else Stage.EXCLUDED
        open_stages = (
            Stage.INQUIRY, Stage.FORMS_SENT, Stage.APPLICATION_RECEIVED, Stage.DOCTOR_REVIEW,
            Stage.BOOKED, Stage.MATERIALS_RECEIVED,
        )  # fmt: skip
        if r < 0.1:
            return Stage.CANCELLED
        if r < 0.15:
            return Stage.EXCLUDED
        index = min(len(open_stages) - 1, age // 8 + self.rng.randrange(0, 2))
        return open_stages[index]

    def case(self, rows: _Rows, i: int, created: dt.date, stage: Stage, rank: int) -> None:
        rng = self.rng
        local = dt.datetime.combine(created, dt.time(9 + i % 8, (i * 7) % 60))
        now = _utc(local)  # the desk's wall clock, stored as UTC
        # One of the showcase's booked cases is a child's, so every demo has a minor's forms.
        minor = rng.random() < 0.05 or rank == _SHOWCASE_MINOR
        # Diagnosis, department, age and sex come together from one plausible profile.
        profile = rng.choice(
            [p for p in PROFILES if (p.min_age < 18 if minor else p.max_age >= 30)]
        )
        low, high = (
            (profile.min_age, min(profile.max_age, 17))
            if minor
            else (max(profile.min_age, 18), profile.max_age)
        )
        birth = created - dt.timedelta(
            days=int(rng.randint(low, high) * 365.25) + rng.randrange(1, 360)
        )
        female = profile.sex == "female" if profile.sex else rng.random() < 0.5
        family, family_kana = rng.choice(FAMILY_NAMES)
        given, given_kana = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        postal, place = rng.choice(PLACES)
        patient_id = self.next_id("patients")
        name, furigana = f"{family}　{given}", f"{family_kana}　{given_kana}"
        phone = _landline(rng, area_code(place))
        # A young child has no mobile of their own: the parent who calls is reached instead.
        mobile = "" if created.year - birth.year < 13 else _mobile(rng)
        street = f"{rng.randrange(1, 9)}-{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"
        address = f"{place}{street}"
        rows["patients"].append(
            dict(id=patient_id, name=name, furigana=furigana, furigana_key=search_key(furigana),
                 birth_date=birth, sex="female" if female else "male", postal_code=postal,
                 address=address,
                 phone=phone, mobile=mobile, fax=home_fax(phone, patient_id, FAX_PATIENTS),
                 created_at=now)
        )  # fmt: skip
        attendance = rng.choice(
            (Attendance.PATIENT, Attendance.PATIENT, Attendance.PATIENT_AND_FAMILY,
             Attendance.FAMILY_ONLY)
        )  # fmt: skip
        if minor:
            attendance = (
                Attendance.FAMILY_ONLY if rng.random() < 0.5 else Attendance.PATIENT_AND_FAMILY
            )
        caller_id = None
        caller_name = name
        relationship = Relationship.SELF
        if attendance != Attendance.PATIENT or rng.random() < 0.3:
            relationship = (
                Relationship.PARENT
                if minor
                else rng.choice((Relationship.SPOUSE, Relationship.CHILD, Relationship.SIBLING))
            )
        caller_phone = ""
        if relationship != Relationship.SELF:
            caller_given, caller_kana = rng.choice(MALE_NAMES if female else FEMALE_NAMES)
            caller_name = f"{family}　{caller_given}"
            caller_id = self.next_id("callers")
            caller_phone = _mobile(rng)
            while caller_phone == mobile:  # the caller's own phone, never the patient's
                caller_phone = _mobile(rng)  # pragma: no cover
            rows["callers"].append(
                dict(id=caller_id, patient_id=patient_id, name=caller_name,
                     furigana=f"{family_kana}　{caller_kana}", relationship=relationship,
                     relation=_relation(relationship, male=female, elder=caller_id % 2 == 0),
                     phone=caller_phone, fax=home_fax(phone, caller_id, FAX_CALLERS, step=2))
            )  # fmt: skip
        case_id = self.next_id("cases")
        year = created.year
        self.ids[f"seq{year}"] = self.ids.get(f"seq{year}", 0) + 1
        case_number = f"SO-{year}-{self.ids[f'seq{year}']:04d}"
        category = profile.category
        doctor_id, dept_id, weekdays = rng.choice(
            [d for d in self.doctors if self.dept_names[d[1]] == profile.department]
        )
        referrer_id = rng.choice(self.referrers_for(profile, minor))
        reached = _reached(stage)
        accepted = reached(Stage.BOOKED) or (stage == Stage.CANCELLED and rng.random() < 0.3)
        # How an excluded case ended: turned away at the enquiry (the clerk's screening), or
        # by the doctor after reading the application (一般外来へ, or お断り: 不可).
        ending = ""
        if stage == Stage.EXCLUDED:
            ending = "declined" if rank == _SHOWCASE_DECLINED else rng.choice(_ENDINGS)
        exclusion = (
            next(r for r in DEFAULT_EXCLUSION_REASONS if r.code == ending)
            if ending and ending != "declined"
            else None
        )
        decided_by_doctor = ending in ("declined", "general_outpatient")
        # The papers' progress: a cancelled case got as far as its booking (or its forms).
        papers = (
            _reached(Stage.BOOKED if accepted else Stage.FORMS_SENT)
            if stage == Stage.CANCELLED
            else _reached(Stage.APPLICATION_RECEIVED)
            if decided_by_doctor
            else reached
        )
        # The events in order, none after today: forms out, application in, the doctor's
        # decision (and the booking, phoned the same day).
        sent = _later(created, 1, self.today)
        applied = _later(sent, rng.randrange(2, 6), self.today)
        decided = _later(applied, rng.randrange(1, 4), self.today)
        decision = Decision.PENDING
        if accepted:
            decision = Decision.ACCEPTED
        elif ending == "declined":
            decision = Decision.DECLINED
        elif ending == "general_outpatient":
            decision = Decision.GENERAL_OUTPATIENT
        decision_reason = rng.choice(DECLINE_REASONS) if ending == "declined" else ""
        if ending == "declined":
            end_reason = f"担当医判断：お断り（{decision_reason}）"
        elif ending == "general_outpatient":
            end_reason = "担当医判断：一般外来へ"
        elif exclusion is not None:
            end_reason = exclusion.label
        elif stage == Stage.CANCELLED:
            end_reason = "ご本人の体調不良のためキャンセル"
        else:
            end_reason = ""
        consultation = (
            rng.choice(EXCLUDED_CONSULTATIONS[ending])
            if ending in EXCLUDED_CONSULTATIONS
            else profile.consultation
        )
        appt: tuple[dt.date, dt.time] | None = None
        if reached(Stage.BOOKED) or (stage == Stage.CANCELLED and accepted):
            appt = self.slot(doctor_id, weekdays, decided, stage)
        minutes = None
        if reached(Stage.DONE):
            minutes = rng.choice((25, 30, 30, 30, 45, 55))
        written: dt.date | None = None
        delivered: dt.date | None = None
        report_channel: ReportChannel | None = None
        if appt and (stage == Stage.SETTLED or (stage == Stage.DONE and rng.random() < 0.5)):
            # The report is written on the day or soon after; handed to the patient on the
            # day (the guide), or sent to the primary doctor once written.
            if stage == Stage.SETTLED and rng.random() < 0.6:
                report_channel = ReportChannel.HANDED_TO_PATIENT
                written = delivered = appt[0]
            else:
                written = _later(appt[0], rng.randrange(0, 4), self.today)
                if stage == Stage.SETTLED:
                    report_channel = ReportChannel.SENT_TO_DOCTOR
                    delivered = _later(written, rng.randrange(0, 3), self.today)
        # A primary doctor who has written the referral letter has been told.
        informed = papers(Stage.MATERIALS_RECEIVED) or rng.random() < 0.85
        minor_mail = minor and caller_id is not None  # a child's mail goes to the parent
        search = "|".join(search_key(p) for p in (case_number, name, furigana, phone, mobile))
        if caller_id:
            search += "|" + search_key(caller_name)
        last = _last_event(stage, created, sent, applied, decided, appt, delivered)
        since = _utc(dt.datetime.combine(last, local.time()))
        rows["cases"].append(
            dict(
                id=case_id, case_number=case_number, patient_id=patient_id, caller_id=caller_id,
                referring_doctor_id=referrer_id, stage=stage,
                attendance=attendance, consultation=consultation,
                category=category,
                # 一般外来へ: no diagnosis yet (a first opinion is what the caller needs).
                diagnosis=(
                    profile.diagnosis
                    if rng.random() < 0.95 and ending != "general_outpatient"
                    else ""
                ),
                primary_doctor_informed=informed, desired_department_id=dept_id,
                desired_dates="平日の午後を希望", screening_answers={},
                decision=decision, decision_reason=decision_reason,
                decided_on=decided if decision != Decision.PENDING else None,
                doctor_id=(
                    doctor_id if reached(Stage.DOCTOR_REVIEW) or decision != Decision.PENDING
                    else None
                ),
                exclusion_code=exclusion.code if exclusion else "",
                end_reason=end_reason,
                mail_to_name=caller_name if minor_mail else name, mail_postal_code=postal,
                mail_address=address, mail_channel=Channel.MAIL, actual_minutes=minutes,
                report_written_on=written, report_delivered_on=delivered,
                report_channel=report_channel,
                search_text=search, created_at=now, updated_at=since, stage_since=since,
                received_on=created, ended_on=None if stage.is_open else last,
            )
        )  # fmt: skip
        rows["contacts"].append(
            dict(case_id=case_id, kind=ContactKind.CALL_IN, at=now, staff="demo",
                 party=caller_name, summary="セカンドオピニオン外来についての問い合わせ")
        )  # fmt: skip
        rows["audit"].append(
            dict(at=now, staff="demo", action=AuditAction.CASE_CREATE, entity="case", entity_id=case_number,
                 case_id=case_id, summary=f"案件を登録（{stage.label}）", before=None,
                 after={"stage": stage.value})
        )  # fmt: skip
        if exclusion is not None and not decided_by_doctor:
            return  # turned away on the telephone: nothing was mailed
        dates = _PaperDates(created, sent, applied, decided)
        materials = [profile.materials[0]] + [
            kind for kind in profile.materials[1:] if rng.random() < 0.5
        ]
        self.documents(rows, case_id, dates, stage, attendance, minor, appt, papers, materials)
        if appt:
            appt_id = self.next_id("appointments")
            # A few freshly booked patients have not been told the date yet (the board asks).
            told = not (stage == Stage.BOOKED and case_id % 3 == 0)
            booked_at = _utc(dt.datetime.combine(decided, local.time()))
            checked_in_at = None
            if reached(Stage.CHECKED_IN):  # at the desk shortly before the appointment
                arrival = dt.datetime.combine(appt[0], appt[1]) - dt.timedelta(minutes=10)
                checked_in_at = _utc(arrival)
            rows["appointments"].append(
                dict(id=appt_id, case_id=case_id, doctor_id=doctor_id, date=appt[0],
                     start_time=appt[1], minutes=30, cancelled=stage == Stage.CANCELLED,
                     notified_on=decided if told else None,
                     notified_channel=Channel.PHONE if told else None,
                     checked_in_at=checked_in_at, created_at=booked_at)
            )  # fmt: skip
            if told:
                rows["contacts"].append(
                    dict(case_id=case_id, kind=ContactKind.CALL_OUT, at=booked_at, staff="demo",
                         party=caller_name, summary="予約日時を電話でお知らせした")
                )  # fmt: skip
        if stage == Stage.SETTLED and appt and minutes:
            self.payments(rows, case_id, appt, minutes, void=rank == _SHOWCASE_VOIDED)

    def payments(
        self,
        rows: _Rows,
        case_id: int,
        appt: tuple[dt.date, dt.time],
        minutes: int,
        *,
        void: bool,
    ) -> None:
        """The fee taken on the visit day, after the session; ``void``: first taken wrongly,
        取消 and taken again (so the demo prints a voided 領収書 too)."""
        fee = consultation_fee(minutes, DEFAULT_SETTINGS)
        day = appt[0]
        end = dt.datetime.combine(day, appt[1]) + dt.timedelta(minutes=minutes + 10)
        for voided in (True, False) if void else (False,):
            self.ids[f"receipt{day.year}"] = self.ids.get(f"receipt{day.year}", 0) + 1
            taken = _utc(end)
            rows["payments"].append(
                dict(case_id=case_id,
                     receipt_number=f"R-{day.year}-{self.ids[f'receipt{day.year}']:05d}",
                     paid_on=day, minutes=minutes, base_yen=fee.base_yen,
                     extension_yen=fee.extension_yen,
                     total_yen=fee.total_yen, amount_reason="", staff="demo",
                     method="クレジットカード" if voided else "現金", created_at=taken,
                     voided=voided,
                     voided_at=_utc(end + dt.timedelta(minutes=5)) if voided else None,
                     void_reason="支払方法の入力誤り（現金でのお支払い）" if voided else "")
            )  # fmt: skip
            end += dt.timedelta(minutes=10)

    def documents(
        self,
        rows: _Rows,
        case_id: int,
        dates: _PaperDates,
        stage: Stage,
        attendance: Attendance,
        minor: bool,
        appt: tuple[dt.date, dt.time] | None,
        reached: Callable[[Stage], bool],
        materials: list[DocumentKind],
    ) -> None:
        rng = self.rng
        sent = dates.sent if reached(Stage.FORMS_SENT) else None
        for kind in mailout_documents(attendance, minor):
            rows["documents"].append(_doc(case_id, kind, Direction.OUT, sent_on=sent,
                                          channel=Channel.MAIL if sent else None))  # fmt: skip
        got_application = reached(Stage.APPLICATION_RECEIVED)
        rows["documents"].append(
            _doc(case_id, DocumentKind.APPLICATION, Direction.IN, required=True,
                 received_on=dates.applied if got_application else None,
                 channel=rng.choice((Channel.FAX, Channel.MAIL)) if got_application else None)
        )  # fmt: skip
        due = materials_due_date(appt[0], DEFAULT_SETTINGS, self.closures) if appt else None
        received = None
        if reached(Stage.MATERIALS_RECEIVED) and due is not None:
            # By the due date, but never before the booking nor after today.
            received = min(max(due, dates.decided), self.today)
        for req in required_incoming_documents(attendance, minor, materials):
            rows["documents"].append(
                _doc(case_id, req.kind, Direction.IN, required=True, borrowed=req.borrowed,
                     due_date=due, received_on=received,
                     channel=Channel.BROUGHT if received else None,
                     returned_on=appt[0] if appt and req.borrowed and stage == Stage.SETTLED
                     else None)
            )  # fmt: skip

    def slot(
        self, doctor_id: int, weekdays: list[int], booked: dt.date, stage: Stage
    ) -> tuple[dt.date, dt.time]:
        """A free half hour of the doctor's: today for a checked-in case, ahead of today for
        an open booking, else between the booking and yesterday (already held)."""
        first, last = booked + dt.timedelta(days=5), self.today - dt.timedelta(days=1)
        if stage == Stage.CHECKED_IN:
            day = first = last = self.today
        elif stage in (Stage.BOOKED, Stage.MATERIALS_RECEIVED) or (
            # A case cancelled long ago had its slot long ago: booking every old cancellation
            # ahead of today filled the doctors' coming year at 100,000 cases.
            stage == Stage.CANCELLED and booked >= self.today - _RECENT
        ):
            first = max(booked, self.today) + dt.timedelta(days=5)
            day = first + dt.timedelta(days=self.rng.randrange(0, 30))
            last = day + dt.timedelta(days=400)
        else:  # already held: in the past, after the booking
            first = min(first, last)
            day = max(first, min(booked + dt.timedelta(days=self.rng.randrange(14, 40)), last))
        # From the chosen day towards the edge of the window, then the other way.
        span = [day + dt.timedelta(days=k) for k in range((last - day).days + 1)]
        back = [day - dt.timedelta(days=k) for k in range(1, (day - first).days + 1)]
        for candidate in (back + span if day == last else span + back)[:400]:
            if stage == Stage.CHECKED_IN or (
                candidate.weekday() in weekdays
                and is_office_open(candidate, closed_dates=self.closures)
            ):
                for time in _SLOTS:
                    if (doctor_id, candidate, time) not in self.taken:
                        self.taken.add((doctor_id, candidate, time))
                        return candidate, time
        # A busy day: any free half hour of the day, so no doctor is ever booked twice at once.
        for minutes in range(8 * 60, 20 * 60, 30):
            time = dt.time(minutes // 60, minutes % 60)
            if (doctor_id, day, time) not in self.taken:
                self.taken.add((doctor_id, day, time))
                return day, time
        raise RuntimeError("no free half hour left for the demo")  # pragma: no cover


@dataclass(frozen=True)
class _PaperDates:
    created: dt.date
    sent: dt.date
    applied: dt.date
    decided: dt.date


def _later(day: dt.date, days: int, today: dt.date) -> dt.date:
    """``days`` after ``day``, but never after today."""
    return min(day + dt.timedelta(days=days), today)


def _last_event(
    stage: Stage,
    created: dt.date,
    sent: dt.date,
    applied: dt.date,
    decided: dt.date,
    appt: tuple[dt.date, dt.time] | None,
    delivered: dt.date | None,
) -> dt.date:
    """The day the case reached its stage (its 段階の日)."""
    if stage in (Stage.CHECKED_IN, Stage.DONE) and appt:
        return appt[0]
    if stage == Stage.SETTLED and appt:
        return max(appt[0], delivered or appt[0])
    return {
        Stage.FORMS_SENT: sent,
        Stage.APPLICATION_RECEIVED: applied,
        Stage.DOCTOR_REVIEW: decided,
        Stage.BOOKED: decided,
        Stage.MATERIALS_RECEIVED: decided,
    }.get(stage, created)


def _utc(local: dt.datetime) -> dt.datetime:
    return local.astimezone(dt.UTC)


def _landline(rng: random.Random, area: str) -> str:
    """A fixed-line number of the area: 市外局番 + 市内局番 (never starting with 0 or 1)."""
    return f"{area}{rng.randrange(2, 10)}{rng.randrange(0, 100_000):05d}"


def _mobile(rng: random.Random) -> str:
    return f"0{rng.choice('789')}0{rng.randrange(10000000, 99999999)}"


def _advance_sequences(session: Session, tables: tuple[str, ...]) -> None:
    """Rows were inserted with explicit ids: PostgreSQL's sequences must catch up."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )


def _reached(stage: Stage) -> Callable[[Stage], bool]:
    order = list(Stage)

    def reached(target: Stage) -> bool:
        if stage in (Stage.CANCELLED, Stage.EXCLUDED):
            return False
        return order.index(stage) >= order.index(target)

    return reached


def _doc(case_id: int, kind: DocumentKind, direction: Direction, **values: Any) -> dict[str, Any]:
    channel = values.pop("channel", None)
    row = dict(
        case_id=case_id, kind=kind, direction=direction, required=False,
        borrowed=False, due_date=None, sent_on=None, received_on=None, returned_on=None,
        channel=channel, note="",
    )  # fmt: skip
    row.update(values)
    return row


def _relation(relationship: Relationship, *, male: bool, elder: bool) -> str:
    """The caller's own 続柄 (domain/people.RELATIONS) for the demo: the caller's given name
    is a man's when ``male``; an elder or younger sibling by ``elder`` (no draw from the
    generator, so the rest of the demo stays as it was)."""
    words = {
        Relationship.PARENT: ("父", "母"),
        Relationship.SPOUSE: ("夫", "妻"),
        Relationship.CHILD: ("息子", "娘"),
        Relationship.SIBLING: ("兄", "姉") if elder else ("弟", "妹"),
    }.get(relationship)
    return "" if words is None else words[0 if male else 1]
