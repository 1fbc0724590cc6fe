"""The audit entry each service call writes inside its own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction


def record(
    session: Session,
    staff: str,
    action: AuditAction,
    entity: str,
    entity_id: object = "",
    *,
    summary: str = "",
    case_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry (who, what, before and after) to the caller's transaction."""
    session.add(
        AuditEntry(
            staff=staff,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            case_id=case_id,
            summary=summary,
            before=_jsonable(before),
            after=_jsonable(after),
        )
    )


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, so the history shows what really changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: _plain(v) for k, v in values.items()}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
