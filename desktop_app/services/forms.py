"""Printed forms: gather a case and the settings, build the PDF, record what was printed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_app import printing
from desktop_app.db.models import Appointment, CaseDocument, ContactLog, Doctor, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Channel, ContactKind, Direction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind, packet_forms
from desktop_app.domain.stages import Decision
from desktop_app.printing import DayListEntry
from desktop_app.services import audit, print_input
from desktop_app.services.cases import closed_dates, load_case
from desktop_app.services.print_input import day_entry, needs_consent
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store


@dataclass(frozen=True)
class RenderedForm:
    kind: FormKind
    pdf: bytes
    title: str
    file_name: str
    case_id: int | None = None
    case_number: str = ""


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
    """
    today = today or dt.date.today()
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
            if kind == FormKind.RECEIPT and case_info.payment is None:
                raise ValidationError("この案件にはまだお支払いの記録がありません。")
            if kind == FormKind.DECLINE and case.decision != Decision.DECLINED:
                raise ValidationError(
                    "この案件は担当医確認で「不可」になっていないため、お断りのご連絡は印刷できません。"
                )
    pdf = printing.build_form(kind, settings, case_info, today=today, day_entries=entries, day=day)
    stem = kind.value if not number else f"{number}_{kind.value}"
    if kind == FormKind.DAYLIST:
        stem = f"daylist_{(day or today).isoformat()}"
    title = kind.label + (f"（{number}）" if number else "")
    return RenderedForm(kind, pdf, title, f"{stem}.pdf", case_id, number)


def record_printed(
    store: Store,
    kind: FormKind,
    case_id: int,
    *,
    how: str = "印刷",
    channel: Channel | None = None,
    today: dt.date | None = None,
) -> None:
    """Note on the case that its form was printed or saved: documents sent, and the audit."""
    today = today or dt.date.today()
    kind = FormKind(kind)
    with store.transaction() as session:
        case = load_case(session, case_id)
        kinds = packet_forms(needs_consent(case)) if kind == FormKind.PACKET else (kind,)
        channel = channel or case.mail_channel
        for form in kinds:
            doc_kind = form.document
            if doc_kind is None:
                continue
            doc = next(
                (d for d in case.documents if d.kind == doc_kind and d.direction == Direction.OUT),
                None,
            )
            if doc is None:
                doc = CaseDocument(case_id=case.id, kind=doc_kind, direction=Direction.OUT)
                session.add(doc)
            doc.sent_on = today
            doc.channel = channel
        audit.record(
            session,
            store.staff,
            AuditAction.FORM_PRINT,
            "case",
            case.case_number,
            case_id=case.id,
            summary=f"{kind.label}を{how}",
            after={"form": kind.value, "how": how, "channel": channel.value},
        )
        if kind == FormKind.PACKET:
            session.add(
                ContactLog(
                    case_id=case.id,
                    kind=ContactKind.FAX_OUT if channel == Channel.FAX else ContactKind.LETTER_OUT,
                    staff=store.staff,
                    party=case.mail_to_name,
                    summary=f"{kind.label}を{how}（{channel.label}）",
                )
            )


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
