"""A case's paper trail: documents received, sent, waived, added, and the undo of a slip.

Each call is one transaction with one audit entry. When a document coming in (or waived)
completes a step, the case moves on by itself in the same transaction, and the same audit
entry says so (its summary ends with 「→ 段階：…」 and ``after["stage"]`` names the new stage).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from desktop_app.db.models import CaseDocument, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.paper_trail import (
    INCOMING_KINDS,
    RECEIPT_CHANNELS,
    SEND_CHANNELS,
    automatic_stage,
    checklist_label,
)
from desktop_app.domain.roles import Permission
from desktop_app.domain.stages import Stage, check_transition
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.case_stage import case_clock, enter_stage
from desktop_app.services.cases import _detail, _facts, load_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.store import Store


@requires(Permission.CASE_WORK)
def mark_received(
    store: Store,
    case_id: int,
    document_id: int,
    *,
    on: dt.date,
    channel: Channel,
    note: str = "",
    expected_version: int | None = None,
) -> CaseDetail:
    """Record that one expected document came in (date, 郵送/FAX/持参/手渡し, note)."""
    return receive_many(
        store, case_id, (document_id,), on=on, channel=channel, note=note,
        expected_version=expected_version,
    )  # fmt: skip


@requires(Permission.CASE_WORK)
def receive_many(
    store: Store,
    case_id: int,
    document_ids: Sequence[int],
    *,
    on: dt.date,
    channel: Channel,
    note: str = "",
    expected_version: int | None = None,
) -> CaseDetail:
    """Record several documents of one case received together (one envelope, one fax)."""
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        raise ValidationError("受領した書類を選んでください。", field="documents")
    channel = check_channel(channel, RECEIPT_CHANNELS, "受領")
    check_day(on, store.clock.today())
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        docs = [document_of(case, doc_id) for doc_id in ids]
        for doc in docs:
            receive(doc, on, channel, note)
        names = "、".join(title(d) for d in docs)
        return finish(
            session, store, case, AuditAction.DOCUMENT_RECEIVE,
            f"受領：{names}（{channel.label}、{on.isoformat()}）",
            {"documents": ids, "on": on.isoformat(), "channel": channel.value, "note": note},
        )  # fmt: skip


@requires(Permission.CASE_WORK)
def receive_application(
    store: Store,
    case_id: int,
    *,
    on: dt.date,
    channel: Channel,
    expected_version: int | None = None,
) -> CaseDetail:
    """The application came back: records it, adding its checklist line if the case has none."""
    channel = check_channel(channel, RECEIPT_CHANNELS, "受領")
    check_day(on, store.clock.today())
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        doc = next(
            (
                d
                for d in case.documents
                if d.kind == DocumentKind.APPLICATION and d.direction == Direction.IN
            ),
            None,
        )
        if doc is None:
            doc = CaseDocument(
                case_id=case.id, kind=DocumentKind.APPLICATION, direction=Direction.IN,
                required=True,
            )  # fmt: skip
            case.documents.append(doc)
            session.flush()  # column defaults (label, quantity) filled in
        receive(doc, on, channel, "")
        return finish(
            session, store, case, AuditAction.DOCUMENT_RECEIVE,
            f"受領：{title(doc)}（{channel.label}、{on.isoformat()}）",
            {"documents": [doc.kind.value], "on": on.isoformat(), "channel": channel.value},
        )  # fmt: skip


@requires(Permission.CASE_WORK)
def mark_sent(
    store: Store,
    case_id: int,
    document_id: int,
    *,
    on: dt.date,
    channel: Channel,
    note: str = "",
    expected_version: int | None = None,
) -> CaseDetail:
    """Record that a form the office sends out has been sent (郵送/FAX/手渡し)."""
    channel = check_channel(channel, SEND_CHANNELS, "送付")
    check_day(on, store.clock.today())
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        doc = document_of(case, document_id)
        if doc.direction != Direction.OUT:
            raise ValidationError(f"「{title(doc)}」は送付する書類ではありません。")
        if doc.sent_on is not None:
            raise ValidationError(
                f"すでに送付済みです（{title(doc)}：{doc.sent_on.isoformat()}）。"
            )
        doc.sent_on, doc.channel = on, channel
        if note.strip():
            doc.note = note.strip()
        return finish(
            session, store, case, AuditAction.DOCUMENT_SEND,
            f"送付：{title(doc)}（{channel.label}、{on.isoformat()}）",
            {"document": doc.id, "on": on.isoformat(), "channel": channel.value},
        )  # fmt: skip


@requires(Permission.CASE_WORK)
def undo(
    store: Store,
    case_id: int,
    document_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
) -> CaseDetail:
    """Take back the last thing recorded on a document (a return, else receipt/sending/waiver).

    The stage is not moved back by itself: the clerk steps it back if that is right.
    """
    if not reason.strip():
        raise ValidationError("取り消す理由を入力してください。", field="reason")
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        doc = document_of(case, document_id)
        before = _state(doc)
        if doc.returned_on is not None:
            doc.returned_on, doc.returned_to, doc.return_channel = None, "", None
            what = "返却"
        elif doc.received_on or doc.sent_on or doc.waived_on:
            what = "受領" if doc.received_on else "送付" if doc.sent_on else "不要"
            doc.received_on = doc.sent_on = doc.waived_on = None
            doc.waived_reason = ""
            doc.channel = None
        else:
            raise ValidationError(f"「{title(doc)}」には取り消す記録がありません。")
        return finish(
            session, store, case, AuditAction.DOCUMENT_UNDO,
            f"{what}を取消：{title(doc)}（理由：{reason.strip()}）",
            {"document": doc.id, "reason": reason.strip()},
            before=before, move=False,
        )  # fmt: skip


@requires(Permission.CASE_WORK)
def add_expected(
    store: Store,
    case_id: int,
    kind: DocumentKind,
    *,
    label: str = "",
    required: bool = True,
    due_date: dt.date | None = None,
    expected_version: int | None = None,
) -> CaseDetail:
    """Add a document the case still expects to come in (beyond the intake's checklist)."""
    if kind not in INCOMING_KINDS:
        raise ValidationError(f"「{kind.label}」は受け取る書類ではありません。", field="kind")
    label = label.strip()
    if kind == DocumentKind.OTHER_MATERIAL and not label:
        raise ValidationError("資料の名前を入力してください。", field="label")
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        doc = CaseDocument(
            case_id=case.id, kind=kind, direction=Direction.IN, required=required,
            due_date=due_date, label=label,
        )  # fmt: skip
        case.documents.append(doc)
        session.flush()
        return finish(
            session, store, case, AuditAction.DOCUMENT_ADD,
            f"書類を追加：{title(doc)}" + ("（必須）" if required else ""),
            {"document": doc.id, "kind": kind.value, "label": label, "required": required},
            move=False,
        )  # fmt: skip


@requires(Permission.CASE_WORK)
def waive(
    store: Store,
    case_id: int,
    document_id: int,
    *,
    reason: str,
    on: dt.date,
    expected_version: int | None = None,
) -> CaseDetail:
    """Mark an expected document as not needed any more, with the reason (it stays listed)."""
    if not reason.strip():
        raise ValidationError("不要にする理由を入力してください。", field="reason")
    check_day(on, store.clock.today())
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        doc = document_of(case, document_id)
        if doc.direction != Direction.IN:
            raise ValidationError(f"「{title(doc)}」は受け取る書類ではありません。")
        if doc.received_on is not None:
            raise ValidationError(
                f"すでに受領済みです（{title(doc)}：{doc.received_on.isoformat()}）。"
            )
        if doc.waived_on is not None:
            raise ValidationError(f"すでに不要になっています（{title(doc)}）。")
        doc.waived_on, doc.waived_reason = on, reason.strip()
        return finish(
            session, store, case, AuditAction.DOCUMENT_WAIVE,
            f"不要に：{title(doc)}（理由：{reason.strip()}）",
            {"document": doc.id, "on": on.isoformat(), "reason": reason.strip()},
        )  # fmt: skip


# Shared with materials.py: helpers that run inside the caller's transaction. ----------------


def open_case(session: Session, case_id: int, expected_version: int | None) -> SOCase:
    """The case, if it is still open; ValidationError (Japanese) for a closed one."""
    case = load_case(session, case_id, expected_version)
    if not case.stage.is_open:
        raise ValidationError(
            f"案件 {case.case_number} は「{case.stage.label}」で終了しています。"
            "書類の記録はできません。"
        )
    return case


def document_of(case: SOCase, document_id: int) -> CaseDocument:
    """One of this case's documents; ValidationError for an unknown one or another case's."""
    doc = next((d for d in case.documents if d.id == document_id), None)
    if doc is None:
        raise ValidationError(
            f"この案件（{case.case_number}）に該当する書類がありません（ID {document_id}）。"
        )
    return doc


def title(doc: CaseDocument) -> str:
    return checklist_label(doc.kind, doc.label, doc.quantity)


def receive(doc: CaseDocument, on: dt.date, channel: Channel, note: str) -> None:
    """Mark one document received; refused when it is not incoming, already in or waived."""
    if doc.direction != Direction.IN:
        raise ValidationError(f"「{title(doc)}」は受け取る書類ではありません。")
    if doc.received_on is not None:
        raise ValidationError(
            f"すでに受領済みです（{title(doc)}：{doc.received_on.isoformat()}）。"
        )
    if doc.waived_on is not None:
        raise ValidationError(
            f"「{title(doc)}」は不要になっています。受領するには先に「不要」を取り消してください。"
        )
    doc.received_on, doc.channel = on, channel
    if note.strip():
        doc.note = note.strip()


def finish(
    session: Session,
    store: Store,
    case: SOCase,
    action: AuditAction,
    summary: str,
    after: dict[str, object],
    *,
    before: dict[str, object] | None = None,
    move: bool = True,
) -> CaseDetail:
    """Apply the automatic stage move (when ``move``), write the audit entry, return the case.

    The case row is touched so its version changes: a screen that showed the old checklist
    is told another desk changed it, rather than overwriting.
    """
    session.flush()
    moved = auto_move(case) if move else None
    if moved is not None:
        before = {**(before or {}), "stage": moved[0].value}
        after = {**after, "stage": moved[1].value}
        summary += f" → 段階：{moved[0].label} → {moved[1].label}（自動）"
    case.updated_at = store.clock.utcnow()
    audit.record(
        session, store.staff, action, "case", case.case_number, case_id=case.id,
        summary=summary, before=before, after=after,
    )  # fmt: skip
    session.flush()
    return _detail(session, case)


def auto_move(case: SOCase) -> tuple[Stage, Stage] | None:
    """Move the case on if its documents now complete a step; (from, to) or None."""
    incoming = [d for d in case.documents if d.direction == Direction.IN]
    application_in = any(
        d.kind == DocumentKind.APPLICATION and d.received_on is not None for d in incoming
    )
    facts = _facts(case, case_clock(case).today())
    forms_sent = any(
        d.kind == DocumentKind.APPLICATION_FORM
        and d.direction == Direction.OUT
        and d.sent_on is not None
        for d in case.documents
    )
    target = automatic_stage(
        case.stage,
        application_in=application_in,
        all_required_in=not facts.missing_required_documents,
        forms_sent=forms_sent,
    )
    if target is None:
        return None
    try:
        check_transition(facts, target)
    except ValidationError:
        return None  # the stage machine says no: the clerk moves it when the facts allow
    before = case.stage
    enter_stage(case, target)
    return before, target


def _state(doc: CaseDocument) -> dict[str, object]:
    return {
        "received_on": doc.received_on.isoformat() if doc.received_on else None,
        "sent_on": doc.sent_on.isoformat() if doc.sent_on else None,
        "waived_on": doc.waived_on.isoformat() if doc.waived_on else None,
        "returned_on": doc.returned_on.isoformat() if doc.returned_on else None,
        "channel": doc.channel.value if doc.channel else None,
    }


def check_channel(channel: Channel, allowed: tuple[Channel, ...], what: str) -> Channel:
    """The channel as a Channel member (a caller may hand its plain value), if allowed."""
    if channel not in allowed:
        names = "・".join(c.label for c in allowed)
        raise ValidationError(f"{what}の方法は{names}から選んでください。", field="channel")
    return Channel(channel)


def check_day(on: dt.date, today: dt.date) -> None:
    if on > today:
        raise ValidationError("未来の日付は記録できません。", field="on")
