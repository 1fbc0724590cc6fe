"""Rules of a case's paper trail: what a checklist line is called, and the automatic moves."""

from __future__ import annotations

from desktop_app.domain.documents import Channel, DocumentKind
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Stage

# What can come back in (the checklist); the other kinds are forms the office sends out.
INCOMING_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind.APPLICATION,
    DocumentKind.REFERRAL_LETTER,
    DocumentKind.CONSENT,
    DocumentKind.RELATIONSHIP_PROOF,
    DocumentKind.BLOOD_TEST,
    DocumentKind.ULTRASOUND,
    DocumentKind.IMAGING_FILM,
    DocumentKind.IMAGING_CD,
    DocumentKind.PATHOLOGY,
    DocumentKind.OTHER_MATERIAL,
)

# How a document can reach the office, and how the office can send one or give it back.
RECEIPT_CHANNELS: tuple[Channel, ...] = (Channel.MAIL, Channel.FAX, Channel.BROUGHT, Channel.HANDED)
SEND_CHANNELS: tuple[Channel, ...] = (Channel.MAIL, Channel.FAX, Channel.HANDED)
RETURN_CHANNELS: tuple[Channel, ...] = (Channel.MAIL, Channel.HANDED)

# Our forms that come back filled in, and the checklist line each one is: a returned fax's
# barcode names the form, and the page is recorded as that line. (The other forms are ours
# going out: a page of one coming back is kept with the case, and nothing is ticked.)
RETURNED_FORMS: dict[FormKind, DocumentKind] = {
    FormKind.APPLICATION: DocumentKind.APPLICATION,
    FormKind.CONSENT: DocumentKind.CONSENT,
    FormKind.REFERRAL: DocumentKind.REFERRAL_LETTER,
}

# Stages before the application is in: its arrival moves the case on by itself.
_BEFORE_APPLICATION = frozenset({Stage.INQUIRY, Stage.FORMS_SENT})


def checklist_label(kind: DocumentKind, label: str = "", quantity: int = 1) -> str:
    """What a checklist line says: the item's own name (or its kind's), and ×N when N > 1."""
    name = label.strip() or kind.label
    return f"{name} ×{quantity}" if quantity > 1 else name


def automatic_stage(
    stage: Stage, *, application_in: bool, all_required_in: bool, forms_sent: bool = False
) -> Stage | None:
    """The stage a case moves to by itself after a document went out, came in or was waived.

    - The application form sent (the packet, recorded as sent) while at 問い合わせ受付: 書類送付済.
    - The application back while the case is at 問い合わせ受付 or 書類送付済: 申込書受領.
    - Every required incoming document in (or waived) while the case is at 予約確定: 資料受領.
      Earlier stages do not move: the stage machine puts 資料受領 after 予約確定, and the
      doctor's decision and the booking cannot be skipped.
    """
    if stage in _BEFORE_APPLICATION and application_in:
        return Stage.APPLICATION_RECEIVED
    if stage == Stage.INQUIRY and forms_sent:
        return Stage.FORMS_SENT
    if stage == Stage.BOOKED and all_required_in:
        return Stage.MATERIALS_RECEIVED
    return None
