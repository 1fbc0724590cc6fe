from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.contact_log import days_since_last_contact
from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.paper_trail import automatic_stage, checklist_label
from desktop_app.domain.stages import OPEN_STAGES, Stage

JST = dt.timezone(dt.timedelta(hours=9))


def test_checklist_label_prefers_the_items_own_name_and_shows_quantity() -> None:
    assert checklist_label(DocumentKind.IMAGING_CD) == "画像CD-R"
    assert checklist_label(DocumentKind.IMAGING_CD, "  ", 1) == "画像CD-R"
    assert checklist_label(DocumentKind.IMAGING_FILM, "CTフィルム 胸部", 3) == "CTフィルム 胸部 ×3"
    assert checklist_label(DocumentKind.PATHOLOGY, "", 2) == "病理検査の報告書 ×2"


@pytest.mark.parametrize("stage", [Stage.INQUIRY, Stage.FORMS_SENT])
def test_the_application_moves_an_early_case_on(stage: Stage) -> None:
    assert (
        automatic_stage(stage, application_in=True, all_required_in=False)
        == Stage.APPLICATION_RECEIVED
    )
    assert automatic_stage(stage, application_in=False, all_required_in=False) is None


def test_all_materials_in_moves_only_a_booked_case() -> None:
    for stage in OPEN_STAGES:
        moved = automatic_stage(stage, application_in=True, all_required_in=True)
        if stage == Stage.BOOKED:
            assert moved == Stage.MATERIALS_RECEIVED
        elif stage in (Stage.INQUIRY, Stage.FORMS_SENT):
            assert moved == Stage.APPLICATION_RECEIVED
        else:
            assert moved is None, stage
    assert automatic_stage(Stage.BOOKED, application_in=True, all_required_in=False) is None


def test_days_since_last_contact_counts_local_calendar_days() -> None:
    assert days_since_last_contact([], dt.date(2026, 5, 1), JST) is None
    times = [
        dt.datetime(2026, 4, 20, 1, 0, tzinfo=dt.UTC),
        # 23:30 UTC on the 27th is already the 28th in Japan.
        dt.datetime(2026, 4, 27, 23, 30, tzinfo=dt.UTC),
    ]
    assert days_since_last_contact(times, dt.date(2026, 5, 1), JST) == 3
    assert days_since_last_contact(times, dt.date(2026, 4, 28), JST) == 0
    assert days_since_last_contact(times, dt.date(2026, 4, 27), JST) == 0
    assert days_since_last_contact(times, dt.date(2026, 5, 1), dt.UTC) == 4
