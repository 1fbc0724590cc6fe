"""The clinic's own dates (#25): 受付日 and 終了日 are the case's, not when a row was written.

Statistics, lead times and the board count by them; a corrected 受付日 moves the case to its
month and keeps the correction in the history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desktop_app.db.models import SOCase
from desktop_app.domain.clock import SYSTEM, FixedClock
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.stages import Stage
from desktop_app.domain.statistics import calendar_year
from desktop_app.services.board import board_cards
from desktop_app.services.case_edit import case_edit_form, save_case_edit
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.statistics import statistics
from desktop_app.services.store import Store

D = dt.date


def _month(store: Store, label: str) -> tuple[int, int, int]:
    months = {m.label: m for m in statistics(store, calendar_year(2026)).months}
    m = months[label]
    return m.enquiries, m.cancellations, m.exclusions


def _stamps(store: Store, case_id: int) -> tuple[dt.date, dt.date]:
    with store.read() as session:
        case = session.get(SOCase, case_id)
        assert case is not None
        return case.created_at.astimezone().date(), case.received_on


def test_a_call_written_up_later_counts_on_its_own_day(store: Store, make_case) -> None:
    case = make_case(received_on=D(2026, 9, 30))
    written, received = _stamps(store, case.id)
    assert written == D(2026, 12, 3) and received == D(2026, 9, 30)
    assert _month(store, "2026年9月") == (1, 0, 0)
    assert _month(store, "2026年12月") == (0, 0, 0)
    (card,) = board_cards(store).cards
    assert card.stage == Stage.INQUIRY
    # The board counts the days the case has waited from the call, not from the typing.
    with store.read() as session:
        since = session.get(SOCase, case.id).stage_since  # type: ignore[union-attr]
    assert since is not None and since.astimezone().date() == D(2026, 9, 30)


def test_a_future_received_date_is_refused(store: Store, make_case) -> None:
    with pytest.raises(ValidationError) as refused:
        make_case(received_on=D(2026, 12, 4))
    assert refused.value.field == "received_on"
    assert "未来" in refused.value.message


def test_correcting_the_received_date_moves_the_case_and_keeps_the_history(
    store: Store, make_case
) -> None:
    case = make_case()
    assert _month(store, "2026年12月") == (1, 0, 0)
    form = case_edit_form(store, case.id)
    assert form.edit.consultation.received_on == D(2026, 12, 3)
    consultation = dataclasses.replace(form.edit.consultation, received_on=D(2026, 11, 28))
    edit = dataclasses.replace(form.edit, consultation=consultation)
    saved = save_case_edit(store, case.id, edit, expected_version=form.edit.version)
    assert saved.received_on == D(2026, 11, 28)
    assert (_month(store, "2026年11月"), _month(store, "2026年12月")) == ((1, 0, 0), (0, 0, 0))
    entry = get_case(store, case.id).history[-1]
    assert "受付日" in entry.summary
    assert entry.before == {"received_on": "2026-12-03"}
    assert entry.after == {"received_on": "2026-11-28"}
    later = dataclasses.replace(consultation, received_on=D(2026, 12, 5))
    with pytest.raises(ValidationError) as refused:
        save_case_edit(
            store, case.id, dataclasses.replace(edit, consultation=later),
            expected_version=saved.version,
        )  # fmt: skip
    assert refused.value.field == "received_on"


def test_the_end_date_is_the_day_the_case_ended_and_goes_when_it_reopens(
    store: Store, make_case
) -> None:
    case = make_case(received_on=D(2026, 7, 1))
    store.clock = FixedClock(dt.datetime(2026, 8, 10, 15, 0))
    try:
        ended = move_stage(store, case.id, Stage.CANCELLED, reason="ご本人の都合")
    finally:
        store.clock = SYSTEM
    assert (ended.received_on, ended.ended_on) == (D(2026, 7, 1), D(2026, 8, 10))
    assert _month(store, "2026年8月") == (0, 1, 0)
    assert _month(store, "2026年12月") == (0, 0, 0), "not the day the row was written"
    excluded = make_case(name="除外　太郎", exclusion_code="complaint", received_on=D(2026, 5, 2))
    assert (excluded.stage, excluded.ended_on) == (Stage.EXCLUDED, D(2026, 5, 2))
    assert _month(store, "2026年5月") == (1, 0, 1)
