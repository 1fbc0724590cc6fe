"""The forms' barcode payload: the case and the form, read back; older barcodes still read."""

from __future__ import annotations

import pytest

from desktop_app.domain.barcodes import (
    KIND_CODES,
    parse_case_number,
    parse_payload,
    payload,
)
from desktop_app.domain.forms import FormKind


@pytest.mark.parametrize("kind", sorted(KIND_CODES))
def test_every_forms_payload_reads_back_as_its_case_and_form(kind: FormKind) -> None:
    for number in ("SO-2026-0001", "SO-2027-0420", "SO-2026-12345"):
        text = payload(number, kind)
        assert parse_payload(text) == (number, kind)
        assert parse_payload(text.lower()) == (number, kind)


def test_the_payload_is_what_a_keyboard_reader_types_on_any_layout() -> None:
    assert payload("SO-2026-0001", FormKind.APPLICATION) == "SO20260001AP"
    for kind in KIND_CODES:
        text = payload("SO-2026-0001", kind)
        assert text.isascii() and text.isalnum() and text.isupper()
    codes = list(KIND_CODES.values())
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 2 and code.isalpha() for code in codes)
    # The packet is no page: each of its forms prints its own code.
    assert FormKind.PACKET not in KIND_CODES


def test_older_barcodes_and_typed_numbers_read_as_the_case_alone() -> None:
    assert parse_payload("SO-2026-0001") == ("SO-2026-0001", None)  # printed before the form code
    assert payload("SO-2026-0001") == "SO20260001"
    assert parse_payload("SO20260001") == ("SO-2026-0001", None)
    assert parse_payload("so-2026-0007") == ("SO-2026-0007", None)
    assert parse_payload("ＳＯ－２０２６－０００７") == ("SO-2026-0007", None)
    assert parse_payload("2026-12") == ("SO-2026-0012", None)
    assert parse_payload("ＳＯ２０２６００１２ＲＦ") == ("SO-2026-0012", FormKind.REFERRAL)
    assert parse_case_number("SO20260001CS") == "SO-2026-0001"


@pytest.mark.parametrize(
    "text",
    ["", "やまだ", "SO-2026-0001XX", "SO20260001A", "SO20260001APX", "SO-26-1", "0144112233"],
)
def test_anything_else_is_no_case_never_a_guess(text: str) -> None:
    assert parse_payload(text) is None
    assert parse_case_number(text) is None


def test_a_number_not_in_the_usual_form_is_printed_as_it_is() -> None:
    assert payload("X-1", FormKind.APPLICATION) == "X-1"
