from __future__ import annotations

import pytest

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.forms import (
    FormKind,
    enclosures,
    mailout_documents,
    needs_consent_form,
    packet_forms,
)
from desktop_app.domain.people import Attendance


def test_every_form_has_one_title_and_one_menu_name() -> None:
    for kind in FormKind:
        assert kind.label and kind.menu_label
    assert FormKind.APPLICATION.menu_label == "申込書"
    assert FormKind("fax-cover") is FormKind.FAX_COVER  # the command line's spelling


@pytest.mark.parametrize("attendance", list(Attendance))
@pytest.mark.parametrize("minor", [False, True])
def test_the_packet_and_the_cases_mailout_are_one_rule(attendance, minor) -> None:
    consent = needs_consent_form(attendance, minor)
    assert consent is (attendance == Attendance.FAMILY_ONLY and not minor)
    forms = packet_forms(consent)
    assert forms[0] is FormKind.COVER
    assert (FormKind.CONSENT in forms) is consent
    assert mailout_documents(attendance, minor) == tuple(f.document for f in forms)
    assert enclosures(consent) == tuple(f.document for f in forms[1:])
    assert DocumentKind.COVER_LETTER not in enclosures(consent)


def test_forms_that_are_not_case_documents() -> None:
    assert FormKind.LABEL.document is None
    assert FormKind.DAYLIST.document is None
    assert FormKind.PACKET.document is None
