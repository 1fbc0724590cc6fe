"""Printing the decline letter for a case: only once the specialist has declined it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_app.cli import main
from desktop_app.db.models import SOCase
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision
from desktop_app.services.cases import get_case
from desktop_app.services.forms import record_printed, render_form
from desktop_app.services.store import Store
from tests.stores import CLI_USER

REASON = "一般外来の受診をお勧めするほうがよいと判断されたため。"


def _decline(store: Store, case_id: int, reason: str = REASON) -> None:
    with store.transaction() as session:  # the decision service is another piece of work
        case = session.get(SOCase, case_id)
        assert case is not None
        case.decision = Decision.DECLINED
        case.decision_reason = reason


def _text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def test_refused_while_the_specialist_has_not_declined(store, make_case) -> None:
    case = make_case()
    with pytest.raises(ValidationError, match="不可"):
        render_form(store, FormKind.DECLINE, case.id)


def test_the_letter_carries_the_cases_decision_reason(store, make_case) -> None:
    case = make_case()
    _decline(store, case.id)
    form = render_form(store, FormKind.DECLINE, case.id)
    text = _text(form.pdf)
    assert REASON in text
    assert case.case_number in text and "山田太郎様" in text
    assert form.file_name == f"{case.case_number}_decline.pdf"
    record_printed(store, FormKind.DECLINE, case.id, how="印刷")
    assert get_case(store, case.id).history[-1].summary == f"{FormKind.DECLINE.label}を印刷"


def test_cli_prints_the_letter_for_a_case(
    tmp_path: Path, store, make_case, db_path, cli_admin
) -> None:
    case = make_case()
    _decline(store, case.id)
    cli_admin(db_path)
    out = tmp_path / "x.pdf"
    args = ["print", "decline", "--db", str(db_path), *CLI_USER, "--case", case.case_number]
    args += ["-o", str(out)]
    assert main(args) == 0
    assert REASON in _text(out.read_bytes())
