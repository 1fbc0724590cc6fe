"""Received fax pages kept with a case: listed on its 書類 tab, each shown large.

Kept by services/fax_inbox.record_fax; read here without the fax-reading libraries, so the
case window loads none of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from desktop_app.db.models import CaseDocument, FaxPage, ReceivedFax
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.roles import Permission
from desktop_app.services.access import requires
from desktop_app.services.paper_trail import title
from desktop_app.services.store import Store


@dataclass(frozen=True)
class KeptPage:
    """A received page kept with a case (the case's 書類 tab lists them)."""

    id: int
    file_name: str
    received: dt.datetime
    page: int
    form_label: str
    document_label: str
    image_sha256: str


@requires(Permission.READ_CASES)
def kept_pages(store: Store, case_id: int) -> tuple[KeptPage, ...]:
    with store.read() as session:
        rows = session.execute(
            select(
                FaxPage.id,
                ReceivedFax.file_name,
                ReceivedFax.file_time,
                FaxPage.page,
                FaxPage.form,
                FaxPage.document_id,
                FaxPage.image_sha256,
            )
            .join(ReceivedFax, FaxPage.fax_id == ReceivedFax.id)
            .where(FaxPage.case_id == case_id)
            .order_by(ReceivedFax.file_time, FaxPage.page)
        ).all()

        docs = {
            d.id: title(d)
            for d in session.scalars(select(CaseDocument).where(CaseDocument.case_id == case_id))
        }
        return tuple(
            KeptPage(
                row.id,
                row.file_name,
                row.file_time,
                row.page,
                _form_label(row.form),
                docs.get(row.document_id, "") if row.document_id is not None else "",
                row.image_sha256,
            )
            for row in rows
        )


@requires(Permission.READ_CASES)
def kept_page_image(store: Store, page_id: int) -> bytes:
    """A kept page's PNG, checked against the SHA-256 recorded with it."""
    with store.read() as session:
        row = session.get(FaxPage, page_id)
        if row is None:
            raise ValidationError("FAXのページが見つかりません。")
        if hashlib.sha256(row.image).hexdigest() != row.image_sha256:
            raise ValidationError(
                "このページの画像は記録時と一致しません（SHA-256 が異なります）。管理者に連絡してください。"
            )
        return bytes(row.image)


def _form_label(value: str) -> str:
    try:
        return FormKind(value).menu_label
    except ValueError:
        return ""
