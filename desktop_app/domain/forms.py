"""The printed forms: their names, and the one rule for what goes in the mail-out packet.

Printing draws them, services record them on cases, the screens list them in menus: all three
use this vocabulary, so a form is named, labelled and packed one way everywhere.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.people import Attendance


class FormKind(StrEnum):
    """The printed forms; values are stable (used on the command line and in the audit log)."""

    GUIDE = "guide"
    APPLICATION = "application"
    CONSENT = "consent"
    REFERRAL = "referral"
    COVER = "cover"
    LABEL = "label"
    CONFIRMATION = "confirmation"
    FAX_COVER = "fax-cover"
    RECEIPT = "receipt"
    REPORT = "report"
    DAYLIST = "daylist"
    PACKET = "packet"
    DECLINE = "decline"  # to the caller when the specialist declines (担当医確認で不可)

    @property
    def label(self) -> str:
        """The form's full title, as printed on it."""
        return FORM_LABELS[self]

    @property
    def menu_label(self) -> str:
        """The short name in menus and buttons."""
        return MENU_LABELS[self]

    @property
    def document(self) -> DocumentKind | None:
        """The case document a sent copy of this form is recorded as (None: not tracked)."""
        return FORM_DOCUMENTS.get(self)


# The referral letter's one name, the guide's (「セカンドオピニオン外来専用診療情報提供書」),
# blank or written by the primary doctor; the short form where space is tight (menus).
REFERRAL_NAME = "セカンドオピニオン外来専用診療情報提供書"
REFERRAL_SHORT_NAME = "専用診療情報提供書"

FORM_LABELS: dict[FormKind, str] = {
    FormKind.GUIDE: "セカンドオピニオン外来のご案内",
    FormKind.APPLICATION: "セカンドオピニオン外来申込書",
    FormKind.CONSENT: "相談同意書",
    FormKind.REFERRAL: REFERRAL_NAME,
    FormKind.COVER: "送付状",
    FormKind.LABEL: "宛名（長形3号封筒）",
    FormKind.CONFIRMATION: "予約確認書",
    FormKind.FAX_COVER: "FAX送付状",
    FormKind.RECEIPT: "領収書",
    FormKind.REPORT: "セカンドオピニオン報告書（表紙）",
    FormKind.DAYLIST: "本日の予約一覧",
    FormKind.PACKET: "送付書類一式",
    FormKind.DECLINE: "セカンドオピニオン外来　お受けできないことのご連絡",
}

MENU_LABELS: dict[FormKind, str] = {
    FormKind.PACKET: "送付書類一式",
    FormKind.APPLICATION: "申込書",
    FormKind.REFERRAL: REFERRAL_SHORT_NAME,
    FormKind.CONSENT: "相談同意書",
    FormKind.COVER: "送付状",
    FormKind.LABEL: "宛名",
    FormKind.CONFIRMATION: "予約確認書",
    FormKind.FAX_COVER: "FAX送付状",
    FormKind.RECEIPT: "領収書",
    FormKind.REPORT: "報告書表紙",
    FormKind.GUIDE: "ご案内",
    FormKind.DAYLIST: "本日の予約一覧",
    FormKind.DECLINE: "お断りのご連絡",
}

FORM_DOCUMENTS: dict[FormKind, DocumentKind] = {
    FormKind.GUIDE: DocumentKind.GUIDE,
    FormKind.APPLICATION: DocumentKind.APPLICATION_FORM,
    FormKind.CONSENT: DocumentKind.CONSENT_FORM,
    FormKind.REFERRAL: DocumentKind.REFERRAL_FORM,
    FormKind.COVER: DocumentKind.COVER_LETTER,
    FormKind.CONFIRMATION: DocumentKind.CONFIRMATION,
    FormKind.FAX_COVER: DocumentKind.FAX_COVER,
    FormKind.RECEIPT: DocumentKind.RECEIPT,
    FormKind.REPORT: DocumentKind.REPORT,
}


def needs_consent_form(attendance: Attendance, patient_is_minor: bool) -> bool:
    """The guide: family alone needs the patient's consent; a minor's family brings proof of
    the relationship (e.g. 健康保険証) instead."""
    return attendance == Attendance.FAMILY_ONLY and not patient_is_minor


def packet_forms(needs_consent: bool) -> tuple[FormKind, ...]:
    """The mail-out packet after the first call, in the order the envelope is packed."""
    forms = (FormKind.COVER, FormKind.GUIDE, FormKind.APPLICATION, FormKind.REFERRAL)
    return (*forms, FormKind.CONSENT) if needs_consent else forms


def mailout_documents(attendance: Attendance, patient_is_minor: bool) -> tuple[DocumentKind, ...]:
    """The packet as the case's outgoing documents (the same rule as ``packet_forms``)."""
    forms = packet_forms(needs_consent_form(attendance, patient_is_minor))
    return tuple(FORM_DOCUMENTS[form] for form in forms)


def enclosures(needs_consent: bool) -> tuple[DocumentKind, ...]:
    """What the cover letter lists as enclosed: the packet, less the cover letter itself."""
    return tuple(FORM_DOCUMENTS[f] for f in packet_forms(needs_consent) if f is not FormKind.COVER)


def printed_name(kind: DocumentKind) -> str:
    """A document as the forms name it to a patient or a doctor: the referral letter, blank
    or written, by its one name (``REFERRAL_NAME``); the others by their label, less the
    clerk's （用紙）."""
    if kind in (DocumentKind.REFERRAL_FORM, DocumentKind.REFERRAL_LETTER):
        return REFERRAL_NAME
    return kind.label.replace("（用紙）", "")


def family_only_papers(patient_is_minor: bool) -> DocumentKind:
    """What a family consulting without the patient brings (the rule of ``packet_forms``):
    the patient's 相談同意書, or for a minor a proof of the relationship (健康保険証)."""
    return DocumentKind.RELATIONSHIP_PROOF if patient_is_minor else DocumentKind.CONSENT


def daylist_title(day: dt.date, today: dt.date) -> str:
    """The day list's title: 「本日の予約一覧」 only for today's."""
    return FORM_LABELS[FormKind.DAYLIST] if day == today else "予約一覧"
