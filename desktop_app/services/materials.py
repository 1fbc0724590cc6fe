"""Borrowed materials (films, CD-R, slides, pathology blocks), item by item, until they go back.

Each item is a line of the case's checklist (``case_documents`` with ``borrowed``): what, how
many, from which institution, when it came in, and when, to whom and how it went back.
"""

from __future__ import annotations

import datetime as dt

from desktop_app.db.models import CaseDocument
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import TEST_MATERIALS, Channel, Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.paper_trail import RECEIPT_CHANNELS, RETURN_CHANNELS
from desktop_app.domain.roles import Permission
from desktop_app.services.access import requires
from desktop_app.services.cases import load_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.paper_trail import (
    check_channel,
    check_day,
    document_of,
    finish,
    open_case,
    receive,
    title,
)
from desktop_app.services.store import Store

MAX_QUANTITY = 99


@requires(Permission.CASE_WORK)
def add_item(
    store: Store,
    case_id: int,
    kind: DocumentKind,
    *,
    label: str = "",
    quantity: int = 1,
    source: str = "",
    received_on: dt.date | None = None,
    channel: Channel = Channel.BROUGHT,
    expected_version: int | None = None,
) -> CaseDetail:
    """Add one borrowed item (expected, or already in when ``received_on`` is given)."""
    kind = DocumentKind(kind)  # a caller may hand the plain value
    if kind not in TEST_MATERIALS:
        raise ValidationError(f"「{kind.label}」はお借りする資料ではありません。", field="kind")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(
            f"数量は1から{MAX_QUANTITY}までで入力してください。", field="quantity"
        )
    label, source = label.strip(), source.strip()
    if kind == DocumentKind.OTHER_MATERIAL and not label:
        raise ValidationError("資料の名前を入力してください。", field="label")
    if received_on is not None:
        channel = check_channel(channel, RECEIPT_CHANNELS, "受領")
        check_day(received_on, store.clock.today())
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        doc = CaseDocument(
            case_id=case.id, kind=kind, direction=Direction.IN, required=True, borrowed=True,
            label=label, quantity=quantity, source=source,
        )  # fmt: skip
        case.documents.append(doc)
        if received_on is not None:
            receive(doc, received_on, channel, "")
        session.flush()
        got = f"（{received_on.isoformat()} 受領）" if received_on else ""
        return finish(
            session, store, case, AuditAction.DOCUMENT_ADD,
            f"お借りする資料を追加：{title(doc)}" + (f"／{source}" if source else "") + got,
            {"document": doc.id, "kind": kind.value, "label": label, "quantity": quantity,
             "source": source, "received_on": received_on.isoformat() if received_on else None},
            move=received_on is not None,
        )  # fmt: skip


@requires(Permission.CASE_WORK)
def receive_item(
    store: Store,
    case_id: int,
    document_id: int,
    *,
    on: dt.date,
    channel: Channel = Channel.BROUGHT,
    expected_version: int | None = None,
) -> CaseDetail:
    """A borrowed item came in."""
    channel = check_channel(channel, RECEIPT_CHANNELS, "受領")
    check_day(on, store.clock.today())
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        doc = document_of(case, document_id)
        if not doc.borrowed:
            raise ValidationError(f"「{title(doc)}」はお借りする資料ではありません。")
        receive(doc, on, channel, "")
        return finish(
            session, store, case, AuditAction.DOCUMENT_RECEIVE,
            f"資料を受領：{title(doc)}（{channel.label}、{on.isoformat()}）",
            {"document": doc.id, "on": on.isoformat(), "channel": channel.value},
        )  # fmt: skip


@requires(Permission.CASE_WORK)
def return_item(
    store: Store,
    case_id: int,
    document_id: int,
    *,
    on: dt.date,
    to: str = "",
    channel: Channel,
    expected_version: int | None = None,
) -> CaseDetail:
    """A borrowed item went back (郵送 or 手渡し) to ``to`` (default: where it came from).

    Allowed on a cancelled or excluded case too: what was borrowed must go back all the same.
    """
    channel = check_channel(channel, RETURN_CHANNELS, "返却")
    check_day(on, store.clock.today())
    with store.transaction() as session:
        case = load_case(session, case_id, expected_version)
        doc = document_of(case, document_id)
        if not doc.borrowed:
            raise ValidationError(f"「{title(doc)}」はお借りした資料ではありません。")
        if doc.received_on is None:
            raise ValidationError(f"「{title(doc)}」はまだ受け取っていないため、返却できません。")
        if doc.returned_on is not None:
            raise ValidationError(
                f"すでに返却済みです（{title(doc)}：{doc.returned_on.isoformat()}）。"
            )
        if on < doc.received_on:
            raise ValidationError("返却日が受領日より前になっています。", field="on")
        whom = to.strip() or doc.source
        if not whom:
            raise ValidationError("返却先を入力してください。", field="to")
        doc.returned_on, doc.returned_to, doc.return_channel = on, whom, channel
        return finish(
            session, store, case, AuditAction.MATERIAL_RETURN,
            f"資料を返却：{title(doc)} → {whom}（{channel.label}、{on.isoformat()}）",
            {"document": doc.id, "on": on.isoformat(), "to": whom, "channel": channel.value},
            move=False,
        )  # fmt: skip
