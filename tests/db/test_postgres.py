"""The same store on PostgreSQL, when CI (or you) provides one: SODESK_TEST_POSTGRES_URL."""

from __future__ import annotations

import dataclasses
import os

import pytest

from desktop_app.db.migrate import schema_differences
from desktop_app.domain.stages import Stage
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import create_case, move_stage
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.maintenance import rebuild_demo
from desktop_app.services.settings import get_settings, update_settings

URL = os.environ.get("SODESK_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="SODESK_TEST_POSTGRES_URL is not set")


def test_postgres_store_end_to_end() -> None:
    store = rebuild_demo(URL, 15)
    try:
        assert schema_differences(store.engine) == []
        assert search_cases(store).total == 15
        case = create_case(
            store, NewCase(patient=NewPatient(name="ポスグレ　花子", furigana="ぽすぐれ はなこ"))
        )
        assert search_cases(store, "ﾎﾟｽｸﾞﾚ").rows[0].case_number == case.case_number
        moved = move_stage(store, case.id, Stage.CANCELLED, reason="テスト")
        assert moved.history[-1].after == {"stage": "cancelled", "reason": "テスト"}
        update_settings(store, dataclasses.replace(get_settings(store), fax="0144-33-0000"))
        assert get_settings(store).fax == "0144330000"
    finally:
        store.close()
