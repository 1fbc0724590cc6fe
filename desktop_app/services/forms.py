"""Printed forms: gather a case and the settings, build the PDF, record what was printed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_app import printing
from desktop_app.db.models import (
    Appointment,
    CaseDocument,
    ContactLog,
    Doctor,
    SOCase,
)
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import NOTIFY_CONTACTS, Channel, Direction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind, daylist_title, packet_forms
from desktop_app.domain.paper_trail import SEND_CHANNELS
from desktop_app.domain.slots import when_label
from desktop_app.domain.stages import Decision, Stage
from desktop_app.printing import DayListEntry
from desktop_app.services import audit, print_input
from desktop_app.services.access import PRINT_FORMS, requires
from desktop_app.services.cases import _detail, closed_dates, load_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.paper_trail import auto_move
from desktop_app.services.print_input import day_entry, needs_consent
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store

# Forms that say something of a case still going on: none for a cancelled or excluded one.
NOT_AFTER_AN_END = frozenset({FormKind.CONFIRMATION, FormKind.REPORT, FormKind.PACKET})


@dataclass(frozen=True)
class RenderedForm:
    kind: FormKind
    pdf: bytes
    title: str
    file_name: str
    case_id: int | None = None
    case_number: str = ""
    day: dt.date | None = None  # the day list's day


@requires(PRINT_FORMS)
def render_form(
    store: Store,
    kind: FormKind,
    case_id: int | None = None,
    *,
    today: dt.date | None = None,
    day: dt.date | None = None,
    payment_id: int | None = None,
) -> RenderedForm:
    """Build a form as PDF bytes: for a case, blank (no case), or the day list for ``day``.

    ``payment_id`` picks which payment a 領収書 prints (a voided one reprints marked 取消);
    by default the live payment.

    Printing is the desk's work (``record_printed`` is too): a role that may not is refused
    before anything is read or drawn, so no PDF of a patient exists to be saved unrecorded.
    """
    today = today or store.clock.today()
    kind = FormKind(kind)
    with store.read() as session:
        settings = load_settings(session)
        case_info = None
        number = ""
        entries: tuple[DayListEntry, ...] = ()
        if kind == FormKind.DAYLIST:
            entries = _day_entries(session, day or today)
        elif case_id is not None:
            case = load_case(session, case_id)
            number = case.case_number
            case_info = print_input.case_info(case, settings, closed_dates(session), payment_id)
            case_info = replace(case_info, clerk=print_input.clerk_name(session, store.staff))
            if kind == FormKind.RECEIPT and case_info.payment is None:
                raise ValidationError("この案件にはまだお支払いの記録がありません。")
            if kind in NOT_AFTER_AN_END and case.stage in (Stage.CANCELLED, Stage.EXCLUDED):
                # A booking confirmation, a report of a session or the application packet
                # would tell the patient or the doctor something untrue of an ended case.
                raise ValidationError(
                    f"この案件は「{case.stage.label}」のため、{kind.label}は印刷できません。"
                )
            if kind == FormKind.DECLINE and case.decision != Decision.DECLINED:
                raise ValidationError(
                    "この案件は担当医確認で「不可」になっていないため、お断りのご連絡は印刷できません。"
                )
    pdf = printing.build_form(kind, settings, case_info, today=today, day_entries=entries, day=day)
    stem = kind.value if not number else f"{number}_{kind.value}"
    if kind == FormKind.DAYLIST:
        stem = f"daylist_{(day or today).isoformat()}"
    title = kind.label + (f"（{number}）" if number else "")
    shown_day = (day or today) if kind == FormKind.DAYLIST else None
    if shown_day is not None:
        title = daylist_title(shown_day, today)
    return RenderedForm(kind, pdf, title, f"{stem}.pdf", case_id, number, shown_day)


@requires(PRINT_FORMS)
def record_printed(
    store: Store,
    kind: FormKind,
    case_id: int | None,
    *,
    how: str = "印刷",
    day: dt.date | None = None,
    today: dt.date | None = None,
) -> None:
    """Note in the history that a form was printed or saved as PDF: in the case's history,
    or for a blank form or the day list (which names the day's patients) in the log alone.

    Printing is not sending: nothing is marked as sent here. ``record_sent`` does that when
    the clerk says the papers went out, and how.
    """
    kind = FormKind(kind)
    with store.transaction() as session:
        if case_id is None:
            what = f"{kind.label}（{day.isoformat()}）" if day else f"{kind.label}（白紙）"
            audit.record(
                session,
                store.staff,
                AuditAction.FORM_PRINT,
                "form",
                kind.value,
                summary=f"{what}を{how}",
                after={"form": kind.value, "how": how, "day": day.isoformat() if day else None},
            )
            return
        note_printed(session, store, kind, load_case(session, case_id), how)


def note_printed(session: Session, store: Store, kind: FormKind, case: SOCase, how: str) -> None:
    """The print in the case's history, inside the caller's transaction."""
    audit.record(
        session,
        store.staff,
        AuditAction.FORM_PRINT,
        "case",
        case.case_number,
        case_id=case.id,
        summary=f"{kind.label}を{how}",
        after={"form": kind.value, "how": how},
    )


def is_tracked(kind: FormKind) -> bool:
    """Whether sending this form is recorded on the case (the packet, or a form with a
    document on the checklist)."""
    return kind == FormKind.PACKET or FormKind(kind).document is not None


@requires(PRINT_FORMS)
def record_sent(
    store: Store,
    kind: FormKind,
    case_id: int,
    *,
    channel: Channel,
    on: dt.date | None = None,
) -> CaseDetail:
    """The clerk says the form (or the whole packet) went out, and how: its documents are
    marked sent, a packet is logged as a contact, and a case at 問い合わせ受付 becomes
    書類送付済 by itself."""
    on = on or store.clock.today()
    kind = FormKind(kind)
    if not is_tracked(kind):
        raise ValidationError(f"{kind.label}は送付の記録をしない書類です。")
    if channel not in SEND_CHANNELS:
        raise ValidationError("送付の方法を選んでください（郵送・FAX・手渡し）。", field="channel")
    if on > store.clock.today():
        raise ValidationError("未来の日付は記録できません。", field="on")
    with store.transaction() as session:
        return mark_sent(session, store, kind, load_case(session, case_id), channel, on)


def mark_sent(
    session: Session, store: Store, kind: FormKind, case: SOCase, channel: Channel, on: dt.date
) -> CaseDetail:
    """``record_sent``'s work inside the caller's transaction (checked there already)."""
    if not case.stage.is_open:
        raise ValidationError(f"この案件は「{case.stage.label}」で終了しています。")
    kinds = packet_forms(needs_consent(case)) if kind == FormKind.PACKET else (kind,)
    for form in kinds:
        doc_kind = form.document
        if doc_kind is None:
            continue
        doc = next(
            (d for d in case.documents if d.kind == doc_kind and d.direction == Direction.OUT),
            None,
        )
        if doc is None:
            doc = CaseDocument(kind=doc_kind, direction=Direction.OUT)
            case.documents.append(doc)
        doc.sent_on = on
        doc.channel = channel
    told = ""
    if kind == FormKind.CONFIRMATION:
        # The confirmation names the date: sending it tells the patient (日時連絡済).
        live = [a for a in case.appointments if not a.cancelled]
        if live and live[-1].notified_on is None:
            live[-1].notified_on, live[-1].notified_channel = on, channel
            told = f"（予約日時 {when_label(live[-1].date, live[-1].start_time)}）"
    if kind in (FormKind.PACKET, FormKind.CONFIRMATION):
        case.contacts.append(
            ContactLog(
                kind=NOTIFY_CONTACTS[channel],
                staff=store.staff,
                party=case.mail_to_name,
                summary=f"{kind.label}を送付（{channel.label}）{told}",
            )
        )
    session.flush()
    moved = auto_move(case)
    note = f" → 段階：{moved[0].label} → {moved[1].label}（自動）" if moved else ""
    case.updated_at = store.clock.utcnow()
    audit.record(
        session,
        store.staff,
        AuditAction.DOCUMENT_SEND,
        "case",
        case.case_number,
        case_id=case.id,
        summary=f"送付：{kind.label}（{channel.label}、{on.isoformat()}）{note}",
        after={"form": kind.value, "channel": channel.value, "on": on.isoformat()}
        | ({"stage": moved[1].value} if moved else {}),
    )
    session.flush()
    return _detail(session, case)


def _day_entries(session: Session, day: dt.date) -> tuple[DayListEntry, ...]:
    appointments = session.scalars(
        select(Appointment)
        .where(Appointment.date == day, Appointment.cancelled.is_(False))
        .order_by(Appointment.start_time, Appointment.id)
        .options(
            selectinload(Appointment.case).selectinload(SOCase.patient),
            selectinload(Appointment.doctor).selectinload(Doctor.department),
        )
    )
    return tuple(day_entry(a) for a in appointments)
