"""``build_form``: one entry point from dataclasses to PDF bytes."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date

from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.forms import FormKind, packet_forms
from desktop_app.domain.settings import ClinicSettings
from desktop_app.printing.context import FormContext
from desktop_app.printing.fonts import register_fonts
from desktop_app.printing.forms.application import draw_application
from desktop_app.printing.forms.consent import draw_consent
from desktop_app.printing.forms.decline import draw_decline
from desktop_app.printing.forms.guide import draw_guide
from desktop_app.printing.forms.mailing import draw_cover, draw_label
from desktop_app.printing.forms.notices import draw_confirmation, draw_fax_cover
from desktop_app.printing.forms.office import draw_daylist, draw_receipt, draw_report
from desktop_app.printing.forms.referral import draw_referral
from desktop_app.printing.model import CaseInfo, DayListEntry, FaxCoverInfo

Draw = Callable[[Canvas, FormContext], None]


def packet_kinds(case: CaseInfo | None) -> tuple[FormKind, ...]:
    """The packet's forms for this case (the domain's one rule); a blank packet has no consent."""
    return packet_forms(case is not None and case.needs_consent)


def build_form(
    kind: FormKind,
    settings: ClinicSettings,
    case: CaseInfo | None = None,
    *,
    today: date,
    day_entries: Sequence[DayListEntry] = (),
    fax: FaxCoverInfo | None = None,
    day: date | None = None,
) -> bytes:
    """Build one form (or the packet) as PDF bytes; ``case=None`` gives a blank form.

    ``day_entries``/``day`` feed the day list (``day`` defaults to ``today``); ``fax`` the
    FAX cover sheet.
    """
    kind = FormKind(kind)
    register_fonts()
    ctx = FormContext(settings=settings, today=today, case=case or CaseInfo(), blank=case is None)
    buffer = io.BytesIO()
    c = Canvas(buffer, pageCompression=1, initialFontName="IPAexGothic")
    c.setTitle(kind.label)
    c.setAuthor(f"{settings.hospital_name} {settings.office_name}".strip())
    c.setCreator("SO Desk")
    if ctx.case.case_number:
        c.setSubject(f"受付番号 {ctx.case.case_number}")
    kinds = packet_kinds(case) if kind == FormKind.PACKET else (kind,)
    for k in kinds:
        _drawer(k, day_entries=day_entries, fax=fax, day=day)(c, ctx)
    c.save()
    return buffer.getvalue()


def _drawer(
    kind: FormKind,
    *,
    day_entries: Sequence[DayListEntry],
    fax: FaxCoverInfo | None,
    day: date | None,
) -> Draw:
    """The function that draws ``kind`` onto a canvas (packet parts share one canvas)."""
    if kind == FormKind.DAYLIST:
        return lambda c, ctx: draw_daylist(c, ctx, day_entries, day)
    if kind == FormKind.FAX_COVER:
        return lambda c, ctx: draw_fax_cover(c, ctx, fax)
    return _DRAWERS[kind]


_DRAWERS: dict[FormKind, Draw] = {
    FormKind.GUIDE: draw_guide,
    FormKind.APPLICATION: draw_application,
    FormKind.CONSENT: draw_consent,
    FormKind.REFERRAL: draw_referral,
    FormKind.COVER: draw_cover,
    FormKind.LABEL: draw_label,
    FormKind.CONFIRMATION: draw_confirmation,
    FormKind.RECEIPT: draw_receipt,
    FormKind.REPORT: draw_report,
    FormKind.DECLINE: draw_decline,
}
