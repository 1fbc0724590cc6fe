"""The first-run checklist: what a new clinic database still needs before the first call.

A fresh database starts with the guide's own hospital (苫小牧市立病院) and fee as defaults,
and with no department, doctor or weekly hours, so nothing could be booked. Until each is
done the window lists it, each item opening its settings. Read through the Core tables, after
the window's first paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select

from desktop_app.db import tables
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.services.demo_mark import DEMO_MARK
from desktop_app.services.store import Store


class SetupPlace(StrEnum):
    """Where an item is done: the 設定 page, or its 担当医・診療枠・休診日 window."""

    SETTINGS = "settings"
    MASTERS = "masters"


@dataclass(frozen=True)
class SetupItem:
    key: str
    label: str
    done: bool
    place: SetupPlace


@dataclass(frozen=True)
class SetupChecklist:
    items: tuple[SetupItem, ...]
    demo: bool = False

    @property
    def done(self) -> bool:
        """Nothing left to ask for (a demo database never asks)."""
        return self.demo or all(item.done for item in self.items)


def setup_checklist(store: Store) -> SetupChecklist:
    """What is done of the first-run set-up, in the order a clinic does it."""
    t = tables
    with store.read() as session:
        demo = session.scalar(select(t.settings.c.key).where(t.settings.c.key == DEMO_MARK))
        settings_saved = session.scalar(
            select(t.audit_log.c.id)
            .where(t.audit_log.c.action == AuditAction.SETTINGS_UPDATE)
            .limit(1)
        )
        doctors = session.scalar(
            select(func.count(t.doctors.c.id))
            .join(t.departments, t.departments.c.id == t.doctors.c.department_id)
            .where(t.doctors.c.active, t.departments.c.active)
        )
        hours = session.scalar(select(func.count(t.doctor_availability.c.id)))
    saved = settings_saved is not None
    return SetupChecklist(
        items=(
            SetupItem(
                "hospital",
                "病院の名称・住所・電話番号を確認して保存する（初期値は案内の病院です）",
                saved,
                SetupPlace.SETTINGS,
            ),
            SetupItem("doctors", "診療科と担当医を登録する", bool(doctors), SetupPlace.MASTERS),
            SetupItem(
                "hours", "担当医の曜日と時間（診療枠）を登録する", bool(hours), SetupPlace.MASTERS
            ),
            SetupItem("fee", "料金（30分ごとの金額）を確認する", saved, SetupPlace.SETTINGS),
        ),
        demo=demo is not None,
    )
