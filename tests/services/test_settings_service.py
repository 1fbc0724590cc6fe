from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry, Setting
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.settings import DEFAULT_SETTINGS, DateStyle
from desktop_app.services.settings import get_settings, update_settings


def test_defaults_are_the_guides(store) -> None:
    s = get_settings(store)
    assert s.hospital_name == "苫小牧市立病院"
    assert s.fax == "0144334678"
    assert s.fee_per_block_yen == 5500
    assert s.materials_deadline_days == 3
    assert len(s.exclusion_reasons) >= 5


def test_update_normalises_saves_and_audits(store) -> None:
    new = dataclasses.replace(
        DEFAULT_SETTINGS, tel="0144-84-0000", postal_code="〒053-8567", date_style=DateStyle.BOTH
    )
    saved = update_settings(store, new)
    assert saved.tel == "0144840000"
    again = get_settings(store)
    assert again.tel == "0144840000"
    assert again.date_style is DateStyle.BOTH
    assert again.exclusion_reasons == DEFAULT_SETTINGS.exclusion_reasons
    with store.read() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert entry.action == "settings.update"
    assert entry.before == {"tel": "0144840158", "date_style": "wareki"}
    assert entry.after == {"tel": "0144840000", "date_style": "both"}


def test_bad_value_writes_nothing(store) -> None:
    with store.read() as session:
        settings_before = session.scalar(select(func.count()).select_from(Setting))
    with pytest.raises(ValidationError) as err:
        update_settings(store, dataclasses.replace(DEFAULT_SETTINGS, postal_code="12345"))
    assert err.value.field == "postal_code"
    assert "7桁" in err.value.message
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Setting)) == settings_before
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_exclusion_reasons_round_trip(store) -> None:
    reasons = DEFAULT_SETTINGS.exclusion_reasons  # the guide's own may not be dropped
    extra = dataclasses.replace(reasons[0], code="deceased", label="患者さんが亡くなっている")
    update_settings(
        store, dataclasses.replace(DEFAULT_SETTINGS, exclusion_reasons=(*reasons, extra))
    )
    assert get_settings(store).exclusion_reasons[-1] == extra
