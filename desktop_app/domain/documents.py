"""Documents that go out to and come back from a case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain.people import Attendance


class DocumentKind(StrEnum):
    # Mailed out by the office
    GUIDE = "guide"
    APPLICATION_FORM = "application_form"
    REFERRAL_FORM = "referral_form"
    CONSENT_FORM = "consent_form"
    COVER_LETTER = "cover_letter"
    CONFIRMATION = "confirmation"
    FAX_COVER = "fax_cover"
    RECEIPT = "receipt"
    REPORT = "report"
    # Coming back in
    APPLICATION = "application"
    REFERRAL_LETTER = "referral_letter"
    CONSENT = "consent"
    RELATIONSHIP_PROOF = "relationship_proof"
    BLOOD_TEST = "blood_test"
    ULTRASOUND = "ultrasound"
    IMAGING_FILM = "imaging_film"
    IMAGING_CD = "imaging_cd"
    PATHOLOGY = "pathology"
    OTHER_MATERIAL = "other_material"

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self]


DOCUMENT_LABELS: dict[DocumentKind, str] = {
    DocumentKind.GUIDE: "セカンドオピニオン外来のご案内",
    DocumentKind.APPLICATION_FORM: "セカンドオピニオン外来申込書（用紙）",
    DocumentKind.REFERRAL_FORM: "専用診療情報提供書（用紙）",
    DocumentKind.CONSENT_FORM: "相談同意書（用紙）",
    DocumentKind.COVER_LETTER: "送付状",
    DocumentKind.CONFIRMATION: "予約確認書",
    DocumentKind.FAX_COVER: "FAX送付状",
    DocumentKind.RECEIPT: "領収書",
    DocumentKind.REPORT: "主治医への報告書",
    DocumentKind.APPLICATION: "セカンドオピニオン外来申込書",
    DocumentKind.REFERRAL_LETTER: "専用診療情報提供書（紹介状）",
    DocumentKind.CONSENT: "相談同意書",
    DocumentKind.RELATIONSHIP_PROOF: "続柄確認書類（健康保険証など）",
    DocumentKind.BLOOD_TEST: "血液検査の結果",
    DocumentKind.ULTRASOUND: "超音波検査の結果と画像",
    DocumentKind.IMAGING_FILM: "レントゲン・MRI・CTの実物フィルム",
    DocumentKind.IMAGING_CD: "画像CD-R",
    DocumentKind.PATHOLOGY: "病理検査の報告書",
    DocumentKind.OTHER_MATERIAL: "その他の資料",
}

# Test materials are borrowed from the primary doctor and go back at the end.
TEST_MATERIALS: tuple[DocumentKind, ...] = (
    DocumentKind.BLOOD_TEST,
    DocumentKind.ULTRASOUND,
    DocumentKind.IMAGING_FILM,
    DocumentKind.IMAGING_CD,
    DocumentKind.PATHOLOGY,
    DocumentKind.OTHER_MATERIAL,
)
BORROWED_KINDS = frozenset(
    {DocumentKind.ULTRASOUND, DocumentKind.IMAGING_FILM, DocumentKind.IMAGING_CD}
)


class Direction(StrEnum):
    OUT = "out"
    IN = "in"

    @property
    def label(self) -> str:
        return {Direction.OUT: "送付", Direction.IN: "受領"}[self]


class Channel(StrEnum):
    MAIL = "mail"
    FAX = "fax"
    BROUGHT = "brought"  # 持参
    HANDED = "handed"  # 手渡し
    PHONE = "phone"  # 電話: only for telling a patient the date (日時連絡済)

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.MAIL: "郵送",
    Channel.FAX: "FAX",
    Channel.BROUGHT: "持参",
    Channel.HANDED: "手渡し",
    Channel.PHONE: "電話",
}


class ReportChannel(StrEnum):
    """How the report to the primary doctor left the office."""

    HANDED_TO_PATIENT = "handed_to_patient"  # the guide: the patient receives it, then pays
    SENT_TO_DOCTOR = "sent_to_doctor"

    @property
    def label(self) -> str:
        return {
            ReportChannel.HANDED_TO_PATIENT: "患者さんにお渡し",
            ReportChannel.SENT_TO_DOCTOR: "主治医に送付",
        }[self]


class ContactKind(StrEnum):
    CALL_IN = "call_in"
    CALL_OUT = "call_out"
    FAX_IN = "fax_in"
    FAX_OUT = "fax_out"
    LETTER_OUT = "letter_out"
    LETTER_IN = "letter_in"
    VISIT = "visit"

    @property
    def label(self) -> str:
        return CONTACT_LABELS[self]


CONTACT_LABELS: dict[ContactKind, str] = {
    ContactKind.CALL_IN: "電話（受信）",
    ContactKind.CALL_OUT: "電話（発信）",
    ContactKind.FAX_IN: "FAX（受信）",
    ContactKind.FAX_OUT: "FAX（送信）",
    ContactKind.LETTER_OUT: "郵送（発送）",
    ContactKind.LETTER_IN: "郵送（受領）",
    ContactKind.VISIT: "来院",
}


# How a patient is told the appointment's date and time (日時連絡済), and the contact each
# leaves in 連絡記録 (a call logged with 予約日時を伝えた counts as telling them).
NOTIFY_CHANNELS: tuple[Channel, ...] = (Channel.PHONE, Channel.MAIL, Channel.FAX, Channel.HANDED)
NOTIFY_CONTACTS: dict[Channel, ContactKind] = {
    Channel.PHONE: ContactKind.CALL_OUT,
    Channel.MAIL: ContactKind.LETTER_OUT,
    Channel.FAX: ContactKind.FAX_OUT,
    Channel.HANDED: ContactKind.VISIT,
}
NOTIFYING_CONTACTS: dict[ContactKind, Channel] = {
    ContactKind.CALL_OUT: Channel.PHONE,
    ContactKind.CALL_IN: Channel.PHONE,
    ContactKind.FAX_OUT: Channel.FAX,
    ContactKind.LETTER_OUT: Channel.MAIL,
    ContactKind.VISIT: Channel.HANDED,
}


@dataclass(frozen=True)
class RequiredDocument:
    """One item of a case's incoming checklist; ``borrowed`` items go back to the primary doctor."""

    kind: DocumentKind
    borrowed: bool


def required_incoming_documents(
    attendance: Attendance,
    patient_is_minor: bool,
    materials: Iterable[DocumentKind] = (),
) -> tuple[RequiredDocument, ...]:
    """The checklist of what must come in before the session, in a fixed order.

    ``materials`` are the test materials the caller said they will bring (TEST_MATERIALS only).
    """
    wanted = set(materials)
    unknown = wanted.difference(TEST_MATERIALS)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ValueError(f"not test materials: {names}")
    kinds = [DocumentKind.REFERRAL_LETTER]
    if attendance == Attendance.FAMILY_ONLY:
        # For a minor, the family's relationship proof stands in for the patient's consent.
        kinds.append(DocumentKind.RELATIONSHIP_PROOF if patient_is_minor else DocumentKind.CONSENT)
    # TEST_MATERIALS order, not the order ticked, so every checklist reads the same way.
    kinds.extend(kind for kind in TEST_MATERIALS if kind in wanted)
    return tuple(RequiredDocument(kind=k, borrowed=k in BORROWED_KINDS) for k in kinds)
