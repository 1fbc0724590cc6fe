"""当日受付 from wherever the clerk is: the case's 会計 tab, the board's card, 本日の予約."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ReasonNeeded, ValidationError
from desktop_app.services import visit
from desktop_app.services.dto import CaseDetail
from desktop_app.ui import actions, visit_dialogs
from desktop_app.ui.actions import ServiceRunner


def check_in_case(
    runner: ServiceRunner, parent: QWidget, case_id: int, *, expected_version: int | None = None
) -> CaseDetail | None:
    """Check the patient in; when papers are missing, show the guide's words and ask for a
    reason (the clerk may back out). The case after check-in, or None."""
    needed: list[ReasonNeeded] = []

    def refused(error: ValidationError) -> None:
        if isinstance(error, ReasonNeeded):
            needed.append(error)
        else:
            actions.show_error(parent, error.message)

    done: CaseDetail | None = runner.run(
        parent,
        visit.check_in,
        case_id,
        expected_version=expected_version,
        changes=Change.CASES,
        on_error=refused,
    )
    if done is not None or not needed:
        return done
    reason = visit_dialogs.ask_override(parent, needed[0].warnings)
    if reason is None:
        return None
    result: CaseDetail | None = runner.run(
        parent,
        visit.check_in,
        case_id,
        override_reason=reason,
        expected_version=expected_version,
        changes=Change.CASES,
    )
    return result
