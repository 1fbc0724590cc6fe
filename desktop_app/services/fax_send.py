"""「FAXで送る」: a case's form faxed with its FAX送付状 in front, as one PDF, and the record.

The packet is one PDF (one FAX): the cover first, its 送信枚数 the cover and the form's pages,
its 件名 what is enclosed, its 宛先 the party chosen (the primary doctor's institution, from
the referrer master, 御中; or the patient or the family caller, 様, from their FAX number on
file); then the form's own pages, exactly as the preview shows them. The PDF
goes to the FAX printer (a PC-FAX driver) by the print path (services/print_job.py); once it
has, ``record_faxed`` notes the print and the send (channel FAX) on the case.

Nothing here knows Qt.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from desktop_app import printing
from desktop_app.db.models import SOCase
from desktop_app.domain.contact import format_phone
from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import REFERRAL_NAME, FormKind
from desktop_app.printing import CaseInfo, FaxCoverInfo
from desktop_app.services import print_input
from desktop_app.services.access import PRINT_FORMS, requires
from desktop_app.services.cases import closed_dates, load_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.forms import is_tracked, mark_sent, note_printed, render_form
from desktop_app.services.print_job import Paper
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store

if TYPE_CHECKING:
    from pypdf import PageObject

log = logging.getLogger(__name__)

SO = "セカンドオピニオン外来"
# The forms a case sends out that make sense by FAX (not the envelope's label or mailing cover,
# not the FAX cover itself, not a patient's receipt, not the day list).
FAXABLE = frozenset(
    {
        FormKind.PACKET,
        FormKind.GUIDE,
        FormKind.APPLICATION,
        FormKind.CONSENT,
        FormKind.REFERRAL,
        FormKind.CONFIRMATION,
        FormKind.REPORT,
        FormKind.DECLINE,
    }
)
NO_FAX_NUMBER = (
    "この宛先のFAX番号が登録されていません。紹介元の医療機関のFAX番号、"
    "または患者さん・ご連絡者のFAX番号（案件の訂正）を登録してください。"
)


class FaxTo(StrEnum):
    """Whom a case's form is faxed to."""

    DOCTOR = "doctor"  # the primary doctor's institution
    PATIENT = "patient"
    CALLER = "caller"

    @property
    def label(self) -> str:
        return {FaxTo.DOCTOR: "紹介元", FaxTo.PATIENT: "患者さん", FaxTo.CALLER: "ご連絡者"}[self]


@dataclass(frozen=True)
class FaxDestination:
    """One party of the case with a FAX number on file."""

    to: FaxTo
    name: str  # as the cover's 宛先 prints it (an institution and its department, or a person)
    person: str  # the cover's ご担当 (the primary doctor), or ""
    fax: str  # digits
    tel: str = ""

    @property
    def label(self) -> str:
        """How the dialog offers it: 紹介元：みなと内科クリニック 内科（FAX 0144-22-3344）."""
        return f"{self.to.label}：{self.name}（FAX {format_phone(self.fax)}）"


@dataclass(frozen=True)
class FaxJob:
    """The one PDF that is faxed: the cover, then the form's pages."""

    kind: FormKind
    case_id: int
    case_number: str
    to: FaxDestination
    pdf: bytes
    pages: int  # every page sent, the cover included: what the cover's 送信枚数 says
    subject: str
    papers: tuple[Paper, ...]  # each page's sheet, for the print job
    title: str  # the print job's name
    file_name: str


def can_fax(kind: FormKind, case_id: int | None) -> bool:
    """Whether 「FAXで送る」 applies to this form: a case's form that is sent out."""
    return case_id is not None and FormKind(kind) in FAXABLE


@requires(PRINT_FORMS)
def fax_destinations(store: Store, case_id: int) -> tuple[FaxDestination, ...]:
    """The case's parties that have a FAX number, the primary doctor's institution first."""
    with store.read() as session:
        return _destinations(load_case(session, case_id))


def _destinations(case: SOCase) -> tuple[FaxDestination, ...]:
    found: list[FaxDestination] = []
    ref = case.referring_doctor
    if ref is not None and ref.institution.fax:
        institution = ref.institution
        name = " ".join(part for part in (institution.name, ref.department) if part)
        found.append(FaxDestination(FaxTo.DOCTOR, name, ref.name, institution.fax, institution.tel))
    # A household's or a family caller's home fax (patients.fax, callers.fax), when on file.
    for to, person in ((FaxTo.PATIENT, case.patient), (FaxTo.CALLER, case.caller)):
        if person is not None and person.fax:
            found.append(FaxDestination(to, person.name, "", person.fax, person.phone))
    return tuple(found)


def fax_subject(kind: FormKind, case_number: str) -> str:
    """The cover's 件名: what is enclosed, and the case's number."""
    topics = {
        FormKind.PACKET: f"{SO}\u3000お申し込み書類の送付",
        FormKind.REFERRAL: f"{REFERRAL_NAME}\u3000作成のお願い",
        FormKind.CONFIRMATION: f"{SO}\u3000予約日時のご連絡（予約確認書）",
        FormKind.REPORT: f"{SO}\u3000ご報告書の送付",
        FormKind.DECLINE: FormKind.DECLINE.label,
    }
    topic = topics.get(kind, f"{kind.label}の送付")
    return f"{topic}（受付番号 {case_number}）"


@requires(PRINT_FORMS)
def fax_packet(store: Store, kind: FormKind, case_id: int, *, to: FaxTo) -> FaxJob:
    """The FAX of ``kind`` for the case to ``to``: one PDF, the FAX送付状 first.

    Raises ValidationError (Japanese) when the form cannot be faxed, the party has no FAX
    number, or the form itself may not be printed for this case (``render_form``'s rules).
    """
    kind = FormKind(kind)
    if not can_fax(kind, case_id):
        raise ValidationError(f"{kind.label}はFAXで送る書類ではありません。")
    today = store.clock.today()
    with store.read() as session:
        settings = load_settings(session)
        case = load_case(session, case_id)
        destination = next((d for d in _destinations(case) if d.to == FaxTo(to)), None)
        if destination is None:
            raise ValidationError(NO_FAX_NUMBER)
        info: CaseInfo = print_input.case_info(case, settings, closed_dates(session))
        info = replace(info, clerk=print_input.clerk_name(session, store.staff))
    form = render_form(store, kind, case_id, today=today)
    from pypdf import PdfReader, PdfWriter  # here: only a FAX needs it

    form_pages = PdfReader(io.BytesIO(form.pdf))
    pages = 1 + len(form_pages.pages)
    subject = fax_subject(kind, form.case_number)
    cover = printing.build_form(
        FormKind.FAX_COVER,
        settings,
        info,
        today=today,
        fax=FaxCoverInfo(
            to_name=destination.name,
            to_person=destination.person,
            to_fax=destination.fax,
            to_tel=destination.tel,
            to_individual=destination.to != FaxTo.DOCTOR,  # 「氏名　様」
            pages=pages,
            subject=subject,
            sender_person=info.clerk,
        ),
    )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    writer.append(form_pages)
    title = f"FAX {kind.label}（{form.case_number}）"
    writer.add_metadata(
        {
            "/Title": title,
            "/Author": f"{settings.hospital_name} {settings.office_name}".strip(),
            "/Creator": "SO Desk",
            "/Subject": f"受付番号 {form.case_number}",
        }
    )
    out = io.BytesIO()
    writer.write(out)
    papers = tuple(_paper(page) for page in writer.pages)
    if len(papers) != pages:
        raise RuntimeError(f"the FAX has {len(papers)} pages, its cover says {pages}")
    log.info("fax of %s for case %s: %d pages", kind.value, form.case_number, pages)
    return FaxJob(
        kind=kind,
        case_id=case_id,
        case_number=form.case_number,
        to=destination,
        pdf=out.getvalue(),
        pages=pages,
        subject=subject,
        papers=papers,
        title=title,
        file_name=f"{form.case_number}_{kind.value}_fax.pdf",
    )


def _paper(page: PageObject) -> Paper:
    """A page's sheet as it is shown (a turned page the other way round)."""
    box = page.mediabox
    width, height = float(box.width), float(box.height)
    if page.rotation % 180 == 90:
        width, height = height, width
    return Paper.from_points(width, height)


@requires(PRINT_FORMS)
def record_faxed(
    store: Store, kind: FormKind, case_id: int, to: FaxTo, pages: int
) -> CaseDetail | None:
    """The FAX went: the print in the case's history (to whom, how many pages), and for a
    form whose sending is tracked (``record_sent``) the send, channel FAX. Returns the case
    as now stored when the send was recorded, else None."""
    kind = FormKind(kind)
    with store.transaction() as session:  # the print and the send: both or neither
        case = load_case(session, case_id)
        destination = next((d for d in _destinations(case) if d.to == FaxTo(to)), None)
        if destination is None:
            raise ValidationError(NO_FAX_NUMBER)
        how = f"FAX送信（{destination.name}、FAX {format_phone(destination.fax)}、{pages}枚）"
        note_printed(session, store, kind, case, how)
        if not (is_tracked(kind) and case.stage.is_open):
            return None
        return mark_sent(session, store, kind, case, Channel.FAX, store.clock.today())
