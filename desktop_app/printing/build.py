"""``build_form``: one entry point from dataclasses to PDF bytes."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.forms import FormKind, daylist_title, packet_forms
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
from desktop_app.printing.linebreak import address, keep
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
    buffer = io.BytesIO()
    c = Canvas(buffer, pageCompression=1, initialFontName="IPAexGothic")
    c.setTitle(daylist_title(day or today, today) if kind == FormKind.DAYLIST else kind.label)
    c.setAuthor(f"{settings.hospital_name} {settings.office_name}".strip())
    # From here on names and addresses carry the marks that keep them whole on a line.
    ctx = FormContext(
        settings=_settings_kept(settings),
        today=today,
        case=names_kept(case or CaseInfo()),
        blank=case is None,
    )
    day_entries = [_entry_kept(e) for e in day_entries]
    fax = _fax_kept(fax, _names_of(case)) if fax is not None else None
    c.setCreator("SO Desk")
    if ctx.case.case_number:
        c.setSubject(f"受付番号 {ctx.case.case_number}")
    kinds = packet_kinds(case) if kind == FormKind.PACKET else (kind,)
    for k in kinds:
        # Each form's barcode says which form it is (domain/barcodes.py): a faxed page files
        # itself under its case and form.
        _drawer(k, day_entries=day_entries, fax=fax, day=day)(c, replace(ctx, form=k))
    c.save()
    return buffer.getvalue()


def names_kept(case: CaseInfo) -> CaseInfo:
    """``case`` with every name (person or institution) and address marked to stay whole
    when a line breaks (``linebreak.keep``); the marks never reach the page."""
    p, caller, ref = case.patient, case.caller, case.referrer
    appt, pay = case.appointment, case.payment
    return replace(
        case,
        patient=replace(
            p, name=keep(p.name), furigana=keep(p.furigana), address=address(p.address)
        ),
        caller=replace(caller, name=keep(caller.name)),
        referrer=replace(
            ref,
            institution=keep(ref.institution),
            doctor=keep(ref.doctor),
            address=address(ref.address),
        ),
        appointment=replace(appt, doctor=keep(appt.doctor)) if appt else None,
        payment=replace(pay, payer_name=keep(pay.payer_name)) if pay else None,
        send_to_name=keep(case.send_to_name),
        send_to_address=address(case.send_to_address),
        assigned_doctor=keep(case.assigned_doctor),
        clerk=keep(case.clerk),
    )


def _settings_kept(settings: ClinicSettings) -> ClinicSettings:
    return replace(
        settings,
        hospital_name=keep(settings.hospital_name),
        office_name=keep(settings.office_name),
        address=address(settings.address),
    )


def _entry_kept(e: DayListEntry) -> DayListEntry:
    kept = replace(
        e,
        name=keep(e.name),
        furigana=keep(e.furigana),
        doctor=keep(e.doctor),
        caller=replace(e.caller, name=keep(e.caller.name)),
    )
    return replace(kept, attendees=kept.attendees_line)


def _fax_kept(fax: FaxCoverInfo, names: tuple[str, ...]) -> FaxCoverInfo:
    """The FAX cover's names marked; in its message, typed by the clerk, the case's names
    and the addressee's wherever they occur."""
    names = (*names, *_parts(fax.to_name, fax.to_person))
    return replace(
        fax,
        to_name=keep(fax.to_name),
        to_person=keep(fax.to_person),
        sender_person=keep(fax.sender_person),
        message=_keep_in(fax.message, names),
        subject=_keep_in(fax.subject, names),
    )


def _names_of(case: CaseInfo | None) -> tuple[str, ...]:
    if case is None:
        return ()
    appt = case.appointment
    return _parts(
        case.patient.name,
        case.caller.name,
        case.referrer.institution,
        case.referrer.doctor,
        case.send_to_name,
        case.assigned_doctor,
        appt.doctor if appt else "",
    )


def _parts(*names: str) -> tuple[str, ...]:
    """The parts of names (split at spaces) worth keeping whole: two characters or more."""
    return tuple(part for name in names for part in name.split() if len(part) > 1)


def _keep_in(text: str, names: tuple[str, ...]) -> str:
    """``text`` with every occurrence of one of ``names`` marked whole (longest first)."""
    if not text or not names:
        return text
    pattern = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    return re.sub(pattern, lambda m: keep(m.group()), text)


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
