"""The contact log of a case: calls in and out, faxes, letters, visits."""

from __future__ import annotations

import datetime as dt

from desktop_app.db.models import ContactLog
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import NOTIFYING_CONTACTS, ContactKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Permission
from desktop_app.services.access import requires
from desktop_app.services.dto import CaseDetail
from desktop_app.services.paper_trail import finish, open_case
from desktop_app.services.store import Store

# Another desk's clock may run a little ahead; more than this in the future is a typing slip.
_CLOCK_SLACK = dt.timedelta(minutes=10)


@requires(Permission.CASE_WORK)
def log_contact(
    store: Store,
    case_id: int,
    kind: ContactKind,
    *,
    party: str = "",
    summary: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
    told_date: bool = False,
) -> CaseDetail:
    """Note a call, fax, letter or visit with whom and a short text (``at`` default: now).

    A naive ``at`` is the desk's local time; it is stored in UTC. ``told_date``: in this
    contact the patient was told the appointment's date and time, so it is 日時連絡済.
    """
    kind = ContactKind(kind)
    when = store.clock.utcnow() if at is None else at.astimezone(dt.UTC)
    if when > store.clock.utcnow() + _CLOCK_SLACK:
        raise ValidationError("未来の日時は記録できません。", field="at")
    if told_date and kind not in NOTIFYING_CONTACTS:
        raise ValidationError(f"「{kind.label}」では予約日時を伝えられません。", field="told_date")
    party, summary = party.strip(), summary.strip()
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        if told_date:
            live = [a for a in case.appointments if not a.cancelled]
            if not live:
                raise ValidationError("伝える予約がありません。", field="told_date")
            live[-1].notified_on = when.astimezone().date()
            live[-1].notified_channel = NOTIFYING_CONTACTS[kind]
            summary = "／".join(s for s in ("予約日時を連絡", summary) if s)
        case.contacts.append(
            ContactLog(
                case_id=case.id, kind=kind, at=when, staff=store.staff, party=party,
                summary=summary,
            )
        )  # fmt: skip
        text = "／".join(p for p in (party, summary) if p)
        return finish(
            session, store, case, AuditAction.CONTACT_LOG,
            f"{kind.label}" + (f"：{text}" if text else ""),
            {"kind": kind.value, "party": party, "summary": summary, "at": when.isoformat()},
            move=False,
        )  # fmt: skip
