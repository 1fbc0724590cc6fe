from __future__ import annotations

import pytest

from desktop_app.domain.documents import (
    BORROWED_KINDS,
    TEST_MATERIALS,
    DocumentKind,
    RequiredDocument,
    required_incoming_documents,
)
from desktop_app.domain.forms import mailout_documents
from desktop_app.domain.people import Attendance

K = DocumentKind


def kinds(docs: tuple[RequiredDocument, ...]) -> list[DocumentKind]:
    return [d.kind for d in docs]


@pytest.mark.parametrize("attendance", [Attendance.PATIENT, Attendance.PATIENT_AND_FAMILY])
@pytest.mark.parametrize("minor", [False, True])
def test_patient_attends_needs_the_referral_letter_only(
    attendance: Attendance, minor: bool
) -> None:
    assert required_incoming_documents(attendance, minor) == (
        RequiredDocument(K.REFERRAL_LETTER, borrowed=False),
    )


def test_family_only_needs_consent() -> None:
    docs = required_incoming_documents(Attendance.FAMILY_ONLY, patient_is_minor=False)
    assert kinds(docs) == [K.REFERRAL_LETTER, K.CONSENT]


def test_family_only_for_a_minor_needs_relationship_proof_instead() -> None:
    docs = required_incoming_documents(Attendance.FAMILY_ONLY, patient_is_minor=True)
    assert kinds(docs) == [K.REFERRAL_LETTER, K.RELATIONSHIP_PROOF]


def test_materials_in_fixed_order_without_duplicates_and_marked_borrowed() -> None:
    docs = required_incoming_documents(
        Attendance.PATIENT,
        patient_is_minor=False,
        materials=[K.PATHOLOGY, K.IMAGING_CD, K.BLOOD_TEST, K.IMAGING_CD],
    )
    assert docs == (
        RequiredDocument(K.REFERRAL_LETTER, borrowed=False),
        RequiredDocument(K.BLOOD_TEST, borrowed=False),
        RequiredDocument(K.IMAGING_CD, borrowed=True),
        RequiredDocument(K.PATHOLOGY, borrowed=False),
    )


def test_every_test_material_accepted() -> None:
    docs = required_incoming_documents(Attendance.FAMILY_ONLY, False, materials=TEST_MATERIALS)
    assert kinds(docs) == [K.REFERRAL_LETTER, K.CONSENT, *TEST_MATERIALS]
    assert {d.kind for d in docs if d.borrowed} == BORROWED_KINDS


@pytest.mark.parametrize("kind", [K.CONSENT, K.REFERRAL_LETTER, K.GUIDE, K.REPORT])
def test_non_material_refused(kind: DocumentKind) -> None:
    with pytest.raises(ValueError):
        required_incoming_documents(Attendance.PATIENT, False, materials=[kind])


def test_mailout_packet() -> None:
    base = [K.COVER_LETTER, K.GUIDE, K.APPLICATION_FORM, K.REFERRAL_FORM]
    assert list(mailout_documents(Attendance.PATIENT, False)) == base
    assert list(mailout_documents(Attendance.PATIENT_AND_FAMILY, False)) == base
    assert list(mailout_documents(Attendance.FAMILY_ONLY, True)) == base
    assert list(mailout_documents(Attendance.FAMILY_ONLY, False)) == [*base, K.CONSENT_FORM]


def test_every_kind_has_a_label() -> None:
    assert all(kind.label for kind in DocumentKind)
