"""What the Code 128 on every form says: the case, and which form the page is.

A returned fax is matched to its case by this barcode (services/fax_read.py), and a USB
barcode reader types it into 書類受領 (ui/receipt_dialog.py); printing draws it
(printing/context.py). All three use this one module.

The payload is ``SO`` + the year + the number (four digits or more) + a two-letter code for
the form: ``SO20260001AP`` is SO-2026-0001's 申込書. No hyphen, no space: a reader that
types as a keyboard (a "keyboard wedge") types letters and digits alike on a US or JIS
layout, and Code 128 packs the eight digits two to a bar pattern, so the barcode with the
form's code is narrower than the bare ``SO-2026-0001`` printed before. Those older barcodes
(and the number typed by hand in any spelling) still read as the case alone.
"""

from __future__ import annotations

import re

from desktop_app.domain.forms import FormKind
from desktop_app.domain.japanese import search_key

# Stable: printed on paper that comes back for months. Never reuse or change a code.
KIND_CODES: dict[FormKind, str] = {
    FormKind.APPLICATION: "AP",
    FormKind.CONSENT: "CS",
    FormKind.REFERRAL: "RF",
    FormKind.CONFIRMATION: "CF",
    FormKind.REPORT: "RP",
    FormKind.DECLINE: "DC",
    FormKind.GUIDE: "GD",
    FormKind.COVER: "CV",
    FormKind.LABEL: "LB",
    FormKind.FAX_COVER: "FX",
    FormKind.RECEIPT: "RC",
    FormKind.DAYLIST: "DL",
}  # the packet is no page of its own: each of its forms carries its own code
KINDS_BY_CODE: dict[str, FormKind] = {code: kind for kind, code in KIND_CODES.items()}

# SO-2026-0001, so20260001, 2026-1, SO20260001AP (any width, any case): a case number.
_PAYLOAD = re.compile(r"^(?:SO-?)?(\d{4})-?(\d{1,5})(?:-?([A-Z]{2}))?$")
_CASE_NUMBER = re.compile(r"^SO-(\d{4})-(\d{4,5})$")


def payload(case_number: str, kind: FormKind | None = None) -> str:
    """The barcode's text for a case's form: ``SO20260001AP``; ``SO20260001`` without a kind.

    A number not in the ``SO-YYYY-NNNN`` form (none is made so, but a typed one might be)
    is returned as it is, without a form code, and reads back as typed.
    """
    match = _CASE_NUMBER.match(case_number)
    if match is None:
        return case_number
    code = KIND_CODES.get(kind, "") if kind is not None else ""
    return f"SO{match.group(1)}{match.group(2)}{code}"


def parse_payload(text: str) -> tuple[str, FormKind | None] | None:
    """``("SO-2026-0001", FormKind.APPLICATION)`` for a barcode's or a clerk's text.

    The kind is None for a bare number (an older barcode, or typed by hand). None when the
    text is not a case number, or carries a form code no form has: never a guess.
    """
    key = search_key(text).upper().replace(" ", "")
    match = _PAYLOAD.match(key)
    if match is None:
        return None
    year, number, code = match.groups()
    kind: FormKind | None = None
    if code is not None:
        kind = KINDS_BY_CODE.get(code)
        if kind is None:
            return None
    return f"SO-{year}-{int(number):04d}", kind


def parse_case_number(text: str) -> str | None:
    """``SO-YYYY-NNNN`` for what the clerk or a barcode reader typed, or None."""
    parsed = parse_payload(text)
    return parsed[0] if parsed is not None else None
